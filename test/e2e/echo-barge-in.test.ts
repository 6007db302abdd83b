import { describe, expect, it } from 'vitest';
import { script, startRig } from './rig.js';

// The echo guard must not make the agent deaf: with the agent's echo on the line (-12 dB, 60 ms),
// a real interruption still stops it.
describe('barge-in over line echo', () => {
  it('still lets a real interruption through while echo is present', async () => {
    const rig2 = await startRig({
      script: script('booking-en'),
      sims: { cartesia: { realTimeFactor: 0.8 } },
    });
    try {
      const c = await rig2.call({ echo: { gainDb: -12, delayMs: 60 } });
      expect(c.summary.bargeIns).toBe(1);
      expect(c.turns.find((t) => t.bargeIn)?.step).toBe('quote');
      expect(c.booking?.customerName).toBe('Priya Shah');
    } finally {
      await rig2.close();
    }
  }, 90_000);
});
