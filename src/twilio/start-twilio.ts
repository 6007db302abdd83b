import type { CallDeps } from '../call/call-session.js';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { CallTransport } from '../transports/transport.js';
import type { FreeCallDeps } from './free/free-call.js';
import type { TwilioServer, TwilioServerOptions } from './voice-server.js';

/** Pieces a test may swap on the Twilio side. */
export interface TwilioOverrides {
  machine?: FreeCallDeps['machine'];
  freeIdleMs?: number;
  answerWaitMs?: number;
  onRequest?: TwilioServerOptions['onRequest'];
  onCallEnded?: TwilioServerOptions['onFreeCallEnded'];
  /** The app's admission (MAX_CALLS, shedding, provider capacity, drain) for each new call. */
  admit?: TwilioServerOptions['admit'];
}

/**
 * Starts the public Twilio server when TWILIO_AUTH_TOKEN is set. Without it every webhook would be
 * unauthenticated, so the routes are not served at all (AudioSocket calls are unaffected).
 */
export async function startTwilioFromConfig(
  config: Config,
  log: Logger,
  deps: CallDeps,
  runCall: (call: CallTransport, callDeps: CallDeps) => void,
  overrides: TwilioOverrides = {},
): Promise<TwilioServer | null> {
  if (!config.TWILIO_AUTH_TOKEN) {
    log.info(
      'Twilio routes not served: set TWILIO_AUTH_TOKEN (every Twilio webhook is checked against it) to answer Twilio calls',
    );
    return null;
  }
  // Loaded only when needed: the twilio package takes a second or more to import.
  const [{ startTwilioServer }, { restTransfer }] = await Promise.all([
    import('./voice-server.js'),
    import('./rest-transfer.js'),
  ]);
  let transfer: ((callSid: string, to: string) => Promise<void>) | undefined;
  if (config.TWILIO_ACCOUNT_SID.startsWith('AC')) {
    transfer = restTransfer({
      accountSid: config.TWILIO_ACCOUNT_SID,
      authToken: config.TWILIO_AUTH_TOKEN,
      apiBaseUrl: config.TWILIO_API_BASE_URL,
    });
  } else {
    log.warn('TWILIO_ACCOUNT_SID (AC…) not set: Media Streams calls cannot be transferred to a person');
  }
  // Several nodes on one database (PUBLIC_NODE_URL names each): a status callback for a Free call may
  // reach any of them, so they pass call ends on to each other.
  const callEnds =
    config.DATABASE_URL && config.PUBLIC_NODE_URL
      ? (await import('../store/pg-call-end-notices.js')).openPgCallEndNotices(config.DATABASE_URL, log)
      : undefined;
  const server = await startTwilioServer({
    host: config.PUBLIC_HTTP_HOST,
    port: config.PUBLIC_HTTP_PORT,
    authToken: config.TWILIO_AUTH_TOKEN,
    ...(config.PUBLIC_BASE_URL ? { publicBaseUrl: config.PUBLIC_BASE_URL } : {}),
    ...(config.PUBLIC_NODE_URL ? { publicNodeUrl: config.PUBLIC_NODE_URL } : {}),
    log,
    resolveContext: deps.resolveContext,
    onStreamCall: (call, setup) =>
      runCall(call, {
        ...deps,
        // The numbers come from the signed webhook, not from FastAGI.
        lookupMetadata: async () => ({ did: setup.did, callerId: setup.callerId, source: 'twilio-webhook' }),
      }),
    free: {
      llm: deps.llm,
      llmOptions: deps.llmOptions,
      store: deps.store,
      journal: deps.journal,
      observer: deps.observer,
      ...(overrides.machine ? { machine: overrides.machine } : {}),
      ...(overrides.answerWaitMs ? { answerWaitMs: overrides.answerWaitMs } : {}),
    },
    ...(transfer ? { transfer } : {}),
    ...(callEnds ? { callEnds } : {}),
    ...(overrides.freeIdleMs ? { freeIdleMs: overrides.freeIdleMs } : {}),
    ...(overrides.onCallEnded ? { onFreeCallEnded: overrides.onCallEnded } : {}),
    ...(overrides.onRequest ? { onRequest: overrides.onRequest } : {}),
    ...(overrides.admit ? { admit: overrides.admit } : {}),
  }).catch(async (err: unknown) => {
    await callEnds?.close();
    throw err;
  });
  if (!callEnds) return server;
  return {
    ...server,
    async close() {
      await server.close();
      await callEnds.close();
    },
  };
}
