import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Kernel clock ticks per second for /proc/<pid>/stat times (100 on every Linux we run on). */
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

export interface ProcSample {
  /** utime + stime of the process, seconds. */
  cpuSec: number;
  /** Of which in the kernel (for a network server mostly loopback TCP work). */
  sysSec: number;
  /** Resident set size, MiB. */
  rssMiB: number;
  at: number;
}

/**
 * One reading of a process's CPU time and memory from /proc, so a child (the server, the floor, the
 * simulators) is measured from outside without instrumenting it. With `withChildren`, its direct
 * children are added in (callchart's worker processes under WORKERS > 1). Null once the process is gone.
 */
export function sampleProcess(pid: number, withChildren = false): ProcSample | null {
  const own = sampleOne(pid);
  if (!own || !withChildren) return own;
  for (const child of childPids(pid)) {
    const c = sampleOne(child);
    if (!c) continue;
    own.cpuSec += c.cpuSec;
    own.sysSec += c.sysSec;
    own.rssMiB += c.rssMiB;
  }
  return own;
}

/**
 * Direct children of `pid` that are Node processes (Linux: /proc/<pid>/task/<tid>/children). Others,
 * such as tsx's esbuild service, are neither the server's work nor safe to signal.
 */
export function childPids(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`)
      .flatMap((tid) => readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' '))
      .filter(Boolean)
      .map(Number)
      .filter((child) => {
        try {
          return readFileSync(`/proc/${child}/comm`, 'utf8').trim() === 'node';
        } catch {
          return false;
        }
      });
  } catch {
    return [];
  }
}

function sampleOne(pid: number): ProcSample | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces or parens: count fields after its closing paren.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]); // field 14 of proc(5)
    const stime = Number(fields[12]); // field 15
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN);
    return {
      cpuSec: (utime + stime) / CLK_TCK,
      sysSec: stime / CLK_TCK,
      rssMiB: rssKb / 1024,
      at: performance.now(),
    };
  } catch {
    return null;
  }
}

/** Samples a process every `everyMs` and keeps the series (for the peak RSS and CPU over a window). */
export class ProcessSampler {
  readonly samples: ProcSample[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    readonly pid: number,
    private readonly everyMs = 500,
    /** Add in the process's children (a server with worker processes). */
    private readonly withChildren = false,
  ) {}

  start(): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.everyMs);
    this.timer.unref();
    return this;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  sample(): ProcSample | null {
    const s = sampleProcess(this.pid, this.withChildren);
    if (s) this.samples.push(s);
    return s;
  }

  /** Busiest interval between consecutive samples taken at or after `since`: CPU time / wall time, %. */
  peakCpuPercent(since = 0): number {
    let peak = 0;
    for (let i = 1; i < this.samples.length; i++) {
      const a = this.samples[i - 1]!;
      const b = this.samples[i]!;
      if (a.at < since || b.at <= a.at) continue;
      peak = Math.max(peak, ((b.cpuSec - a.cpuSec) * 1000 * 100) / (b.at - a.at));
    }
    return Math.round(peak);
  }

  /** Highest RSS seen in samples taken at or after `since`. */
  peakRssMiB(since = 0): number {
    let peak = 0;
    for (const s of this.samples) if (s.at >= since && s.rssMiB > peak) peak = s.rssMiB;
    return peak;
  }
}
