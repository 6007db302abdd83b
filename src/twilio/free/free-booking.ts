import type { BookingRequest, BookingResult } from '../../../machines/call.types.js';
import { bookingInputOf } from '../../call/booking-input-of.js';
import type { CallObserver } from '../../call/observer.js';
import { BookingJournalledError } from '../../call/save-booking-actor.js';
import type { Logger } from '../../log.js';
import { type BookingJournal, bookDurably } from '../../store/booking-journal.js';
import type { CallStore } from '../../store/types.js';
import type { CallerContext } from '../../tenants/resolve-call-context.js';

/**
 * The Free tier's `saveBooking`: the same durable write as a voice call's. It resolves only once the
 * row is committed; a booking that only reached the journal rejects, so the chart apologises and the
 * journal's replay stores it later.
 */
export async function saveFreeTierBooking(
  input: BookingRequest,
  caller: CallerContext,
  deps: { store: CallStore; journal: BookingJournal; observer: CallObserver; log: Logger },
): Promise<BookingResult> {
  const result = await bookDurably(deps.store, deps.journal, bookingInputOf(input, caller), {
    log: deps.log,
  });
  // The same error as a voice call's: the chart may then say the details were kept (they were).
  if (result.journalled) throw new BookingJournalledError();
  if (result.created) deps.observer.bookingMade(caller.tenant.id);
  deps.log.info({ bookingId: result.booking.id, created: result.created }, 'booking committed');
  return { bookingId: result.booking.id };
}
