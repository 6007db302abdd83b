import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import {
  type CallerLine,
  CLIP_DIR,
  clipName,
  loadCallerScript,
  SCRIPT_DIR,
} from '../../sim/caller/script.js';
import { encodeMulaw } from '../../src/audio/g711.js';
import type { SttEvent, SttOptions, SttSession } from '../../src/providers/stt/types.js';

/** 8 kHz s16le: 16 000 bytes per second of audio. */
export const BYTES_PER_SEC_S16 = 16_000;

export function scriptLines(name: string): CallerLine[] {
  return loadCallerScript(fileURLToPath(new URL(name, SCRIPT_DIR)));
}

export function clipOf(line: CallerLine): Buffer {
  return readFileSync(fileURLToPath(new URL(clipName(line), CLIP_DIR)));
}

export function silenceS16(ms: number): Buffer {
  return Buffer.alloc(Math.round((ms * BYTES_PER_SEC_S16) / 1000));
}

/** A 440 Hz tone at `amplitude`, 8 kHz s16le. */
export function toneS16(ms: number, amplitude = 6000): Buffer {
  const samples = Math.round(ms * 8);
  const out = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++)
    out.writeInt16LE(Math.round(amplitude * Math.sin((2 * Math.PI * 440 * i) / 8000)), i * 2);
  return out;
}

export function toEncoding(s16: Buffer, encoding: 'linear16' | 'mulaw'): Buffer {
  return encoding === 'mulaw' ? encodeMulaw(s16) : s16;
}

/** 20 ms frames in the given encoding (320 bytes of s16le or 160 of µ-law at 8 kHz). */
export function* frames(audio: Buffer, encoding: 'linear16' | 'mulaw'): Generator<Buffer> {
  const size = encoding === 'mulaw' ? 160 : 320;
  for (let i = 0; i < audio.length; i += size) yield audio.subarray(i, i + size);
}

export function streamTo(session: SttSession, audio: Buffer, encoding: 'linear16' | 'mulaw'): void {
  for (const frame of frames(audio, encoding)) session.sendAudio(frame);
}

export const PHONE_STT_OPTIONS: SttOptions = {
  encoding: 'linear16',
  sampleRate: 8000,
  model: 'nova-3',
  language: 'en-GB',
  interimResults: true,
  endpointingMs: 300,
  utteranceEndMs: 1000,
  vadEvents: true,
  smartFormat: true,
  keyterms: ['Acme plumbing', 'postcode'],
};

/** Polls until `predicate` holds; the deadline only bounds a failing test, it never asserts speed. */
export async function until(predicate: () => boolean, what: string, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Collects adapter events in order. */
export class EventLog {
  readonly events: SttEvent[] = [];
  readonly push = (e: SttEvent): void => {
    this.events.push(e);
  };

  ofType<T extends SttEvent['type']>(type: T): Extract<SttEvent, { type: T }>[] {
    return this.events.filter((e): e is Extract<SttEvent, { type: T }> => e.type === type);
  }

  /** Finals that carry words (silence yields empty finals too). */
  spokenFinals(): Extract<SttEvent, { type: 'final' }>[] {
    return this.ofType('final').filter((e) => e.text !== '');
  }
}

export interface RawServerMessage {
  type: string;
  [key: string]: unknown;
}

/** A plain `ws` client, for protocol checks below the SDK. */
export class RawStream {
  readonly messages: RawServerMessage[] = [];
  closeCode: number | undefined;
  closeReason = '';

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      if (!isBinary) this.messages.push(JSON.parse(data.toString()) as RawServerMessage);
    });
    ws.on('close', (code, reason) => {
      this.closeCode = code;
      this.closeReason = reason.toString();
    });
  }

  static async open(
    baseUrl: string,
    query: string,
    headers: Record<string, string> = {},
    path = '/v1/listen',
  ): Promise<RawStream> {
    const ws = new WebSocket(`${baseUrl}${path}?${query}`, {
      headers: { authorization: 'Token test-key', ...headers },
    });
    // Listen before the upgrade completes: a v2 server's Connected can arrive with the 101 itself.
    const stream = new RawStream(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return stream;
  }

  sendAudio(audio: Buffer, frameBytes = 320): void {
    for (let i = 0; i < audio.length; i += frameBytes) this.ws.send(audio.subarray(i, i + frameBytes));
  }

  sendJson(message: unknown): void {
    this.ws.send(JSON.stringify(message));
  }

  ofType(type: string): RawServerMessage[] {
    return this.messages.filter((m) => m.type === type);
  }

  /** Final Results with their transcript, in order. */
  finals(): {
    transcript: string;
    speechFinal: boolean;
    fromFinalize: boolean;
    start: number;
    duration: number;
  }[] {
    return this.ofType('Results')
      .filter((m) => m.is_final === true)
      .map((m) => {
        const alt = (m.channel as { alternatives: { transcript: string }[] }).alternatives[0]!;
        return {
          transcript: alt.transcript,
          speechFinal: m.speech_final === true,
          fromFinalize: m.from_finalize === true,
          start: m.start as number,
          duration: m.duration as number,
        };
      });
  }

  async closed(): Promise<void> {
    await until(() => this.closeCode !== undefined, 'socket close');
  }
}

/** Upgrade refused: returns the HTTP status, headers and JSON body instead of a socket. */
export function refusedUpgrade(
  url: string,
  headers: Record<string, string> = {},
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => {
      ws.close();
      reject(new Error('upgrade unexpectedly accepted'));
    });
    ws.on('error', () => {});
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString();
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(body) }),
      );
    });
  });
}
