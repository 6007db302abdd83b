/**
 * The longest silence a caller sat through waiting for the agent, from what the caller heard on the
 * wire. Pure, over clock times (ms).
 *
 * Every stretch without agent voice counts, except the part of it that was the caller's own: from the
 * start of a line the caller said in it to that line's end of voice (and the pause before it, which
 * was the caller taking the turn). So what is measured is
 * - the wait for the greeting,
 * - from the end of each caller line to the agent's first voiced frame after it,
 * - gaps inside the agent's speech that the caller listened through,
 * - a line never answered: from its end to the end of the call.
 * The quiet between the agent's last words and its own hang-up is not a wait.
 */
export interface HeardCall {
  startedAt: number;
  endedAt: number;
  /** Arrival time of every voiced agent frame, ascending. */
  agentVoicedAt: readonly number[];
  /** Each caller line: the start of its audio and the end of its voice. */
  spoken: readonly { startAt: number; voiceEndAt: number }[];
  /** The agent hung up (rather than the caller giving up or the socket failing). */
  agentHungUp: boolean;
}

export interface Silence {
  ms: number;
  /** Where it was: `greeting`, `after line N` (1-based), `mid-reply`, or `no answer to line N`. */
  where: string;
}

/** Agent frames are 20 ms apart while it talks; a gap shorter than this is not silence. */
const FRAME_MS = 20;

export function longestSilence(call: HeardCall): Silence {
  const stretches: [number, number][] = [];
  let from = call.startedAt;
  for (const at of call.agentVoicedAt) {
    if (at - from > FRAME_MS) stretches.push([from, at]);
    from = at;
  }
  const trailingCounts = !call.agentHungUp || call.spoken.some((l) => l.voiceEndAt > from);
  if (trailingCounts) stretches.push([from, call.endedAt]);
  let longest: Silence = { ms: 0, where: '-' };
  for (const [a, b] of stretches) {
    const w = waited(a, b, call);
    if (w.ms > longest.ms) longest = w;
  }
  return { ms: Math.round(longest.ms), where: longest.where };
}

/** How much of the quiet stretch (a, b) the caller spent waiting for the agent, and where it was. */
function waited(a: number, b: number, call: HeardCall): Silence {
  let waitFrom = a;
  let after = -1;
  for (const [i, line] of call.spoken.entries()) {
    // The caller was still talking when the agent spoke again: it was not waiting.
    if (line.startAt < b && line.voiceEndAt >= b) return { ms: 0, where: '-' };
    if (line.voiceEndAt > a && line.voiceEndAt < b && line.voiceEndAt >= waitFrom) {
      waitFrom = line.voiceEndAt;
      after = i;
    }
  }
  const unanswered = b === call.endedAt && b !== call.agentVoicedAt.at(-1);
  const where =
    after >= 0
      ? `${unanswered ? 'no answer to' : 'after'} line ${after + 1}`
      : a === call.startedAt
        ? 'greeting'
        : unanswered
          ? 'before the end'
          : 'mid-reply';
  return { ms: Math.max(0, b - waitFrom), where };
}
