/**
 * Cuts a sample stream into fixed windows and yields each window's RMS. A window may span several
 * frames (20 ms frames, 10 ms windows, or odd chunk sizes from a fast sender); the partial sum carries over.
 */
export class WindowRms {
  private sumSquares = 0;
  private filled = 0;

  constructor(readonly windowSamples: number) {
    if (!Number.isInteger(windowSamples) || windowSamples < 1)
      throw new Error('windowSamples must be a positive integer');
  }

  push(samples: Int16Array): number[] {
    const out: number[] = [];
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i]!;
      this.sumSquares += s * s;
      if (++this.filled === this.windowSamples) {
        out.push(Math.sqrt(this.sumSquares / this.windowSamples));
        this.sumSquares = 0;
        this.filled = 0;
      }
    }
    return out;
  }
}
