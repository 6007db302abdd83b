import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AsteriskPeer, connectWithoutCall } from '../../sim/asterisk/peer.js';
import { FrameParser } from '../../src/transports/audiosocket/frame-parser.js';
import { FrameScheduler } from '../../src/transports/audiosocket/frame-scheduler.js';
import type { Frame } from '../../src/transports/audiosocket/frames.js';
import { FakeClock } from './fake-clock.js';
import { waitFor } from './harness.js';

/** A bare TCP server standing in for ours, so the fake Asterisk itself is what is tested. */
interface RawServer {
  port: number;
  sockets: Socket[];
  chunks: Buffer[];
  close(): Promise<void>;
}

const raws: RawServer[] = [];
const peers: AsteriskPeer[] = [];
afterEach(async () => {
  for (const p of peers.splice(0)) p.hangup();
  await Promise.all(raws.splice(0).map((r) => r.close()));
});

async function rawServer(): Promise<RawServer> {
  const sockets: Socket[] = [];
  const chunks: Buffer[] = [];
  const server: Server = createServer((s) => {
    sockets.push(s);
    s.on('data', (d) => chunks.push(d));
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const raw: RawServer = {
    port: (server.address() as { port: number }).port,
    sockets,
    chunks,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
  raws.push(raw);
  return raw;
}

async function peer(opts: Omit<Parameters<typeof AsteriskPeer.connect>[0], 'port'> & { port: number }) {
  const p = await AsteriskPeer.connect(opts);
  peers.push(p);
  return p;
}

function framesOf(chunks: Buffer[]): Frame[] {
  const r = new FrameParser().push(Buffer.concat(chunks));
  expect(r.error).toBeUndefined();
  return r.frames;
}

describe('AsteriskPeer (fake Asterisk, docs/protocols/audiosocket.md §12)', () => {
  it('sends the 19-byte UUID frame in one write, then 320-byte 0x10 frames', async () => {
    const raw = await rawServer();
    await peer({ port: raw.port, uuid: '40325EC2-5EFD-4BD3-805F-53576E581D13' });
    await waitFor(() => framesOf(raw.chunks).length >= 4, 'the UUID and three frames');
    expect(raw.chunks[0]!.subarray(0, 19).toString('hex')).toBe('01001040325ec25efd4bd3805f53576e581d13');
    const [uuid, ...audio] = framesOf(raw.chunks);
    expect(uuid).toEqual({ kind: 'uuid', uuid: '40325ec2-5efd-4bd3-805f-53576e581d13' });
    expect(audio.length).toBeGreaterThanOrEqual(3);
    expect(audio.every((f) => f.kind === 'audio' && f.sampleRate === 8000 && f.payload.length === 320)).toBe(
      true,
    );
  });

  it.each([
    [10, 160],
    [30, 480],
  ])('offers %i ms ptime (%i-byte frames) and a short last frame of a clip', async (frameMs, bytes) => {
    const raw = await rawServer();
    const p = await peer({ port: raw.port, frameMs, suppressSilence: true });
    const speech = Buffer.alloc(bytes * 2 + 16, 3);
    p.say(speech);
    await p.saidAll();
    await waitFor(() => framesOf(raw.chunks).length === 4, 'the clip');
    const sizes = framesOf(raw.chunks)
      .slice(1)
      .map((f) => (f.kind === 'audio' ? f.payload.length : -1));
    expect(sizes).toEqual([bytes, bytes, 16]); // then nothing: silence suppression
  });

  it('sends DTMF as 03 00 01 <ascii> between audio frames', async () => {
    const raw = await rawServer();
    const p = await peer({ port: raw.port });
    await waitFor(() => p.stats().framesSent >= 1, 'a frame');
    p.sendDtmf('#');
    await waitFor(() => Buffer.concat(raw.chunks).includes(Buffer.from('03000123', 'hex')), 'the digit');
    expect(framesOf(raw.chunks).filter((f) => f.kind === 'dtmf')).toEqual([{ kind: 'dtmf', digit: '#' }]);
  });

  it('closes on a frame current Asterisk rejects, and ignores it in legacy mode', async () => {
    const raw = await rawServer();
    const strict = await peer({ port: raw.port });
    const legacy = await peer({ port: raw.port, legacy: true, recordReceived: true });
    await waitFor(() => raw.sockets.length === 2, 'two connections');
    const bad = Buffer.from('03000131' + '100000' + '100002abcd', 'hex'); // DTMF, zero-length audio, audio
    for (const s of raw.sockets) s.write(bad);
    const end = await strict.ended;
    expect(end.reason).toBe('protocol-violation');
    await waitFor(() => legacy.stats().audioFramesReceived === 1, 'the good frame');
    expect(legacy.receivedAudio().toString('hex')).toBe('abcd');
    expect(legacy.violations.map((v) => v.code)).toEqual(['kind-not-allowed', 'bad-audio-length']);
    expect(() => legacy.sendDtmf('1')).toThrow(/legacy/);
  });

  it('flags an odd-length server frame', async () => {
    const raw = await rawServer();
    const p = await peer({ port: raw.port });
    await waitFor(() => raw.sockets.length === 1, 'the connection');
    raw.sockets[0]!.write(Buffer.from('100003010203', 'hex'));
    expect((await p.ended).reason).toBe('protocol-violation');
    expect(p.violations[0]?.code).toBe('bad-audio-length');
  });

  it('stops on 00 00 00 and on server EOF', async () => {
    const raw = await rawServer();
    const a = await peer({ port: raw.port });
    const b = await peer({ port: raw.port });
    await waitFor(() => raw.sockets.length === 2, 'two connections');
    raw.sockets[0]!.write(Buffer.from('000000', 'hex'));
    raw.sockets[1]!.end();
    const ends = await Promise.all([a.ended, b.ended]);
    expect(new Set(ends.map((e) => e.reason))).toEqual(new Set(['server-hangup', 'server-eof']));
  });

  it('applies the inactivity rule in silence-suppression mode, but not as legacy Asterisk', async () => {
    const raw = await rawServer();
    const quiet = await peer({ port: raw.port, suppressSilence: true, inactivityTimeoutMs: 100 });
    const legacy = await peer({
      port: raw.port,
      suppressSilence: true,
      legacy: true,
      inactivityTimeoutMs: 100,
    });
    const end = await quiet.ended;
    expect(end.reason).toBe('inactivity-timeout');
    expect(quiet.stats().framesSent).toBe(0);
    await new Promise((r) => setTimeout(r, 150));
    expect(raw.sockets[1]!.destroyed).toBe(false);
    expect(legacy.stats().framesSent).toBe(0);
  });

  it('can be driven with many others by one shared scheduler (one timer)', async () => {
    const raw = await rawServer();
    const clock = new FakeClock();
    const scheduler = new FrameScheduler({ clock });
    const group = await Promise.all(Array.from({ length: 5 }, () => peer({ port: raw.port, scheduler })));
    const armed = clock.timersArmed;
    clock.advance(100);
    expect(group.map((p) => p.stats().framesSent)).toEqual([5, 5, 5, 5, 5]);
    expect(clock.timersArmed - armed).toBeLessThanOrEqual(5 * 2); // ~1 per period, not 1 per peer
    await expect(AsteriskPeer.connect({ port: raw.port, scheduler, frameMs: 30 })).rejects.toThrow(
      RangeError,
    );
  });

  it('can connect and close without a byte (unanswered channel)', async () => {
    const raw = await rawServer();
    await connectWithoutCall({ port: raw.port });
    await waitFor(() => raw.sockets.length === 1 && raw.sockets[0]!.readableEnded, 'the close');
    expect(raw.chunks).toEqual([]);
  });
});
