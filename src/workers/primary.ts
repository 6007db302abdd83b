import { Admission } from '../admission/admission.js';
import { ProviderCapacity } from '../admission/provider-capacity.js';
import type { CallMetadata } from '../agi/call-metadata.js';
import { CallMetadataRegistry } from '../agi/call-metadata-registry.js';
import { CallOutcomeRegistry } from '../agi/call-outcome-registry.js';
import { type FastAgiServer, startFastAgiServer } from '../agi/fastagi-server.js';
import type { Config } from '../config.js';
import { type AgentCheckServer, startAgentCheckServer } from '../http/agent-check.js';
import { type HttpServer, startHttpServer } from '../http/http-server.js';
import type { Logger } from '../log.js';
import { Metrics } from '../metrics/metrics.js';
import { closeInterruptedCalls } from '../store/interrupted-calls.js';
import { openCallStore } from '../store/open-call-store.js';
import { callOwner } from '../store/store-identity.js';
import { workerStopGraceMs } from './worker-messages.js';
import { aggregatedMetrics } from './worker-metrics.js';
import { WorkerPool, type WorkerState } from './worker-pool.js';

export interface Primary {
  readonly agiPort: number | null;
  readonly httpPort: number | null;
  readonly agentCheckPort: number | null;
  workers(): WorkerState[];
  /**
   * Drains the node: FastAGI closes and /readyz and the agent check say so at once; each worker lets
   * its calls end (up to DRAIN_SECONDS, then a goodbye) and exits; then HTTP closes.
   */
  close(): Promise<void>;
}

/** Registrations waiting for their FastAGI session to read the address back (a few ms each). */
const MAX_PENDING_ADDRESSES = 10_000;

/**
 * The registry FastAGI writes to when calls run in workers: each call is registered with the
 * least-loaded worker, and the session then hands Asterisk that worker's AudioSocket address.
 */
class WorkerRoutingRegistry extends CallMetadataRegistry {
  private readonly addresses = new Map<string, string>();

  constructor(
    private readonly pool: WorkerPool,
    private readonly log: Logger,
  ) {
    super();
  }

  override put(uuid: string, meta: CallMetadata): void {
    const address = this.pool.assign(uuid, meta);
    if (!address) {
      this.log.error({ uuid }, 'no worker ready: the call gets no AudioSocket address');
      return;
    }
    if (this.addresses.size >= MAX_PENDING_ADDRESSES) {
      const oldest = this.addresses.keys().next().value;
      if (oldest !== undefined) this.addresses.delete(oldest);
    }
    this.addresses.set(uuid, address);
  }

  override delete(uuid: string): boolean {
    this.addresses.delete(uuid);
    this.pool.forget(uuid);
    return true;
  }

  /** The address chosen for `uuid` at put(); read once by its FastAGI session. */
  takeAddress(uuid: string): string | undefined {
    const address = this.addresses.get(uuid);
    this.addresses.delete(uuid);
    return address;
  }
}

/**
 * WORKERS > 1: this process answers FastAGI and HTTP and runs no calls itself; `config.WORKERS`
 * worker processes (worker-main.ts) run them, each on its own AudioSocket port.
 */
