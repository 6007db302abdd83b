/**
 * Energy VAD for barge-in, with an echo guard. Phone lines have no echo cancellation, so the agent's
 * own voice leaks back into the caller's audio. The threshold therefore rises with the energy being
 * played out: caller audio must be louder than `echoRatio` x the agent's recent output RMS (and than
 * the fixed floor) to count. Defaults from the seed: RMS 800 for 300 ms.
 *
 * Speech is not a steady tone: syllables dip below any threshold for a frame or three. A "run" of
 * speech therefore survives gaps up to MAX_GAP_MS, and barge-in needs minSpeechMs of run with at least
 * half of it above the threshold.
 *
 * Why not a VAD package: node-vad and the WebRTC VAD bindings are native add-ons and the Silero ones
 * run an ONNX model, while this runs on every 20 ms frame of every call; its echo guard is ours
 * either way.
 */
export interface BargeInOptions {
  rmsThreshold: number;
  minSpeechMs: number;
  echoRatio: number;
}

const MAX_GAP_MS = 80;
const MIN_VOICED_FRACTION = 0.5;

export type BargeInVerdict = 'quiet' | 'speech' | 'barge-in';

export class BargeInDetector {
  private runMs = 0;
  private voicedMs = 0;
  private gapMs = 0;
  private inRun = false;
  private fired = false;

  constructor(private readonly opts: BargeInOptions) {}

  /** The level caller audio must exceed while the agent is audible at `agentRms`. */
  threshold(agentRms: number): number {
    return Math.max(this.opts.rmsThreshold, this.opts.echoRatio * agentRms);
  }

  /**
   * Feeds one caller frame. 'speech' while a run of caller speech is going on (its audio is worth
   * transcribing), 'barge-in' once, when the run is long and voiced enough, 'quiet' otherwise.
   */
  onFrame(callerRms: number, frameMs: number, agentRms: number): BargeInVerdict {
    const voiced = callerRms > this.threshold(agentRms);
    if (!this.inRun) {
      if (!voiced) return 'quiet';
      this.inRun = true;
      this.runMs = this.voicedMs = this.gapMs = 0;
    }
    this.runMs += frameMs;
    if (voiced) {
      this.voicedMs += frameMs;
      this.gapMs = 0;
    } else {
      this.gapMs += frameMs;
      if (this.gapMs > MAX_GAP_MS) {
        this.inRun = false;
        return 'quiet';
      }
    }
    if (
      !this.fired &&
      this.runMs >= this.opts.minSpeechMs &&
      this.voicedMs >= MIN_VOICED_FRACTION * this.runMs
    ) {
      this.fired = true;
      return 'barge-in';
    }
    return 'speech';
  }

  /** Re-arms for the next reply. */
  reset(): void {
    this.inRun = false;
    this.fired = false;
  }
}
