import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { script } from '../e2e/rig.js';
import { NUMBERS, startTwilioRig } from './rig.js';

// A Pro tenant (no barge-in) called from a Mexican number: the call runs in Spanish and books.
describe('a Spanish Pro call over Media Streams', () => {
  let rig: Awaited<ReturnType<typeof startTwilioRig>>;
  let call: Awaited<ReturnType<typeof rig.call>>;

  beforeAll(async () => {
    rig = await startTwilioRig({ script: script('booking-es') });
    call = await rig.call({ to: NUMBERS.pro, from: '+525512345678' });
  }, 120_000);
  afterAll(() => rig?.close());

  it('books in Spanish for the Pro tenant', () => {
    expect(call.mode).toBe('stream');
    expect(call.summary.outcome).toBe('booked');
    expect(call.booking).toMatchObject({ tenantId: 'spark-electrical', customerName: 'Lucía García' });
    expect(call.turns[0]?.agentText).toMatch(/^Hola, Spark Electrical/);
    expect(call.turns.at(-1)?.agentText).toMatch(/Queda reservado/);
  });

  it('never clears agent audio: Pro has no barge-in', () => {
    expect(call.summary.bargeIns).toBe(0);
    expect(call.stream?.clears).toEqual([]);
    expect(call.stream?.violations).toEqual([]);
  });
});
