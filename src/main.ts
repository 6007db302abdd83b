/**
 * callchart server: AudioSocket (Asterisk), FastAGI metadata and /metrics, on the real providers
 * configured in the environment (.env). `npm start`.
 */
import { startApp } from './app.js';
import { ConfigError, describeConfig, loadConfig } from './config.js';
import { createLogger } from './log.js';
import { handleShutdown, installCrashGuards } from './shutdown.js';

try {
  const config = loadConfig();
  const log = createLogger({ level: config.LOG_LEVEL, pretty: config.LOG_PRETTY ?? process.stdout.isTTY });
  log.debug({ config: describeConfig(config) }, 'configuration');
  const app = await startApp(config, log);
  handleShutdown(log, () => app.close());
  installCrashGuards(log, () => app.close());
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(2);
  }
  throw err;
}
