/**
 * `npx tsx bench/results-table.ts run1.json run2.json ...`: the markdown table of docs/benchmarks.md
 * from saved `npm run bench -- --json` outputs (the last line of each file is the result).
 */
import { readFileSync } from 'node:fs';
import type { BenchResult } from './run-bench.js';
import type { Percentiles } from './stats.js';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: npx tsx bench/results-table.ts <result.json>...');
  process.exit(2);
}

const p3 = (p: Percentiles) => `${p.p50 ?? '–'} / ${p.p90 ?? '–'} / ${p.p99 ?? '–'}`;
const v = (x: number | null | undefined) => (x === null || x === undefined ? '–' : String(x));

const rows: string[][] = [
  [
    'calls',
    'arrival',
    'profile, scripts, STT',
    'false cut-off rate (floor)',
    'LLM rounds before audio p50/p90',
    'LLM requests/turn',
    'speculation started/confirmed/cancelled',
    'calls done / dropped / errors',
    'mouth-to-ear p50/p90/p99 ms',
    'overhead p50/p90/p99 ms',
    'floor m2e p50/p90/p99 ms',
    'jitter p99 ms (floor)',
    'longest gap ms (floor)',
    'underruns',
    'late frames',
    'greeting ms p50/max',
    'CPU s/call-min (floor, ratio)',
    'RSS MiB/call (floor)',
    'RSS MiB idle→peak→after',
    'heap MiB idle→end→after',
    'server peak CPU %',
    'sims peak CPU %',
  ],
];
for (const file of files) {
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  const r = JSON.parse(lines[lines.length - 1] ?? '{}') as BenchResult;
  const f = r.floor;
  const h = r.heapUsedMiB;
  rows.push([
    String(r.calls),
    r.arrival,
    [r.profile ?? 'fast', r.scripts ?? 'booking', r.stt?.model ?? 'default', r.stt?.eagerEotThreshold]
      .filter((x) => x != null)
      .join(', '),
    `${v(r.falseCutoffRate)} (${v(f?.falseCutoffRate)})`,
    r.llmRoundsBeforeAudio ? `${v(r.llmRoundsBeforeAudio.p50)} / ${v(r.llmRoundsBeforeAudio.p90)}` : '–',
    v(r.llmRequestsPerTurn),
    r.speculation
      ? `${r.speculation.started} / ${r.speculation.confirmed} / ${r.speculation.cancelled}`
      : '–',
    `${r.completedCalls} / ${r.droppedCalls} / ${r.errors}`,
    p3(r.mouthToEarMs),
    p3(r.overheadMs),
    f ? p3(f.mouthToEarMs) : '–',
    `${v(r.jitterP99Ms)} (${v(f?.jitterP99Ms)})`,
    `${v(r.maxGapMs)} (${v(f?.maxGapMs)})`,
    v(r.underruns),
    r.pacer ? `${r.pacer.lateFrames} of ${r.pacer.framesSent}` : '–',
    `${v(r.answerToFirstAudioMs.p50)} / ${v(r.answerToFirstAudioMs.max)}`,
    `${v(r.cpuSecPerCallMin)} (${v(f?.cpuSecPerCallMin)}, ${v(r.ratios.cpu)}×)`,
    `${r.rssPerCallMiB} (${v(f?.rssPerCallMiB)})`,
    `${r.rssMiB.idle}→${r.rssMiB.peak}→${r.rssMiB.afterCalls}`,
    h ? `${h.idle}→${h.end}→${h.after}` : '–',
    String(r.peakCpuPercent),
    v(r.machineLoad.simulators?.peakCpuPercent),
  ]);
}
const [head, ...body] = rows;
if (head) {
  console.log(`| ${head.join(' | ')} |`);
  console.log(`|${head.map(() => '---').join('|')}|`);
}
for (const row of body) console.log(`| ${row.join(' | ')} |`);
