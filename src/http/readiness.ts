import type { ServerResponse } from 'node:http';
import type { ProviderHealth, ProviderStatus } from '../health/provider-health.js';
import type { Logger } from '../log.js';

export interface ReadinessOptions {
  /** True once shutdown has begun: the load balancer / dialplan should send calls elsewhere. */
  draining: () => boolean;
  /** Throws (or rejects) when the database cannot answer. */
  checkDatabase: () => Promise<unknown>;
  providers: ProviderHealth;
  log: Logger;
}

export interface ReadinessReport {
  ready: boolean;
  draining: boolean;
  database: 'ok' | 'error';
  providers: ProviderStatus[];
}

/**
 * /readyz: can this process take a new call now? Not while draining, not without the database,
 * and not unless speech to text, text to speech and at least one LLM were reachable recently.
 * (/healthz only says the process is up.)
 */
export async function readiness(opts: ReadinessOptions): Promise<ReadinessReport> {
  let database: ReadinessReport['database'] = 'ok';
  try {
    await opts.checkDatabase();
  } catch (err) {
    opts.log.error({ err }, 'readiness: database check failed');
    database = 'error';
  }
  const providers = opts.providers.status();
  const fresh = (prefix: string) => providers.some((p) => p.name.startsWith(prefix) && p.fresh);
  const providersOk = fresh('stt') && fresh('tts') && fresh('llm');
  const draining = opts.draining();
  return { ready: !draining && database === 'ok' && providersOk, draining, database, providers };
}

export function readinessHandler(opts: ReadinessOptions) {
  return async (_req: unknown, res: ServerResponse) => {
    const report = await readiness(opts);
    res
      .writeHead(report.ready ? 200 : 503, { 'content-type': 'application/json; charset=utf-8' })
      .end(JSON.stringify(report));
  };
}
