import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { script } from '../e2e/rig.js';
import { NUMBERS, startTwilioRig } from './rig.js';

// A Free tenant: no audio reaches callchart at all. Twilio's <Gather input="speech"> hears the
// caller and Polly's <Say> speaks; the same call statechart runs on the webhooks alone.
describe('a Free-tier call through webhooks alone', () => {
  let rig: Awaited<ReturnType<typeof startTwilioRig>>;
  let call: Awaited<ReturnType<typeof rig.call>>;

  beforeAll(async () => {
    rig = await startTwilioRig({ script: script('booking-en') });
    call = await rig.call({ to: NUMBERS.free, from: '+447700900456', timeScale: 0.05 });
  }, 120_000);
  afterAll(() => rig?.close());

  it('books through <Gather> and <Say> rounds and hangs up after the confirmation', () => {
    expect(call.mode).toBe('gather');
    expect(call.gather?.end).toBe('hangup');
    expect(call.summary.outcome).toBe('booked');
    expect(call.booking).toMatchObject({
      tenantId: 'warm-home-heating',
      customerName: 'Priya Shah',
      postcode: 'NN15 6QP',
      address: '12 Acacia Avenue',
    });
    expect(call.gather?.heard[0]).toMatch(/Warm Home Heating/);
    expect(call.gather?.heard.at(-1)).toMatch(/booked/);
  });

  it('uses Polly voices and British English recognition', () => {
    expect(new Set(call.gather?.voices)).toEqual(new Set(['Polly.Amy-Neural']));
    expect(new Set(call.gather?.languages)).toEqual(new Set(['en-GB']));
  });

  it('stores the caller turns and forgets the call once it ended', () => {
    const answered = call.turns.filter((t) => t.callerText !== '');
    expect(answered.map((t) => t.callerText)).toEqual(script('booking-en').map((l) => l.text));
    expect(call.turns[0]).toMatchObject({ index: 0, step: 'greet', callerText: '' });
    for (const t of answered) expect(t.llmTtftMs).toBeGreaterThan(0);
    expect(rig.app.twilio?.activeFreeCalls()).toBe(0);
  });
});
