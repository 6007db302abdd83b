import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sseData } from '../llm/sse.js';
import { type GenerationInput, type HttpGenerationInput, parseHttpRequest } from './client-messages.js';
import { BYTES_PER_SAMPLE, type Encoding, TTS_BYTES_PATH, TTS_SSE_PATH } from './protocol.js';
import type { ServerMessage, SimError } from './server-messages.js';
import type { ContextSink } from './sim-context.js';
import type { SimCore } from './sim-core.js';

const MAX_BODY_BYTES = 1 << 20;

/** WAV `audioFormat` codes for the four raw encodings (PCM, IEEE float, A-law, µ-law). */
const WAV_FORMAT: Record<Encoding, number> = { pcm_s16le: 1, pcm_f32le: 3, pcm_alaw: 6, pcm_mulaw: 7 };

/** A streaming WAV header: the length is unknown up front, so both sizes say "to the end" (0xFFFFFFFF). */
function wavHeader(encoding: Encoding, sampleRate: number): Buffer {
  const bytesPerSample = BYTES_PER_SAMPLE[encoding];
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(0xffffffff, 4);
  h.write('WAVEfmt ', 8, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(WAV_FORMAT[encoding], 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * bytesPerSample, 28);
  h.writeUInt16LE(bytesPerSample, 32);
  h.writeUInt16LE(bytesPerSample * 8, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(0xffffffff, 40);
  return h;
}

function sendJsonError(res: ServerResponse, error: SimError, requestId: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(error.status, { 'Content-Type': 'application/json' });
  res.end(
    JSON.stringify({
      status_code: error.status,
      title: error.title,
      message: error.message,
      error_code: error.code,
      request_id: requestId,
    }),
  );
}

async function readJson(
  req: IncomingMessage,
): Promise<{ ok: true; json: unknown } | { ok: false; error: SimError }> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const part of req) {
    size += (part as Buffer).length;
    if (size > MAX_BODY_BYTES) {
      return {
        ok: false,
        error: { status: 413, title: 'Body too large', message: 'Body over 1 MiB', code: 'too_large' },
      };
    }
    parts.push(part as Buffer);
  }
  try {
    return { ok: true, json: JSON.parse(Buffer.concat(parts).toString('utf8')) };
  } catch {
    return {
      ok: false,
      error: { status: 400, title: 'Invalid JSON', message: 'Body is not JSON', code: 'invalid_json' },
    };
  }
}

/**
 * One generation over HTTP is a single context with the whole transcript and `continue:false`
 * (docs/protocols/cartesia-tts.md §5).
 */
function asFinalInput(input: HttpGenerationInput): GenerationInput {
  return {
    ...input,
    contextId: input.contextId ?? randomUUID(),
    continue: false,
    flush: false,
    maxBufferDelayMs: 0,
  };
}

/** Handles `POST /tts/bytes` (audio body) and `POST /tts/sse` (event stream). Returns false for other paths. */
export function handleHttpRequest(req: IncomingMessage, res: ServerResponse, core: SimCore): boolean {
  const path = new URL(req.url ?? '/', 'http://sim').pathname;
  const sse = path === TTS_SSE_PATH;
  if (req.method !== 'POST' || (path !== TTS_BYTES_PATH && !sse)) return false;
  core.stats.httpRequests += 1;
  const requestId = core.nextRequestId();
  void (async () => {
    const body = await readJson(req);
    if (!body.ok) return sendJsonError(res, body.error, requestId);
    const parsed = parseHttpRequest(body.json, !sse);
    if (!parsed.ok) return sendJsonError(res, parsed.error, requestId);
    const refused = core.admit(parsed.value);
    if (refused) return sendJsonError(res, refused, requestId);
    const input = asFinalInput(parsed.value);
    const sink = sse ? sseSink(res) : bytesSink(res, requestId, parsed.value);
    const ctx = core.openContext(input.contextId, input, sink, requestId);
    res.on('close', () => ctx.dispose());
    ctx.accept(input);
  })().catch((err: unknown) => {
    core.log.warn({ err }, 'cartesia sim: http request failed');
    res.destroy();
  });
  return true;
}

/** §5: each event's `data` is one JSON object of the WebSocket family; no `[DONE]` sentinel. */
function sseSink(res: ServerResponse): ContextSink {
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
  return {
    send: (m: ServerMessage) => {
      res.write(sseData(m));
    },
    drop: () => res.destroy(),
    ended: () => {
      if (!res.destroyed) res.end();
    },
  };
}

/**
 * The body is the audio itself. Headers wait for the first audio, so an error before any audio is
 * still a proper HTTP status; after that it can only cut the stream.
 */
function bytesSink(res: ServerResponse, requestId: string, input: HttpGenerationInput): ContextSink {
  const begin = (): void => {
    if (res.headersSent) return;
    const wav = input.container === 'wav';
    res.writeHead(200, { 'Content-Type': wav ? 'audio/wav' : 'application/octet-stream' });
    if (wav) res.write(wavHeader(input.encoding, input.sampleRate));
  };
  return {
    send: (m: ServerMessage) => {
      if (m.type === 'chunk') {
        begin();
        res.write(Buffer.from(m.data, 'base64'));
      }
      if (m.type === 'error') {
        sendJsonError(
          res,
          { status: m.status_code, title: m.title, message: m.message, code: m.error_code },
          requestId,
        );
      }
    },
    drop: () => res.destroy(),
    ended: () => {
      if (res.destroyed || res.writableEnded) return;
      begin();
      res.end();
    },
  };
}
