import { dirname, join } from 'node:path';
import type { InspectionEvent } from 'xstate';
import { callMachine } from '../machines/call.machine.js';
import { Admission } from './admission/admission.js';
import { CallMetadataRegistry } from './agi/call-metadata-registry.js';
import { CallOutcomeRegistry } from './agi/call-outcome-registry.js';
import { type FastAgiServer, startFastAgiServer } from './agi/fastagi-server.js';
import { lookupCallMetadata } from './agi/lookup-call-metadata.js';
import { type CallDeps, type CallSummary, runCall, type SessionTransport } from './call/call-session.js';
import { GreetingCache } from './call/greeting.js';
import { createInspector } from './call/inspect.js';
import { LineCache } from './call/line-cache.js';
import { metricsObserver } from './call/metrics-observer.js';
import { callSettings } from './call-settings.js';
import type { Config } from './config.js';
import { createDashboard } from './dashboard/dashboard.js';
import type { TransportName } from './dashboard/live-calls.js';
import { ProviderHealth } from './health/provider-health.js';
import { type HttpServer, startHttpServer } from './http/http-server.js';
import { readinessHandler } from './http/readiness.js';
import type { Logger } from './log.js';
import { Metrics } from './metrics/metrics.js';
import { createLlmChainFromConfig } from './providers/llm/chain-from-config.js';
import { llmChainSpec } from './providers/llm/chain-spec.js';
import type { LlmClient } from './providers/llm/types.js';
import { DeepgramSttProvider } from './providers/stt/deepgram.js';
import type { SttProvider } from './providers/stt/types.js';
import { CartesiaTtsProvider } from './providers/tts/cartesia.js';
import type { TtsProvider } from './providers/tts/types.js';
import { registerRespondRoute } from './respond/register-route.js';
import { tenantLookupFromStore } from './respond/tenant-lookup.js';
import { BookingJournal } from './store/booking-journal.js';
import { loadCallerHashKey } from './store/caller-hash-key.js';
import { fieldCipher } from './store/field-cipher.js';
import { closeInterruptedCalls } from './store/interrupted-calls.js';
import { JournalReplayer } from './store/journal-replayer.js';
import { openCallStore, storeEngine } from './store/open-call-store.js';
import { startRetention } from './store/retention.js';
import { callOwner } from './store/store-identity.js';
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
  /** How often the booking journal is replayed in the background (default JOURNAL_REPLAY_INTERVAL_MS). */
  journalReplayIntervalMs?: number;
  /** The name on this process's call rows (default NODE_ID or the host name; a worker adds /worker-N). */
  callOwner?: string;
  /** Where AudioSocket calls' outcomes go instead of this process's FastAGI (a worker: to the primary). */
  reportOutcome?: CallDeps['reportOutcome'];
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
  /** How each AudioSocket call ended, for the FastAGI `outcome` script. */
  readonly outcomes: CallOutcomeRegistry;
  /** Fixed lines (apology, transfer, goodbye, overflow) synthesised ahead per company and format. */
  readonly lines: LineCache;
  activeCalls(): number;
  /** True once `shutdown` has begun (/readyz says "draining"). */
  readonly draining: boolean;
  /** Every call's `deps.shutdownSignal`: aborted when the drain deadline passes. */
  readonly shutdownSignal: AbortSignal;
  /** Resolves when every call in progress has ended (or after `timeoutMs`). */
  drain(timeoutMs?: number): Promise<void>;
  /**
   * Graceful stop: no new FastAGI sessions or AudioSocket connections; live calls run on for up
   * to `drainMs`; then the shutdown signal asks each remaining call to say goodbye and hang up
   * (`goodbyeMs` at most), and everything closes.
   */
  shutdown(opts: { drainMs: number; goodbyeMs?: number }): Promise<void>;
  close(): Promise<void>;
}

/** How long calls get to say goodbye after the drain deadline before they are cut. */
const GOODBYE_GRACE_MS = 10_000;

/**
 * The composition root: builds every adapter from the config, opens the store, and starts the
 * AudioSocket, FastAGI and metrics servers. Each AudioSocket connection becomes one `runCall`.
 */
