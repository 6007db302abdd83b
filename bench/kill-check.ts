import Database from 'better-sqlite3';
import type { CallOutcome } from './load-generator.js';

/** What the caller gave in the booking script (fixtures/scripts/booking-en.json), as the store keeps it. */
export const BOOKED_DETAILS = {
  customerName: 'Priya Shah',
  postcode: 'NN15 6QP',
  address: '12 Acacia Avenue',
};

export interface KillCheck {
  /** Calls whose caller said every line and heard the agent close the call: the confirmation. */
  heardConfirmed: number;
  /** Of those, the booking is on disk with the details the caller gave. */
  bookingsOnDisk: number;
  /** Heard confirmed, not on disk (or not with the caller's details). Target 0. */
  lostBookings: number;
  /** Rows a crash left incomplete: calls never closed, bookings missing a field, turns of no call. */
  halfWrittenRows: number;
  /** Calls the kill cut (the line dropped with no hang-up) that have a call row. */
  callsCutByKill: number;
  /** Of those, stored as `interrupted` by the restart. Target: all of them. */
  cutCallsInterrupted: number;
  /** Every call row with the `interrupted` outcome. */
  interruptedCalls: number;
  integrity: string;
}

/**
 * The callers' side against the database, read after the server restarted on it and stopped: every
 * booking a caller heard confirmed is there with their details, and nothing is half written.
 * "Heard confirmed" is what a caller can tell: they gave every detail, were answered, and the agent
 * said its last words and hung up itself (a hang-up frame, not a dropped line). The simulated voice
 * is not intelligible, so the apology for a booking that could not be stored counts as well; it
 * promises the details were kept, so that booking must be on disk too (the journal is replayed at
 * start).
 */
export function checkAfterKill(
  dbPath: string,
  outcomes: readonly CallOutcome[],
  killedAtMs: number,
): KillCheck {
  const db = new Database(dbPath, { readonly: true });
  try {
    const booking = db.prepare('SELECT * FROM bookings WHERE call_id = ?');
    const call = db.prepare('SELECT outcome FROM calls WHERE call_id = ?').pluck();
    let heardConfirmed = 0;
    let bookingsOnDisk = 0;
    let callsCutByKill = 0;
    let cutCallsInterrupted = 0;
    for (const o of outcomes) {
      if (!o.uuid) continue;
      if (o.completed && o.endReason === 'server-hangup') {
        heardConfirmed++;
        const b = booking.get(o.uuid) as Record<string, unknown> | undefined;
        if (
          b?.customer_name === BOOKED_DETAILS.customerName &&
          b.postcode === BOOKED_DETAILS.postcode &&
          b.address === BOOKED_DETAILS.address
        )
          bookingsOnDisk++;
      }
      const cut = o.endReason === 'server-eof' || o.endReason === 'socket-error';
      const liveAtKill = o.startMs <= killedAtMs && o.startMs + o.durationMs >= killedAtMs;
      const outcome = call.get(o.uuid);
      if (cut && liveAtKill && outcome !== undefined) {
        callsCutByKill++;
        if (outcome === 'interrupted') cutCallsInterrupted++;
      }
    }
    const count = (sql: string) => Number(db.prepare(sql).pluck().get());
    const halfWrittenRows =
      count('SELECT COUNT(*) FROM calls WHERE ended_at IS NULL OR outcome IS NULL') +
      count(`SELECT COUNT(*) FROM bookings WHERE customer_name = '' OR postcode = '' OR address = ''
               OR problem = '' OR callout_fee IS NULL OR consent IS NULL OR callback_number IS NULL`) +
      count('SELECT COUNT(*) FROM turns WHERE call_id NOT IN (SELECT call_id FROM calls)');
    return {
      heardConfirmed,
      bookingsOnDisk,
      lostBookings: heardConfirmed - bookingsOnDisk,
      halfWrittenRows,
      callsCutByKill,
      cutCallsInterrupted,
      interruptedCalls: count("SELECT COUNT(*) FROM calls WHERE outcome = 'interrupted'"),
      integrity: String(db.prepare('PRAGMA integrity_check').pluck().get()),
    };
  } finally {
    db.close();
  }
}
