/**
 * Speculative replies by outcome, read from callchart's /metrics (summed over other labels). A
 * counter the server does not export (or has not counted yet) reads as null, so the bench JSON
 * keeps the field without inventing a zero.
 */
export const SPECULATIONS_METRIC = 'callchart_speculations_total';
export const SPECULATION_OUTCOMES = ['started', 'confirmed', 'cancelled'] as const;

export type SpeculationCounts = Record<(typeof SPECULATION_OUTCOMES)[number], number>;

/** Sum of a counter's samples whose labels include every pair in `labels`; null when it has none. */
export function counterSum(text: string, name: string, labels: Record<string, string> = {}): number | null {
  let sum: number | null = null;
  const sample = new RegExp(`^${name}(?:\\{([^}]*)\\})? (\\S+)$`, 'gm');
  for (const m of text.matchAll(sample)) {
    const labelText = m[1] ?? '';
    if (!Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`))) continue;
    const value = Number(m[2]);
    if (Number.isFinite(value)) sum = (sum ?? 0) + value;
  }
  return sum;
}

export function speculationCounts(text: string): SpeculationCounts | null {
  const outcomes = SPECULATION_OUTCOMES.map((o) => [
    o,
    counterSum(text, SPECULATIONS_METRIC, { outcome: o }),
  ]);
  if (outcomes.every(([, v]) => v === null)) return null;
  return Object.fromEntries(outcomes.map(([o, v]) => [o, v ?? 0])) as SpeculationCounts;
}

/** What happened between two scrapes (the measured load, without the warm-up call). */
export function speculationDelta(
  before: SpeculationCounts | null,
  after: SpeculationCounts | null,
): SpeculationCounts | null {
  if (!after) return null;
  return {
    started: after.started - (before?.started ?? 0),
    confirmed: after.confirmed - (before?.confirmed ?? 0),
    cancelled: after.cancelled - (before?.cancelled ?? 0),
  };
}
