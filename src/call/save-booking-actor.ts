import { fromPromise } from 'xstate';
import type { BookingRequest, BookingResult } from '../../machines/call.types.js';
import { type BookingJournal, bookDurably } from '../store/booking-journal.js';
import type { BookingInput, CallStore } from '../store/types.js';
import type { CallLine } from './call-line.js';

export interface SaveBookingDeps {
  line: CallLine;
  store: CallStore;
  journal: BookingJournal;
}

/**
 * The `saveBooking` child, invoked by the workflow's `book` step. It resolves only once the row is
 * committed, so "that's booked" is never said early. A booking that only reached the journal rejects:
 * the chart then apologises (`bookingFailed`) and the journal's replay stores it later.
 */
export function saveBookingActor({ line, store, journal }: SaveBookingDeps) {
  return fromPromise<BookingResult, BookingRequest>(async ({ input }) => {
    const booking: BookingInput = {
      callId: input.callId,
      tenantId: line.tenantId,
      customerName: input.name,
      postcode: input.postcode,
      address: input.address,
      problem: input.problem,
      callerMasked: line.caller.callerMasked,
      callerHash: line.caller.callerHash,
    };
    try {
      const result = await bookDurably(store, journal, booking, line.log);
      if (result.journalled) throw new Error('booking kept in the journal, not yet in the store');
      if (result.created) line.observer.bookingMade(line.tenantId);
      line.log.info({ bookingId: result.booking.id, created: result.created }, 'booking committed');
      return { bookingId: result.booking.id };
    } catch (err) {
      line.log.error({ err }, 'booking not confirmed');
      throw err;
    }
  });
}
