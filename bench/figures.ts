import { roundTo } from '../src/round.js';
import { turnProviderMs } from '../src/store/types.js';
import type { CallOutcome } from './load-generator.js';
import { type ServerCallRecords, serverTurnForCallerLine } from './server-records.js';
import { max, type Percentiles, percentiles } from './stats.js';
import type { TargetRun } from './target-run.js';

/** Figures measured on the wire by the callers, the same way for callchart and the floor. */
export interface WireFigures {
  callsPlaced: number;
  completedCalls: number;
  /** Calls that could not be placed or broke (no greeting, refused, protocol violation, socket error). */
  errors: number;
  /** Calls greeted that ended before the script was done (a turn went unanswered, an early hang-up). */
  droppedCalls: number;
  turns: number;
  mouthToEarMs: Percentiles;
  /** Mouth-to-ear minus the configured provider time (endpointing + STT final + TTFT + TTFA). */
  overheadVsConfiguredMs: Percentiles;
  jitterP99Ms: number | null;
  maxGapMs: number | null;
  answerToFirstAudioMs: Percentiles & { max: number | null };
  /** Barge-in turns: from the caller talking over the agent to the agent's last voiced frame. */
  bargeInStopMs: Percentiles;
  /** Mid-sentence pauses the callers made (lines said in parts). */
  midSentencePauses: number;
  /** Share of those the agent answered, starting to talk before the sentence was over; null without pauses. */
  falseCutoffRate: number | null;
  /** Caller lines that got more than one separate agent answer. */
  linesAnsweredTwice: number;
  callMinutes: number;
  cpuSecPerCallMin: number | null;
  /** Share of that CPU time spent in the kernel. */
  cpuSysShare: number | null;
  /** The server's busiest half second, % of one core. */
  peakCpuPercent: number;
  /** CPU of the other processes during the load: how loaded the machine was. */
  machineLoad: Record<string, { cpuSec: number; peakCpuPercent: number }>;
  rssPerCallMiB: number;
  rssMiB: { idle: number; peak: number; afterCalls: number };
  /** The server's V8 heap in use at idle, at the end of the load and after the calls (callchart only). */
  heapUsedMiB: { idle: number; end: number; after: number } | null;
}

export function wireFigures(run: TargetRun, calls: number, configuredProviderMs: number): WireFigures {
  const outcomes = run.load.outcomes;
  const m2e: number[] = [];
  const bargeInStop: number[] = [];
  const jitter: number[] = [];
  let pauses = 0;
  let pausesAnswered = 0;
  let answeredTwice = 0;
  for (const o of outcomes) {
    for (const t of o.turns) {
      pauses += t.pauses;
      pausesAnswered += t.pausesAnswered;
      if (t.answers > 1) answeredTwice++;
      if (t.mouthToEarMs !== null) m2e.push(t.mouthToEarMs);
      if (t.bargeIn && t.agentStopMs !== null) bargeInStop.push(t.agentStopMs);
    }
    for (const j of o.jitterMs) jitter.push(j);
  }
  const answers = outcomes.flatMap((o) => (o.answerToFirstAudioMs === null ? [] : [o.answerToFirstAudioMs]));
  const callMinutes = outcomes.reduce((sum, o) => sum + o.durationMs, 0) / 60_000;
  const { resources: r } = run;
  return {
    callsPlaced: outcomes.length,
    completedCalls: outcomes.filter((o) => o.completed && !o.error).length,
    errors: outcomes.filter((o) => o.error).length,
    droppedCalls: outcomes.filter((o) => !o.error && !o.completed).length,
    turns: m2e.length,
    mouthToEarMs: percentiles(m2e),
    overheadVsConfiguredMs: percentiles(m2e.map((ms) => ms - configuredProviderMs)),
    jitterP99Ms: percentiles(jitter).p99,
    maxGapMs: roundTo(max(outcomes.map((o) => o.maxGapMs)), 1),
    answerToFirstAudioMs: { ...percentiles(answers), max: roundTo(max(answers), 1) },
    bargeInStopMs: percentiles(bargeInStop),
    midSentencePauses: pauses,
    falseCutoffRate: pauses > 0 ? Math.round((pausesAnswered / pauses) * 1000) / 1000 : null,
    linesAnsweredTwice: answeredTwice,
    callMinutes: roundTo(callMinutes, 2),
    cpuSecPerCallMin: callMinutes > 0 ? Math.round((r.cpuSec / callMinutes) * 1000) / 1000 : null,
    cpuSysShare: r.cpuSec > 0 ? roundTo(r.sysSec / r.cpuSec, 2) : null,
    peakCpuPercent: r.peakCpuPercent,
    machineLoad: Object.fromEntries(
      Object.entries(r.others).map(([k, v]) => [
        k,
        { cpuSec: roundTo(v.cpuSec, 2), peakCpuPercent: v.peakCpuPercent },
      ]),
    ),
    // Peak over the idle baseline, shared out over the calls that were up at once.
    rssPerCallMiB: roundTo((r.peakRssMiB - r.idleRssMiB) / calls, 2),
    rssMiB: {
      idle: roundTo(r.idleRssMiB, 2),
      peak: roundTo(r.peakRssMiB, 2),
      afterCalls: roundTo(r.afterRssMiB, 2),
    },
    heapUsedMiB: r.heapUsedMiB,
  };
}

