import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { script, startRig } from './rig.js';

// A caller who starts in English and asks for Spanish: the agent switches language (prompts, phrasing
// and voice) on the next reply and books the job in Spanish. The STT runs Nova-3 "multi", so the
// same socket transcribes both languages.
describe('switching language mid-call', () => {
  let rig: Awaited<ReturnType<typeof startRig>>;
  let call: Awaited<ReturnType<typeof rig.call>>;

  beforeAll(async () => {
    rig = await startRig({ script: script('switch-en-es') });
    call = await rig.call();
  }, 90_000);
  afterAll(() => rig?.close());

  it('answers in English, then in Spanish from the request on, and books', () => {
    const answered = call.turns.filter((t) => t.callerText !== '');
    expect(answered[0]?.agentText).toMatch(/plumber|engineer|callout/i);
    const after = answered.slice(1);
    expect(after.length).toBe(5);
    expect(after[0]?.agentText).toMatch(/español/);
    for (const t of after) expect(t.agentText).not.toMatch(/\b(the|your|and)\b/i);
    expect(call.booking).toMatchObject({
      customerName: 'Lucía García',
      postcode: 'NN15 6QP',
      address: 'Calle Mayor 12',
    });
  });
});
