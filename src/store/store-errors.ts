/** Thrown by reads and bookings on a store that has been closed. */
export class StoreClosedError extends Error {
  override name = 'StoreClosedError';
}

/** How many fresh ids to try when a random booking id collides with an existing one. */
export const BOOKING_ID_ATTEMPTS = 5;
