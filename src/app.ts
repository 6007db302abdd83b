import { dirname, join } from 'node:path';
import type { InspectionEvent } from 'xstate';
import { callMachine } from '../machines/call.machine.js';
import { CallMetadataRegistry } from './agi/call-metadata-registry.js';
import { type FastAgiServer, startFastAgiServer } from './agi/fastagi-server.js';
import { lookupCallMetadata } from './agi/lookup-call-metadata.js';
import { type CallDeps, type CallSummary, runCall, type SessionTransport } from './call/call-session.js';
import { GreetingCache } from './call/greeting.js';
import { createInspector } from './call/inspect.js';
import { metricsObserver } from './call/metrics-observer.js';
import type { Config } from './config.js';
import { createDashboard } from './dashboard/dashboard.js';
import type { TransportName } from './dashboard/live-calls.js';
import { type HttpServer, startHttpServer } from './http/http-server.js';
import type { Logger } from './log.js';
import { Metrics } from './metrics/metrics.js';
import { createLlmChainFromConfig, type LlmProvider } from './providers/llm/chain-from-config.js';
import type { LlmClient } from './providers/llm/types.js';
import { DeepgramSttProvider } from './providers/stt/deepgram.js';
import type { SttProvider } from './providers/stt/types.js';
import { CartesiaTtsProvider } from './providers/tts/cartesia.js';
import type { TtsProvider } from './providers/tts/types.js';
import { registerRespondRoute } from './respond/register-route.js';
import { tenantLookupFromStore } from './respond/tenant-lookup.js';
import { BookingJournal } from './store/booking-journal.js';
import { openCallStore, storeEngine } from './store/open-call-store.js';
import { seedTenantsFromFile } from './store/tenant-seed.js';
import type { CallStore } from './store/types.js';
import { resolveCallContext } from './tenants/resolve-call-context.js';
import { type AudioSocketServer, startAudioSocketServer } from './transports/audiosocket/server.js';
import { startTwilioFromConfig, type TwilioOverrides } from './twilio/start-twilio.js';
import type { TwilioServer } from './twilio/voice-server.js';

/** Pieces a test or the demo may swap; everything else comes from the config. */
export interface AppOverrides {
  stt?: SttProvider;
  tts?: TtsProvider;
  llm?: LlmClient;
  store?: CallStore;
  onCallEnded?: (summary: CallSummary) => void;
  onBargeIn?: CallDeps['onBargeIn'];
  twilio?: TwilioOverrides;
}

