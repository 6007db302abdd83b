import { existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionTransport } from '../../src/call/call-session.js';
import { Recordings } from '../../src/dashboard/recordings.js';
import { silentLogger } from '../../src/log.js';
import type { HangupCause, TransportEvents } from '../../src/transports/transport.js';
import { makeTempDir } from '../store/temp-dir.js';

/** A transport that records what the runtime does with it; the test plays the caller. */
function fakeTransport(callId: string) {
  const listeners: { [E in keyof TransportEvents]: TransportEvents[E][] } = {
    audio: [],
    dtmf: [],
    playoutDone: [],
    closed: [],
  };
  let closed = false;
  const played: Buffer[] = [];
  const t: SessionTransport = {
    callId,
    format: { encoding: 'slin', sampleRate: 8000, frameBytes: 320 },
    on: (e, l) => listeners[e].push(l as never),
    play: (a) => played.push(a),
    flush: () => 0,
    queuedMs: () => 0,
    playedMs: () => 0,
    recentOutputRms: () => 0,
    hangup: () => {},
    get closed() {
      return closed;
    },
  };
  return {
    t,
    played,
    callerFrame: (value: number) => {
      for (const l of listeners.audio) l(Buffer.alloc(320, value));
    },
    close: (cause: HangupCause = 'caller') => {
      closed = true;
      for (const l of listeners.closed) l(cause);
    },
  };
}

const sampleAt = (wav: Buffer, frame: number, channel: 0 | 1) =>
  wav.readInt16LE(44 + frame * 4 + channel * 2);

describe('call recordings', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let recordings: Recordings;
  beforeEach(async () => {
    tmp = makeTempDir('callchart-rec-');
    recordings = new Recordings(join(tmp.dir, 'rec'), 7, silentLogger);
    await recordings.start();
  });
  afterEach(() => {
    recordings.stop();
    tmp.cleanup();
  });

  it('writes a stereo WAV: caller left, agent right, a flushed reply cut where it stopped', async () => {
    const fake = fakeTransport('call-1');
    const t = recordings.record(fake.t);
    fake.callerFrame(0x11); // 20 ms of caller
    t.play(Buffer.alloc(320 * 5, 0x22)); // 100 ms of agent, starting at 20 ms
    expect(fake.played).toHaveLength(1); // still reaches the real transport
    fake.callerFrame(0x11);
    fake.callerFrame(0x11); // 60 ms in: the caller barges in
    t.flush();
    fake.callerFrame(0x33);
    fake.close();
    // The file is written asynchronously once the call has closed: wait for all of it.
    await expect.poll(async () => (await recordings.read('call-1'))?.length ?? 0).toBe(44 + 160 * 4 * 4);
    const w = (await recordings.read('call-1')) as Buffer;
    expect(w.toString('ascii', 0, 4)).toBe('RIFF');
    expect(w.readUInt16LE(22)).toBe(2); // channels
    expect(w.readUInt32LE(24)).toBe(8000);
    const frames = (w.length - 44) / 4;
    expect(frames).toBe(160 * 4); // four caller frames of 160 samples
    expect(sampleAt(w, 0, 0)).toBe(0x1111);
    expect(sampleAt(w, 0, 1)).toBe(0); // the agent had not started yet
    expect(sampleAt(w, 200, 1)).toBe(0x2222); // agent audio from 20 ms
    expect(sampleAt(w, 500, 1)).toBe(0); // cut at the flush (60 ms), though 100 ms were queued
    expect(sampleAt(w, 500, 0)).toBe(0x3333);
  });

  it('refuses ids that are not file-safe and deletes recordings past the retention', async () => {
    expect(await recordings.read('../etc/passwd')).toBeNull();
    const old = join(tmp.dir, 'rec', 'old.wav');
    const fresh = join(tmp.dir, 'rec', 'fresh.wav');
    writeFileSync(old, 'x');
    writeFileSync(fresh, 'x');
    const eightDaysAgo = (Date.now() - 8 * 86_400_000) / 1000;
    utimesSync(old, eightDaysAgo, eightDaysAgo);
    expect(await recordings.sweep()).toBe(1);
    expect(existsSync(old)).toBe(false);
    expect(readFileSync(fresh, 'utf8')).toBe('x');
  });
});
