import { roundTo } from '../src/round.js';

/** p50/p90/p99 of a set of figures; null when there are none (JSON keeps the field, not a fake zero). */
export interface Percentiles {
  p50: number | null;
  p90: number | null;
  p99: number | null;
}

/**
 * Nearest-rank percentile of an ascending array (no interpolation: every figure is one that happened).
 * By hand because the usual statistics packages interpolate.
 */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? null;
}

export function percentiles(values: readonly number[]): Percentiles {
  // A typed array sorts numerically and fast: jitter alone is 50 figures per call-second.
  const sorted = Float64Array.from(values).sort();
  return {
    p50: roundTo(percentileOfSorted(sorted, 50), 1),
    p90: roundTo(percentileOfSorted(sorted, 90), 1),
    p99: roundTo(percentileOfSorted(sorted, 99), 1),
  };
}

export function max(values: readonly number[]): number | null {
  let m: number | null = null;
  for (const v of values) if (m === null || v > m) m = v;
  return m;
}
