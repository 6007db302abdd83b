/**
 * Turn-taking as the caller hears it: how many separate answers the agent gave to a line, and
 * whether it started talking in a mid-sentence pause (a false cut-off). Pure, over clock times.
 */

/** Agent silence that separates two answers (a reply's own sentences follow each other closer). */
export const ANSWER_GAP_MS = 500;

/** Times at which the agent started talking: a voiced frame after at least `gapMs` without one. */
export function agentOnsets(voicedAt: readonly number[], gapMs = ANSWER_GAP_MS): number[] {
  const onsets: number[] = [];
  let previous = Number.NEGATIVE_INFINITY;
  for (const at of voicedAt) {
    if (at - previous >= gapMs) onsets.push(at);
    previous = at;
  }
  return onsets;
}

/** Agent frames closer than this before the caller's voice ended mean it was still talking then. */
const TALKING_THROUGH_MS = 40;

/**
 * The agent's answer to a line whose voice ended at `lastVoiced`, among the voiced frames heard so far:
 * the first one after that instant (the answer may start while the line's trailing silence is still
 * being sent). `talking-through`: the agent was still talking when the caller's voice ended (a line
 * with no barge-in), so the frames after it are that reply, not the answer; wait for the next voice.
 * `undefined`: not heard yet.
 */
export function heardAnswer(
  voicedAt: readonly number[],
  lastVoiced: number,
): number | 'talking-through' | undefined {
  let i = voicedAt.length;
  while (i > 0 && voicedAt[i - 1]! > lastVoiced) i--;
  if (i > 0 && voicedAt[i - 1]! > lastVoiced - TALKING_THROUGH_MS) return 'talking-through';
  return voicedAt[i];
}

/**
 * When the agent stopped after the caller started talking over it at `speechStart`: its last voiced
 * frame no later than the end of the caller's voice (`speechStart` if none). The answer to the
 * interruption starts after that, so it is never taken for the reply that was cut; an agent that
 * talked on through the whole line shows as the line's length.
 */
export function agentStoppedAt(voicedAt: readonly number[], speechStart: number, voiceEndAt: number): number {
  for (let i = voicedAt.length - 1; i >= 0; i--) {
    const at = voicedAt[i]!;
    if (at < speechStart) break;
    if (at <= voiceEndAt) return at;
  }
  return speechStart;
}

/** Answers that started in [from, to). */
export function answersBetween(onsets: readonly number[], from: number, to: number): number {
  return onsets.filter((at) => at >= from && at < to).length;
}

/**
 * How many of a line's pauses the agent answered: it started talking after a pause began and
 * before the next part was over (the next pause, or the end of the line's voice).
 */
export function pausesAnswered(
  onsets: readonly number[],
  pauses: readonly { startAt: number }[],
  lineVoiceEndAt: number,
): number {
  return pauses.filter((pause, i) =>
    onsets.some((at) => at >= pause.startAt && at < (pauses[i + 1]?.startAt ?? lineVoiceEndAt)),
  ).length;
}
