import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadCallerScript } from '../sim/caller/script.js';
import type { ProfileName } from '../sim/profiles.js';
import type { AudioOutputCounters } from '../src/metrics/metrics.js';
import { roundTo } from '../src/round.js';
import { type CallchartServer, startCallchartServer } from './callchart-server.js';
import { ROOT } from './child-process.js';
import { type DbLockFigures, holdDbLockDuringLoad } from './db-lock.js';
import { type ServerFigures, serverFigures, type WireFigures, wireFigures } from './figures.js';
import { type FloorProcess, startFloor, startProviderFloor } from './floor-process.js';
import { type GcSummary, readGcSummary, TRACE_GC_NODE_ARGS } from './gc-trace.js';
import type { Arrival, LoadOptions } from './load-generator.js';
import { pacerCountersFromExposition } from './pacer-counters.js';
import { configuredProviderMs, delaysOf, type ProviderDelays } from './provider-delays.js';
import { type SpeculationCounts, speculationCounts, speculationDelta } from './server-counters.js';
import { readServerRecords } from './server-records.js';
import { type Simulators, startSimulators } from './simulators.js';
import { runAgainst } from './target-run.js';

/** Caller scripts by name (fixtures/scripts): `mixed` has booking lines and mid-sentence pauses in one call. */
export const SCRIPT_SETS = ['booking', 'pause', 'mixed'] as const;
export type ScriptSet = (typeof SCRIPT_SETS)[number];
const SCRIPT_FILES: Record<ScriptSet, string> = {
  booking: 'booking-en.json',
  pause: 'pause-en.json',
  mixed: 'mixed-en.json',
};

export interface BenchOptions {
  /** Concurrent callers. */
  calls: number;
  /** Window in which new calls start; calls in progress at its end run to their end. */
  seconds: number;
  arrival?: Arrival;
  /** Ramp mode: first calls spread over this long (default: a tenth of a second per call, at most 10 s). */
  rampSeconds?: number;
  /** Skip both floors. */
  skipFloor?: boolean;
  /** callchart's WORKERS: worker processes (their CPU and RSS are added to the server's). */
  workers?: number | 'auto';
  /** Skip only the provider floor (it needs its own simulators, so it is the slower floor). */
  skipProviderFloor?: boolean;
  /** Write a V8 CPU profile of the callchart server into this directory. */
  cpuProfDir?: string;
  /** More Node flags for the callchart server (e.g. --trace-gc, --max-semi-space-size=...). */
  serverNodeArgs?: string[];
  /** Keep the callchart server's output in <logDir>/callchart.log. */
  logDir?: string;
  /** Run the server under --trace-gc-nvp and sum up the load's GCs (gc-trace.ts). */
  traceGc?: boolean;
  /** Caller script: a file, else a named set (default booking); and how many of its lines to speak. */
  scriptPath?: string;
  scripts?: ScriptSet;
  scriptLines?: number;
  /** Per-turn wait before a caller gives up; also how long it waits for the hang-up after its last line. */
  answerTimeoutMs?: number;
  /** After the window, how long the last calls may take before the server is stopped under them. */
  drainSeconds?: number;
  /** One short call per server before the measured load (default true). */
  warmUp?: boolean;
  /** Quiet time around the load for the idle and "given back" memory samples (default 3000 ms). */
  settleMs?: number;
  /** Draw a progress bar on stderr. */
  progress?: boolean;
  /** Provider latency profile (sim/profiles.ts), default `fast`. */
  profile?: ProfileName;
  /** During the load, another process holds callchart's SQLite write lock this long (db-lock.ts). */
  holdDbLockMs?: number;
  /** Deepgram model for callchart (nova-3 by default; flux-general-en for Flux) and Flux's eager threshold. */
  stt?: { model?: string; eagerEotThreshold?: string; eagerSilenceMs?: number };
  /** false: SPECULATIVE_REPLIES=0 (replies wait for the final transcript). */
  speculativeReplies?: boolean;
  /** audiosocket (default) or twilio (Media Streams through the Twilio simulator; no floor run). */
  transport?: 'audiosocket' | 'twilio';
}

