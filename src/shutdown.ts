import type { Logger } from './log.js';

/**
 * SIGINT/SIGTERM: stop taking calls, let the ones in progress end (bounded), then exit explicitly —
 * an attached Stately inspector would otherwise keep reconnecting and hold the process open.
 */
export function handleShutdown(log: Logger, close: () => Promise<void>, graceMs = 15_000): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(1); // a second Ctrl-C means now
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), graceMs);
    force.unref();
    close()
      .then(() => process.exit(0))
      .catch((err) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