/** What only callchart can tell: its stored per-turn figures, matched to the callers' turns. */
export interface ServerFigures {
  /** Caller turns with a stored server turn to match. */
  matchedTurns: number;
  /** Per turn: caller's mouth-to-ear minus the server-stored sttFinalMs + llmTtftMs + ttsTtfbMs. */
  overheadMs: Percentiles;
  /** Server-stored provider time per turn (what `overheadMs` subtracts). */
  providerMs: Percentiles;
  sttFinalMs: Percentiles;
  llmTtftMs: Percentiles;
  ttsTtfbMs: Percentiles;
  /** Consistency check: caller mouth-to-ear minus the server-stored one (wire + pacer time). */
  wireMinusServerMouthToEarMs: Percentiles;
  serverMouthToEarMs: Percentiles;
  serverBargeInStopMs: Percentiles;
  /** Per caller turn, LLM requests before the first agent audio (turns that record it). */
  llmRoundsBeforeAudio: { p50: number | null; p90: number | null };
  /** Per caller turn, every LLM request, cancelled speculative ones included (mean over recorded turns). */
  llmRequestsPerTurn: number | null;
  /** Caller turns whose reply was speculative (started before the turn was confirmed). */
  speculativeTurns: number;
  /** From the calls table. */
  callsStored: number;
  bookings: number;
  providerErrors: number;
  fallbacks: number;
  /** Mean agent reply length at the TTS simulator's speaking rate (sizes the floor's tone). */
  meanReplyMs: number | null;
}

export function serverFigures(
  outcomes: readonly CallOutcome[],
  records: ReadonlyMap<string, ServerCallRecords>,
  ttsCharsPerSecond: number,
): ServerFigures {
  const overhead: number[] = [];
  const provider: number[] = [];
  const diff: number[] = [];
  const stt: number[] = [];
  const llm: number[] = [];
  const tts: number[] = [];
  const serverM2e: number[] = [];
  const serverStop: number[] = [];
  const replyMs: number[] = [];
  const rounds: number[] = [];
  const requests: number[] = [];
  let speculative = 0;
  let bookings = 0;
  let providerErrors = 0;
  let fallbacks = 0;
  let callsStored = 0;
  for (const o of outcomes) {
    const rec = o.uuid ? records.get(o.uuid) : undefined;
    if (!rec) continue;
    if (rec.call) callsStored++;
    const m = rec.call?.metrics;
    if (m) {
      if (m.booked) bookings++;
      providerErrors += m.providerErrors;
      fallbacks += m.fallbacks;
    }
    for (const t of rec.turns) {
      if (t.sttFinalMs !== null) stt.push(t.sttFinalMs);
      if (t.llmTtftMs !== null) llm.push(t.llmTtftMs);
      if (t.ttsTtfbMs !== null) tts.push(t.ttsTtfbMs);
      if (t.mouthToEarMs !== null) serverM2e.push(t.mouthToEarMs);
      if (t.bargeInStopMs !== null) serverStop.push(t.bargeInStopMs);
      if (!t.bargeIn && t.agentText) replyMs.push((t.agentText.length / ttsCharsPerSecond) * 1000);
      if (t.callerText !== '') {
        if (t.llmRounds !== null) rounds.push(t.llmRounds);
        if (t.llmRequests !== null) requests.push(t.llmRequests);
        if (t.speculative) speculative++;
      }
    }
    o.turns.forEach((turn, i) => {
      const s = serverTurnForCallerLine(rec.turns, i);
      if (!s || turn.mouthToEarMs === null) return;
      const p = turnProviderMs(s);
      if (p !== null) {
        provider.push(p);
        overhead.push(turn.mouthToEarMs - p);
      }
      if (s.mouthToEarMs !== null) diff.push(turn.mouthToEarMs - s.mouthToEarMs);
    });
  }
  const roundsP = percentiles(rounds);
  const mean = replyMs.length ? replyMs.reduce((a, b) => a + b, 0) / replyMs.length : null;
  return {
    matchedTurns: overhead.length,
    overheadMs: percentiles(overhead),
    providerMs: percentiles(provider),
    sttFinalMs: percentiles(stt),
    llmTtftMs: percentiles(llm),
    ttsTtfbMs: percentiles(tts),
    wireMinusServerMouthToEarMs: percentiles(diff),
    serverMouthToEarMs: percentiles(serverM2e),
    serverBargeInStopMs: percentiles(serverStop),
    llmRoundsBeforeAudio: { p50: roundsP.p50, p90: roundsP.p90 },
    llmRequestsPerTurn: requests.length
      ? roundTo(requests.reduce((a, b) => a + b, 0) / requests.length, 2)
      : null,
    speculativeTurns: speculative,
    callsStored,
    bookings,
    providerErrors,
    fallbacks,
    meanReplyMs: mean === null ? null : Math.round(mean),
  };
}
