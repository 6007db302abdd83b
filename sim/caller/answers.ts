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
