/**
 * The RMS of recently played agent frames, kept so the VAD's echo guard can ask "how loud was what
 * we just played?" (`recentOutputRms`). A fixed ring: no allocation per frame.
 */
export class LevelHistory {
  private readonly times: Float64Array;
  private readonly levels: Float32Array;
  private next = 0;
  private count = 0;

  /** `capacity` frames: 100 × 20 ms covers a 2 s window. */
  constructor(capacity = 100) {
    this.times = new Float64Array(capacity);
    this.levels = new Float32Array(capacity);
  }

  record(at: number, rms: number): void {
    this.times[this.next] = at;
    this.levels[this.next] = rms;
    this.next = (this.next + 1) % this.times.length;
    if (this.count < this.times.length) this.count++;
  }

  /**
   * Max level recorded within `windowMs` before `now` (0 when none). With `minEntries`, the newest
   * that many entries count too even if older: when entries are one per frame sent, a stalled event
   * loop (fewer frames per second) then cannot shrink the window below that much audio.
   */
  maxSince(now: number, windowMs: number, minEntries = 0): number {
    const cutoff = now - windowMs;
    let max = 0;
    for (let k = 1; k <= this.count; k++) {
      const i = (this.next - k + this.times.length) % this.times.length;
      // Entries are in time order, newest first here.
      if (this.times[i]! <= cutoff && k > minEntries) break;
      if (this.levels[i]! > max) max = this.levels[i]!;
    }
    return max;
  }

  clear(): void {
    this.count = 0;
    this.next = 0;
  }
}
