import { parseArgs } from 'node:util';
import { parseProfileName } from '../sim/profiles.js';
import { type BenchOptions, SCRIPT_SETS, type ScriptSet } from './run-bench.js';

export const usage = `usage: npm run bench -- [options]
  --calls N            concurrent callers (default 10)
  --seconds S          window in which calls start; the last calls run to their end (default 60)
  --arrival MODE       ramp (default) or burst (every first call within one second)
  --ramp-seconds R     ramp length (default calls/10, at most 10)
  --workers N|auto     run callchart with WORKERS=N worker processes (default 1)
  --skip-floor         run neither floor
  --skip-provider-floor  run the plain floor but not the provider floor
  --cpu-prof [DIR]     write a V8 CPU profile of the callchart server (default dir: bench/profiles)
  --profile P          provider latencies: fast (default) or typical (sim/profiles.ts)
  --scripts S          what the callers say: booking (default), pause (mid-sentence pauses) or
                       mixed (booking lines and mid-sentence pauses in one call)
  --stt-model M        callchart's DEEPGRAM_MODEL, e.g. flux-general-en (default: its own, nova-3)
  --eager-eot T        callchart's DEEPGRAM_EAGER_EOT_THRESHOLD for Flux (0.3-0.9 or off)
  --eager-silence-ms N callchart's TURN_EAGER_SILENCE_MS for Nova-3 (its early end-of-turn signal)
  --no-speculation     callchart with SPECULATIVE_REPLIES=0: every reply waits for the final (so each
                       turn's overhead can be measured against its provider windows)
  --lines K            speak only the first K lines of the booking script
  --trace-gc           run the server under V8's --trace-gc-nvp and report the load's GCs (scavenges,
                       mark-compacts, promoted MB/s, longest pause; "gc" in --json)
  --node-arg FLAG      pass a Node flag to the callchart server (repeatable), e.g. --node-arg=--max-semi-space-size=32
  --log-dir DIR        keep the callchart server's output in DIR/callchart.log
  --hold-db-lock MS    during the load, another process holds callchart's SQLite write lock for MS ms
                       (a shell or a backup would); the report's longest gap shows whether audio stalled
  --transport T        audiosocket (default) or twilio: callers come in through the Twilio simulator
                       (signed webhook, Media Stream, playback buffer); no floor run for twilio
  --kill-after S       kill -9 mode (bench/kill-run.ts): SIGKILL the server's process group S seconds into
                       the booking load and restart it on the same database; reports lostBookings
  --json               print one JSON object on the last line of stdout`;

