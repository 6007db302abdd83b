/**
 * `npm run serve:sim`: the real callchart server wired to in-process simulators, so any AudioSocket
 * client (a real Asterisk, the simulated caller, the benchmark) can call it without vendor keys.
 * The STT simulator transcribes the Nth utterance of each call as line N of SIM_CALLER_SCRIPT.
 * SIM_PROFILE=fast|typical picks the provider latencies (sim/profiles.ts); SIM_* knobs still win.
 */
import { startApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { handleShutdown, installCrashGuards } from '../src/shutdown.js';
import { seedDemoTenants } from '../src/store/tenant-seed.js';
import { loadCallerScript, SCRIPT_DIR } from './caller/script.js';
import { startSimStack } from './stack.js';

const base = loadConfig();
const log = createLogger({ level: base.LOG_LEVEL, pretty: base.LOG_PRETTY ?? process.stdout.isTTY });
const script = loadCallerScript(base.SIM_CALLER_SCRIPT ?? new URL('booking-en.json', SCRIPT_DIR).pathname);
const stack = await startSimStack({ script, log });
const config = loadConfig({ ...process.env, ...stack.env }, '');
const app = await startApp(config, log);
await seedDemoTenants(app.store);
const close = async () => {
  await app.close();
  await stack.close();
};
handleShutdown(log, close);
installCrashGuards(log, close);
