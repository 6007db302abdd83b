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

/**
 * A stray rejection (an SDK that rejects a promise nobody holds) is logged and the calls go on: one
 * bug must not drop every call in the process. An uncaught exception leaves the process in an
 * unknown state, so it stops taking calls, lets the ones in progress finish (bounded) and exits for
 * systemd to restart it.
 */
export function installCrashGuards(log: Logger, close: () => Promise<void>, graceMs = 30_000): void {
  process.on('unhandledRejection', (reason) => {
    log.error({ err: reason }, 'unhandled promise rejection (continuing)');
  });
  process.on('uncaughtException', (err) => {
    log.fatal({ err }, 'uncaught exception: draining calls, then exiting');
    setTimeout(() => process.exit(1), graceMs).unref();
    close().finally(() => process.exit(1));
  });
}