export async function startApp(config: Config, log: Logger, overrides: AppOverrides = {}): Promise<App> {
  const owner = overrides.callOwner ?? callOwner(config);
  const store =
    overrides.store ??
    (await openCallStore({
      databaseUrl: config.DATABASE_URL,
      sqlitePath: config.CALLCHART_DB,
      log,
      owner,
      ...(config.DATA_KEY ? { dataKey: config.DATA_KEY } : {}),
    }));
  // Before the first call: this process's calls left open by a crash are not running any more.
  await closeInterruptedCalls(store, owner, log);
  const callerHashKey = loadCallerHashKey(config.CALLER_HASH_KEY, config.CALLCHART_DB, log);
  if (config.TENANTS_FILE) {
    const n = await seedTenantsFromFile(store, config.TENANTS_FILE);
    log.info({ tenants: n, file: config.TENANTS_FILE }, 'tenants loaded');
  }
  const journal = new BookingJournal(
    join(dirname(config.CALLCHART_DB), 'booking-journal.jsonl'),
    log,
    Date.now,
    fieldCipher(config.DATA_KEY),
  );
  // Replayed before the first call, then in the background while the store may be failing and recover.
  const replayer = new JournalReplayer(journal, store, log, overrides.journalReplayIntervalMs);
  await replayer.replayNow();
  replayer.start();

  const stopRetention = startRetention({
    store,
    traceDir: config.TRACE_DIR,
    days: config.RETENTION_DAYS,
    log,
  });
  const metrics = new Metrics();
  metrics.trackBookingJournal(() => journal.pendingCount());
  const registry = new CallMetadataRegistry();
  const outcomes = new CallOutcomeRegistry();
  const lines = new LineCache();
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
  const shutdownController = new AbortController();
  let draining = false;
  const providerHealth = new ProviderHealth(
    [
      { name: 'stt', url: config.DEEPGRAM_BASE_URL },
      { name: 'tts', url: config.CARTESIA_BASE_URL },
      ...llmChainSpec(config)
        .filter((link) => link.apiKey)
        .map((link) => ({ name: `llm:${link.provider}`, url: link.baseUrl })),
    ],
    {
      staleMs: config.PROVIDER_STALE_SECONDS * 1000,
      probeEveryMs: config.PROVIDER_PROBE_SECONDS * 1000,
      log,
    },
  );
  void providerHealth.start();
  const dashboard = await createDashboard(config, log);

  const deps: CallDeps = {
    ...callSettings(config),
    stt,
    tts,
    llm,
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
        callerHashKey,
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
    lines,
    observer: metricsObserver(metrics),
    log,
    ...(inspector
      ? { inspect: (callId: string) => (ev: InspectionEvent) => inspector.record(callId, ev) }
      : {}),
    ...(overrides.onBargeIn ? { onBargeIn: overrides.onBargeIn } : {}),
    shutdownSignal: shutdownController.signal,
    onTransfer: (callId) => log.info({ callId }, 'transfer requested (hook: connect a transfer target here)'),
  };

  const calls = new Set<Promise<CallSummary>>();
  const admission = new Admission({
    load: () => calls.size + registry.size,
    maxCalls: config.MAX_CALLS,
    maxEventLoopDelayMs: config.MAX_EVENT_LOOP_DELAY_MS,
    registry: metrics.registry,
  });
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
    maxConnections: config.AUDIOSOCKET_MAX_CONNECTIONS,
    declaredSampleRate: (uuid) => registry.peek(uuid)?.sampleRate,
    // The runtime opens speech to text and text to speech at 8 or 16 kHz only.
    supportedSampleRates: [8000, 16000],
    log,
    onCall: (call) => {
      const verdict = admission.checkConnected(calls.size);
      if (!verdict.admit) {
        log.warn({ callId: call.callId, maxCalls: config.MAX_CALLS }, 'call refused: MAX_CALLS in progress');
        call.hangup();
        return;
      }
      track(call, 'audiosocket', {
        ...deps,
        reportOutcome: overrides.reportOutcome ?? ((uuid, outcome) => outcomes.set(uuid, outcome)),
      });
    },
  });
  metrics.trackAudioOutput(() => audioSocket.stats());

  let agi: FastAgiServer | null = null;
  if (config.AGI_ENABLED) {
    agi = await startFastAgiServer({
      host: config.AGI_HOST,
      port: config.AGI_PORT,
      registry,
      log,
      admit: () => admission.check(),
      audioSocketAddress: `${config.AUDIOSOCKET_HOST}:${audioSocket.port}`,
      outcomes,
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
      health: () => ({ activeCalls: calls.size, draining }),
    });
    http.addRoute(
      'GET',
      '/readyz',
      readinessHandler({
        draining: () => draining,
        checkDatabase: () => store.tenantForNumber('*'),
        providers: providerHealth,
        log,
      }),
    );
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

  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= (async () => {
      draining = true;
      providerHealth.stop();
      admission.stop();
      stopRetention();
      await audioSocket.close();
      await twilio?.close();
      dashboard.close(); // hangs up browser calls too
      await drain(5000);
      await Promise.allSettled([agi?.close(), http?.close()]);
      await inspector?.close();
      await replayer.stop();
      outcomes.close();
      await store.close();
    })();
    return closing;
  };

  return {
    audioSocketPort: audioSocket.port,
    agiPort: agi?.port ?? null,
    httpPort: http?.port ?? null,
    twilio,
    store,
    metrics,
    registry,
    outcomes,
    lines,
    activeCalls: () => calls.size,
    get draining() {
      return draining;
    },
    shutdownSignal: shutdownController.signal,
    drain,
    async shutdown({ drainMs, goodbyeMs = GOODBYE_GRACE_MS }) {
      if (draining) return close();
      draining = true;
      // New calls first: Asterisk's AGI() and AudioSocket connects now fail and the dialplan routes on.
      audioSocket.stopAccepting();
      await agi?.close();
      log.info({ activeCalls: calls.size, drainSeconds: drainMs / 1000 }, 'draining: no new calls');
      await drain(drainMs);
      if (calls.size) {
        log.warn(
          { activeCalls: calls.size },
          'drain deadline passed: ending the remaining calls with a goodbye',
        );
        shutdownController.abort();
        await drain(goodbyeMs);
      }
      await close();
      log.info('drained');
    },
    close,
  };
}
