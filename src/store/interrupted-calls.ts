import type { Logger } from '../log.js';
import type { CallStore } from './types.js';

/**
 * At start, before any call is taken: the calls `owner` started and never ended were cut off when its
 * process died (kill -9, a power cut, an OOM kill). They get `ended_at` and the `interrupted` outcome.
 * A failure is logged and start-up goes on: those rows stay open, and the next start tries again.
 */
export async function closeInterruptedCalls(
  store: CallStore,
  owner: string,
  log: Logger,
  opts: { withWorkers?: boolean } = {},
): Promise<void> {
  if (!store.closeInterruptedCalls) return;
  try {
    const closed = await store.closeInterruptedCalls(owner, opts);
    if (closed > 0) log.warn({ calls: closed, owner }, 'calls cut off by the last stop marked interrupted');
  } catch (err) {
    log.error({ err, owner }, 'could not close the calls cut off by the last stop');
  }
}
