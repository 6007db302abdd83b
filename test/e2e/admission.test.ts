import { afterEach, describe, expect, it } from 'vitest';
import { runFakeAgiCall } from '../../sim/asterisk/fake-asterisk-agi.js';
import { AsteriskPeer } from '../../sim/asterisk/peer.js';
import { waitFor } from '../audiosocket/harness.js';
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
    args: ['02012345678', '+447700900123'],
  });

async function metric(rig: Rig, line: RegExp): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${rig.app.httpPort}/metrics`)).text();
  const m = new RegExp(`^${line.source} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : Number.NaN;
}

describe('admission control at FastAGI', () => {
  it('answers VA_OUTCOME=overflow beyond MAX_CALLS, counting calls admitted but not yet connected', async () => {
    const rig = await startRig({ script: script('booking-en'), env: { MAX_CALLS: '2' } });
    rigs.push(rig);
    // One call in progress, one admitted and on its way (registered, not connected yet).
    const first = await agi(rig);
    const live = await AsteriskPeer.connect({ port: rig.app.audioSocketPort, uuid: first.variables.VA_UUID });
    peers.push(live);
    await waitFor(() => rig.app.activeCalls() === 1, 'the first call to start');
    const second = await agi(rig);
    expect(second.variables.VA_UUID).toBeDefined();

    const third = await agi(rig);
    expect(third.agiStatus).toBe('SUCCESS');
    expect(third.variables).toEqual({ VA_OUTCOME: 'overflow' });
    expect(await metric(rig, /callchart_calls_refused_total\{reason="max-calls",entry="fastagi"\}/)).toBe(1);
    expect(await metric(rig, /callchart_admission_load/)).toBe(2);
    expect(await metric(rig, /callchart_admission_max_calls/)).toBe(2);

    // The live call ends: room again.
    live.hangup();
    await waitFor(() => rig.app.activeCalls() === 0, 'the first call to end');
    expect((await agi(rig)).variables.VA_UUID).toBeDefined();
  }, 60_000);

  it('sheds new calls while the event loop runs late, and admits again once it recovers', async () => {
    const rig = await startRig({ script: script('booking-en'), env: { MAX_EVENT_LOOP_DELAY_MS: '100' } });
    rigs.push(rig);
    // A real stall of this process's event loop, as a burst of synchronous work would cause. How soon
    // the delay monitor reports it depends on scheduling, so stall again until a call is shed.
    let shed: Awaited<ReturnType<typeof agi>> | undefined;
    for (let i = 0; i < 5 && shed?.variables.VA_OUTCOME !== 'overflow'; i++) {
      const until = performance.now() + 400;
      while (performance.now() < until) {
        // busy
      }
      await new Promise((r) => setTimeout(r, 20)); // let the delay monitor record the late tick
      shed = await agi(rig);
    }
    expect(shed?.variables).toEqual({ VA_OUTCOME: 'overflow' });
    expect(
      await metric(rig, /callchart_calls_refused_total\{reason="event-loop-delay",entry="fastagi"\}/),
    ).toBeGreaterThanOrEqual(1);
    // The stall leaves the window after a second or two; admissions resume.
    let admitted = false;
    for (let i = 0; i < 100 && !admitted; i++) {
      await new Promise((r) => setTimeout(r, 100));
      admitted = (await agi(rig)).variables.VA_UUID !== undefined;
    }
    expect(admitted).toBe(true);
  }, 60_000);
});
