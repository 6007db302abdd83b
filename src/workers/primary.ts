import type { CallMetadata } from '../agi/call-metadata.js';
import { CallMetadataRegistry } from '../agi/call-metadata-registry.js';
import { CallOutcomeRegistry } from '../agi/call-outcome-registry.js';
import { type FastAgiServer, startFastAgiServer } from '../agi/fastagi-server.js';
import type { Config } from '../config.js';
import { type HttpServer, startHttpServer } from '../http/http-server.js';
import type { Logger } from '../log.js';
import { Metrics } from '../metrics/metrics.js';
import { closeInterruptedCalls } from '../store/interrupted-calls.js';
import { openCallStore } from '../store/open-call-store.js';
import { callOwner } from '../store/store-identity.js';
import { WorkerPool, type WorkerState } from './worker-pool.js';

export interface Primary {
  readonly agiPort: number | null;
  readonly httpPort: number | null;
  workers(): WorkerState[];
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
  const pool = new WorkerPool({
    count: config.WORKERS,
    audioSocketHost: config.AUDIOSOCKET_HOST,
    log,
    onOutcome: (uuid, outcome) => outcomes.set(uuid, outcome),
  });
  try {
    await pool.ready();
  } catch (err) {
    await pool.close();
    throw err;
  }
  const registry = new WorkerRoutingRegistry(pool, log);
  let agi: FastAgiServer | null = null;
  if (config.AGI_ENABLED) {
    agi = await startFastAgiServer({
      host: config.AGI_HOST,
      port: config.AGI_PORT,
      registry,
      log,
      audioSocketAddress: (uuid) => registry.takeAddress(uuid),
      outcomes,
    });
  }
  let http: HttpServer | null = null;
  if (config.HTTP_ENABLED) {
    http = await startHttpServer({
      host: config.HTTP_HOST,
      port: config.HTTP_PORT,
      metrics: new Metrics(),
      log,
      health: () => {
        const workers = pool.states();
        return {
          ok: workers.some((w) => w.audioSocket !== null),
          activeCalls: workers.reduce((n, w) => n + w.calls, 0),
          workers,
        };
      },
    });
  }
  log.info(
    { workers: config.WORKERS, agi: agi ? `${agi.host}:${agi.port}` : null, http: http?.port ?? null },
    'callchart primary listening',
  );
  return {
    agiPort: agi?.port ?? null,
    httpPort: http?.port ?? null,
    workers: () => pool.states(),
    async close() {
      await agi?.close();
      await pool.close();
      await http?.close();
      registry.close();
      outcomes.close();
    },
  };
}
