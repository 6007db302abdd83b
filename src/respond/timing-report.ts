import type { RespondResult, RespondTimings } from './respond-types.js';

const ms = (v: number | null) => (v === null ? '-' : `${Math.round(v)} ms`);

/** The one line `npm run respond` prints. */
export function timingLine(t: RespondTimings): string {
  return [
    `STT ${ms(t.sttMs)}`,
    `LLM first token ${ms(t.llmFirstTokenMs)}`,
    `LLM total ${ms(t.llmTotalMs)}`,
    `TTS first byte ${ms(t.ttsFirstByteMs)}`,
    `TTS total ${ms(t.ttsTotalMs)}`,
    `overall ${ms(t.totalMs)}`,
  ].join(' | ');
}

/** How much starting synthesis on the first sentence saved. */
export function streamingLine(r: RespondResult): string {
  return r.timings.streamingSavedMs > 0
    ? `streaming: synthesis started on the first sentence, ${ms(r.timings.streamingSavedMs)} before the reply was complete (first audio that much sooner)`
    : 'streaming: the reply was one sentence, so synthesis started when it was complete (nothing saved)';
}

const HEADER: Record<keyof RespondTimings, string> = {
  sttMs: 'stt',
  llmFirstTokenMs: 'llm-first-token',
  llmTotalMs: 'llm-total',
  ttsFirstByteMs: 'tts-first-byte',
  ttsTotalMs: 'tts-total',
  totalMs: 'total',
  streamingSavedMs: 'streaming-saved',
};

/** Response headers: standard `Server-Timing` plus one `X-Respond-*-Ms` header per figure. */
export function timingHeaders(t: RespondTimings): Record<string, string> {
  const entries = Object.entries(HEADER) as [keyof RespondTimings, string][];
  const headers: Record<string, string> = {
    'server-timing': entries
      .filter(([k]) => t[k] !== null)
      .map(([k, name]) => `${name};dur=${t[k]}`)
      .join(', '),
  };
  for (const [k, name] of entries) if (t[k] !== null) headers[`x-respond-${name}-ms`] = String(t[k]);
  return headers;
}
