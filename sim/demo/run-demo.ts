import { writeFileSync } from 'node:fs';
import { startApp } from '../../src/app.js';
import { buildWav, interleaveStereo } from '../../src/audio/wav.js';
import type { CallSummary } from '../../src/call/call-session.js';
import { loadConfig } from '../../src/config.js';
import type { Logger } from '../../src/log.js';
import { roundTo } from '../../src/round.js';
import { seedDemoTenants } from '../../src/store/tenant-seed.js';
import { type Booking, type TurnRecord, turnProviderMs } from '../../src/store/types.js';
import { runFakeAgiCall } from '../asterisk/fake-asterisk-agi.js';
import { type CallerResult, runSimulatedCaller } from '../caller/caller.js';
import type { CallerLine } from '../caller/script.js';
import type { ProfileName } from '../profiles.js';
import { startSimStack } from '../stack.js';

export interface DemoOptions {
  script: CallerLine[];
  /** Dialled number and caller id the fake dialplan hands to FastAGI. */
  did: string;
  callerId: string;
  dbPath?: string;
  recordPath?: string;
  log: Logger;
  /** Extra environment for callchart (tests shorten nothing here; the demo is a real call). */
  env?: Record<string, string>;
  /** Told the dashboard's address once the server is up. */
  onDashboard?: (url: string) => void;
  /** Runs with the result before the server stops (the report; `--keep-open` waits here). */
  afterCall?: (result: DemoResult) => Promise<void>;
  /** Provider latency profile; default SIM_PROFILE, else `fast`. */
  profile?: ProfileName;
  /** How the script's call should end ('booked' for a booking script); unset: any outcome. */
  expectOutcome?: string;
}

export interface DemoTurn {
  caller: string;
  agent: string;
  sttFinalMs: number | null;
  llmTtftMs: number | null;
  ttsTtfbMs: number | null;
  mouthToEarMs: number | null;
  overheadMs: number | null;
  bargeIn: boolean;
  /** LLM requests before the reply's first audio; null when the server did not record it. */
  llmRounds: number | null;
  /** The reply was started on an early end-of-turn signal, before the turn was confirmed. */
  speculative: boolean;
  /** Caller side: mid-sentence pauses the agent answered, and its separate answers to the line. */
  pausesAnswered: number;
  answers: number;
}

export interface DemoResult {
  ok: boolean;
  profile: ProfileName;
  callId: string;
  greeting: string;
  answerToFirstAudioMs: number | null;
  turns: DemoTurn[];
  booking: Booking | null;
  calls: number;
  summary: CallSummary | null;
  /** How to read the figures when they differ from a voice call's (the Free tier). */
  note?: string;
  /** The AudioSocket caller's own measurements (null for a Twilio call). */
  caller: CallerResult | null;
}

const round = (n: number | null) => roundTo(n, 1);

/**
 * One full call on the embedded defaults: the provider simulators, the real callchart server on a
 * SQLite file, and a simulated caller that dials in like Asterisk (FastAGI first, then AudioSocket).
 */