export interface BenchResult extends Omit<WireFigures, 'turns'> {
  transport: 'audiosocket' | 'twilio';
  calls: number;
  /** callchart's worker processes (1: calls run in the server process itself). */
  workers: number;
  seconds: number;
  arrival: Arrival;
  profile: ProfileName;
  /** The named script set, or the script file. */
  scripts: string;
  /** What callchart was told about STT (unset: its defaults). */
  stt: { model: string | null; eagerEotThreshold: string | null; eagerSilenceMs: number | null };
  speculativeReplies: boolean;
  /** Overhead per turn against the server-stored provider time (see docs/benchmarks.md). */
  overheadMs: ServerFigures['overheadMs'];
  underruns: number | null;
  pacer: AudioOutputCounters | null;
  callerTurns: number;
  providerMsConfigured: number;
  delays: ProviderDelays;
  server: ServerFigures;
  /** The floor's `overheadMs` is mouth-to-ear minus the configured provider time: it has no other. */
  floor: FloorFigures | null;
  /** The provider floor: real STT/LLM/TTS sockets to the simulators, nothing else (provider-floor-server.ts). */
  providerFloor: FloorFigures | null;
  ratios: {
    cpu: number | null;
    rss: number | null;
    mouthToEarP50: number | null;
    cpuVsProviderFloor: number | null;
    rssVsProviderFloor: number | null;
  };
  /** LLM requests per caller turn, cancelled speculative ones included (from the stored turns). */
  llmRequestsPerTurn: ServerFigures['llmRequestsPerTurn'];
  /** Per caller turn, LLM requests before the first agent audio (from the stored turns). */
  llmRoundsBeforeAudio: ServerFigures['llmRoundsBeforeAudio'];
  /** Speculative replies during the load (server counter; null if not exported). */
  speculation: SpeculationCounts | null;
  /** --trace-gc: the callchart server's GCs during the load; null without it. */
  gc: GcSummary | null;
  /** --hold-db-lock: how long another process really held the write lock, and when (s into the load). */
  dbLock: DbLockFigures | null;
  machine: { cpus: number; model: string; node: string };
  timedOut: boolean;
}

/** A floor's wire figures; its `overheadMs` is mouth-to-ear minus the configured provider time. */
export type FloorFigures = WireFigures & {
  overheadMs: WireFigures['overheadVsConfiguredMs'];
  replyMs: number;
};

/** The Cartesia simulator's speaking rate, pinned so the floor's tone can match callchart's replies. */
const TTS_CHARS_PER_SECOND = 15;
const QUICK_FIX_PLUMBING_DID = '02012345678';
/** The same company as Twilio's To (E.164); an Enterprise tenant, so barge-in is on as for AudioSocket. */
const QUICK_FIX_PLUMBING_E164 = '+442012345678';
const BENCH_TWILIO = { authToken: 'bench-auth-token', accountSid: 'AC00000000000000000000000000000042' };

/**
 * One benchmark run: the simulators and callchart as separate processes, N callers in this one,
 * then the same load against the floor server; figures from the wire, the server's store, its
 * /metrics and /proc.
 */
