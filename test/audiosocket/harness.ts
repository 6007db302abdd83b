import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { afterEach } from 'vitest';
import { AsteriskPeer } from '../../sim/asterisk/peer.js';
import { CLIP_DIR } from '../../sim/caller/script.js';
import { createLogger, type Logger } from '../../src/log.js';
import type { AudioSocketCall } from '../../src/transports/audiosocket/call.js';
import { type AudioSocketServer, startAudioSocketServer } from '../../src/transports/audiosocket/server.js';
import type { HangupCause } from '../../src/transports/transport.js';

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

/**
 * AudioSocket servers on real TCP and simulated Asterisk peers for one test file; after each test
 * the peers hang up and the servers close. `start` records every call and how each one ended.
 */
export function audioSocketRig() {
  const servers: AudioSocketServer[] = [];
  const peers: AsteriskPeer[] = [];
  afterEach(async () => {
    for (const p of peers.splice(0)) p.hangup();
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  async function start(opts: Partial<Parameters<typeof startAudioSocketServer>[0]> = {}) {
    const { log, lines } = captureLogs();
    const calls: AudioSocketCall[] = [];
    const causes = new Map<string, { cause: HangupCause; detail?: string }>();
    const server = await startAudioSocketServer({
      port: 0,
      log,
      onCall: (c) => {
        calls.push(c);
        c.on('closed', (cause, detail) => causes.set(c.callId, { cause, detail }));
      },
      ...opts,
    });
    servers.push(server);
    return { server, calls, causes, lines };
  }

  async function peer(opts: Parameters<typeof AsteriskPeer.connect>[0]) {
    const p = await AsteriskPeer.connect(opts);
    peers.push(p);
    return p;
  }

  return { start, peer };
}
