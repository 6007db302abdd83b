import type { Logger } from './log.js';

/** After an uncaught exception the process state is unknown: calls get only this long to finish. */
export const CRASH_DRAIN_MS = 5000;

/**
 * SIGINT/SIGTERM: `stop` drains (no new calls, live calls finish or are ended with a goodbye) and
 * the process exits 0. `graceMs` is the backstop if draining itself hangs. The exit is explicit: an
 * attached Stately inspector would otherwise keep reconnecting and hold the process open.
 */
export function handleShutdown(log: Logger, stop: () => Promise<void>, graceMs = 90_000): void {
  let stopping = false;
  const onSignal = (signal: string) => {
    if (stopping) {
      if (signal === 'SIGINT') process.exit(1); // a second Ctrl-C means now
      return; // a repeated SIGTERM (a supervisor insisting) does not cut the goodbyes short
    }
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      log.error({ graceMs }, 'shutdown did not finish in time; exiting');
      process.exit(1);
    }, graceMs);
    force.unref();
    stop()
      .then(() => process.exit(0))
      .catch((err) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
}

/**
 * A stray rejection (an SDK that rejects a promise nobody holds) is logged and the calls go on: one
 * bug must not drop every call in the process. An uncaught exception leaves the process in an
 * unknown state, so it drains the same way as SIGTERM with a short grace, then exits 1 for systemd
 * to restart it.
 */
export function installCrashGuards(log: Logger, stop: () => Promise<void>, graceMs = 30_000): void {
  process.on('unhandledRejection', (reason) => {
    log.error({ err: reason }, 'unhandled promise rejection (continuing)');
  });
  let crashed = false;
  process.on('uncaughtException', (err) => {
    log.fatal({ err }, 'uncaught exception: draining calls, then exiting');
    if (crashed) return;
    crashed = true;
    setTimeout(() => process.exit(1), graceMs).unref();
    stop().finally(() => process.exit(1));
  });
}
