import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { script } from '../e2e/rig.js';
import { NUMBERS, startTwilioRig } from './rig.js';

// "Can I speak to a real person?" on a Media Streams call: once the handover line has played,
// callchart updates the live call through the REST API with <Dial> to the tenant's number.
describe('a transfer on Twilio', () => {
  let rig: Awaited<ReturnType<typeof startTwilioRig>>;
  let call: Awaited<ReturnType<typeof rig.call>>;

  beforeAll(async () => {
    rig = await startTwilioRig({ script: script('transfer-en') });
    call = await rig.call({ to: NUMBERS.enterprise, from: '+447700900789' });
  }, 120_000);
  afterAll(() => rig?.close());

  it('reaches the REST API with the right <Dial>', () => {
    expect(call.summary.outcome).toBe('transferred');
    expect(rig.twilio.updates).toHaveLength(1);
    expect(rig.twilio.updates[0]).toMatchObject({ callSid: call.callSid, dialed: '+442079460999' });
    expect(call.stream?.end.reason).toBe('transferred');
  });

  it('the caller heard the handover line before the transfer', () => {
    expect(call.turns.at(-1)?.agentText).toMatch(/put you through/);
  });
});

// A tenant without a transfer number: nobody to put the caller through to, so the agent apologises,
// keeps the details and promises a call back; no REST request is made.
describe('a transfer request where the tenant has no transfer number', () => {
  it('Media Streams (Pro): the agent promises a call back and hangs up', async () => {
    const rig = await startTwilioRig({ script: script('transfer-en') });
    try {
      const call = await rig.call({ to: NUMBERS.pro, from: '+447700900789' });
      expect(call.turns.at(-1)?.agentText).toMatch(/call you back/);
      expect(call.stream?.end.reason).toBe('server-closed');
      expect(rig.twilio.updates).toEqual([]);
    } finally {
      await rig.close();
    }
  }, 120_000);

  it('Free tier: the same promise, then <Hangup> rather than <Dial>', async () => {
    const rig = await startTwilioRig({ script: script('transfer-en') });
    try {
      const call = await rig.call({ to: NUMBERS.free, from: '+447700900789', timeScale: 0.05 });
      expect(call.gather?.end).toBe('hangup');
      expect(call.gather?.heard.at(-1)).toMatch(/call you back/);
    } finally {
      await rig.close();
    }
  }, 120_000);
});
