import type { Config } from '../config.js';
import type { HttpServer } from '../http/http-server.js';
import type { Logger } from '../log.js';
import type { LlmClient } from '../providers/llm/types.js';
import { respond } from './respond.js';
import { respondDepsFromConfig } from './respond-deps.js';
import { RESPOND_PATH, respondRoute } from './respond-route.js';
import type { TenantLookup } from './tenant-lookup.js';

/** Mounts POST /v1/respond on the internal HTTP server, sharing the calls' LLM chain and tenants. */
export function registerRespondRoute(
  http: HttpServer,
  config: Config,
  log: Logger,
  parts: { llm: LlmClient; tenants: TenantLookup },
): void {
  const deps = respondDepsFromConfig(config, log, parts);
  http.addRoute(
    'POST',
    RESPOND_PATH,
    respondRoute({
      respond: (req) => respond(req, deps),
      tokens: [config.DASHBOARD_TOKEN, config.RESPOND_API_TOKEN],
      maxBodyBytes: config.RESPOND_MAX_BODY_BYTES,
      timeoutMs: config.RESPOND_TIMEOUT_MS,
      log,
    }),
  );
}