export async function runDemo(opts: DemoOptions): Promise<DemoResult> {
  const stack = await startSimStack({
    script: opts.script,
    ...(opts.profile ? { profile: opts.profile } : {}),
  });
  const config = loadConfig(
    {
      ...process.env,
      ...stack.env,
      AUDIOSOCKET_PORT: '0',
      AGI_PORT: '0',
      // The dashboard on a free loopback port (open there without a token), unless HTTP_PORT is set.
      HTTP_PORT: process.env.HTTP_PORT ?? '0',
      ...(opts.dbPath ? { CALLCHART_DB: opts.dbPath } : {}),
      ...opts.env,
    },
    '',
  );
  let summary: CallSummary | null = null;
  let ended: () => void = () => {};
  const callEnded = new Promise<void>((r) => {
    ended = r;
  });
  const app = await startApp(config, opts.log, {
    onCallEnded: (s) => {
      summary = s;
      ended();
    },
  });
  try {
    await seedDemoTenants(app.store);
    if (app.httpPort !== null) opts.onDashboard?.(`http://${config.HTTP_HOST}:${app.httpPort}/`);
    const agi = await runFakeAgiCall({
      host: config.AGI_HOST,
      port: app.agiPort ?? 0,
      script: 'voice-agent',
      args: [opts.did, opts.callerId],
    });
    const uuid = agi.variables.VA_UUID;
    if (agi.agiStatus !== 'SUCCESS' || !uuid)
      throw new Error(`FastAGI did not hand out a call id (${agi.agiStatus})`);
    const caller = await runSimulatedCaller({
      port: app.audioSocketPort,
      uuid,
      script: opts.script,
      record: Boolean(opts.recordPath),
    });
    await Promise.race([callEnded, new Promise((r) => setTimeout(r, 10_000))]);
    const stored = await app.store.turnsForCall(uuid);
    const booking = (await app.store.bookingForCall(uuid)) ?? null;
    if (opts.recordPath) {
      const stereo = interleaveStereo(caller.callerAudio, caller.agentAudio);
      writeFileSync(opts.recordPath, buildWav(stereo, { sampleRate: 8000, channels: 2 }));
    }
    const turns = pairTurns(caller, stored);
    const ok = verdict(opts, turns, booking, summary);
    const result: DemoResult = {
      ok,
      profile: stack.profile,
      callId: uuid,
      greeting: greetingOf(stored),
      answerToFirstAudioMs: round(caller.answerToFirstAudioMs),
      turns,
      booking,
      calls: 1,
      summary,
      caller,
    };
    await opts.afterCall?.(result);
    return result;
  } finally {
    await app.close();
    await stack.close();
  }
}

/**
 * The demo passes when the script that was played went as scripted: every line was answered with all
 * its figures measured, and the call ended as the script expects (a booking script stored a booking).
 */
function verdict(
  opts: DemoOptions,
  turns: DemoTurn[],
  booking: Booking | null,
  summary: CallSummary | null,
): boolean {
  // Heard on the wire, with the STT and TTS windows the server stored (the LLM's may be none: a fixed line).
  const measured = (t: DemoTurn) => t.mouthToEarMs !== null && t.sttFinalMs !== null && t.ttsTtfbMs !== null;
  const everyLine = turns.length === opts.script.length && turns.every(measured);
  if (!opts.expectOutcome) return everyLine;
  const ended = (summary as CallSummary | null)?.outcome;
  return everyLine && ended === opts.expectOutcome && (opts.expectOutcome !== 'booked' || booking !== null);
}

/** Caller turn i (as measured on the wire) with the server's record of the reply to it. */
function pairTurns(caller: CallerResult, stored: TurnRecord[]): DemoTurn[] {
  const answered = stored.filter((t) => t.callerText !== '');
  return caller.turns.map((t, i) => {
    const s = answered.find((r) => r.index === i + 1);
    const provider = s ? turnProviderMs(s) : null;
    return {
      caller: t.line,
      agent: s?.agentText ?? '',
      sttFinalMs: s?.sttFinalMs ?? null,
      llmTtftMs: s?.llmTtftMs ?? null,
      ttsTtfbMs: s?.ttsTtfbMs ?? null,
      mouthToEarMs: round(t.mouthToEarMs),
      overheadMs: t.mouthToEarMs !== null && provider !== null ? round(t.mouthToEarMs - provider) : null,
      bargeIn: s?.bargeIn ?? false,
      llmRounds: s?.llmRounds ?? null,
      speculative: s?.speculative ?? false,
      pausesAnswered: t.pausesAnswered,
      answers: t.answers,
    };
  });
}

function greetingOf(stored: TurnRecord[]): string {
  return stored.find((t) => t.index === 0 && t.step === 'greet')?.agentText ?? '';
}