function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a whole number >= 1, got ${raw}`);
  return n;
}

function scriptSet(raw: string): ScriptSet {
  if ((SCRIPT_SETS as readonly string[]).includes(raw)) return raw as ScriptSet;
  throw new Error(`--scripts must be one of ${SCRIPT_SETS.join(', ')}, got ${raw}`);
}

/** Checked here so a typo fails before any process starts; callchart's own config checks them again. */
function sttArgs(
  model: string | undefined,
  eager: string | undefined,
  eagerSilence: string | undefined,
): Pick<BenchOptions, 'stt'> {
  if (model !== undefined && !/^[a-z0-9][a-z0-9-]*$/.test(model))
    throw new Error(`--stt-model must be a Deepgram model name, got ${model}`);
  if (eager !== undefined && eager !== 'off' && !(Number(eager) >= 0.3 && Number(eager) <= 0.9))
    throw new Error(`--eager-eot must be 0.3-0.9 or off, got ${eager}`);
  if (model === undefined && eager === undefined && eagerSilence === undefined) return {};
  return {
    stt: {
      ...(model !== undefined ? { model } : {}),
      ...(eager !== undefined ? { eagerEotThreshold: eager } : {}),
      ...(eagerSilence !== undefined
        ? { eagerSilenceMs: positiveInt('eager-silence-ms', eagerSilence, 160) }
        : {}),
    },
  };
}

export function parseBenchArgs(argv: string[]): {
  bench: BenchOptions;
  json: boolean;
  killAfterSeconds?: number;
} {
  // --cpu-prof takes an optional directory: util.parseArgs has no optional values, so peel it off first.
  let cpuProfDir: string | undefined;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--cpu-prof') {
      const next = argv[i + 1];
      cpuProfDir = next !== undefined && !next.startsWith('--') ? next : 'bench/profiles';
      if (cpuProfDir === next) i++;
    } else rest.push(argv[i] ?? '');
  }
  const { values } = parseArgs({
    args: rest,
    strict: true,
    options: {
      calls: { type: 'string' },
      seconds: { type: 'string' },
      arrival: { type: 'string' },
      'ramp-seconds': { type: 'string' },
      'skip-floor': { type: 'boolean' },
      'skip-provider-floor': { type: 'boolean' },
      workers: { type: 'string' },
      lines: { type: 'string' },
      profile: { type: 'string' },
      scripts: { type: 'string' },
      'stt-model': { type: 'string' },
      'eager-eot': { type: 'string' },
      'eager-silence-ms': { type: 'string' },
      'no-speculation': { type: 'boolean' },
      'node-arg': { type: 'string', multiple: true },
      'trace-gc': { type: 'boolean' },
      'log-dir': { type: 'string' },
      'hold-db-lock': { type: 'string' },
      'kill-after': { type: 'string' },
      json: { type: 'boolean' },
      transport: { type: 'string' },
    },
  });
  const transport = values.transport ?? 'audiosocket';
  if (transport !== 'audiosocket' && transport !== 'twilio')
    throw new Error(`--transport must be audiosocket or twilio, got ${transport}`);
  const arrival = values.arrival ?? 'ramp';
  if (arrival !== 'ramp' && arrival !== 'burst')
    throw new Error(`--arrival must be ramp or burst, got ${arrival}`);
  const rampRaw = values['ramp-seconds'];
  const rampSeconds = rampRaw === undefined ? undefined : Number(rampRaw);
  if (rampSeconds !== undefined && !(rampSeconds >= 0))
    throw new Error(`--ramp-seconds must be >= 0, got ${rampRaw}`);
  const holdRaw = values['hold-db-lock'];
  if (holdRaw !== undefined && positiveInt('hold-db-lock', holdRaw, 0) > 60_000)
    throw new Error(`--hold-db-lock must be at most 60000 ms, got ${holdRaw}`);
  const workersRaw = values.workers;
  const workers = workersRaw === 'auto' ? 'auto' : positiveInt('workers', workersRaw, 1);
  const killAfter = values['kill-after'];
  return {
    json: values.json ?? false,
    ...(killAfter !== undefined ? { killAfterSeconds: positiveInt('kill-after', killAfter, 20) } : {}),
    bench: {
      calls: positiveInt('calls', values.calls, 10),
      seconds: positiveInt('seconds', values.seconds, 60),
      arrival,
      profile: parseProfileName(values.profile ?? 'fast', '--profile'),
      scripts: scriptSet(values.scripts ?? 'booking'),
      ...sttArgs(values['stt-model'], values['eager-eot'], values['eager-silence-ms']),
      ...(values['no-speculation'] ? { speculativeReplies: false } : {}),
      transport,
      ...(rampSeconds !== undefined ? { rampSeconds } : {}),
      skipFloor: values['skip-floor'] ?? false,
      skipProviderFloor: values['skip-provider-floor'] ?? false,
      workers,
      ...(cpuProfDir ? { cpuProfDir } : {}),
      ...(values['node-arg'] ? { serverNodeArgs: values['node-arg'] } : {}),
      ...(values['trace-gc'] ? { traceGc: true } : {}),
      ...(values['log-dir'] ? { logDir: values['log-dir'] } : {}),
      ...(values['hold-db-lock'] !== undefined
        ? { holdDbLockMs: positiveInt('hold-db-lock', values['hold-db-lock'], 2000) }
        : {}),
      ...(values.lines !== undefined ? { scriptLines: positiveInt('lines', values.lines, 1) } : {}),
    },
  };
}
