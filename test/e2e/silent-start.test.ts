import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { script, startRig } from './rig.js';

// A real Asterisk with Dial(AudioSocket/…/c(slin16)) and a caller who says nothing at first sent
// only the UUID, then its first 640-byte 0x12 frame about 520 ms later. The format must come from
// the dialplan or that first frame, never from a short timeout.
describe('a 16 kHz caller whose line is silent for the first 500 ms', () => {
  let rig: Awaited<ReturnType<typeof startRig>>;
  beforeAll(async () => {
    rig = await startRig({ script: script('invalid-postcode-en') });
  }, 60_000);
  afterAll(() => rig?.close());

  for (const [how, agiArgs] of [
    ['with the format declared in the dialplan (format=slin16)', ['format=slin16']],
    ['with no declaration, from the first audio frame', []],
  ] as const) {
    it(`books at 16 kHz end to end ${how}, with no false barge-in`, async () => {
      const call = await rig.call({
        sampleRate: 16000,
        silentStartMs: 500,
        record: true,
        agiArgs: [...agiArgs],
      });
      expect(call.summary.outcome).toBe('booked');
      expect(call.booking?.postcode).toBe('SW1A 1AA');
      expect(call.summary.bargeIns).toBe(0);
      expect(rig.bargeIns.filter((b) => b.callId === call.uuid)).toEqual([]);
      // Every caller line was understood, in order: the STT heard 16 kHz audio labelled 16 kHz.
      const heard = call.turns.filter((t) => t.callerText !== '').map((t) => t.callerText);
      expect(heard).toEqual(script('invalid-postcode-en').map((l) => l.text));
      // The agent answered in 20 ms frames of 16 kHz audio (640 bytes).
      expect(call.caller.agentAudio.length % 640).toBe(0);
      expect(call.caller.agentAudio.length).toBeGreaterThan(0);
    }, 90_000);
  }
});
