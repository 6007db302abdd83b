import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runFakeAgiCall } from '../sim/asterisk/fake-asterisk-agi.js';
import { fixtureClip, runSimulatedCaller, type SimulatedCallerOptions } from '../sim/caller/caller.js';
import { type CallerLine, loadCallerScript } from '../sim/caller/script.js';
import { FrameScheduler } from '../src/transports/audiosocket/frame-scheduler.js';
import { type CallchartServer, startCallchartServer } from './callchart-server.js';
import { ROOT } from './child-process.js';
import { delaysOf } from './provider-delays.js';
import { type Simulators, startSimulators } from './simulators.js';

export const admissionUsage = `usage: npm run bench -- --arrivals N --max-calls M [options]
  --arrivals N         calls offered (default 400), spread evenly over --arrival-seconds
  --max-calls M        the server's MAX_CALLS (default 200)
  --arrival-seconds S  window the arrivals come in (default 10); calls outlast it, so the late ones
                       find the server full
  --lines K            what each admitted caller says: the first K lines of the booking script (default 4)
  --shed-ms D          the server's MAX_EVENT_LOOP_DELAY_MS (default 250; 0 = no shedding)
  --json               print one JSON object on the last line of stdout`;

export interface AdmissionBenchOptions {
  arrivals: number;
  maxCalls: number;
  arrivalSeconds: number;
  lines: number;
  shedMs: number;
  progress?: boolean;
  /** The TTS simulator's speaking rate (default 15, as the load bench); tests speed it up. */
  ttsCharsPerSecond?: number;
  /** Per-turn wait for the agent before a caller gives up (runSimulatedCaller's; default 15 s). */
  answerTimeoutMs?: number;
  /** One call before the arrivals, outside the figures (default true). */
  warmUp?: boolean;
}

export interface AdmissionBenchResult {
  arrivals: number;
  maxCalls: number;
  admitted: number;
  refused: number;
  /** Refused calls that got VA_OUTCOME=overflow (the dialplan plays the busy line): all of them. */
  refusedHeardOverflow: number;
  /** From the server's /metrics: refusals by reason. */
  refusedByReason: Record<string, number>;
  /** Calls that neither got a UUID nor the overflow outcome, or whose audio broke. */
  errors: number;
  admittedCompleted: number;
  /** How the admitted calls ended (the simulated caller's end reason), and how many lines got an answer. */
  admittedEnds: Record<string, number>;
  admittedTurnsAnswered: Record<string, number>;
  /** The longest gap between agent frames any admitted caller heard (ms): unreliable on a busy machine. */
  admittedMaxGapMs: number | null;
  /** The server's peak RSS seen on /metrics during the run (MiB). */
  serverPeakRssMiB: number | null;
}

