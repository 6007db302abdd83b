import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { counterSum } from '../../bench/server-counters.js';
import { type CallerLine, CLIP_DIR, clipName } from '../../sim/caller/script.js';
import { script, startRig } from './rig.js';

const clip = (text: string) => readFileSync(fileURLToPath(new URL(clipName({ text }), CLIP_DIR)));

/**
 * One sentence with a 200 ms pause after a part that reads as finished: long enough for the early
 * end-of-turn signal (160 ms), shorter than the Finalize silence (240 ms) and the STT's endpoint
 * (300 ms), so the STT hears one utterance. The first clip's own trailing silence (300 ms of the
 * espeak render) is cut so the pause is what this test says it is.
 */
const RESUMED: CallerLine = { text: "My boiler has stopped working. And there's water on the floor." };
const firstHalf = clip('My boiler has stopped working.');
const resumedClip = Buffer.concat([
  firstHalf.subarray(0, firstHalf.length - 16 * 300),
  Buffer.alloc(16 * 200), // 200 ms of 8 kHz s16le silence
  clip("And there's water on the floor."),
]);

const speculations = async (rig: Awaited<ReturnType<typeof startRig>>, outcome: string) =>
  counterSum(await rig.app.metrics.render(), 'callchart_speculations_total', { outcome }) ?? 0;

// Turn-taking through real sockets: replies start on early end-of-turn signals, but a caller who
// pauses mid-sentence is answered once, after the whole sentence, and never heard over.
describe('turn-taking', () => {
  it('answers each sentence said with a 400-700 ms pause in the middle exactly once, and books', async () => {
    const rig = await startRig({ script: script('pause-en') });
    try {
      const call = await rig.call();
      expect(call.summary.outcome).toBe('booked');
      const paused = call.caller.turns.filter((t) => t.pauses > 0);
      expect(paused.length).toBeGreaterThanOrEqual(4);
      for (const t of call.caller.turns) {
        expect(t.pausesAnswered, t.line).toBe(0);
        expect(t.answers, t.line).toBe(1);
      }
      expect(call.turns.filter((t) => t.callerText !== '').map((t) => t.callerText)).toEqual(
        script('pause-en').map((l) => l.text),
      );
    } finally {
      await rig.close();
    }
  }, 120_000);

  it('a resumed turn cancels its speculative reply, and none of its audio reaches the wire', async () => {
    const lines: CallerLine[] = [RESUMED, { text: 'Yes please, go ahead.' }];
    const rig = await startRig({ script: lines });
    try {
      const call = await rig.call({
        clipFor: (line) => (line.text === RESUMED.text ? resumedClip : clip(line.text)),
      });
      const [first] = call.caller.turns;
      // The caller went on 200 ms into the pause: the reply started on the first half was dropped...
      expect(await speculations(rig, 'cancelled')).toBeGreaterThanOrEqual(1);
      expect(
        rig.stack.cartesia.stats().contextsCancelled + rig.stack.groq.stats().clientAborts,
      ).toBeGreaterThanOrEqual(1);
      // ...so nothing of it reached the caller while they were still talking.
      expect(first?.agentVoicedWhileSpeaking).toBe(0);
      expect(first?.mouthToEarMs).not.toBeNull();
      expect(call.turns.find((t) => t.callerText !== '')?.callerText).toBe(RESUMED.text);
    } finally {
      await rig.close();
    }
  }, 120_000);

  it('a Nova-3 booking call starts replies on the early signal and waits for one LLM round', async () => {
    const rig = await startRig({ script: script('booking-en') });
    try {
      const call = await rig.call();
      expect(call.summary.outcome).toBe('booked');
      const answered = call.turns.filter((t) => t.callerText !== '');
      expect(answered.some((t) => t.speculative)).toBe(true);
      expect(await speculations(rig, 'confirmed')).toBeGreaterThanOrEqual(1);
      const oneRound = answered.filter((t) => (t.llmRounds ?? 99) <= 1).length;
      expect(oneRound / answered.length).toBeGreaterThanOrEqual(0.8);
    } finally {
      await rig.close();
    }
  }, 120_000);

  it('a Flux call completes the booking script', async () => {
    const rig = await startRig({ script: script('booking-en'), env: { DEEPGRAM_MODEL: 'flux-general-en' } });
    try {
      const call = await rig.call();
      expect(call.summary.outcome).toBe('booked');
      // Flux ends turns itself: no Finalize is ever sent, and its EagerEndOfTurn starts the replies.
      expect(rig.stack.deepgram.stats().streamsOpened).toBeGreaterThanOrEqual(1);
      expect(rig.stack.deepgram.stats().finalizes).toBe(0);
      expect(call.turns.some((t) => t.speculative)).toBe(true);
      expect(call.turns.filter((t) => t.callerText !== '').map((t) => t.callerText)).toEqual(
        script('booking-en').map((l) => l.text),
      );
    } finally {
      await rig.close();
    }
  }, 120_000);
});
