import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { script } from '../e2e/rig.js';
import { NUMBERS, startTwilioRig } from './rig.js';

// An Enterprise tenant on Twilio Media Streams: a booking call with one barge-in, through real
// sockets (signed webhook, TwiML, WebSocket stream with a real-time playback buffer).
describe('an English Enterprise call over Media Streams', () => {
  let rig: Awaited<ReturnType<typeof startTwilioRig>>;
  let call: Awaited<ReturnType<typeof rig.call>>;

  beforeAll(async () => {
    rig = await startTwilioRig({ script: script('booking-en'), sims: { cartesia: { realTimeFactor: 0.8 } } });
    call = await rig.call({ to: NUMBERS.enterprise, from: '+447700900123' });
  }, 120_000);
  afterAll(() => rig?.close());

  it('books with the right fields, for the tenant matched from the E.164 number', () => {
    expect(call.mode).toBe('stream');
    expect(call.summary.outcome).toBe('booked');
    expect(call.booking).toMatchObject({
      tenantId: 'quick-fix-plumbing',
      customerName: 'Priya Shah',
      postcode: 'NN15 6QP',
      address: '12 Acacia Avenue',
    });
    expect(call.completed).toBe(true);
    expect(call.stream?.violations).toEqual([]);
  });

  it('the barge-in sent clear, and the stored turn keeps only what was played', () => {
    expect(call.stream?.clears.length).toBeGreaterThanOrEqual(1);
    expect(call.summary.bargeIns).toBe(1);
    const interrupted = call.turns.find((t) => t.bargeIn);
    expect(interrupted?.step).toBe('quote');
    // The whole quote; the caller cuts in about a second and a half into it.
    const full =
      "I can get a plumber out to you within thirty minutes to an hour. There's a 49 pound callout for the plumber to come out, then he'll quote you on-site before starting anything.";
    expect(interrupted!.agentText.length).toBeGreaterThan(0);
    expect(interrupted!.agentText.length).toBeLessThan(full.length);
    expect(full.startsWith(interrupted!.agentText)).toBe(true);
  });

  it('measures mouth-to-ear at playback for every turn', () => {
    for (const t of call.turns.filter((x) => !x.bargeIn)) expect(t).toBeDefined();
    for (const t of call.stream!.turns) expect(t.mouthToEarMs).toBeGreaterThan(0);
    expect(call.stream!.marksEchoed).toBeGreaterThan(10);
  });
});
