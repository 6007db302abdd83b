import type { DemoResult } from './run-demo.js';

const cell = (v: number | null) => (v === null ? '-' : String(Math.round(v) || 0));

/** The human-readable demo report: transcript, per-turn latency table, the stored booking. */
export function printReport(r: DemoResult, recordPath?: string): void {
  const out: string[] = [];
  out.push(`callchart demo: one call ${r.callId} (${r.profile} provider latencies)`, '');
  out.push('Transcript');
  out.push(`  agent : ${r.greeting}   (answer to first audio ${cell(r.answerToFirstAudioMs)} ms)`);
  for (const t of r.turns) {
    out.push(`  caller: ${t.caller}`);
    out.push(
      `  agent : ${t.agent}${t.bargeIn ? '   [interrupted by the caller; only what was heard is kept]' : ''}`,
    );
  }
  out.push(
    '',
    'Per turn (ms)  stt final | llm ttft | tts first audio | mouth-to-ear | overhead | llm rounds | speculative | barge-in',
  );
  r.turns.forEach((t, i) => {
    const rounds = t.llmRounds === null ? '' : String(t.llmRounds);
    const speculative = t.speculative ? 'yes' : '';
    const cutOff = t.pausesAnswered > 0 ? '   [answered mid-sentence]' : '';
    out.push(
      `  ${String(i + 1).padStart(2)}  ${cell(t.sttFinalMs).padStart(20)} | ${cell(t.llmTtftMs).padStart(8)} | ${cell(t.ttsTtfbMs).padStart(15)} | ${cell(t.mouthToEarMs).padStart(12)} | ${cell(t.overheadMs).padStart(8)} | ${rounds.padStart(10)} | ${speculative.padStart(11)} | ${t.bargeIn ? 'yes' : ''}${cutOff}`,
    );
  });
  out.push(
    '  mouth-to-ear is measured by the caller on the wire; overhead = mouth-to-ear - (stt final + llm ttft + tts first audio),',
    '  shown only for replies started after the final (a speculative reply overlaps those windows).',
    '  llm rounds = LLM requests before the first agent audio; speculative = started before the turn was confirmed (blank: not recorded).',
  );
  if (r.note) out.push(`  ${r.note}`);
  out.push('', 'Booking as stored');
  out.push(r.booking ? `  ${JSON.stringify(r.booking, null, 2).split('\n').join('\n  ')}` : '  (none)');
  if (recordPath) out.push('', `Recording: ${recordPath} (stereo, caller left, agent right)`);
  const outcome = r.summary?.outcome ?? 'unknown';
  out.push(
    '',
    r.ok
      ? `OK: every line answered and measured; the call ended ${outcome}.`
      : `NOT OK: the call ended ${outcome}; not every scripted line was answered and measured, or the script expected another ending.`,
  );
  console.log(out.join('\n'));
}
