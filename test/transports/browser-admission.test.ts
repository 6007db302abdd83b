import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { runFakeAgiCall } from '../../sim/asterisk/fake-asterisk-agi.js';
import { AsteriskPeer } from '../../sim/asterisk/peer.js';
import { waitFor } from '../audiosocket/harness.js';
import { script, startRig } from '../e2e/rig.js';

type Rig = Awaited<ReturnType<typeof startRig>>;
const rigs: Rig[] = [];
const peers: AsteriskPeer[] = [];
afterEach(async () => {
  for (const p of peers.splice(0)) p.hangup();
  await Promise.all(rigs.splice(0).map((r) => r.close()));
});

const register = (rig: Rig) =>
  runFakeAgiCall({
    host: '127.0.0.1',
    port: rig.app.agiPort ?? 0,
    script: 'voice-agent',
    args: ['02012345678', '+447700900123'],
  });

/** A browser call as the dashboard page places it: the WebSocket, then `start`. */
async function browserCall(rig: Rig): Promise<{ messages: unknown[]; code: number; reason: string }> {
  const ws = new WebSocket(`ws://127.0.0.1:${rig.app.httpPort}/call`);
  const messages: unknown[] = [];
  ws.on('message', (data, isBinary) => {
    if (!isBinary) messages.push(JSON.parse(String(data)));
  });
  await new Promise((resolve, reject) => {
    ws.on('open', resolve);
    ws.on('error', reject);
  });
  ws.send(JSON.stringify({ type: 'start', tenant: '02012345678', sampleRate: 16000 }));
  const [code, reason] = await new Promise<[number, string]>((resolve) =>
    ws.on('close', (c, r) => resolve([c, r.toString()])),
  );
  return { messages, code, reason };
}

describe('admission for browser calls', () => {
  it('over MAX_CALLS the browser call is refused with an overflow hang-up', async () => {
    const rig = await startRig({ script: script('booking-en'), env: { MAX_CALLS: '1' } });
    rigs.push(rig);
    // A FastAGI call admitted and on its way holds the only slot.
    expect((await register(rig)).variables.VA_UUID).toBeDefined();
    const refused = await browserCall(rig);
    expect(refused.messages).toEqual([{ type: 'hangup', cause: 'overflow' }]);
    expect(refused.code).toBe(1013);
    expect(rig.app.activeCalls()).toBe(0);
    const metrics = await (await fetch(`http://127.0.0.1:${rig.app.httpPort}/metrics`)).text();
    expect(metrics).toMatch(/^callchart_calls_refused_total\{reason="max-calls",entry="browser"\} 1$/m);
  }, 60_000);

  it('while draining no browser call starts, and the call in progress ends the drain', async () => {
    const rig = await startRig({ script: script('booking-en') });
    rigs.push(rig);
    const agi = await register(rig);
    const live = await AsteriskPeer.connect({ port: rig.app.audioSocketPort, uuid: agi.variables.VA_UUID });
    peers.push(live);
    await waitFor(() => rig.app.activeCalls() === 1, 'the phone call to start');

    const stopping = rig.app.shutdown({ drainMs: 60_000 });
    const refused = await browserCall(rig);
    expect(refused.messages).toEqual([{ type: 'hangup', cause: 'overflow' }]);
    expect(refused.code).toBe(1013);
    expect(rig.app.activeCalls()).toBe(1);

    live.hangup();
    await stopping;
    expect(rig.app.activeCalls()).toBe(0);
  }, 60_000);
});
