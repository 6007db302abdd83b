import type { Admission } from '../admission/admission.js';
import type { Config } from '../config.js';
import { type AgentCheckServer, startAgentCheckServer } from '../http/agent-check.js';
import { type ReadinessOptions, readiness } from '../http/readiness.js';
import type { Logger } from '../log.js';

/**
 * The HAProxy agent-check server when AGENT_CHECK_ENABLED: it reports this node's readiness and free
 * call slots so the load balancer weights FastAGI across nodes. Null otherwise.
 */
export async function startAgentCheckFromConfig(
  config: Config,
  log: Logger,
  parts: { admission: Admission; readiness: ReadinessOptions; draining: () => boolean },
): Promise<AgentCheckServer | null> {
  if (!config.AGENT_CHECK_ENABLED) return null;
  const { admission } = parts;
  return startAgentCheckServer({
    host: config.AGENT_CHECK_HOST,
    port: config.AGENT_CHECK_PORT,
    log,
    state: async () => ({
      draining: parts.draining(),
      ready: (await readiness(parts.readiness)).ready,
      refusing: admission.wouldRefuse() !== undefined,
      freeSlots: admission.freeSlots(),
      maxCalls: config.MAX_CALLS,
    }),
  });
}
