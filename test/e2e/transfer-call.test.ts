import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFakeAgiCall } from '../../sim/asterisk/fake-asterisk-agi.js';
import { script, startRig } from './rig.js';

// A caller asks for a person. The agent ends its AudioSocket leg as `transferred`; the dialplan then
// asks FastAGI for the outcome (as asterisk/extensions.conf does) and gets the tenant's number to Dial.
describe('a transfer on Asterisk', () => {
  let rig: Awaited<ReturnType<typeof startRig>>;
  beforeAll(async () => {
    rig = await startRig({ script: script('transfer-en') });
  }, 60_000);
  afterAll(() => rig?.close());

  async function askOutcome(uuid: string) {
    return runFakeAgiCall({
      host: '127.0.0.1',
      port: rig.app.agiPort ?? 0,
      script: 'outcome',
      args: [uuid],
      timeoutMs: 10_000,
    });
  }

  it('hands the dialplan VA_OUTCOME=transferred and the tenant transfer number', async () => {
    const call = await rig.call();
    expect(call.summary.outcome).toBe('transferred');
    expect(call.turns.at(-1)?.agentText).toMatch(/put you through/);
    const agi = await askOutcome(call.uuid);
    expect(agi.agiStatus).toBe('SUCCESS');
    expect(agi.variables).toEqual({ VA_OUTCOME: 'transferred', VA_TRANSFER_TO: '+442079460999' });
    // Asked once: the registry keeps nothing for this call afterwards.
    expect((await askOutcome(call.uuid)).variables.VA_OUTCOME).toBe('unknown');
  }, 90_000);

  it('leaves VA_TRANSFER_TO empty for a company without a transfer number', async () => {
    const call = await rig.call({ did: '01234567890' });
    expect(call.summary.outcome).toBe('transferred');
    const agi = await askOutcome(call.uuid);
    expect(agi.variables).toEqual({ VA_OUTCOME: 'transferred', VA_TRANSFER_TO: '' });
  }, 90_000);
});

// The TTS starts failing after the greeting: every reply's context errors before any audio. After
// two replies it could not voice, the chart hands the caller to a person, and the transfer line still
// reaches the caller, from the lines synthesised ahead.
describe('a transfer with the text-to-speech down', () => {
  let rig: Awaited<ReturnType<typeof startRig>>;
  beforeAll(async () => {
    rig = await startRig({ script: script('transfer-en') });
  }, 60_000);
  afterAll(() => rig?.close());

  it('still speaks the transfer line and ends the call transferred', async () => {
    // A first call of this company and format: the greeting and the fixed lines get cached.
    const warm = await rig.call();
    expect(warm.summary.outcome).toBe('transferred');
    await rig.app.lines.settled();
    expect(rig.app.lines.size).toBeGreaterThanOrEqual(10);
    const before = rig.stack.cartesia.stats();

    rig.stack.cartesia.setFaults([{ kind: 'error', status: 503, all: true }]);
    const call = await rig.call();
    expect(call.summary.outcome).toBe('transferred');
    // The TTS really failed this call's replies...
    const stats = rig.stack.cartesia.stats();
    expect(stats.contextsFailed - before.contextsFailed).toBeGreaterThanOrEqual(2);
    // ...twice in a row, so a person takes over; the hand-over line still reached the caller in full.
    expect(call.turns.at(-1)?.step).toBe('transfer');
    expect(call.turns.at(-1)?.agentText).toMatch(/put you through/);
    expect(call.caller.turns[0]?.mouthToEarMs).not.toBeNull();
    const agi = await runFakeAgiCall({
      host: '127.0.0.1',
      port: rig.app.agiPort ?? 0,
      script: 'outcome',
      args: [call.uuid],
    });
    expect(agi.variables).toEqual({ VA_OUTCOME: 'transferred', VA_TRANSFER_TO: '+442079460999' });
  }, 150_000);
});
