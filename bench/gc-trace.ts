import { readFile } from 'node:fs/promises';
import { roundTo } from '../src/round.js';

/**
 * `--trace-gc`: the bench runs the server with V8's `--trace-gc-nvp` (one `name=value` line per GC
 * on stdout, kept in the server's log) and sums up the GCs of the measured load from it.
 */
export const TRACE_GC_NODE_ARGS = ['--trace-gc-nvp'];

/**
 * gc-on-signal.ts prints these around each bench-requested full GC: the bench asks for one just
 * before the load and one after it, so a process's GCs between its first `end` and its next `begin`
 * are the load's (and the forced ones are not).
 */
const MARKER = /gc-on-signal: full gc (begin|end) pid=(\d+)/;

export interface GcSummary {
  /** Young-generation GCs. */
  scavenges: number;
  /** Full (mark-compact) GCs, incremental or not; the bench's own forced ones are not counted. */
  markCompacts: number;
  /** Bytes scavenges moved into the old generation, MB (10^6) in all and per second of load. */
  promotedMB: number;
  promotedMBPerSec: number;
  /**
   * Promoted MB per minute of call served: on a shared machine a starved run serves less per
   * second, so this compares runs better than the rate.
   */
  promotedMBPerCallMin: number | null;
  /** Bytes allocated on the V8 heap (V8's `allocated=` since the previous GC, summed), per call-minute. */
  allocatedMBPerCallMin: number | null;
  /** Longest atomic pause of any GC, and of a mark-compact, ms (incremental steps not included). */
  longestPauseMs: number;
  longestMarkCompactPauseMs: number;
  /** Sum of every GC pause, ms. */
  totalPauseMs: number;
}

/** The numbers of one `--trace-gc-nvp` line, or null for any other line. */
function parseNvp(line: string): { gc: string; pause: number; promoted: number; allocated: number } | null {
  const gc = /\bgc=(\w+)/.exec(line)?.[1];
  const pause = /\bpause=([\d.]+)/.exec(line)?.[1];
  if (gc === undefined || pause === undefined) return null;
  return {
    gc,
    pause: Number(pause),
    promoted: Number(/\bpromoted=(\d+)/.exec(line)?.[1] ?? 0),
    allocated: Number(/\ballocated=(\d+)/.exec(line)?.[1] ?? 0),
  };
}

/**
 * Sums up the GCs of the load from a server log: per process (worker processes print their own
 * lines), the lines after its first marker `end` up to its next `begin`. Only the main thread's
 * isolate counts (the one with the mark-compact between `begin` and `end`: the forced GC); worker
 * threads' isolates (the logger's, for one) print too, and may print inside the markers, but their
 * pauses never hold up the frames. Null when the log
 * holds no complete window (no --trace-gc, or the run ended before the second marker).
 */
export function summariseGcTrace(
  log: string,
  load: { seconds: number; callMinutes: number },
): GcSummary | null {
  /** Per pid: its main isolate once known (and the forced GC's until then), and its window. */
  const procs = new Map<
    string,
    { main: string | null; forced: string | null; forcing: boolean; window: 'open' | 'closed' | null }
  >();
  const sum: GcSummary = {
    scavenges: 0,
    markCompacts: 0,
    promotedMB: 0,
    promotedMBPerSec: 0,
    promotedMBPerCallMin: null,
    allocatedMBPerCallMin: null,
    longestPauseMs: 0,
    longestMarkCompactPauseMs: 0,
    totalPauseMs: 0,
  };
  let promoted = 0;
  let allocated = 0;
  let complete = 0;
  for (const line of log.split('\n')) {
    const marker = MARKER.exec(line);
    if (marker) {
      const [, edge, pid = ''] = marker;
      const proc = procs.get(pid) ?? { main: null, forced: null, forcing: false, window: null };
      procs.set(pid, proc);
      proc.forcing = edge === 'begin';
      if (edge === 'end') proc.main ??= proc.forced;
      if (edge === 'end' && proc.window === null) proc.window = 'open';
      else if (edge === 'begin' && proc.window === 'open') {
        proc.window = 'closed';
        complete++;
      }
      continue;
    }
    const prefix = /^\[(\d+):(0x[0-9a-f]+)\]/.exec(line);
    const gc = prefix ? parseNvp(line) : null;
    if (!prefix || !gc) continue;
    const [, pid = '', isolate = ''] = prefix;
    const proc = procs.get(pid);
    if (!proc) continue;
    if (proc.forcing && gc.gc === 'mc') proc.forced = isolate;
    if (proc.window !== 'open' || isolate !== proc.main) continue;
    if (gc.gc === 's' || gc.gc === 'mmc') sum.scavenges++;
    else if (gc.gc === 'mc') {
      sum.markCompacts++;
      sum.longestMarkCompactPauseMs = Math.max(sum.longestMarkCompactPauseMs, gc.pause);
    }
    promoted += gc.promoted;
    allocated += gc.allocated;
    sum.longestPauseMs = Math.max(sum.longestPauseMs, gc.pause);
    sum.totalPauseMs += gc.pause;
  }
  if (complete === 0) return null;
  sum.promotedMB = roundTo(promoted / 1e6, 1);
  sum.promotedMBPerSec = load.seconds > 0 ? roundTo(promoted / 1e6 / load.seconds, 2) : 0;
  const perCallMin = (bytes: number) =>
    load.callMinutes > 0 ? roundTo(bytes / 1e6 / load.callMinutes, 2) : null;
  sum.promotedMBPerCallMin = perCallMin(promoted);
  sum.allocatedMBPerCallMin = perCallMin(allocated);
  sum.totalPauseMs = roundTo(sum.totalPauseMs, 1);
  return sum;
}

/**
 * Reads the server's log once it has exited (its log stream ends asynchronously: a short wait lets
 * the last lines land) and sums up the load's GCs.
 */
export async function readGcSummary(
  logPath: string,
  load: { startedAt: number; endedAt: number },
  callMinutes: number,
): Promise<GcSummary | null> {
  await new Promise((resolve) => setTimeout(resolve, 200));
  let log: string;
  try {
    log = await readFile(logPath, 'utf8');
  } catch {
    return null;
  }
  return summariseGcTrace(log, { seconds: (load.endedAt - load.startedAt) / 1000, callMinutes });
}
