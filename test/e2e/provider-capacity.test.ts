import { afterEach, describe, expect, it } from 'vitest';
import { runFakeAgiCall } from '../../sim/asterisk/fake-asterisk-agi.js';
import { AsteriskPeer } from '../../sim/asterisk/peer.js';
import { waitFor } from '../support/process-group.js';
import { script, startRig } from './rig.js';

type Rig = Awaited<ReturnType<typeof startRig>>;
const rigs: Rig[] = [];
const peers: AsteriskPeer[] = [];
afterEach(async () => {
  for (const p of peers.splice(0)) p.hangup();
  await Promise.all(rigs.splice(0).map((r) => r.close()));
});

const agi = (rig: Rig) =>
  runFakeAgiCall({
    host: '127.0.0.1',
    port: rig.app.agiPort ?? 0,
    script: 'voice-agent',
    args: ['02012345678', '+447700900123', 'format=slin16'],
  });

async function metric(rig: Rig, line: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${rig.app.httpPort}/metrics`)).text();
  const escaped = line.replace(/[{}]/g, '\\$&');
  const m = new RegExp(`^${escaped} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : Number.NaN;
}

describe('provider capacity at admission', () => {
  for (const [limit, resource] of [
    ['DEEPGRAM_MAX_STREAMS', 'deepgram_streams'],
    ['CARTESIA_MAX_CONCURRENCY', 'cartesia_sessions'],
  ] as const) {
    it(`refuses a call with VA_OUTCOME=overflow when ${limit} is reached, and admits once it frees`, async () => {
      const rig = await startRig({ script: script('booking-en'), env: { [limit]: '1' } });
      rigs.push(rig);
      const first = await agi(rig);
      const live = await AsteriskPeer.connect({
        port: rig.app.audioSocketPort,
        uuid: first.variables.VA_UUID,
        sampleRate: 16000,
      });
      peers.push(live);
      // The call holds its speech socket (it opens during the greeting).
      await waitFor(
        async () => (await metric(rig, `callchart_provider_in_use{resource="${resource}"}`)) === 1,
        20_000,
        () => `the call to hold one of ${resource}`,
      );
      expect(
        await metric(rig, `callchart_provider_limit{resource="${resource.replace('sessions', 'contexts')}"}`),
      ).toBe(1);

      const refused = await agi(rig);
      expect(refused.variables).toEqual({ VA_OUTCOME: 'overflow' });
      expect(
        await metric(rig, 'callchart_calls_refused_total{reason="provider-capacity",entry="fastagi"}'),
      ).toBe(1);

      live.hangup();
      await waitFor(
        async () =>
          rig.app.activeCalls() === 0 &&
          (await metric(rig, `callchart_provider_in_use{resource="${resource}"}`)) === 0,
        20_000,
        () => `the call to end and release ${resource}`,
      );
      expect((await agi(rig)).variables.VA_UUID).toBeDefined();
    }, 60_000);
  }
});
