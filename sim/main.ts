/**
 * `npm run sim`: every provider simulator on its own loopback port, for a callchart started
 * separately (npm start with the printed environment) or any other client.
 * Ports: SIM_PORT_BASE (default 18000) + 0 Deepgram, 1 Groq, 2 Cerebras, 3 Anthropic, 4 Cartesia;
 * SIM_PORT_BASE=0 picks free ports. The caller script comes from SIM_CALLER_SCRIPT (a JSON file).
 * SIM_PROFILE=fast|typical picks the provider latencies (sim/profiles.ts); SIM_* knobs still win.
 */

import { z } from 'zod';
import { createLogger } from '../src/log.js';
import { handleShutdown } from '../src/shutdown.js';
import { loadCallerScript, SCRIPT_DIR } from './caller/script.js';
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
// One line a shell can source, then a readable summary.
console.log(
  Object.entries(stack.env)
    .map(([k, v]) => `${k}=${v}`)
    .join(' '),
);
log.info({ ...stack.env, profile: stack.profile }, 'simulators listening');
handleShutdown(log, () => stack.close());
