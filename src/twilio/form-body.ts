import type { IncomingMessage } from 'node:http';

export type FormBody =
  | { ok: true; params: Record<string, string> }
  | { ok: false; status: 400 | 413 | 415; reason: string };

/** Twilio's voice webhooks are a couple of kilobytes; anything near this is not Twilio. */
export const MAX_FORM_BYTES = 16 * 1024;

/**
 * Reads an application/x-www-form-urlencoded body, refusing more than `maxBytes` without buffering it.
 * Repeated keys keep their last value (Twilio sends each parameter once).
 */
export function readFormBody(req: IncomingMessage, maxBytes = MAX_FORM_BYTES): Promise<FormBody> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    req.resume();
    return Promise.resolve({ ok: false, status: 415, reason: `content-type ${type || 'missing'}` });
  }
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) {
    req.resume();
    return Promise.resolve({ ok: false, status: 413, reason: `content-length ${declared}` });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > maxBytes) {
        done = true;
        resolve({ ok: false, status: 413, reason: `body over ${maxBytes} bytes` });
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      const text = Buffer.concat(chunks).toString('utf8');
      resolve({ ok: true, params: Object.fromEntries(new URLSearchParams(text)) });
    });
    req.on('error', (err) => {
      if (done) return;
      done = true;
      resolve({ ok: false, status: 400, reason: err.message });
    });
  });
}
