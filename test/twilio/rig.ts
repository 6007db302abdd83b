import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallerLine } from '../../sim/caller/script.js';
import { type SimStack, type SimStackOptions, startSimStack } from '../../sim/stack.js';
import { type PlaceCallOptions, startTwilioSim, type TwilioSim } from '../../sim/twilio/platform.js';
import { type App, startApp } from '../../src/app.js';
import type { CallSummary } from '../../src/call/call-session.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { seedDemoTenants } from '../../src/store/tenant-seed.js';
import type { TwilioOverrides } from '../../src/twilio/start-twilio.js';

export const AUTH_TOKEN = 'test-auth-token-0001';

/** Numbers of the demo tenants (tenants.example.json), as Twilio sends them (E.164). */
export const NUMBERS = {
  enterprise: '+442012345678', // Quick Fix Plumbing (stored as 02012345678), has a transfer number
  pro: '+441234567890', // Spark Electrical
  free: '+441134960123', // Warm Home Heating
};

/**
 * The real server with its Twilio side on, the provider simulators, and the Twilio simulator
 * placing calls: signed webhooks, TwiML followed, Media Streams in real time, REST updates.
 */
export async function startTwilioRig(opts: {
  script: CallerLine[];
  sims?: SimStackOptions;
  twilio?: TwilioOverrides;
  env?: Record<string, string>;
}) {
  const stack: SimStack = await startSimStack({
    script: opts.script,
    ...opts.sims,
    cartesia: { charsPerSecond: 45, ...opts.sims?.cartesia },
  });
  const twilio: TwilioSim = await startTwilioSim({ authToken: AUTH_TOKEN });
  const dbPath = join(mkdtempSync(join(tmpdir(), 'callchart-twilio-')), 'callchart.db');
  const config = loadConfig(
    {
      ...stack.env,
      AUDIOSOCKET_PORT: '0',
      AGI_ENABLED: '0',
      HTTP_ENABLED: '0',
      PUBLIC_HTTP_PORT: '0',
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_ACCOUNT_SID: twilio.accountSid,
      TWILIO_API_BASE_URL: twilio.url,
      CALLCHART_DB: dbPath,
      LOG_LEVEL: 'silent',
      // Load shedding off: a busy test machine must not shed the calls under test.
      MAX_EVENT_LOOP_DELAY_MS: '0',
      ...opts.env,
    },
    '',
  );
  const ended = new Map<string, CallSummary>();
  const waiters = new Map<string, (s: CallSummary) => void>();
  const app: App = await startApp(config, silentLogger, {
    ...(opts.twilio ? { twilio: opts.twilio } : {}),
    onCallEnded: (s) => {
      ended.set(s.callId, s);
      waiters.get(s.callId)?.(s);
    },
  });
  await seedDemoTenants(app.store);
  const base = app.twilio?.baseUrl ?? '';

  async function call(c: Partial<PlaceCallOptions> & { to: string; from: string }) {
    const result = await twilio.placeCall({
      voiceUrl: `${base}/voice/incoming`,
      statusUrl: `${base}/voice/status`,
      script: opts.script,
      turnGapMs: 500,
      ...c,
    });
    const summary = await new Promise<CallSummary>((resolve) => {
      const done = ended.get(result.callSid);
      if (done) resolve(done);
      else waiters.set(result.callSid, resolve);
    });
    return {
      ...result,
      summary,
      turns: await app.store.turnsForCall(result.callSid),
      booking: await app.store.bookingForCall(result.callSid),
    };
  }

  /** Resolves when the call with this CallSid has ended (its summary). */
  const ended$ = (callSid: string) =>
    new Promise<CallSummary>((resolve) => {
      const done = ended.get(callSid);
      if (done) resolve(done);
      else waiters.set(callSid, resolve);
    });

  return {
    app,
    stack,
    ended: ended$,
    twilio,
    base,
    call,
    async close() {
      await app.close();
      await Promise.allSettled([stack.close(), twilio.close()]);
    },
  };
}
