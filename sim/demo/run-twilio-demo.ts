import { startApp } from '../../src/app.js';
import type { CallSummary } from '../../src/call/call-session.js';
import { loadConfig } from '../../src/config.js';
import type { Logger } from '../../src/log.js';
import { seedDemoTenants } from '../../src/store/tenant-seed.js';
import type { TurnRecord } from '../../src/store/types.js';
import type { CallerLine } from '../caller/script.js';
import { startSimStack } from '../stack.js';
import { startTwilioSim } from '../twilio/platform.js';
import type { DemoResult, DemoTurn } from './run-demo.js';

export type Tier = 'free' | 'pro' | 'enterprise';

/** The demo companies' numbers as Twilio delivers them (E.164), one per tier (tenants.example.json). */
export const TIER_NUMBERS: Record<Tier, string> = {
  enterprise: '+442012345678',
  pro: '+441234567890',
  free: '+441134960123',
};

/** A throwaway auth token: the demo's Twilio simulator and callchart share it. */
const DEMO_AUTH_TOKEN = 'demo-auth-token';

const round = (n: number | null | undefined) =>
  n === null || n === undefined ? null : Math.round(n * 10) / 10;

/**
 * The demo over Twilio: the Twilio simulator places the call on callchart's public server (signed
 * webhook, TwiML followed) and either opens a Media Stream (Pro, Enterprise) or runs the speech
 * <Gather> rounds (Free). Mouth-to-ear is measured when the agent's audio is played to the caller.
 */
export async function runTwilioDemo(opts: {
  script: CallerLine[];
  tier: Tier;
  to?: string;
  callerId: string;
  log: Logger;
  dbPath?: string;
  /** How the call should end ('booked' for a booking script); unset: any outcome. */
  expectOutcome?: string;
}): Promise<DemoResult> {
  const stack = await startSimStack({ script: opts.script });
  const twilio = await startTwilioSim({ authToken: DEMO_AUTH_TOKEN });
  // The simulator calls the local server directly, so the signed URL is the local one.
  const { PUBLIC_BASE_URL: _public, ...env } = process.env;
  const config = loadConfig(
    {
      ...env,
      ...stack.env,
      AUDIOSOCKET_PORT: '0',
      AGI_ENABLED: '0',
      HTTP_ENABLED: '0',
      PUBLIC_HTTP_PORT: '0',
      TWILIO_AUTH_TOKEN: DEMO_AUTH_TOKEN,
      TWILIO_ACCOUNT_SID: twilio.accountSid,
      TWILIO_API_BASE_URL: twilio.url,
      ...(opts.dbPath ? { CALLCHART_DB: opts.dbPath } : {}),
    },
    '',
  );
  let summary: CallSummary | null = null;
  const app = await startApp(config, opts.log, {
    onCallEnded: (s) => {
      summary = s;
    },
  });
  try {
    await seedDemoTenants(app.store);
    const base = app.twilio?.baseUrl ?? '';
    const result = await twilio.placeCall({
      voiceUrl: `${base}/voice/incoming`,
      statusUrl: `${base}/voice/status`,
      from: opts.callerId,
      to: opts.to ?? TIER_NUMBERS[opts.tier],
      script: opts.script,
    });
    const until = Date.now() + 10_000;
    while (summary === null && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    const stored = await app.store.turnsForCall(result.callSid);
    const booking = (await app.store.bookingForCall(result.callSid)) ?? null;
    const answered = stored.filter((t) => t.callerText !== '');
    const measured =
      result.stream?.turns.map((t) => t.mouthToEarMs) ?? result.gather?.turns.map((t) => t.turnMs) ?? [];
    const turns: DemoTurn[] = answered.map((s, i) =>
      turnOf(s, measured[i] ?? null, result.stream?.turns[i]?.answers ?? 1),
    );
    const ended = (summary as CallSummary | null)?.outcome;
    const ok =
      result.completed &&
      turns.length === opts.script.length &&
      (!opts.expectOutcome || (ended === opts.expectOutcome && (ended !== 'booked' || booking !== null)));
    return {
      ok,
      callId: result.callSid,
      greeting: stored.find((t) => t.index === 0)?.agentText ?? '',
      answerToFirstAudioMs: round(result.stream?.answerToFirstAudioMs ?? null),
      turns,
      booking,
      calls: 1,
      summary,
      caller: null,
      profile: stack.profile,
      ...(opts.tier === 'free'
        ? {
            note: 'Free tier: Twilio recognises the speech and Polly speaks, so the mouth-to-ear column is the webhook round here (words posted -> next TwiML).',
          }
        : {}),
    };
  } finally {
    await app.close();
    await Promise.allSettled([stack.close(), twilio.close()]);
  }
}

function turnOf(s: TurnRecord, mouthToEarMs: number | null, answers: number): DemoTurn {
  const provider =
    s.sttFinalMs !== null && s.llmTtftMs !== null && s.ttsTtfbMs !== null
      ? s.sttFinalMs + s.llmTtftMs + s.ttsTtfbMs
      : null;
  return {
    caller: s.callerText,
    agent: s.agentText,
    sttFinalMs: s.sttFinalMs,
    llmTtftMs: s.llmTtftMs,
    ttsTtfbMs: s.ttsTtfbMs,
    mouthToEarMs: round(mouthToEarMs),
    overheadMs: mouthToEarMs !== null && provider !== null ? round(mouthToEarMs - provider) : null,
    bargeIn: s.bargeIn,
    llmRounds: s.llmRounds,
    speculative: s.speculative,
    pausesAnswered: 0,
    answers,
  };
}
