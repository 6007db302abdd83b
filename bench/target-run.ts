import { LoadGenerator, type LoadOptions, type LoadResult } from './load-generator.js';
import { childPids, ProcessSampler, type ProcSample } from './proc-sampler.js';
import { progressBar } from './progress-bar.js';

/** How a server process used the machine during one load, sampled from /proc. */
export interface ResourceUse {
  /** CPU seconds the server used between the first call starting and the last one ending. */
  cpuSec: number;
  /** Of which kernel time. */
  sysSec: number;
  /** Busiest half second: the server's CPU use, % of one core (one JS thread: ~100% means saturated). */
  peakCpuPercent: number;
  /** The other processes on the machine during the same load: CPU seconds and busiest half second. */
  others: Record<string, { cpuSec: number; peakCpuPercent: number }>;
  idleRssMiB: number;
  peakRssMiB: number;
  /** A few seconds after the last call ended: what the calls gave back. */
  afterRssMiB: number;
  /** V8 heap in use (from the server's own /metrics) at the same three points; null for the floor. */
  heapUsedMiB: { idle: number; end: number; after: number } | null;
}

export interface TargetRun {
  load: LoadResult;
  resources: ResourceUse;
}

/** After a full GC, before sampling memory. */
const AFTER_GC_MS = 1000;

/**
 * Runs the load against one server process (callchart or the floor) and samples that process from
 * /proc: an idle baseline, CPU time at the start and end of the load, RSS throughout, and RSS again
 * once the calls have ended. `hardStopMs` bounds the whole load: past it no new call starts and
 * `onHardStop` is told to end the calls still running (the caller stops the server).
 */
export async function runAgainst(
  label: string,
  pid: number,
  load: Omit<LoadOptions, 'onProgress'>,
  opts: {
    progress: boolean;
    warmUp: boolean;
    /** Quiet time before the idle baseline, and after the last call before the "given back" sample. */
    settleMs: number;
    hardStopMs: number;
    onHardStop: () => void;
    /** Reads the server's V8 heap in use, MiB (callchart exports it on /metrics). */
    heapUsedMiB?: () => Promise<number | null>;
    /** Other processes to sample alongside (the simulators). */
    alsoSample?: Record<string, number>;
    /** The server runs worker processes: its figures include its children. */
    withChildren?: boolean;
    /** Runs after the warm-up, just before the measured load (e.g. a baseline /metrics scrape). */
    beforeLoad?: () => Promise<void>;
  },
): Promise<TargetRun> {
  const sampler = new ProcessSampler(pid, 500, opts.withChildren ?? false);
  if (opts.warmUp) {
    // The first two lines (a reply and a barge-in), then the caller hangs up: every code path of a
    // call has run once, so module loading and JIT are not billed to the load.
    const warm = await new LoadGenerator({
      ...load,
      script: load.script.slice(0, 2),
      answerTimeoutMs: 2000,
    }).warmUp();
    if (warm.error) throw new Error(`${label}: warm-up call failed: ${warm.error}`);
  }
  // Startup leaves tens of MiB of garbage (module loading, TypeScript compiled on the fly): collect it
  // now, or its first full GC stalls every call early in the load. It also makes the idle baseline
  // comparable with the "after" sample, which is taken after a full GC too.
  await fullGc(pid);
  await sleep(opts.settleMs);
  const idle = mustSample(sampler, label);
  await opts.beforeLoad?.();
  const heapIdle = (await opts.heapUsedMiB?.()) ?? null;
  const bar = opts.progress ? progressBar(label, load.seconds, load.calls) : null;
  const generator = new LoadGenerator({ ...load, ...(bar ? { onProgress: (p) => bar.update(p) } : {}) });
  // This process is the load generator: it is sampled the same way.
  const others = Object.entries({ 'load generator': process.pid, ...opts.alsoSample }).map(
    ([name, otherPid]) => ({ name, sampler: new ProcessSampler(otherPid).start() }),
  );
  sampler.start();
  const hardStop = setTimeout(() => {
    generator.stop();
    opts.onHardStop();
  }, opts.hardStopMs);
  const start = mustSample(sampler, label);
  let result: LoadResult;
  try {
    result = await generator.run();
  } finally {
    clearTimeout(hardStop);
    bar?.done();
  }
  const end = sampler.sample() ?? start;
  sampler.stop();
  const otherUse: ResourceUse['others'] = {};
  for (const o of others) {
    o.sampler.sample();
    o.sampler.stop();
    const first = o.sampler.samples[0];
    const last = o.sampler.samples[o.sampler.samples.length - 1];
    otherUse[o.name] = {
      cpuSec: first && last ? last.cpuSec - first.cpuSec : 0,
      peakCpuPercent: o.sampler.peakCpuPercent(),
    };
  }
  const peakRssMiB = sampler.peakRssMiB(start.at);
  const heapEnd = (await opts.heapUsedMiB?.().catch(() => null)) ?? null;
  await sleep(opts.settleMs);
  // A full GC first, so "after" is what the server retains, not garbage awaiting collection.
  await fullGc(pid);
  const after = sampler.sample() ?? end;
  const heapAfter = (await opts.heapUsedMiB?.().catch(() => null)) ?? null;
  return {
    load: result,
    resources: {
      cpuSec: end.cpuSec - start.cpuSec,
      sysSec: end.sysSec - start.sysSec,
      peakCpuPercent: sampler.peakCpuPercent(start.at),
      others: otherUse,
      idleRssMiB: idle.rssMiB,
      peakRssMiB,
      afterRssMiB: after.rssMiB,
      heapUsedMiB:
        heapIdle !== null && heapEnd !== null && heapAfter !== null
          ? { idle: heapIdle, end: heapEnd, after: heapAfter }
          : null,
    },
  };
}

/** The server children preload gc-on-signal.ts: SIGUSR2 runs a full garbage collection. */
async function fullGc(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGUSR2');
  } catch {
    return; // the server is gone (the run hit its time bound): the samples fall back to the last ones
  }
  // Worker processes inherit the preload: collect in each of them too.
  for (const child of childPids(pid)) {
    try {
      process.kill(child, 'SIGUSR2');
    } catch {
      // gone meanwhile
    }
  }
  await sleep(AFTER_GC_MS);
}

function mustSample(sampler: ProcessSampler, label: string): ProcSample {
  const s = sampler.sample();
  if (!s) throw new Error(`${label}: cannot read /proc/${sampler.pid} (process gone, or not Linux)`);
  return s;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
