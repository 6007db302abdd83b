/** Values outside a label's budget are reported under this one value. */
export const OVERFLOW_LABEL = 'other';

/**
 * Keeps label values few and tidy. Every distinct value is a new time series held in memory for the
 * life of the process, so a label fed from outside (a provider name in an error, a tenant id) gets a
 * budget: the first `maxValues` distinct values pass, later ones become "other". Values are also
 * trimmed to a safe charset and length.
 */
export class LabelGuard {
  private readonly seen = new Map<string, Set<string>>();

  constructor(private readonly maxValues = 100) {}

  value(label: string, raw: string | null | undefined): string {
    const clean =
      (raw ?? '')
        .trim()
        .replace(/[^A-Za-z0-9_.:-]/g, '_')
        .slice(0, 64) || 'unknown';
    let values = this.seen.get(label);
    if (!values) {
      values = new Set();
      this.seen.set(label, values);
    }
    if (values.has(clean)) return clean;
    if (values.size >= this.maxValues) return OVERFLOW_LABEL;
    values.add(clean);
    return clean;
  }
}
