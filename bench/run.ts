/**
 * `npm run bench -- --calls N --seconds S [--json] [--arrival burst|ramp] [--ramp-seconds R]
 *  [--skip-floor] [--cpu-prof [dir]] [--lines K] [--profile fast|typical] [--kill-after S]`
 * Runs the load against callchart and then against the floor server; prints a summary, or with --json
 * one JSON object on the last stdout line. Progress goes to stderr.
 */
import { parseBenchArgs, usage } from './args.js';
import { killAllChildren } from './child-process.js';
import { formatKillSummary, runKillBench } from './kill-run.js';
import { runBench } from './run-bench.js';
import { formatSummary } from './summary.js';

// --arrivals: the admission bench, a mode of its own (bench/admission-bench.ts).
if (process.argv.includes('--arrivals')) {
  const { runAdmissionMode } = await import('./admission-run.js');
  await runAdmissionMode(process.argv.slice(2));
  process.exit(0);
}

let args: ReturnType<typeof parseBenchArgs>;
try {
  args = parseBenchArgs(process.argv.slice(2));
} catch (err) {
  console.error(`${(err as Error).message}\n\n${usage}`);
  process.exit(2);
}
// Ctrl-C: take the children down with us (the 'exit' hook does the killing).
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

try {
  if (args.killAfterSeconds !== undefined) {
    const { calls, seconds, profile } = args.bench;
    const killed = await runKillBench({
      calls,
      seconds,
      profile,
      killAfterSeconds: args.killAfterSeconds,
      progress: true,
    });
    console.log(args.json ? JSON.stringify(killed) : formatKillSummary(killed));
  } else {
    const result = await runBench({ ...args.bench, progress: true });
    if (args.json) console.log(JSON.stringify(result));
    else console.log(formatSummary(result));
  }
} catch (err) {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  killAllChildren();
  process.exit(1);
}
