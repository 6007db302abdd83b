import type { Logger } from '../log.js';

/** Thrown by reads and bookings on a store that has been closed. */
export class StoreClosedError extends Error {
  override name = 'StoreClosedError';
}

/** How many fresh ids to try when a random booking id collides with an existing one. */
export const BOOKING_ID_ATTEMPTS = 5;

/** Reads and bookings on a closed store fail. */
export function assertOpen(closed: boolean): void {
  if (closed) throw new StoreClosedError('store is closed');
}

/** Write-behind writes never reject: after close they are logged and dropped. True when dropped. */
export function droppedAfterClose(closed: boolean, log: Logger, kind: string, callId: string): boolean {
  if (closed) log.warn({ kind, callId }, 'store write after close dropped');
  return closed;
}
