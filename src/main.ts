/**
 * callchart server: AudioSocket (Asterisk), FastAGI metadata and /metrics, on the real providers
 * configured in the environment (.env). `npm start`.
 */
import { startApp } from './app.js';
import { ConfigError, describeConfig, loadConfig } from './config.js';
import { createLogger } from './log.js';
import { handleShutdown, installCrashGuards } from './shutdown.js';
import { startPrimary } from './workers/primary.js';

try {
  const config = loadConfig();
  const log = createLogger({ level: config.LOG_LEVEL, pretty: config.LOG_PRETTY ?? process.stdout.isTTY });
  log.debug({ config: describeConfig(config) }, 'configuration');
  // WORKERS > 1: this process answers FastAGI and HTTP; worker processes run the calls.
  const app = config.WORKERS > 1 ? await startPrimary(config, log) : await startApp(config, log);
  handleShutdown(log, () => app.close());
  installCrashGuards(log, () => app.close());
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(2);
  }
  throw err;
}
