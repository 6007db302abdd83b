/**
 * `npm run serve:sim`: the real callchart server wired to in-process simulators, so any AudioSocket
 * client (a real Asterisk, the simulated caller, the benchmark) can call it without vendor keys.
 * The STT simulator transcribes the Nth utterance of each call as line N of SIM_CALLER_SCRIPT.
 * SIM_PROFILE=fast|typical picks the provider latencies (sim/profiles.ts); SIM_* knobs still win.
 */
import { startApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { CRASH_DRAIN_MS, handleShutdown, installCrashGuards } from '../src/shutdown.js';
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
const stop = (drainMs: number) => async () => {
  await app.shutdown({ drainMs, goodbyeMs: Math.min(drainMs, 10_000) });
  await stack.close();
};
handleShutdown(log, stop(config.DRAIN_SECONDS * 1000), config.DRAIN_SECONDS * 1000 + 30_000);
installCrashGuards(log, stop(CRASH_DRAIN_MS));
