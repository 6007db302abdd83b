import { callMachine } from '../../machines/call.machine.js';
import type { CallDeps } from '../call/call-session.js';
import type { Config } from '../config.js';
import type { Dashboard } from '../dashboard/dashboard.js';
import type { ProviderHealth } from '../health/provider-health.js';
import { type HealthReport, type HttpServer, startHttpServer } from '../http/http-server.js';
import { readinessHandler } from '../http/readiness.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/metrics.js';
import type { LlmClient } from '../providers/llm/types.js';
import { registerRespondRoute } from '../respond/register-route.js';
import { tenantLookupFromStore } from '../respond/tenant-lookup.js';
import type { CallStore } from '../store/types.js';
import type { CallTracker } from './call-tracker.js';

export interface HttpEndpointParts {
  metrics: Metrics;
  /** Extra /healthz facts (calls in progress, draining). */
  health: () => Partial<HealthReport>;
  draining: () => boolean;
  store: CallStore;
  providers: ProviderHealth;
  llm: LlmClient;
  dashboard: Dashboard;
  calls: CallTracker;
  deps: CallDeps;
}

/**
 * The internal HTTP server when HTTP_ENABLED: /metrics and /healthz, /readyz (store and providers),
 * POST /v1/respond, and the dashboard with its browser test call. Null otherwise.
 */
export async function startHttpEndpoints(
  config: Config,
  log: Logger,
  parts: HttpEndpointParts,
): Promise<HttpServer | null> {
  if (!config.HTTP_ENABLED) return null;
  const { store, deps } = parts;
  const http = await startHttpServer({
    host: config.HTTP_HOST,
    port: config.HTTP_PORT,
    metrics: parts.metrics,
    log,
    health: parts.health,
  });
  http.addRoute(
    'GET',
    '/readyz',
    readinessHandler({
      draining: parts.draining,
      checkDatabase: () => store.tenantForNumber('*'),
      providers: parts.providers,
      log,
    }),
  );
  registerRespondRoute(http, config, log, { llm: parts.llm, tenants: tenantLookupFromStore(store) });
  // Browser calls name their tenant by its number, as a trunk would with the dialled number.
  parts.dashboard.mount(http, callMachine, (call, tenant) =>
    parts.calls.run(call, 'browser', {
      ...deps,
      lookupMetadata: async () => ({ did: tenant, callerId: '', source: 'browser' }),
    }),
  );
  return http;
}
