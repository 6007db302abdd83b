import { fromPromise } from 'xstate';
import type { BookingKeptError, BookingRequest, BookingResult } from '../../machines/call.types.js';
import { type BookingJournal, bookDurably } from '../store/booking-journal.js';
import type { CallStore } from '../store/types.js';
import { bookingInputOf } from './booking-input-of.js';
import type { CallLine } from './call-line.js';

export class BookingJournalledError extends Error implements BookingKeptError {
  override name = 'BookingJournalledError';
  readonly bookingKept = true as const;
  constructor() {
    super('booking kept in the journal, not yet in the store');
  }
}

export interface SaveBookingDeps {
  line: CallLine;
  store: CallStore;
  journal: BookingJournal;
}

/**
 * The `saveBooking` child, invoked by the workflow's `book` step. It resolves only once the row is
 * committed, so "that's booked" is never said early. A booking that only reached the journal rejects
 * with a BookingKeptError: the chart apologises and says the details were kept (true: the journal was
 * fsync'd), and the journal's replay stores it later. If the journal failed too, the rejection is plain
 * and the apology promises nothing.
 */
export function saveBookingActor({ line, store, journal }: SaveBookingDeps) {
  return fromPromise<BookingResult, BookingRequest>(async ({ input }) => {
    try {
      const result = await bookDurably(store, journal, bookingInputOf(input, line.caller), { log: line.log });
      if (result.journalled) throw new BookingJournalledError();
      if (result.created) line.observer.bookingMade(line.tenantId);
      line.log.info(
        { bookingId: result.booking.id, created: result.created, revision: input.revision },
        'booking committed',
      );
      return { bookingId: result.booking.id };
    } catch (err) {
      line.log.error({ err }, 'booking not confirmed');
      throw err;
    }
  });
}
