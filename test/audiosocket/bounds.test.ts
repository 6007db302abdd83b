import { describe, expect, it } from 'vitest';
import { audioSocketRig, waitFor } from './harness.js';

const { start, peer } = audioSocketRig();

describe('AudioSocket bounds over real TCP', () => {
  it('closes connections beyond maxConnections on arrival; the calls already up go on', async () => {
    const { server, calls, lines } = await start({ maxConnections: 2 });
    const a = await peer({ port: server.port });
    const b = await peer({ port: server.port });
    await waitFor(() => calls.length === 2, 'two calls');
    const c = await peer({ port: server.port });
    const end = await c.ended;
    expect(['server-eof', 'socket-error']).toContain(end.reason);
    expect(server.stats().connectionsRefused).toBe(1);
    expect(calls).toHaveLength(2);
    expect(lines.some((l) => l.msg === 'audiosocket connection refused: too many connections')).toBe(true);
    const before = a.stats().audioFramesReceived + b.stats().audioFramesReceived;
    await waitFor(
      () => a.stats().audioFramesReceived + b.stats().audioFramesReceived >= before + 20,
      'the admitted calls to keep their audio',
    );
  });

  it('refuses a second connection with the UUID of a live call, leaving the live call alone', async () => {
    const { server, calls, causes } = await start();
    const live = await peer({ port: server.port });
    await waitFor(() => calls.length === 1, 'the live call');
    const impostor = await peer({ port: server.port, uuid: live.uuid });
    const end = await impostor.ended;
    expect(['server-eof', 'socket-error']).toContain(end.reason);
    expect(server.stats()).toMatchObject({ duplicateUuids: 1, callsActive: 1, callsTotal: 1 });
    expect(calls).toHaveLength(1);
    const before = live.stats().audioFramesReceived;
    await waitFor(() => live.stats().audioFramesReceived >= before + 10, 'the live call to keep going');
    expect(causes.has(live.uuid)).toBe(false);
  });

  it('ends a call at a rate the voice cannot be produced at, with a hangup frame and a log line', async () => {
    const { server, calls, causes, lines } = await start({ supportedSampleRates: [8000, 16000] });
    const p = await peer({ port: server.port, sampleRate: 24000 });
    expect((await p.ended).reason).toBe('server-hangup');
    expect(calls).toHaveLength(1);
    expect(causes.get(p.uuid)).toEqual({ cause: 'agent', detail: 'unsupported sample rate 24000 Hz' });
    expect(lines.find((l) => /sample rate the voice cannot be produced at/.test(l.msg))).toMatchObject({
      sampleRate: 24000,
    });
    expect(p.stats().audioFramesReceived).toBe(0); // nothing was played at a mislabelled rate
  });
});
