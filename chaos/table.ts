import type { ChaosReport } from './run-chaos.js';

const yes = (b: boolean) => (b ? 'yes' : 'NO');

/** The readable matrix: one line per fault row, then what missed the targets. */
export function formatTable(report: ChaosReport): string {
  const head = [
    'row',
    'max silence ms',
    'where',
    'recovered',
    'booked',
    'process alive',
    'outcome',
    'answered',
    'ended by',
  ];
  const body = report.rows.map((r) => [
    r.id,
    r.maxSilenceMs === null ? '-' : String(r.maxSilenceMs),
    r.silenceAt,
    r.skipped ? 'skipped' : yes(r.recovered),
    r.booked ? 'yes' : 'no',
    r.skipped ? '-' : yes(r.processAlive),
    r.outcome,
    r.answered,
    r.endedBy,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  const out = [
    `callchart fault matrix, ${report.date} (${report.profile} provider latencies, ${report.wallSeconds} s)`,
    '',
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...body.map(line),
    '',
  ];
  for (const r of report.rows) {
    if (r.skipped) out.push(`${r.id}: skipped: ${r.skipped}`);
    if (r.error) out.push(`${r.id}: runner error: ${r.error}`);
  }
  out.push(
    report.missed.length === 0
      ? `Every row within target (max silence <= ${report.targets.maxSilenceMs} ms, process alive).`
      : `Outside target (max silence > ${report.targets.maxSilenceMs} ms, process not alive, or not run): ${report.missed.join(', ')}`,
  );
  if (report.logs) out.push(`Logs: ${report.logs}`);
  return out.join('\n');
}