export async function runBench(opts: BenchOptions): Promise<BenchResult> {
  const profile = opts.profile ?? 'fast';
  const delays = delaysOf(profile);
  const workers = opts.workers === 'auto' ? availableParallelism() : (opts.workers ?? 1);
  const arrival = opts.arrival ?? 'ramp';
  const scripts = opts.scripts ?? 'booking';
  const scriptPath = resolve(opts.scriptPath ?? join(ROOT, 'fixtures/scripts', SCRIPT_FILES[scripts]));
  const fullScript = loadCallerScript(scriptPath);
  const script = fullScript.slice(0, opts.scriptLines ?? fullScript.length);
  const providerMs = configuredProviderMs(delays);
  const dataDir = mkdtempSync(join(tmpdir(), 'callchart-bench-'));
  const load: Omit<LoadOptions, 'onProgress' | 'target'> = {
    calls: opts.calls,
    seconds: opts.seconds,
    arrival,
    rampSeconds: opts.rampSeconds ?? Math.min(10, opts.calls / 10),
    script,
    did: opts.transport === 'twilio' ? QUICK_FIX_PLUMBING_E164 : QUICK_FIX_PLUMBING_DID,
    ...(opts.answerTimeoutMs !== undefined ? { answerTimeoutMs: opts.answerTimeoutMs } : {}),
  };
  let timedOut = false;
  const sampling = (stop: () => Promise<void>) => ({
    progress: opts.progress ?? false,
    warmUp: opts.warmUp ?? true,
    settleMs: opts.settleMs ?? 3000,
    hardStopMs: (opts.seconds + (opts.drainSeconds ?? 120)) * 1000,
    onHardStop: () => {
      timedOut = true;
      void stop();
    },
  });
  let sims: Simulators | null = null;
  let server: CallchartServer | null = null;
  let floorProcess: FloorProcess | null = null;
  try {
    // 1. callchart against the simulators.
    sims = await startSimulators({ profile, scriptPath, ttsCharsPerSecond: TTS_CHARS_PER_SECOND });
    server = await startCallchartServer({
      simEnv: sims.env,
      delays,
      dataDir,
      workers,
      nodeArgs: [
        ...(opts.serverNodeArgs ?? []),
        ...(opts.traceGc ? TRACE_GC_NODE_ARGS : []),
        ...(opts.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${resolve(opts.cpuProfDir)}`] : []),
      ],
      // The GC trace is read back from the server's log.
      ...(opts.logDir || opts.traceGc ? { logDir: resolve(opts.logDir ?? dataDir) } : {}),
      ...(opts.transport === 'twilio' ? { twilio: BENCH_TWILIO } : {}),
      env: {
        ...(opts.stt?.model ? { DEEPGRAM_MODEL: opts.stt.model } : {}),
        ...(opts.stt?.eagerEotThreshold ? { DEEPGRAM_EAGER_EOT_THRESHOLD: opts.stt.eagerEotThreshold } : {}),
        ...(opts.stt?.eagerSilenceMs ? { TURN_EAGER_SILENCE_MS: String(opts.stt.eagerSilenceMs) } : {}),
        ...(opts.speculativeReplies === false ? { SPECULATIVE_REPLIES: '0' } : {}),
      },
    });
    const running = server;
    let dbLock: Promise<DbLockFigures> | null = null;
    let speculationBefore: SpeculationCounts | null = null;
    const cc = await runAgainst(
      'callchart',
      running.child.pid,
      {
        ...load,
        target: {
          audioSocketPort: running.audioSocketPort,
          agiPort: running.agiPort,
          ...(running.publicPort !== null
            ? { twilio: { baseUrl: `http://127.0.0.1:${running.publicPort}`, ...BENCH_TWILIO } }
            : {}),
        },
      },
      {
        ...sampling(() => running.child.stop()),
        // With workers the server's /metrics heap is the primary's alone: not the calls' memory.
        ...(workers === 1 ? { heapUsedMiB: () => running.heapUsedMiB() } : { withChildren: true }),
        alsoSample: { simulators: sims.child.pid },
        beforeLoad: async () => {
          speculationBefore = speculationCounts(await running.scrapeMetrics());
          if (!opts.holdDbLockMs) return;
          dbLock = holdDbLockDuringLoad(join(dataDir, 'callchart.db'), opts);
          dbLock.catch(() => {}); // awaited (and its failure surfaced) after the load
        },
      },
    );
    const dbLockFigures = dbLock ? await (dbLock as Promise<DbLockFigures>) : null;
    const exposition = timedOut ? null : await running.scrapeMetrics();
    // Twilio calls have no pacer (Twilio plays the audio out): its counters would all be zero.
    const pacer =
      exposition === null || opts.transport === 'twilio' ? null : pacerCountersFromExposition(exposition);
    const speculation =
      exposition === null ? null : speculationDelta(speculationBefore, speculationCounts(exposition));
    await running.child.stop(); // SIGTERM: the store flushes, the CPU profile is written
    server = null;
    await sims.child.stop();
    sims = null;
    const records = await readServerRecords(
      join(dataDir, 'callchart.db'),
      cc.load.outcomes.flatMap((o) => (o.uuid ? [o.uuid] : [])),
    );
    const serverFig = serverFigures(cc.load.outcomes, records, TTS_CHARS_PER_SECOND);
    const ccWire = wireFigures(cc, opts.calls, providerMs);
    const gc = opts.traceGc
      ? await readGcSummary(
          join(resolve(opts.logDir ?? dataDir), 'callchart.log'),
          cc.load,
          ccWire.callMinutes,
        )
      : null;

    // 2. The floor, same load, same provider delays, replies as long as callchart's.
    let floor: BenchResult['floor'] = null;
    // The floor speaks AudioSocket only: a Twilio run has nothing like-for-like to compare with.
    if (!opts.skipFloor && opts.transport !== 'twilio') {
      const replyMs = serverFig.meanReplyMs ?? 4000;
      floorProcess = await startFloor({ delays, replyMs, linesPerCall: script.length });
      const { child, port } = floorProcess;
      const fl = await runAgainst(
        'floor',
        child.pid,
        { ...load, target: { audioSocketPort: port, agiPort: null } },
        sampling(() => child.stop()),
      );
      await child.stop();
      floorProcess = null;
      const flWire = wireFigures(fl, opts.calls, providerMs);
      floor = { ...flWire, overheadMs: flWire.overheadVsConfiguredMs, replyMs };
    }

    // 3. The provider floor, same load, on fresh simulators: the provider work of a call and no more.
    let providerFloor: BenchResult['providerFloor'] = null;
    if (!opts.skipFloor && !opts.skipProviderFloor && opts.transport !== 'twilio') {
      const replyMs = serverFig.meanReplyMs ?? 4000;
      sims = await startSimulators({ profile, scriptPath, ttsCharsPerSecond: TTS_CHARS_PER_SECOND });
      floorProcess = await startProviderFloor({
        simEnv: sims.env,
        delays,
        replyMs,
        ttsCharsPerSecond: TTS_CHARS_PER_SECOND,
        linesPerCall: script.length,
      });
      const { child, port } = floorProcess;
      const pf = await runAgainst(
        'providerFloor',
        child.pid,
        { ...load, target: { audioSocketPort: port, agiPort: null } },
        { ...sampling(() => child.stop()), alsoSample: { simulators: sims.child.pid } },
      );
      await child.stop();
      floorProcess = null;
      await sims.child.stop();
      sims = null;
      const pfWire = wireFigures(pf, opts.calls, providerMs);
      providerFloor = { ...pfWire, overheadMs: pfWire.overheadVsConfiguredMs, replyMs };
    }

    const { turns, ...wire } = ccWire;
    const ratio = (a: number | null | undefined, b: number | null | undefined) =>
      a == null || b == null || b <= 0 ? null : roundTo(a / b, 2);
    return {
      transport: opts.transport ?? 'audiosocket',
      calls: opts.calls,
      workers,
      seconds: opts.seconds,
      arrival,
      profile,
      scripts: opts.scriptPath ? scriptPath : scripts,
      stt: {
        model: opts.stt?.model ?? null,
        eagerEotThreshold: opts.stt?.eagerEotThreshold ?? null,
        eagerSilenceMs: opts.stt?.eagerSilenceMs ?? null,
      },
      speculativeReplies: opts.speculativeReplies ?? true,
      ...wire,
      callerTurns: turns,
      overheadMs: serverFig.overheadMs,
      underruns: pacer?.underruns ?? null,
      pacer,
      providerMsConfigured: providerMs,
      delays,
      server: serverFig,
      floor,
      providerFloor,
      ratios: {
        cpu: ratio(wire.cpuSecPerCallMin, floor?.cpuSecPerCallMin),
        rss: ratio(wire.rssPerCallMiB, floor?.rssPerCallMiB),
        mouthToEarP50: ratio(wire.mouthToEarMs.p50, floor?.mouthToEarMs.p50),
        cpuVsProviderFloor: ratio(wire.cpuSecPerCallMin, providerFloor?.cpuSecPerCallMin),
        rssVsProviderFloor: ratio(wire.rssPerCallMiB, providerFloor?.rssPerCallMiB),
      },
      llmRequestsPerTurn: serverFig.llmRequestsPerTurn,
      llmRoundsBeforeAudio: serverFig.llmRoundsBeforeAudio,
      speculation,
      gc,
      dbLock: dbLockFigures,
      machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', node: process.version },
      timedOut,
    };
  } finally {
    await Promise.allSettled([server?.child.stop(), sims?.child.stop(), floorProcess?.child.stop()]);
    rmSync(dataDir, { recursive: true, force: true });
  }
}
