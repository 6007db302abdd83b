import WebSocket from 'ws';

/**
 * The provider floor's three links, each the least a client can do on the vendor's wire: a raw `ws`
 * to Deepgram live STT, one raw-`fetch` streaming chat completion to Groq, a raw `ws` to Cartesia.
 * No SDKs, so whatever the SDKs cost shows up in callchart's figures and not here.
 */

export interface ProviderEndpoints {
  deepgramUrl: string;
  deepgramKey: string;
  groqUrl: string;
  groqKey: string;
  groqModel: string;
  cartesiaUrl: string;
  cartesiaKey: string;
  cartesiaModel: string;
  cartesiaVoice: string;
  endpointingMs: number;
}

/** Whole messages only; a bigger one is a broken peer, not a reply. */
const MAX_MESSAGE_BYTES = 1 << 20;
const MAX_SSE_BUFFER_CHARS = 1 << 16;

/** The same /v1/listen query callchart sends (src/providers/stt/deepgram-query.ts). */
export function openDeepgram(ep: ProviderEndpoints, onUtterance: (text: string) => void): WebSocket {
  const q = new URLSearchParams({
    model: 'nova-3',
    language: 'multi',
    encoding: 'linear16',
    sample_rate: '8000',
    channels: '1',
    interim_results: 'true',
    endpointing: String(ep.endpointingMs),
    utterance_end_ms: '1000',
    vad_events: 'true',
    smart_format: 'true',
    punctuate: 'true',
  });
  const ws = new WebSocket(`${ep.deepgramUrl.replace(/^http/, 'ws')}/v1/listen?${q}`, {
    headers: { Authorization: `Token ${ep.deepgramKey}` },
    maxPayload: MAX_MESSAGE_BYTES,
  });
  let finals = '';
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    const msg = parseJson(data.toString()) as DeepgramMessage | undefined;
    if (msg?.type === 'Results') {
      const text = msg.channel?.alternatives?.[0]?.transcript ?? '';
      if (msg.is_final && text) finals = finals ? `${finals} ${text}` : text;
      if (!msg.speech_final) return;
    } else if (msg?.type !== 'UtteranceEnd') return;
    // End of the caller's utterance: by endpointing (speech_final) or, failing that, UtteranceEnd.
    if (!finals) return;
    const utterance = finals;
    finals = '';
    onUtterance(utterance);
  });
  ws.on('error', () => ws.terminate());
  return ws;
}

interface DeepgramMessage {
  type?: string;
  is_final?: boolean;
  speech_final?: boolean;
  channel?: { alternatives?: Array<{ transcript?: string }> };
}

/**
 * One streaming chat completion; `onText` gets each content delta. The system prompt carries the
 * line the LLM simulator answers with (its "Suggested reply" convention), sized like callchart's replies.
 */
export async function streamChat(
  ep: ProviderEndpoints,
  reply: string,
  userText: string,
  onText: (delta: string) => void,
  signal: AbortSignal,
): Promise<void> {
  const res = await fetch(`${ep.groqUrl}/openai/v1/chat/completions`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${ep.groqKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      model: ep.groqModel,
      stream: true,
      max_tokens: 250,
      messages: [
        { role: 'system', content: `You answer a caller for a plumber.\nSuggested reply: ${reply}` },
        { role: 'user', content: userText },
      ],
    }),
    signal,
  });
  if (!res.ok || !res.body) throw new Error(`LLM answered ${res.status}`);
  const decoder = new TextDecoder();
  let buf = '';
  for await (const chunk of res.body) {
    buf += decoder.decode(chunk as Uint8Array, { stream: true });
    if (buf.length > MAX_SSE_BUFFER_CHARS) throw new Error('LLM stream line too long');
    let nl = buf.indexOf('\n');
    while (nl >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      nl = buf.indexOf('\n');
      if (!line.startsWith('data:')) continue;
      const data = line.slice(5).trim();
      if (data === '[DONE]') return;
      const delta = (parseJson(data) as ChatChunk | undefined)?.choices?.[0]?.delta?.content;
      if (delta) onText(delta);
    }
  }
}

interface ChatChunk {
  choices?: Array<{ delta?: { content?: string | null } }>;
}

export interface CartesiaLink {
  /** Sends text on a context; `last` closes the context. */
  say(contextId: string, text: string, last: boolean): void;
  cancel(contextId: string): void;
  close(): void;
}

/** One socket per call, as callchart keeps; audio chunks and `done` are reported per context. */
export function openCartesia(
  ep: ProviderEndpoints,
  onAudio: (contextId: string, pcm: Buffer) => void,
  onDone: (contextId: string) => void,
): CartesiaLink {
  const ws = new WebSocket(`${ep.cartesiaUrl.replace(/^http/, 'ws')}/tts/websocket`, {
    headers: { Authorization: `Bearer ${ep.cartesiaKey}`, 'Cartesia-Version': '2026-08-14' },
    maxPayload: MAX_MESSAGE_BYTES,
  });
  const pending: string[] = []; // sent once the socket is open
  const send = (msg: object) => {
    const text = JSON.stringify(msg);
    if (ws.readyState === WebSocket.OPEN) ws.send(text);
    else if (ws.readyState === WebSocket.CONNECTING && pending.length < 256) pending.push(text);
  };
  ws.on('open', () => {
    for (const text of pending.splice(0)) ws.send(text);
  });
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    const msg = parseJson(data.toString()) as CartesiaMessage | undefined;
    if (!msg?.context_id) return;
    if (msg.type === 'chunk' && typeof msg.data === 'string')
      onAudio(msg.context_id, Buffer.from(msg.data, 'base64'));
    else if (msg.type === 'done' || msg.type === 'error') onDone(msg.context_id);
  });
  ws.on('error', () => ws.terminate());
  return {
    say: (contextId, transcript, last) =>
      send({
        model_id: ep.cartesiaModel,
        transcript,
        voice: { mode: 'id', id: ep.cartesiaVoice },
        output_format: { container: 'raw', encoding: 'pcm_s16le', sample_rate: 8000 },
        language: 'en',
        context_id: contextId,
        continue: !last,
        max_buffer_delay_ms: 0,
      }),
    cancel: (contextId) => send({ context_id: contextId, cancel: true }),
    close: () => (ws.readyState === WebSocket.CONNECTING ? ws.terminate() : ws.close()),
  };
}

interface CartesiaMessage {
  type?: string;
  context_id?: string;
  data?: unknown;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
