import { afterEach, describe, expect, it } from 'vitest';
import { AsteriskPeer } from '../../sim/asterisk/peer.js';
import type { AudioSocketCall } from '../../src/transports/audiosocket/call.js';
import { FrameScheduler } from '../../src/transports/audiosocket/frame-scheduler.js';
import { type AudioSocketServer, startAudioSocketServer } from '../../src/transports/audiosocket/server.js';
import type { HangupCause } from '../../src/transports/transport.js';
import { captureLogs, waitFor } from './harness.js';

const servers: AudioSocketServer[] = [];
const peers: AsteriskPeer[] = [];
afterEach(async () => {
  for (const p of peers.splice(0)) p.hangup();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('a throw inside one call pacing task', () => {
  it('ends that call only; the other calls on the shared frame clock keep their audio', async () => {
    // The second stream registered (call B's pacer) throws on its 10th frame.
    const scheduler = new FrameScheduler();
    const add = scheduler.add.bind(scheduler);
    let registered = 0;
    scheduler.add = (task, first, onError) => {
      registered++;
      if (registered !== 2) return add(task, first, onError);
      let served = 0;
      return add(
        (late, resynced) => {
          if (++served === 10) throw new Error('pacing bug');
          task(late, resynced);
        },
        first,
        onError,
      );
    };
    const { log, lines } = captureLogs();
    const causes = new Map<string, HangupCause>();
    const calls: AudioSocketCall[] = [];
    const server = await startAudioSocketServer({
      port: 0,
      log,
      scheduler,
      onCall: (call) => {
        calls.push(call);
        call.on('closed', (cause) => causes.set(call.callId, cause));
      },
    });
    servers.push(server);
    const a = await AsteriskPeer.connect({ port: server.port });
    peers.push(a);
    await waitFor(() => calls.length === 1 && a.stats().audioFramesReceived > 0, 'call A to be paced');
    const b = await AsteriskPeer.connect({ port: server.port });
    peers.push(b);

    expect((await b.ended).reason).toBe('server-hangup');
    expect(causes.get(b.uuid)).toBe('transport-error');
    expect(lines.some((l) => l.msg === 'audiosocket pacing task threw' && l.callId === b.uuid)).toBe(true);

    const framesAtFault = a.stats().audioFramesReceived;
    await waitFor(
      () => a.stats().audioFramesReceived >= framesAtFault + 25,
      'call A to keep receiving frames',
    );
    expect(causes.has(a.uuid)).toBe(false);
    expect(calls.find((c) => c.callId === a.uuid)?.closed).toBe(false);
  }, 20_000);
});
