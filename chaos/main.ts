/**
 * `npm run chaos`: the fault matrix (docs/reliability.md). Each row places one real call (FastAGI, then
 * AudioSocket, as Asterisk does) into the real server, a child process in its own process group,
 * with one provider or store fault injected mid-call, and measures what the caller heard.
 *   npm run chaos -- --json                 the report as one JSON object on the last line
 *   npm run chaos -- --only groq-429,disk-full --concurrency 2 --keep-logs
 * Exit code 0 when every row run is within target (max silence <= 2000 ms, process alive), else 1.
 * CHAOS_LOG_LEVEL=info keeps the servers' info lines in the --keep-logs files (default warn).
 */
import { parseArgs } from 'node:util';
import { parseProfileName } from '../sim/profiles.js';
import { runChaos } from './run-chaos.js';
import { formatTable } from './table.js';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    only: { type: 'string' },
    concurrency: { type: 'string', default: '3' },
    profile: { type: 'string', default: 'fast' },
    'keep-logs': { type: 'boolean', default: false },
  },
});
const concurrency = Number(values.concurrency);
if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 16) {
  console.error(`--concurrency must be 1-16, got ${values.concurrency}`);
  process.exit(2);
}
const report = await runChaos({
  ...(values.only ? { only: values.only.split(',').map((s) => s.trim()) } : {}),
  concurrency,
  profile: parseProfileName(values.profile, '--profile'),
  keepLogs: values['keep-logs'],
  // Progress on stderr, so stdout's last line stays the report.
  onRow: (r, done, of) =>
    console.error(
      `[${done}/${of}] ${r.id}: silence ${r.maxSilenceMs ?? '-'} ms, recovered ${r.recovered}, alive ${r.processAlive}${r.error ? `, error: ${r.error}` : ''}${r.skipped ? `, skipped: ${r.skipped}` : ''}`,
    ),
});
console.log(values.json ? JSON.stringify(report) : formatTable(report));
process.exit(report.missed.length === 0 ? 0 : 1);
