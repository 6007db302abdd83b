import { describe, expect, it } from 'vitest';
import { percentileOfSorted, percentiles } from '../../bench/stats.js';

describe('bench percentiles', () => {
  it('uses the nearest rank, so every figure reported is one that was measured', () => {
    const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentileOfSorted(sorted, 50)).toBe(5);
    expect(percentileOfSorted(sorted, 90)).toBe(9);
    expect(percentileOfSorted(sorted, 99)).toBe(10);
    expect(percentileOfSorted([42], 1)).toBe(42);
  });

  it('sorts numerically and keeps null for no data', () => {
    expect(percentiles([10, 9, 100, 2]).p50).toBe(9);
    expect(percentiles([])).toEqual({ p50: null, p90: null, p99: null });
  });
});
