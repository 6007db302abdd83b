import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { CLIP_DIR } from '../../sim/caller/script.js';
import { createLogger, type Logger } from '../../src/log.js';

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** A real pino logger writing JSON lines into an array the test can read. */
export function captureLogs(level = 'debug'): { log: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line) lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  return { log: createLogger({ level, destination }), lines };
}

export const WARN = 40;

/** An 8 kHz s16le caller clip from fixtures/audio. */
export function clip(name: string): Buffer {
  return readFileSync(new URL(name, CLIP_DIR));
}

/** Polls `predicate` every 5 ms until it holds; fails with `what` after `timeoutMs`. */
export async function waitFor(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
