import type { BenchResult } from './run-bench.js';
import type { Percentiles } from './stats.js';

const p = (x: Percentiles) => `p50 ${x.p50 ?? '-'}  p90 ${x.p90 ?? '-'}  p99 ${x.p99 ?? '-'}`;

/** The human-readable report (the default output; --json prints the object instead). */
export function formatSummary(r: BenchResult): string {
  const f = r.floor;
  const lines = [
    `callchart bench (${r.transport}): ${r.calls} calls, ${r.seconds} s window, ${r.arrival} arrival, ${r.workers} worker(s), ${r.profile} providers, ${r.scripts} script${r.stt.model ? `, STT ${r.stt.model}` : ''}${r.stt.eagerEotThreshold ? ` (eager ${r.stt.eagerEotThreshold})` : ''}${r.stt.eagerSilenceMs ? `, eager silence ${r.stt.eagerSilenceMs} ms` : ''}  (${r.machine.cpus} cpus, node ${r.machine.node})`,
    `calls placed ${r.callsPlaced}, completed ${r.completedCalls}, dropped ${r.droppedCalls}, errors ${r.errors}, bookings ${r.server.bookings}`,
    `mouth-to-ear ms        ${p(r.mouthToEarMs)}${f ? `   | floor ${p(f.mouthToEarMs)}` : ''}`,
    `overhead ms            ${p(r.overheadMs)}   (vs server-stored provider time; ${r.server.matchedTurns} turns)`,
    `overhead vs config ms  ${p(r.overheadVsConfiguredMs)}${f ? `   | floor ${p(f.overheadVsConfiguredMs)}` : ''}   (provider time configured ${r.providerMsConfigured} ms)`,
    `wire - server m2e ms   ${p(r.server.wireMinusServerMouthToEarMs)}`,
    `answer-to-first-audio  ${p(r.answerToFirstAudioMs)}  max ${r.answerToFirstAudioMs.max ?? '-'}`,
    `barge-in stop ms       ${p(r.bargeInStopMs)}`,
    `turn-taking            ${r.midSentencePauses} mid-sentence pauses, false cut-off rate ${r.falseCutoffRate ?? '-'}${f ? ` (floor ${f.falseCutoffRate ?? '-'})` : ''}, lines answered twice ${r.linesAnsweredTwice}`,
    `LLM                    requests per turn ${r.llmRequestsPerTurn ?? '-'}, rounds before audio p50 ${r.llmRoundsBeforeAudio.p50 ?? '-'} p90 ${r.llmRoundsBeforeAudio.p90 ?? '-'}`,
    `speculation            ${r.speculation ? `started ${r.speculation.started}, confirmed ${r.speculation.confirmed}, cancelled ${r.speculation.cancelled}` : '-'}`,
    `jitter p99 ${r.jitterP99Ms} ms, longest gap ${r.maxGapMs} ms${f ? `   | floor jitter p99 ${f.jitterP99Ms} ms, longest gap ${f.maxGapMs} ms` : ''}`,
    ...(r.dbLock
      ? [
          `database write lock    held ${r.dbLock.heldMs} ms by another process, from ${r.dbLock.atSeconds} s into the load (longest gap above covers it)`,
        ]
      : []),
    `underruns ${r.underruns ?? '-'}, late frames ${r.pacer?.lateFrames ?? '-'} of ${r.pacer?.framesSent ?? '-'}, dropped frames ${r.pacer?.droppedFrames ?? '-'}`,
    `CPU s per call-minute  ${r.cpuSecPerCallMin} (kernel share ${r.cpuSysShare})${f ? `   | floor ${f.cpuSecPerCallMin} (kernel share ${f.cpuSysShare})   ratio ${r.ratios.cpu}` : ''}`,
    `RSS MiB per call       ${r.rssPerCallMiB}${f ? `   | floor ${f.rssPerCallMiB}   ratio ${r.ratios.rss}` : ''}`,
    `RSS MiB idle/peak/after ${r.rssMiB.idle}/${r.rssMiB.peak}/${r.rssMiB.afterCalls}${f ? `   | floor ${f.rssMiB.idle}/${f.rssMiB.peak}/${f.rssMiB.afterCalls}` : ''}`,
  ];
  const pf = r.providerFloor;
  if (pf) {
    lines.push(
      `provider floor (raw STT/LLM/TTS sockets): mouth-to-ear ${p(pf.mouthToEarMs)}, longest gap ${pf.maxGapMs} ms, completed ${pf.completedCalls}, errors ${pf.errors}`,
      `CPU s per call-minute  ${r.cpuSecPerCallMin}   | provider floor ${pf.cpuSecPerCallMin}   ratio ${r.ratios.cpuVsProviderFloor}`,
      `RSS MiB per call       ${r.rssPerCallMiB}   | provider floor ${pf.rssPerCallMiB}   ratio ${r.ratios.rssVsProviderFloor}`,
    );
  }
  const load = Object.entries(r.machineLoad)
    .map(([k, v]) => `${k} ${v.cpuSec} s (peak ${v.peakCpuPercent}%)`)
    .join(', ');
  lines.push(`server CPU peak ${r.peakCpuPercent}% of a core; during the load also: ${load}`);
  if (r.heapUsedMiB) {
    const h = r.heapUsedMiB;
    lines.push(`V8 heap used MiB idle/end/after ${h.idle}/${h.end}/${h.after}`);
  }
  if (r.timedOut)
    lines.push('WARNING: the run hit its time bound; the server was stopped under the last calls');
  return lines.join('\n');
}
