/**
 * `npm run serve:sim`: the real callchart server wired to in-process simulators, so any AudioSocket
 * client (a real Asterisk, the simulated caller, the benchmark) can call it without vendor keys.
 * The STT simulator transcribes the Nth utterance of each call as line N of SIM_CALLER_SCRIPT.
 */
import { startApp } from './app.js';
import { loadConfig } from './config.js';
import { createLogger } from './log.js';
import { handleShutdown, installCrashGuards } from './shutdown.js';
import { loadCallerScript, SCRIPT_DIR } from './sim/caller/script.js';
import { startSimStack } from './sim/stack.js';
import { seedDemoTenants } from './store/tenant-seed.js';

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
