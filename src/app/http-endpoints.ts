import { callMachine } from '../../machines/call.machine.js';
import type { AdmissionVerdict } from '../admission/admission.js';
import type { CallDeps } from '../call/call-session.js';
import type { Config } from '../config.js';
import type { Dashboard } from '../dashboard/dashboard.js';
import { type HealthReport, type HttpServer, startHttpServer } from '../http/http-server.js';
import { type ReadinessOptions, readinessHandler } from '../http/readiness.js';
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
  /** What /readyz checks: draining, the store, the providers' recent reachability. */
  readiness: ReadinessOptions;
  store: CallStore;
  llm: LlmClient;
  dashboard: Dashboard;
  calls: CallTracker;
  deps: CallDeps;
  /** Asked before a browser test call starts. */
  admitBrowser: () => AdmissionVerdict;
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
  http.addRoute('GET', '/readyz', readinessHandler(parts.readiness));
  registerRespondRoute(http, config, log, { llm: parts.llm, tenants: tenantLookupFromStore(store) });
  // Browser calls name their tenant by its number, as a trunk would with the dialled number.
  parts.dashboard.mount(
    http,
    callMachine,
    (call, tenant) =>
      parts.calls.run(call, 'browser', {
        ...deps,
        lookupMetadata: async () => ({ did: tenant, callerId: '', source: 'browser' }),
      }),
    parts.admitBrowser,
  );
  return http;
}