export interface App {
  readonly audioSocketPort: number;
  readonly agiPort: number | null;
  readonly httpPort: number | null;
  /** The public Twilio server (webhooks + Media Streams); null without TWILIO_AUTH_TOKEN. */
  readonly twilio: TwilioServer | null;
  readonly store: CallStore;
  readonly metrics: Metrics;
  readonly registry: CallMetadataRegistry;
  activeCalls(): number;
  /** Resolves when every call in progress has ended (or after `timeoutMs`). */
  drain(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const LLM_BASE: Record<LlmProvider, (c: Config) => { baseUrl: string; apiKey: string }> = {
  groq: (c) => ({ baseUrl: c.GROQ_BASE_URL, apiKey: c.GROQ_API_KEY }),
  cerebras: (c) => ({ baseUrl: c.CEREBRAS_BASE_URL, apiKey: c.CEREBRAS_API_KEY }),
  anthropic: (c) => ({ baseUrl: c.ANTHROPIC_BASE_URL, apiKey: c.ANTHROPIC_API_KEY }),
};

/** LLM_CHAIN entries look like "groq:llama-3.3-70b-versatile". */
export function llmChainSpec(config: Config) {
  return config.LLM_CHAIN.map((entry) => {
    const [provider, ...rest] = entry.split(':');
    if (!(provider && provider in LLM_BASE) || rest.length === 0) {
      throw new Error(
        `LLM_CHAIN entry "${entry}" must be provider:model with provider groq, cerebras or anthropic`,
      );
    }
    return {
      provider: provider as LlmProvider,
      model: rest.join(':'),
      ...LLM_BASE[provider as LlmProvider](config),
    };
  });
}

/**
 * The composition root: builds every adapter from the config, opens the store, and starts the
 * AudioSocket, FastAGI and metrics servers. Each AudioSocket connection becomes one `runCall`.
 */
export async function startApp(config: Config, log: Logger, overrides: AppOverrides = {}): Promise<App> {
  const store =
    overrides.store ??
    (await openCallStore({ databaseUrl: config.DATABASE_URL, sqlitePath: config.CALLCHART_DB, log }));
  if (config.TENANTS_FILE) {
    const n = await seedTenantsFromFile(store, config.TENANTS_FILE);
    log.info({ tenants: n, file: config.TENANTS_FILE }, 'tenants loaded');
  }
  const journal = new BookingJournal(join(dirname(config.CALLCHART_DB), 'booking-journal.jsonl'), log);
  const replay = await journal.replay(store);
  if (replay.replayed || replay.failed) log.warn(replay, 'booking journal replayed');

  const metrics = new Metrics();
  const registry = new CallMetadataRegistry();
  const stt =
    overrides.stt ??
    new DeepgramSttProvider({ apiKey: config.DEEPGRAM_API_KEY, baseUrl: config.DEEPGRAM_BASE_URL });
  const tts =
    overrides.tts ??
    new CartesiaTtsProvider({ apiKey: config.CARTESIA_API_KEY, baseURL: config.CARTESIA_BASE_URL });
  const llm =
    overrides.llm ??
    createLlmChainFromConfig(llmChainSpec(config), {
      firstTokenDeadlineMs: config.LLM_FIRST_TOKEN_DEADLINE_MS,
      tokenGapDeadlineMs: config.LLM_TOKEN_GAP_DEADLINE_MS,
      log,
    });
  const inspector = createInspector(config, log);
  const dashboard = await createDashboard(config, log);

  const deps: CallDeps = {
    stt,
    sttOptions: {
      model: config.DEEPGRAM_MODEL,
      interimResults: true,
      endpointingMs: config.DEEPGRAM_ENDPOINTING_MS,
      utteranceEndMs: config.DEEPGRAM_UTTERANCE_END_MS,
      vadEvents: true,
      smartFormat: true,
      keyterms: config.DEEPGRAM_KEYTERMS,
      flux: {
        ...(config.DEEPGRAM_EAGER_EOT_THRESHOLD === 'off'
          ? {}
          : { eagerEotThreshold: config.DEEPGRAM_EAGER_EOT_THRESHOLD }),
        eotThreshold: config.DEEPGRAM_EOT_THRESHOLD,
        eotTimeoutMs: config.DEEPGRAM_EOT_TIMEOUT_MS,
      },
    },
    sttLanguage: config.DEEPGRAM_LANGUAGE,
    tts,
    ttsModelId: config.CARTESIA_MODEL,
    defaultVoices: { en: config.CARTESIA_VOICE_EN, es: config.CARTESIA_VOICE_ES },
    llm,
    llmOptions: { maxTokens: config.LLM_MAX_TOKENS, temperature: config.LLM_TEMPERATURE },
    store,
    journal,
    lookupMetadata: (callId) =>
      lookupCallMetadata(callId, {
        registry,
        metadataDir: config.METADATA_DIR,
        waitMs: config.METADATA_WAIT_MS,
        log,
      }),
    resolveContext: ({ dialled, caller }) =>
      resolveCallContext({
        store,
        dialled,
        caller,
        log,
        ...(config.CONTEXT_API_URL
          ? {
              contextApi: {
                url: config.CONTEXT_API_URL,
                apiKey: config.CONTEXT_API_KEY,
                timeoutMs: config.CONTEXT_API_TIMEOUT_MS,
              },
            }
          : {}),
      }),
    greetings: new GreetingCache(),
    observer: metricsObserver(metrics),
    bargeIn: {
      rmsThreshold: config.BARGE_IN_RMS,
      minSpeechMs: config.BARGE_IN_MIN_MS,
      echoRatio: config.BARGE_IN_ECHO_RATIO,
    },
    turnEnd: {
      eagerSilenceMs: config.TURN_EAGER_SILENCE_MS,
      finalizeSilenceMs: config.TURN_FINALIZE_SILENCE_MS,
      incompleteHoldMs: config.TURN_INCOMPLETE_HOLD_MS,
      // Flux decides turns itself (EagerEndOfTurn); with Nova-3 the runtime estimates them.
      estimate: config.SPECULATIVE_REPLIES && !config.DEEPGRAM_MODEL.startsWith('flux'),
    },
    log,
    ...(inspector
      ? { inspect: (callId: string) => (ev: InspectionEvent) => inspector.record(callId, ev) }
      : {}),
    ...(overrides.onBargeIn ? { onBargeIn: overrides.onBargeIn } : {}),
    onTransfer: (callId) => log.info({ callId }, 'transfer requested (hook: connect a transfer target here)'),
  };

  const calls = new Set<Promise<CallSummary>>();
  const track = (call: SessionTransport, transport: TransportName, callDeps: CallDeps) => {
    const run = runCall(dashboard.callTransport(call), dashboard.callDeps(callDeps, call.callId, transport))
      .catch((err): CallSummary => {
        // A bug in one call must end only that call.
        log.error({ err, callId: call.callId }, 'call failed');
        if (!call.closed) call.hangup();
        return { callId: call.callId, outcome: 'error', turns: 0, bargeIns: 0 };
      })
      .then((summary) => {
        calls.delete(run);
        dashboard.live.ended({ callId: summary.callId, outcome: summary.outcome });
        overrides.onCallEnded?.(summary);
        return summary;
      });
    calls.add(run);
  };
  const audioSocket: AudioSocketServer = await startAudioSocketServer({
    host: config.AUDIOSOCKET_HOST,
    port: config.AUDIOSOCKET_PORT,
    log,
    onCall: (call) => track(call, 'audiosocket', deps),
  });
  metrics.trackAudioOutput(() => audioSocket.stats());

  let agi: FastAgiServer | null = null;
  if (config.AGI_ENABLED) {
    agi = await startFastAgiServer({
      host: config.AGI_HOST,
      port: config.AGI_PORT,
      registry,
      log,
      audioSocketAddress: `${config.AUDIOSOCKET_HOST}:${audioSocket.port}`,
    });
  }
  // Before /healthz answers: a healthy server is listening on every port it serves.
  const twilio = await startTwilioFromConfig(
    config,
    log,
    deps,
    (call, callDeps) => track(call, 'twilio', callDeps),
    {
      onRequest: (route, result) => metrics.twilioRequest(route, result),
      ...overrides.twilio,
      ...(overrides.onCallEnded ? { onCallEnded: overrides.onCallEnded } : {}),
    },
  );
  let http: HttpServer | null = null;
  if (config.HTTP_ENABLED) {
    http = await startHttpServer({
      host: config.HTTP_HOST,
      port: config.HTTP_PORT,
      metrics,
      log,
      health: () => ({ activeCalls: calls.size }),
    });
    registerRespondRoute(http, config, log, { llm, tenants: tenantLookupFromStore(store) });
    // Browser calls name their tenant by its number, as a trunk would with the dialled number.
    dashboard.mount(http, callMachine, (call, tenant) =>
      track(call, 'browser', {
        ...deps,
        lookupMetadata: async () => ({ did: tenant, callerId: '', source: 'browser' }),
      }),
    );
  }
  log.info(
    {
      audioSocket: `${config.AUDIOSOCKET_HOST}:${audioSocket.port}`,
      agi: agi ? `${agi.host}:${agi.port}` : null,
      http: http ? `${http.host}:${http.port}` : null,
      store: storeEngine(config.DATABASE_URL),
      db: config.DATABASE_URL ? undefined : config.CALLCHART_DB,
    },
    'callchart listening',
  );
  const drain = async (timeoutMs = 30_000) => {
    const all = Promise.allSettled([...calls]);
    await Promise.race([all, new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  };

  return {
    audioSocketPort: audioSocket.port,
    agiPort: agi?.port ?? null,
    httpPort: http?.port ?? null,
    twilio,
    store,
    metrics,
    registry,
    activeCalls: () => calls.size,
    drain,
    async close() {
      await audioSocket.close();
      await twilio?.close();
      dashboard.close(); // hangs up browser calls too
      await drain(5000);
      await Promise.allSettled([agi?.close(), http?.close()]);
      await inspector?.close();
      await store.close();
    },
  };
}
