import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCallerScript, SCRIPT_DIR } from '../sim/caller/script.js';
import type { ProfileName } from '../sim/profiles.js';
import { FAULT_ROWS, type FaultRow } from './faults.js';
import { type RowResult, runRow } from './run-row.js';

/** The targets of issue 12: no caller waits more than this, and the process lives through every row. */
export const TARGET_MAX_SILENCE_MS = 2000;

export interface ChaosOptions {
  /** Row ids to run (default: every row). */
  only?: readonly string[];
  /** Rows at once; each runs its own simulators and server. */
  concurrency?: number;
  profile?: ProfileName;
  /** Keep each row's server and simulator logs (the path is in the report). */
  keepLogs?: boolean;
  /** Told as each row finishes. */
  onRow?: (row: RowResult, done: number, of: number) => void;
}

export interface ChaosReport {
  date: string;
  profile: ProfileName;
  targets: { maxSilenceMs: number; processAlive: true };
  wallSeconds: number;
  rows: (RowResult & { withinTarget: boolean })[];
  /** Rows outside a target (or not run). */
  missed: string[];
  logs?: string;
}

export function selectRows(only?: readonly string[]): FaultRow[] {
  if (!only || only.length === 0) return [...FAULT_ROWS];
  const unknown = only.filter((id) => !FAULT_ROWS.some((r) => r.id === id));
  if (unknown.length > 0) throw new Error(`unknown row(s): ${unknown.join(', ')}`);
  return FAULT_ROWS.filter((r) => only.includes(r.id));
}

export const withinTarget = (r: RowResult) =>
  r.maxSilenceMs !== null && r.maxSilenceMs <= TARGET_MAX_SILENCE_MS && r.processAlive;

/** Runs the selected rows, a few at a time, and reports them in matrix order. */
export async function runChaos(opts: ChaosOptions = {}): Promise<ChaosReport> {
  const rows = selectRows(opts.only);
  const profile = opts.profile ?? 'fast';
  const scriptPath = new URL('booking-en.json', SCRIPT_DIR).pathname;
  const script = loadCallerScript(scriptPath);
  const workDir = mkdtempSync(join(tmpdir(), 'callchart-chaos-'));
  const started = performance.now();
  const results = new Map<string, RowResult>();
  const queue = [...rows];
  const worker = async () => {
    for (let row = queue.shift(); row; row = queue.shift()) {
      const result = await runRow(row, { script, scriptPath, profile, workDir });
      results.set(row.id, result);
      opts.onRow?.(result, results.size, rows.length);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 3) }, worker));
  } finally {
    if (!opts.keepLogs) rmSync(workDir, { recursive: true, force: true });
  }
  const ordered = rows.map((r) => {
    const result = results.get(r.id)!;
    return { ...result, withinTarget: withinTarget(result) };
  });
  return {
    date: new Date().toISOString(),
    profile,
    targets: { maxSilenceMs: TARGET_MAX_SILENCE_MS, processAlive: true },
    wallSeconds: Math.round((performance.now() - started) / 1000),
    rows: ordered,
    missed: ordered.filter((r) => !r.withinTarget).map((r) => r.id),
    ...(opts.keepLogs ? { logs: workDir } : {}),
  };
}
