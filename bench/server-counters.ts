/**
 * Counters the bench reads from callchart's /metrics (summed over their labels): LLM requests and
 * speculative replies by outcome. A counter the server does not export reads as null, so the bench
 * JSON keeps the field without inventing a zero.
 */
export const LLM_REQUESTS_METRIC = 'callchart_llm_requests_total';
export const SPECULATIONS_METRIC = 'callchart_speculations_total';
export const SPECULATION_OUTCOMES = ['started', 'confirmed', 'cancelled'] as const;

export interface ServerCounters {
  llmRequests: number | null;
  speculation: Record<(typeof SPECULATION_OUTCOMES)[number], number> | null;
}

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

export function serverCounters(text: string): ServerCounters {
  const outcomes = SPECULATION_OUTCOMES.map((o) => [
    o,
    counterSum(text, SPECULATIONS_METRIC, { outcome: o }),
  ]);
  const exported = outcomes.some(([, v]) => v !== null);
  return {
    llmRequests: counterSum(text, LLM_REQUESTS_METRIC),
    speculation: exported
      ? (Object.fromEntries(outcomes.map(([o, v]) => [o, v ?? 0])) as ServerCounters['speculation'])
      : null,
  };
}

/** What happened between two scrapes (the measured load, without the warm-up call). */
export function counterDelta(before: ServerCounters, after: ServerCounters): ServerCounters {
  const d = (a: number | null, b: number | null) => (a === null ? null : a - (b ?? 0));
  const sa = after.speculation;
  const sb = before.speculation;
  return {
    llmRequests: d(after.llmRequests, before.llmRequests),
    speculation: sa
      ? {
          started: sa.started - (sb?.started ?? 0),
          confirmed: sa.confirmed - (sb?.confirmed ?? 0),
          cancelled: sa.cancelled - (sb?.cancelled ?? 0),
        }
      : null,
  };
}
