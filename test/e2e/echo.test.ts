import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { script, startRig } from './rig.js';

// Phone lines have no echo cancellation: this caller plays the agent's own audio back into the line
// at -12 dB, 60 ms late. The echo must neither interrupt the agent nor reach the transcript.
describe('line echo end to end', () => {
  let rig: Awaited<ReturnType<typeof startRig>>;
  let call: Awaited<ReturnType<typeof rig.call>>;

  beforeAll(async () => {
    rig = await startRig({ script: script('invalid-postcode-en') });
    call = await rig.call({ echo: { gainDb: -12, delayMs: 60 } });
  }, 90_000);
  afterAll(() => rig?.close());

  it("does not trigger barge-in on the agent's own echo", () => {
    expect(call.summary.bargeIns).toBe(0);
    expect(call.turns.some((t) => t.bargeIn)).toBe(false);
    expect(rig.bargeIns).toEqual([]);
  });

  it('keeps echo out of the transcript: every caller line is recognised in order and the call books', () => {
    const heard = call.turns.filter((t) => t.callerText !== '').map((t) => t.callerText);
    expect(heard).toEqual(script('invalid-postcode-en').map((l) => l.text));
    expect(call.booking?.postcode).toBe('SW1A 1AA');
  });
});
