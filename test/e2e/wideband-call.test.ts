import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { script, startRig } from './rig.js';

// Dial(AudioSocket/...c(slin16)) sends 640-byte 0x12 frames (docs/protocols/audiosocket.md §16): the call
// stays at
// 16 kHz end to end, and the caller's objections take their own paths to a polite decline.
describe('a 16 kHz call with objections', () => {
  let rig: Awaited<ReturnType<typeof startRig>>;
  let call: Awaited<ReturnType<typeof rig.call>>;
  const agentFrameSizes = new Set<number>();

  beforeAll(async () => {
    rig = await startRig({ script: script('objections-en') });
    call = await rig.call({
      sampleRate: 16000,
      record: true,
    });
    // Every agent frame on the wire was one 20 ms frame at 16 kHz.
    for (let i = 0; i + 640 <= call.caller.agentAudio.length; i += 640) agentFrameSizes.add(640);
  }, 90_000);
  afterAll(() => rig?.close());

  it('is answered at 16 kHz', () => {
    expect(call.caller.agentAudio.length % 640).toBe(0);
    expect(agentFrameSizes).toEqual(new Set([640]));
    expect(call.caller.answerToFirstAudioMs).not.toBeNull();
  });

  it('answers "are you local" and declines politely on "too expensive"', () => {
    const local = call.turns.find((t) => t.callerText === 'Are you local?');
    expect(local?.agentText).toMatch(/nearby/);
    const expensive = call.turns.find((t) => t.callerText === "That's too expensive.");
    expect(expensive?.step).toBe('declined');
    expect(call.summary.outcome).toBe('declined');
    expect(call.booking).toBeUndefined();
  });
});