export async function startPrimary(config: Config, log: Logger): Promise<Primary> {
  const lastPort = config.AUDIOSOCKET_PORT + config.WORKERS - 1;
  if (config.AUDIOSOCKET_PORT !== 0 && lastPort > 65535) {
    throw new Error(
      `WORKERS=${config.WORKERS} needs AudioSocket ports up to ${lastPort}: lower AUDIOSOCKET_PORT`,
    );
  }
  // Migrate once here: N workers opening a fresh database together would race to create it. No worker
  // runs yet, so every call of this node and its workers still open was cut off by the last stop.
  const store = await openCallStore({
    databaseUrl: config.DATABASE_URL,
    sqlitePath: config.CALLCHART_DB,
    log,
  });
  await closeInterruptedCalls(store, callOwner(config), log, { withWorkers: true });
  await store.close();

  const outcomes = new CallOutcomeRegistry();
  const drainMs = config.DRAIN_SECONDS * 1000;
  const pool = new WorkerPool({
    count: config.WORKERS,
    audioSocketHost: config.AUDIOSOCKET_HOST,
    log,
    onOutcome: (uuid, outcome) => outcomes.set(uuid, outcome),
    stopTimeoutMs: workerStopGraceMs(drainMs) + 5000,
  });
  try {
    await pool.ready();
  } catch (err) {
    await pool.close();
    throw err;
  }
  const registry = new WorkerRoutingRegistry(pool, log);
  const metrics = new Metrics();
  let draining = false;
  const admission = nodeAdmission(config, pool, metrics, () => draining);
  let agi: FastAgiServer | null = null;
  if (config.AGI_ENABLED) {
    agi = await startFastAgiServer({
      host: config.AGI_HOST,
      port: config.AGI_PORT,
      registry,
      log,
      admit: () => admission.check('fastagi'),
      audioSocketAddress: (uuid) => registry.takeAddress(uuid),
      outcomes,
    });
  }
  let http: HttpServer | null = null;
  if (config.HTTP_ENABLED) {
    http = await startHttpServer({
      host: config.HTTP_HOST,
      port: config.HTTP_PORT,
      metrics,
      log,
      health: () => {
        const workers = pool.states();
        return {
          ok: workers.some((w) => w.audioSocket !== null),
          activeCalls: workers.reduce((n, w) => n + w.calls, 0),
          draining,
          workers,
        };
      },
    });
    // The node's figures: the primary's own and every worker's, aggregated.
    http.addRoute('GET', '/metrics', async (_req, res) => {
      const { body, contentType } = await aggregatedMetrics(metrics.registry, await pool.collectMetrics());
      res.writeHead(200, { 'content-type': contentType }).end(body);
    });
    http.addRoute('GET', '/readyz', (_req, res) => {
      const ready = !draining && workersReady();
      res
        .writeHead(ready ? 200 : 503, { 'content-type': 'application/json; charset=utf-8' })
        .end(JSON.stringify({ ready, draining, workers: pool.states().filter((w) => w.audioSocket).length }));
    });
  }
  let agentCheck: AgentCheckServer | null = null;
  if (config.AGENT_CHECK_ENABLED) {
    agentCheck = await startAgentCheckServer({
      host: config.AGENT_CHECK_HOST,
      port: config.AGENT_CHECK_PORT,
      log,
      state: async () => ({
        draining,
        ready: workersReady(),
        refusing: admission.wouldRefuse() !== undefined,
        freeSlots: admission.freeSlots(),
        maxCalls: config.MAX_CALLS,
      }),
    });
  }
  function workersReady(): boolean {
    return pool.states().some((w) => w.audioSocket !== null);
  }
  log.info(
    { workers: config.WORKERS, agi: agi ? `${agi.host}:${agi.port}` : null, http: http?.port ?? null },
    'callchart primary listening',
  );
  return {
    agiPort: agi?.port ?? null,
    httpPort: http?.port ?? null,
    agentCheckPort: agentCheck?.port ?? null,
    workers: () => pool.states(),
    async close() {
      if (draining) return;
      draining = true;
      await agi?.close();
      log.info({ drainSeconds: config.DRAIN_SECONDS }, 'draining: no new calls; workers let theirs end');
      await pool.close();
      admission.stop();
      await Promise.allSettled([http?.close(), agentCheck?.close()]);
      registry.close();
      outcomes.close();
      log.info('drained');
    },
  };
}

/**
 * The node's admission, made in the primary: MAX_CALLS over every worker's calls (and the ones just
 * handed over), shedding on the least-delayed worker's event loop (the one a call would go to), the
 * workers' provider use summed against the limits, and drain.
 */
function nodeAdmission(config: Config, pool: WorkerPool, metrics: Metrics, draining: () => boolean) {
  const capacity = new ProviderCapacity(
    { sttStreams: config.DEEPGRAM_MAX_STREAMS, ttsContexts: config.CARTESIA_MAX_CONCURRENCY },
    metrics.registry,
  );
  const ready = () => pool.states().filter((w) => w.audioSocket !== null);
  const handedOver = () => pool.states().reduce((n, w) => n + w.handedOver, 0);
  const admission = new Admission({
    load: () => pool.states().reduce((n, w) => n + w.calls + w.handedOver, 0),
    maxCalls: config.MAX_CALLS,
    maxEventLoopDelayMs: config.MAX_EVENT_LOOP_DELAY_MS,
    registry: metrics.registry,
    draining,
    delayMs: () => {
      const delays = ready().map((w) => w.loopDelayMs);
      return delays.length > 0 ? Math.min(...delays) : 0;
    },
    providersHaveRoom: () => {
      const use = { sttStreams: 0, ttsContexts: 0, ttsSessions: 0 };
      for (const w of pool.states()) {
        use.sttStreams += w.providers.sttStreams;
        use.ttsContexts += w.providers.ttsContexts;
        use.ttsSessions += w.providers.ttsSessions;
      }
      return capacity.hasRoom(handedOver(), use);
    },
  });
  return admission;
}
