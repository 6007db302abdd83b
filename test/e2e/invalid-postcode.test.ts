import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { script, startRig } from './rig.js';

describe('an invalid postcode end to end', () => {
  let rig: Awaited<ReturnType<typeof startRig>>;
  let call: Awaited<ReturnType<typeof rig.call>>;

  beforeAll(async () => {
    rig = await startRig({ script: script('invalid-postcode-en') });
    call = await rig.call();
  }, 90_000);
  afterAll(() => rig?.close());

  it('is asked for again, and only the valid one is booked', () => {
    const banana = call.turns.find((t) => t.callerText === "It's banana.");
    expect(banana?.step).toBe('postcode');
    expect(banana?.agentText).toMatch(/didn't catch a valid postcode.*postcode\?/);
    const next = call.turns.find((t) => t.callerText === 'SW1A 1AA.');
    expect(next?.step).toBe('address');
    expect(call.booking).toMatchObject({
      postcode: 'SW1A 1AA',
      address: '10 Downing Street',
      customerName: 'Sam Jones',
    });
    expect(JSON.stringify(call.booking).toLowerCase()).not.toContain('banana');
  });
});
