import { afterEach, describe, expect, it } from 'vitest';
import { runFakeAgiCall } from '../../sim/asterisk/fake-asterisk-agi.js';
import { runSimulatedCaller } from '../../sim/caller/caller.js';
import { waitFor } from '../audiosocket/harness.js';
import { script, startRig } from '../e2e/rig.js';

type Rig = Awaited<ReturnType<typeof startRig>>;
const rigs: Rig[] = [];
afterEach(async () => {
  await Promise.all(rigs.splice(0).map((r) => r.close()));
});

describe('the shutdown signal every call gets', () => {
  it('is aborted only once the drain deadline passes with a call still live', async () => {
    // A slow TTS keeps the call going well past the drain deadline.
    const rig = await startRig({ script: script('booking-en'), sims: { cartesia: { charsPerSecond: 10 } } });
    rigs.push(rig);
    const agi = await runFakeAgiCall({
      host: '127.0.0.1',
      port: rig.app.agiPort ?? 0,
      script: 'voice-agent',
      args: ['02012345678', '+447700900123'],
    });
    const call = runSimulatedCaller({
      port: rig.app.audioSocketPort,
      uuid: agi.variables.VA_UUID,
      script: script('booking-en'),
    });
    await waitFor(() => rig.app.activeCalls() === 1, 'the call to start', 20_000);
    const stopping = rig.app.shutdown({ drainMs: 1500, goodbyeMs: 1000 });
    await waitFor(() => rig.app.draining, 'draining');
    expect(rig.app.shutdownSignal.aborted).toBe(false); // the call is still allowed to finish
    const abortedAt = new Promise<number>((resolve) =>
      rig.app.shutdownSignal.addEventListener('abort', () => resolve(performance.now())),
    );
    const startedAt = performance.now();
    expect((await abortedAt) - startedAt).toBeGreaterThanOrEqual(1000); // not before the deadline
    await stopping;
    const done = await call;
    expect(done.completed).toBe(false);
    expect(done.end.reason).toBe('server-hangup');
    expect(rig.app.activeCalls()).toBe(0);
  }, 90_000);
});
