import { createNodeAdmission } from './admission/node-admission.js';
import type { ProviderUse } from './admission/provider-capacity.js';
import { CallMetadataRegistry } from './agi/call-metadata-registry.js';
import { CallOutcomeRegistry } from './agi/call-outcome-registry.js';
import { startAgentCheckFromConfig } from './app/agent-check.js';
import { buildCallDeps } from './app/call-deps.js';
import { CallTracker } from './app/call-tracker.js';
import { startHttpEndpoints } from './app/http-endpoints.js';
import { providersFromConfig } from './app/providers.js';
import { openStorage } from './app/storage.js';
import { startTransportServers } from './app/transport-servers.js';
import type { CallDeps, CallSummary } from './call/call-session.js';
import { createInspector } from './call/inspect.js';
import { LineCache } from './call/line-cache.js';
import type { Config } from './config.js';
import { createDashboard } from './dashboard/dashboard.js';
import type { Logger } from './log.js';
import { Metrics } from './metrics/metrics.js';
import type { LlmClient } from './providers/llm/types.js';
import type { SttProvider } from './providers/stt/types.js';
import type { TtsProvider } from './providers/tts/types.js';
import { storeEngine } from './store/open-call-store.js';
import type { CallStore } from './store/types.js';
import type { TwilioOverrides } from './twilio/start-twilio.js';
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
  /** HAProxy agent-check port (AGENT_CHECK_ENABLED); null when off. */
  readonly agentCheckPort: number | null;
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
  /** Speech provider capacity held now (Deepgram streams, Cartesia contexts and sessions). */
  providerUse(): ProviderUse;
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

/** How long a draining node waits for the AudioSocket legs of calls FastAGI registered before the drain. */
const LATE_LEG_WAIT_MS = 5000;

/** How long calls get to say goodbye after the drain deadline before they are cut. */
const GOODBYE_GRACE_MS = 10_000;

/**
 * The composition root: builds every adapter from the config, opens the store, and starts the
 * AudioSocket, FastAGI, Twilio and HTTP servers (`src/app/`). Each connection becomes one `runCall`.
 */
export async function startApp(config: Config, log: Logger, overrides: AppOverrides = {}): Promise<App> {
  const storage = await openStorage(config, log, overrides);
  const { store } = storage;
  const metrics = new Metrics();
  metrics.trackBookingJournal(() => storage.journal.pendingCount());
  const registry = new CallMetadataRegistry();
  const outcomes = new CallOutcomeRegistry();
  const lines = new LineCache();
  const dashboard = await createDashboard(config, log);
  const calls = new CallTracker(dashboard, log, overrides.onCallEnded);
  let draining = false;
  let twilio: TwilioServer | null = null;
  /** While draining: AudioSocket legs of calls FastAGI registered before the drain may still connect. */
  let lateLegsOpen = false;
  // Every transport's calls, Free-tier Twilio calls (which end on a webhook, not a promise) and calls
  // still due on the AudioSocket listener included.
  const liveCalls = () => calls.size + (twilio?.activeFreeCalls() ?? 0) + (lateLegsOpen ? registry.size : 0);
  // Admission over every transport (FastAGI, Twilio, browser); the speech adapters are wrapped so
  // provider capacity is counted.
  const { admission, capacity } = createNodeAdmission(config, metrics.registry, {
    inProgress: liveCalls,
    pending: () => registry.size + (twilio?.pendingStreams() ?? 0),
    draining: () => draining,
  });
  const providers = providersFromConfig(config, log, overrides, capacity);
  if (providers.llmBreakers) metrics.trackLlmBreakers(providers.llmBreakers);
  const inspector = createInspector(config, log);
  const shutdownController = new AbortController();
  const deps = buildCallDeps(config, log, {
    providers,
    storage,
    registry,
    lines,
    metrics,
    inspector,
    shutdownSignal: shutdownController.signal,
    ...(overrides.onBargeIn ? { onBargeIn: overrides.onBargeIn } : {}),
  });

  const servers = await startTransportServers(config, log, {
    deps,
    calls,
    registry,
    outcomes,
    metrics,
    admit: () => admission.check('fastagi'),
    admitConnected: () => admission.checkConnected(calls.size),
    admitTwilio: (entry) => admission.check(entry, entry === 'twilio-stream'),
    ...(overrides.reportOutcome ? { reportOutcome: overrides.reportOutcome } : {}),
    ...(overrides.twilio ? { twilio: overrides.twilio } : {}),
    ...(overrides.onCallEnded ? { onCallEnded: overrides.onCallEnded } : {}),
  });
  const { audioSocket, agi } = servers;
  twilio = servers.twilio;
  const readinessOpts = {
    draining: () => draining,
    checkDatabase: () => store.tenantForNumber('*'),
    providers: providers.health,
    log,
  };
  const http = await startHttpEndpoints(config, log, {
    metrics,
    health: () => ({ activeCalls: calls.size, draining }),
    readiness: readinessOpts,
    store,
    llm: providers.llm,
    dashboard,
    calls,
    deps,
    admitBrowser: () => admission.check('browser'),
  });
  const agentCheck = await startAgentCheckFromConfig(config, log, {
    admission,
    readiness: readinessOpts,
    draining: () => draining,
  });
  log.info(
    {
      audioSocket: `${config.AUDIOSOCKET_HOST}:${audioSocket.port}`,
      agi: agi ? `${agi.host}:${agi.port}` : null,
      http: http ? `${http.host}:${http.port}` : null,
      agentCheck: agentCheck ? `${config.AGENT_CHECK_HOST}:${agentCheck.port}` : null,
      store: storeEngine(config.DATABASE_URL),
      db: config.DATABASE_URL ? undefined : config.CALLCHART_DB,
    },
    'callchart listening',
  );
  const drain = (timeoutMs?: number) => calls.drain(timeoutMs, liveCalls);

  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= (async () => {
      draining = true;
      providers.health.stop();
      admission.stop();
      await audioSocket.close();
      await twilio?.close();
      dashboard.close(); // hangs up browser calls too
      await drain(5000);
      await Promise.allSettled([agi?.close(), http?.close(), agentCheck?.close()]);
      await inspector?.close();
      outcomes.close();
      await storage.close();
    })();
    return closing;
  };

  return {
    audioSocketPort: audioSocket.port,
    agiPort: agi?.port ?? null,
    httpPort: http?.port ?? null,
    agentCheckPort: agentCheck?.port ?? null,
    twilio,
    store,
    metrics,
    registry,
    outcomes,
    lines,
    activeCalls: () => calls.size,
    providerUse: () => capacity.inUse(),
    get draining() {
      return draining;
    },
    shutdownSignal: shutdownController.signal,
    drain,
    async shutdown({ drainMs, goodbyeMs = GOODBYE_GRACE_MS }) {
      if (draining) return close();
      draining = true;
      // New calls first: Asterisk's AGI() and AudioSocket connects now fail and the dialplan routes on.
      // A call FastAGI already gave this node's address to is still let in: its AudioSocket leg comes
      // milliseconds after the AGI reply, and refusing it would drop a call this node promised to take.
      lateLegsOpen = true;
      void audioSocket
        .stopAccepting({ due: () => registry.size > 0, maxWaitMs: LATE_LEG_WAIT_MS })
        .then(() => {
          lateLegsOpen = false;
        });
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
