/**
 * callchart server: AudioSocket (Asterisk), FastAGI metadata and /metrics, on the real providers
 * configured in the environment (.env). `npm start`.
 */
import { startApp } from './app.js';
import { assertProviderKeys, ConfigError, describeConfig, loadConfig } from './config.js';
import { createLogger } from './log.js';
import { CRASH_DRAIN_MS, handleShutdown, installCrashGuards } from './shutdown.js';
import { startPrimary } from './workers/primary.js';

try {
  const config = loadConfig();
  assertProviderKeys(config);
  const log = createLogger({ level: config.LOG_LEVEL, pretty: config.LOG_PRETTY ?? process.stdout.isTTY });
  log.debug({ config: describeConfig(config) }, 'configuration');
  if (config.WORKERS > 1) {
    // WORKERS > 1: this process answers FastAGI and HTTP; worker processes run the calls.
    const primary = await startPrimary(config, log);
    // Workers drain for DRAIN_SECONDS plus their goodbye; the backstop waits past that.
    handleShutdown(log, () => primary.close(), config.DRAIN_SECONDS * 1000 + 60_000);
    installCrashGuards(log, () => primary.close());
  } else {
    const app = await startApp(config, log);
    const drainMs = config.DRAIN_SECONDS * 1000;
    handleShutdown(log, () => app.shutdown({ drainMs }), drainMs + 30_000);
    installCrashGuards(log, () => app.shutdown({ drainMs: CRASH_DRAIN_MS, goodbyeMs: CRASH_DRAIN_MS }));
  }
} catch (err) {
  // A configuration mistake (exit 2) is not retried by the systemd unit (RestartPreventExitStatus).
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(2);
  }
  throw err;
}