export function parseAdmissionArgs(argv: string[]): { opts: AdmissionBenchOptions; json: boolean } {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      arrivals: { type: 'string' },
      'max-calls': { type: 'string' },
      'arrival-seconds': { type: 'string' },
      lines: { type: 'string' },
      'shed-ms': { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const int = (name: string, raw: string | undefined, fallback: number, min: number, max: number) => {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new Error(`--${name} must be ${min}-${max}, got ${raw}`);
    return n;
  };
  return {
    json: values.json ?? false,
    opts: {
      arrivals: int('arrivals', values.arrivals, 400, 1, 5000),
      maxCalls: int('max-calls', values['max-calls'], 200, 1, 5000),
      arrivalSeconds: int('arrival-seconds', values['arrival-seconds'], 10, 0, 600),
      lines: int('lines', values.lines, 4, 1, 50),
      shedMs: int('shed-ms', values['shed-ms'], 250, 0, 600_000),
    },
  };
}

const DID = '02012345678';
const RSS_EVERY_MS = 500;

type Arrival =
  | {
      kind: 'admitted';
      completed: boolean;
      maxGapMs: number;
      broken: boolean;
      end: string;
      answered: number;
    }
  | {
      kind: 'refused';
      outcome: string;
    }
  | { kind: 'error' };

/**
 * Admission under overload: the simulators and callchart (`src/main.ts`) as child processes, and
 * `arrivals` calls offered through FastAGI against MAX_CALLS = `maxCalls`. Refused calls must get
 * VA_OUTCOME=overflow; admitted ones run the booking script on AudioSocket, one shared frame timer
 * for all, and report the longest gap in the agent audio they heard.
 */
export async function runAdmissionBench(opts: AdmissionBenchOptions): Promise<AdmissionBenchResult> {
  const scriptPath = join(ROOT, 'fixtures/scripts/booking-en.json');
  const script = loadCallerScript(scriptPath).slice(0, opts.lines);
  const dataDir = mkdtempSync(join(tmpdir(), 'callchart-admission-bench-'));
  const clips = new Map<string, Buffer>();
  const clip = (line: CallerLine) => {
    let pcm = clips.get(line.text);
    if (!pcm) {
      pcm = fixtureClip(line);
      clips.set(line.text, pcm);
    }
    return pcm;
  };
  const scheduler = new FrameScheduler();
  let sims: Simulators | null = null;
  let server: CallchartServer | null = null;
  try {
    sims = await startSimulators({
      profile: 'fast',
      scriptPath,
      ttsCharsPerSecond: opts.ttsCharsPerSecond ?? 15,
    });
    server = await startCallchartServer({
      simEnv: sims.env,
      delays: delaysOf('fast'),
      dataDir,
      env: { MAX_CALLS: String(opts.maxCalls), MAX_EVENT_LOOP_DELAY_MS: String(opts.shedMs) },
    });
    const running = server;
    // One call first, outside the figures: module loading, JIT and the greeting cache would otherwise
    // stall the server's loop at the first arrivals and shed them.
    const caller = {
      script,
      scheduler,
      clipFor: clip,
      ...(opts.answerTimeoutMs !== undefined ? { answerTimeoutMs: opts.answerTimeoutMs } : {}),
    };
    if (opts.warmUp ?? true) await warmUp(running, caller);
    let peakRss: number | null = null;
    const rssTimer = setInterval(() => {
      void running.scrapeMetrics().then(
        (text) => {
          const m = /^process_resident_memory_bytes (\S+)$/m.exec(text);
          if (m) peakRss = Math.max(peakRss ?? 0, Number(m[1]));
        },
        () => undefined,
      );
    }, RSS_EVERY_MS);
    const startedAt = performance.now();
    let done = 0;
    const report = opts.progress
      ? setInterval(
          () => process.stderr.write(`\radmission bench: ${done}/${opts.arrivals} arrivals ended`),
          1000,
        )
      : null;
    const one = async (i: number): Promise<Arrival> => {
      await sleep(startedAt + (opts.arrivalSeconds * 1000 * i) / opts.arrivals - performance.now());
      try {
        const agi = await runFakeAgiCall({
          host: '127.0.0.1',
          port: running.agiPort,
          script: 'voice-agent',
          args: [DID, `07700${String(900000 + i).padStart(6, '0')}`],
        });
        const uuid = agi.variables.VA_UUID;
        if (!uuid) {
          const outcome = agi.variables.VA_OUTCOME;
          return outcome ? { kind: 'refused', outcome } : { kind: 'error' };
        }
        const r = await runSimulatedCaller({ port: running.audioSocketPort, uuid, ...caller });
        const broken = r.end.reason === 'protocol-violation' || r.end.reason === 'socket-error';
        const answered = r.turns.filter((t) => t.mouthToEarMs !== null).length;
        return {
          kind: 'admitted',
          completed: r.completed,
          maxGapMs: r.maxGapMs,
          broken,
          end: r.end.reason,
          answered,
        };
      } catch {
        return { kind: 'error' };
      } finally {
        done++;
      }
    };
    const results = await Promise.all(Array.from({ length: opts.arrivals }, (_, i) => one(i)));
    clearInterval(rssTimer);
    if (report) {
      clearInterval(report);
      process.stderr.write('\n');
    }
    const refusedByReason: Record<string, number> = {};
    for (const m of (await running.scrapeMetrics()).matchAll(
      /^callchart_calls_refused_total\{reason="([^"]+)",entry="([^"]+)"\} (\S+)$/gm,
    )) {
      const n = Number(m[3]);
      if (n > 0) refusedByReason[m[1] as string] = (refusedByReason[m[1] as string] ?? 0) + n;
    }
    const admitted = results.filter((r) => r.kind === 'admitted');
    const refused = results.filter((r) => r.kind === 'refused');
    const gaps = admitted.filter((r) => !r.broken).map((r) => r.maxGapMs);
    return {
      arrivals: opts.arrivals,
      maxCalls: opts.maxCalls,
      admitted: admitted.length,
      refused: refused.length,
      refusedHeardOverflow: refused.filter((r) => r.outcome === 'overflow').length,
      refusedByReason,
      errors: results.filter((r) => r.kind === 'error').length + admitted.filter((r) => r.broken).length,
      admittedCompleted: admitted.filter((r) => r.completed).length,
      admittedEnds: tally(admitted.map((r) => r.end)),
      admittedTurnsAnswered: tally(admitted.map((r) => String(r.answered))),
      admittedMaxGapMs: gaps.length > 0 ? Math.round(Math.max(...gaps) * 10) / 10 : null,
      serverPeakRssMiB: peakRss === null ? null : Math.round(peakRss / 1048576),
    };
  } finally {
    scheduler.stop();
    await server?.child.stop();
    await sims?.child.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export function formatAdmission(r: AdmissionBenchResult): string {
  const reasons = Object.entries(r.refusedByReason)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return [
    `admission: ${r.arrivals} arrivals against MAX_CALLS=${r.maxCalls}`,
    `  admitted ${r.admitted} (completed ${r.admittedCompleted}), refused ${r.refused} (${reasons || 'none'})`,
    `  refused that got VA_OUTCOME=overflow: ${r.refusedHeardOverflow}/${r.refused}; errors ${r.errors}`,
    `  admitted calls' longest frame gap: ${r.admittedMaxGapMs ?? '-'} ms (timing: meaningful only on a quiet machine)`,
    `  server peak RSS: ${r.serverPeakRssMiB ?? '-'} MiB`,
  ].join('\n');
}

async function warmUp(
  server: CallchartServer,
  caller: Omit<SimulatedCallerOptions, 'port' | 'uuid'>,
): Promise<void> {
  const agi = await runFakeAgiCall({
    host: '127.0.0.1',
    port: server.agiPort,
    script: 'voice-agent',
    args: [DID, '07700899999'],
  });
  const uuid = agi.variables.VA_UUID;
  if (!uuid) throw new Error(`warm-up call got no VA_UUID (${agi.agiStatus})`);
  await runSimulatedCaller({ port: server.audioSocketPort, uuid, ...caller });
}

function tally(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
