/**
 * Energy VAD for barge-in, with an echo guard. Phone lines have no echo cancellation, so the agent's
 * own voice leaks back into the caller's audio. The threshold therefore rises with the energy being
 * played out: caller audio must be louder than `echoRatio` x the agent's recent output RMS (and than
 * the fixed floor) to count. Defaults from the seed: RMS 800 for 300 ms.
 */
export interface BargeInOptions {
  rmsThreshold: number;
  minSpeechMs: number;
  echoRatio: number;
}

export class BargeInDetector {
  private voicedMs = 0;
  private fired = false;

  constructor(private readonly opts: BargeInOptions) {}

  /** The level caller audio must exceed while the agent is audible at `agentRms`. */
  threshold(agentRms: number): number {
    return Math.max(this.opts.rmsThreshold, this.opts.echoRatio * agentRms);
  }

  /**
   * Feeds one caller frame. Returns 'speech' for a frame above the threshold, 'barge-in' once the
   * caller has been above it for minSpeechMs, 'quiet' otherwise. A single quiet frame does not reset
   * the count (syllable gaps), two in a row do.
   */
  onFrame(callerRms: number, frameMs: number, agentRms: number): 'quiet' | 'speech' | 'barge-in' {
    if (callerRms <= this.threshold(agentRms)) {
      this.voicedMs = Math.max(0, this.voicedMs - frameMs * 2);
      return 'quiet';
    }
    this.voicedMs += frameMs;
    if (!this.fired && this.voicedMs >= this.opts.minSpeechMs) {
      this.fired = true;
      return 'barge-in';
    }
    return 'speech';
  }

  /** Re-arms for the next reply. */
  reset(): void {
    this.voicedMs = 0;
    this.fired = false;
  }
}
