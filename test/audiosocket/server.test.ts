import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AsteriskPeer, connectWithoutCall } from '../../sim/asterisk/peer.js';
import type { AudioSocketCall } from '../../src/transports/audiosocket/call.js';
import { type AudioSocketServer, startAudioSocketServer } from '../../src/transports/audiosocket/server.js';
import type { HangupCause } from '../../src/transports/transport.js';
import { captureLogs, clip, WARN, waitFor } from './harness.js';

const servers: AudioSocketServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(opts: Partial<Parameters<typeof startAudioSocketServer>[0]> = {}) {
  const calls: AudioSocketCall[] = [];
  const server = await startAudioSocketServer({ port: 0, onCall: (c) => calls.push(c), ...opts });
  servers.push(server);
  return { server, calls };
}

function closedCause(call: AudioSocketCall): Promise<{ cause: HangupCause; detail?: string }> {
  return new Promise((resolve) => call.on('closed', (cause, detail) => resolve({ cause, detail })));
}

describe('AudioSocket server over real TCP', () => {
  it('receives every caller frame in order and paces agent audio out in 20 ms frames', async () => {
    const caller = Buffer.concat([
      clip('hi-the-pipe-under-my-kitchen-sink-is-leaking.s16le'),
      clip('can-i-speak-to-a-real-person-please.s16le'),
    ]); // 5.4 s
    const agent = clip('yes-please-go-ahead.s16le').subarray(0, 16000); // exactly 1 s = 50 frames
    const heard: Buffer[] = [];
    const digits: string[] = [];
    let ended: Promise<{ cause: HangupCause; detail?: string }> | undefined;
    let callId = '';
    const { server } = await start({
      onCall(call) {
        callId = call.callId;
        call.on('audio', (frame) => heard.push(Buffer.from(frame)));
        call.on('dtmf', (d) => digits.push(d));
        ended = closedCause(call);
        call.play(agent); // queued before the format is known; leaves once it is
      },
    });

    const serverFrames: { kind: string; rate: number; bytes: number }[] = [];
    const peer = await AsteriskPeer.connect({
      port: server.port,
      recordSent: true,
      recordReceived: true,
      onServerFrame: (f) =>
        serverFrames.push({
          kind: f.kind,
          rate: f.kind === 'audio' ? f.sampleRate : 0,
          bytes: f.kind === 'audio' ? f.payload.length : 0,
        }),
    });
    peer.say(caller);
    await waitFor(() => peer.queuedMs() < 2500, 'half the caller audio sent');
    peer.sendDtmf('5');
    await peer.saidAll();
    await waitFor(
      () => heard.reduce((a, b) => a + b.length, 0) >= peer.sentAudio().length,
      'server to read it all',
    );
    peer.hangup();
    expect(await ended).toMatchObject({ cause: 'caller' });
    expect((await peer.ended).reason).toBe('local-hangup');

    expect(callId).toBe(peer.uuid);
    // Every caller frame, in order, byte for byte (silence before the clip included).
    expect(heard).toHaveLength(peer.stats().framesSent);
    expect(Buffer.concat(heard).equals(peer.sentAudio())).toBe(true);
    expect(Buffer.concat(heard).includes(caller)).toBe(true);
    expect(digits).toEqual(['5']);

    // Agent side: only 0x10 frames of 320 bytes, the clip intact and aligned to a frame.
    expect(serverFrames.every((f) => f.kind === 'audio' && f.rate === 8000 && f.bytes === 320)).toBe(true);
    const received = peer.receivedAudio();
    const at = received.indexOf(agent);
    expect(at).toBeGreaterThanOrEqual(0);
    expect(at % 320).toBe(0);
    // Paced, not burst: 50 frames cannot arrive faster than real time (catch-up allows 3 frames early).
    const first = at / 320;
    const span = peer.arrivals[first + 49]! - peer.arrivals[first]!;
    expect(span).toBeGreaterThanOrEqual(49 * 20 - 3 * 20 - 2);
    // Silence fill for the whole call: ~50 frames/s from start to hangup, agent audio or not.
    expect(peer.stats().audioFramesReceived).toBeGreaterThan(200);

    const stats = server.stats();
    expect(stats).toMatchObject({ callsActive: 0, callsTotal: 1, protocolErrors: 0, agentFrames: 50 });
    // The caller hung up while frames were in flight: the server may have written a few the peer
    // never read (at most one catch-up burst of the frame clock plus the unread socket buffer), so
    // the counts agree only up to those. Exact equality here depended on scheduling at hang-up.
    const framesRead = peer.stats().audioFramesReceived;
    expect(stats.framesSent).toBeGreaterThanOrEqual(framesRead);
    expect(stats.framesSent - framesRead).toBeLessThanOrEqual(10);
  });

  it('runs a 16 kHz call in 0x12 / 640-byte frames and hangs up after playout', async () => {
    const agent = Buffer.alloc(640 * 10);
    for (let i = 0; i < agent.length / 2; i++) agent.writeInt16LE(((i % 32) - 16) * 500, i * 2);
    const callerFrames: number[] = [];
    let formatSeen: unknown;
    let ended: Promise<{ cause: HangupCause }> | undefined;
    const { server } = await start({
      onCall(call) {
        ended = closedCause(call);
        call.on('audio', (f) => callerFrames.push(f.length));
        void call.formatReady.then((format) => {
          formatSeen = format;
          call.play(agent);
          call.hangup({ afterPlayout: true });
        });
      },
    });
    const serverKinds = new Set<string>();
    const peer = await AsteriskPeer.connect({
      port: server.port,
      sampleRate: 16000,
      recordReceived: true,
      onServerFrame: (f) =>
        serverKinds.add(f.kind === 'audio' ? `${f.sampleRate}/${f.payload.length}` : f.kind),
    });
    const end = await peer.ended;
    expect(end.reason).toBe('server-hangup');
    expect((await ended)?.cause).toBe('agent');
    expect(formatSeen).toEqual({ encoding: 'slin', sampleRate: 16000, frameBytes: 640 });
    expect(callerFrames.length).toBeGreaterThan(0);
    expect(callerFrames.every((n) => n === 640)).toBe(true);
    expect(serverKinds).toEqual(new Set(['16000/640', 'hangup']));
    expect(peer.receivedAudio().includes(agent)).toBe(true); // all of it played before the hangup
  });

  it('treats a connection closed before any byte as no call, without a warning', async () => {
    const { log, lines } = captureLogs();
    const { server, calls } = await start({ log });
    await connectWithoutCall({ port: server.port });
    await waitFor(() => server.stats().connectionsWithoutCall === 1, 'the no-call connection to be counted');
    expect(calls).toHaveLength(0);
    expect(lines.filter((l) => l.level >= WARN)).toEqual([]);
    expect(lines.some((l) => l.level === 20 && /no call/.test(l.msg))).toBe(true);
    expect(server.stats().protocolErrors).toBe(0);
  });

  it('keeps an idle call alive with silence frames when the caller sends nothing', async () => {
    let format: unknown;
    const { server } = await start({
      firstAudioWaitMs: 30,
      onCall: (call) => void call.formatReady.then((f) => (format = f)),
    });
    // A silence-suppressing caller with a short inactivity rule: only server traffic keeps it up.
    const peer = await AsteriskPeer.connect({
      port: server.port,
      suppressSilence: true,
      inactivityTimeoutMs: 200,
    });
    await waitFor(() => peer.stats().audioFramesReceived >= 30, '600 ms of silence frames');
    expect(peer.stats().framesSent).toBe(0);
    expect(format).toEqual({ encoding: 'slin', sampleRate: 8000, frameBytes: 320 });
    expect(server.stats().callsActive).toBe(1);
    peer.hangup();
    expect((await peer.ended).reason).toBe('local-hangup');
  });

  it('maps a reset connection to a caller hangup', async () => {
    let ended: Promise<{ cause: HangupCause; detail?: string }> | undefined;
    const { server } = await start({ onCall: (call) => (ended = closedCause(call)) });
    const peer = await AsteriskPeer.connect({ port: server.port });
    await waitFor(() => ended !== undefined, 'the call');
    peer.reset();
    expect((await ended)?.cause).toBe('caller');
  });

  it('ends only the offending call on a protocol error, with one warn line naming it', async () => {
    const { log, lines } = captureLogs();
    let ended: Promise<{ cause: HangupCause; detail?: string }> | undefined;
    const { server } = await start({ log, onCall: (call) => (ended = closedCause(call)) });
    const uuid = '40325ec2-5efd-4bd3-805f-53576e581d13';
    const fromServer: Buffer[] = [];
    const socket = connect({ port: server.port, host: '127.0.0.1' });
    socket.on('data', (d) => fromServer.push(d));
    const closed = new Promise((r) => socket.on('close', r));
    socket.on('error', () => {});
    socket.write(Buffer.from(`010010${uuid.replaceAll('-', '')}100003010203`, 'hex')); // odd-length audio
    await closed;
    expect(await ended).toMatchObject({ cause: 'protocol-error' });
    const warns = lines.filter((l) => l.level >= WARN);
    expect(warns).toHaveLength(1);
    expect(warns[0]).toMatchObject({ callId: uuid, code: 'bad-audio-length' });
    expect(Buffer.concat(fromServer).subarray(-3).toString('hex')).toBe('000000'); // told Asterisk to hang up
    expect(server.stats().protocolErrors).toBe(1);
  });

  it('drops a connection that never sends its UUID', async () => {
    const { log, lines } = captureLogs();
    const { server, calls } = await start({ log, uuidTimeoutMs: 50 });
    const socket = connect({ port: server.port, host: '127.0.0.1' });
    socket.on('error', () => {});
    await new Promise((r) => socket.on('close', r));
    expect(calls).toHaveLength(0);
    expect(lines.filter((l) => l.level >= WARN)).toMatchObject([{ code: 'uuid-timeout' }]);
    expect(server.stats().protocolErrors).toBe(1);
  });

  it('treats an 0xFF error frame leniently: warn, then hang up', async () => {
    const { log, lines } = captureLogs();
    let ended: Promise<{ cause: HangupCause; detail?: string }> | undefined;
    const { server } = await start({ log, onCall: (call) => (ended = closedCause(call)) });
    const socket = connect({ port: server.port, host: '127.0.0.1' });
    socket.on('error', () => {});
    socket.write(Buffer.from(`010010${'ab'.repeat(16)}ff000101`, 'hex'));
    await waitFor(() => ended !== undefined, 'the call');
    expect(await ended).toMatchObject({ cause: 'caller', detail: 'error frame code=1' });
    expect(lines.some((l) => l.level === WARN && l.code === 1)).toBe(true);
    expect(server.stats().protocolErrors).toBe(0);
    socket.destroy();
  });

  it('ends a call whose listener throws, without taking the process down', async () => {
    let ended: Promise<{ cause: HangupCause; detail?: string }> | undefined;
    const { server } = await start({
      onCall(call) {
        ended = closedCause(call);
        call.on('audio', () => {
          throw new Error('runtime bug');
        });
      },
    });
    const peer = await AsteriskPeer.connect({ port: server.port });
    await waitFor(() => ended !== undefined, 'the call');
    expect(await ended).toEqual({ cause: 'transport-error', detail: 'audio listener threw' });
    expect((await peer.ended).reason).toBe('server-hangup');
  });

  it('hangs up every call on close()', async () => {
    let ended: Promise<{ cause: HangupCause; detail?: string }> | undefined;
    const { server } = await start({ onCall: (call) => (ended = closedCause(call)) });
    const peer = await AsteriskPeer.connect({ port: server.port });
    await waitFor(() => ended !== undefined, 'the call');
    await server.close();
    expect((await ended)?.cause).toBe('shutdown');
    expect((await peer.ended).reason).toBe('server-hangup');
  });
});
