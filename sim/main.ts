/**
 * `npm run sim`: every provider simulator on its own loopback port, for a callchart started
 * separately (npm start with the printed environment) or any other client.
 * Ports: SIM_PORT_BASE (default 18000) + 0 Deepgram, 1 Groq, 2 Cerebras, 3 Anthropic, 4 Cartesia;
 * SIM_PORT_BASE=0 picks free ports. The caller script comes from SIM_CALLER_SCRIPT (a JSON file).
 * SIM_PROFILE=fast|typical picks the provider latencies (sim/profiles.ts); SIM_* knobs still win.
 * SIM_CONTEXT_API=1 also serves the context API and prints CONTEXT_API_URL and CONTEXT_API_KEY.
 */

import { z } from 'zod';
import { createLogger } from '../src/log.js';
import { handleShutdown } from '../src/shutdown.js';
import { loadCallerScript, SCRIPT_DIR } from './caller/script.js';
import { startContextApiSim } from './context-api/server.js';
import { knob } from './knobs.js';
import { startSimStack } from './stack.js';

const base = knob(undefined, 'SIM_PORT_BASE', 18000, process.env, z.number().int().min(0).max(65530));
const at = (n: number) => (base === 0 ? 0 : base + n);
const log = createLogger({ level: process.env.LOG_LEVEL ?? 'info' });
const script = loadCallerScript(
  knob(undefined, 'SIM_CALLER_SCRIPT', new URL('booking-en.json', SCRIPT_DIR).pathname),
);
const stack = await startSimStack({
  script,
  ports: { deepgram: at(0), groq: at(1), cerebras: at(2), anthropic: at(3), cartesia: at(4) },
  log,
});
// SIM_CONTEXT_API=1 adds the context API (its faults: SIM_CONTEXT_API_FAULT, sim/context-api/server.ts).
const contextApi = knob(undefined, 'SIM_CONTEXT_API', false) ? await startContextApiSim() : null;
const env = {
  ...stack.env,
  ...(contextApi ? { CONTEXT_API_URL: contextApi.url, CONTEXT_API_KEY: 'sim-key' } : {}),
};
// One line a shell can source, then a readable summary.
console.log(
  Object.entries(env)
    .map(([k, v]) => `${k}=${v}`)
    .join(' '),
);
log.info({ ...env, profile: stack.profile }, 'simulators listening');
handleShutdown(log, async () => {
  await Promise.all([stack.close(), contextApi?.close()]);
});
