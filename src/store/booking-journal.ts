import { mkdir, open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { type Logger, silentLogger } from '../log.js';
import { withTimeout } from '../with-timeout.js';
import { bookingInputSchema, InvalidBookingError, newBookingId } from './booking-input.js';
import { type FieldCipher, fieldCipher } from './field-cipher.js';
import type { Booking, BookingInput, CallStore } from './types.js';

export const DEFAULT_JOURNAL_PATH = 'data/booking-journal.jsonl';

const pendingEntry = z.object({
  type: z.literal('pending'),
  at: z.number(),
  // The callback number is kept sealed here as in the store (DATA_KEY); it is checked once opened.
  booking: bookingInputSchema.extend({
    id: bookingInputSchema.shape.id.unwrap(),
    callbackNumber: z.string().max(200).optional(),
  }),
  reason: z.string().optional(),
});
const doneEntry = z.object({
  type: z.literal('done'),
  at: z.number(),
  callId: z.string(),
  bookingId: z.string(),
});
const journalEntry = z.discriminatedUnion('type', [pendingEntry, doneEntry]);
type JournalEntry = z.infer<typeof journalEntry>;

export type JournalledBooking = BookingInput & { id: string };

export interface ReplayResult {
  /** Bookings now in the store that were only in the journal before. */
  replayed: number;
  /** Still failing; they stay pending for the next replay. */
  failed: number;
  /** Unreadable lines ignored (each logged). */
  skippedLines: number;
}

/**
 * Append-only JSONL safety net for bookings: when the store cannot write a booking the caller has been
 * promised, it is appended here (fsync'd) and replayed into the store at the next start. A `done` line
 * marks a replayed entry, so the file never needs rewriting; replay is idempotent in any case because
 * createBooking is idempotent per call.
 */
export class BookingJournal {
  /** Serialises appends so lines never interleave. */
  private tail: Promise<void> = Promise.resolve();
  /** Calls with a pending entry, as far as this process knows: loaded by every read, kept by appends. */
  private pendingCalls: Set<string> | undefined;

  constructor(
    readonly path: string = DEFAULT_JOURNAL_PATH,
    private readonly log: Logger = silentLogger,
    private readonly now: () => number = Date.now,
    private readonly cipher: FieldCipher = fieldCipher(),
  ) {}

  /** Durably records a booking that could not be stored. Resolves once the line is on disk. */
  async recordPending(booking: JournalledBooking, reason?: string): Promise<void> {
    const sealed = booking.callbackNumber
      ? { ...booking, callbackNumber: this.cipher.seal(booking.callbackNumber, booking.callId) }
      : booking;
    await this.append({ type: 'pending', at: this.now(), booking: sealed, reason });
    this.pendingCalls?.add(booking.callId);
  }

  /** Entries waiting to reach the store, as of the last read and this process's appends since. */
  pendingCount(): number | undefined {
    return this.pendingCalls?.size;
  }

  /** Entries still waiting to reach the store, oldest first (the last pending line per call wins). */
  async pending(): Promise<JournalledBooking[]> {
    const { entries } = await this.read();
    return [...pendingByCall(entries).values()].map((b) => this.opened(b));
  }

  /** Retries every pending entry against the store: at startup, then in the background (JournalReplayer). */
  async replay(store: CallStore): Promise<ReplayResult> {
    const { entries, skippedLines } = await this.read();
    const result: ReplayResult = { replayed: 0, failed: 0, skippedLines };
    for (const sealed of pendingByCall(entries).values()) {
      try {
        const booking = this.opened(sealed);
        const { booking: stored, created } = await store.createBooking(booking);
        await this.append({ type: 'done', at: this.now(), callId: booking.callId, bookingId: stored.id });
        this.pendingCalls?.delete(booking.callId);
        if (created) result.replayed++;
        this.log.info(
          { callId: booking.callId, bookingId: stored.id, created },
          'journalled booking replayed',
        );
      } catch (err) {
        result.failed++;
        this.log.error({ err, callId: sealed.callId }, 'journalled booking still not stored');
      }
    }
    return result;
  }

  private opened(b: JournalledBooking): JournalledBooking {
    return b.callbackNumber ? { ...b, callbackNumber: this.cipher.open(b.callbackNumber, b.callId) } : b;
  }

  private append(entry: JournalEntry): Promise<void> {
    const line = `${JSON.stringify(entry)}\n`;
    const write = this.tail.then(async () => {
      await mkdir(dirname(this.path), { recursive: true });
      const fh = await open(this.path, 'a');
      try {
        await fh.appendFile(line, 'utf8');
        await fh.sync();
      } finally {
        await fh.close();
      }
    });
    // The chain must survive a failed append, while this caller still sees the failure.
    this.tail = write.catch(() => undefined);
    return write;
  }

  private async read(): Promise<{ entries: JournalEntry[]; skippedLines: number }> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        this.pendingCalls = new Set();
        return { entries: [], skippedLines: 0 };
      }
      throw err;
    }
    const entries: JournalEntry[] = [];
    let skippedLines = 0;
    text.split('\n').forEach((line, i) => {
      if (!line.trim()) return;
      const entry = parseLine(line);
      if (entry) entries.push(entry);
      else {
        skippedLines++;
        // The line itself may hold customer data: log its position, not its content.
        this.log.warn({ path: this.path, line: i + 1 }, 'unreadable booking journal line skipped');
      }
    });
    this.pendingCalls = new Set(pendingByCall(entries).keys());
    return { entries, skippedLines };
  }
}

function parseLine(line: string): JournalEntry | undefined {
  try {
    const parsed = journalEntry.safeParse(JSON.parse(line));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function pendingByCall(entries: JournalEntry[]): Map<string, JournalledBooking> {
  const pending = new Map<string, JournalledBooking>();
  for (const e of entries) {
    if (e.type === 'pending') pending.set(e.booking.callId, e.booking);
    else pending.delete(e.callId);
  }
  return pending;
}

export interface DurableBookingResult {
  booking: Booking;
  created: boolean;
  /** True when the store failed and the booking lives only in the journal until replay. */
  journalled: boolean;
}

/**
 * How long a caller waits for the store to commit a booking. A store stuck behind another process's
 * lock (SQLite's busy timeout applies to every queued write in turn) or a slow network would otherwise
 * hold the caller in silence; past this the booking goes to the journal instead.
 */
export const BOOKING_COMMIT_WAIT_MS = 2500;

export interface BookDurablyOptions {
  log?: Logger;
  now?: () => number;
  commitWaitMs?: number;
}

/**
 * The one booking policy (the call's `saveBooking` actor uses it): the id is chosen up front, so the
 * store and the journal hold the same reference. Invalid input is rethrown (no retry could fix it); any
 * other store failure, or a commit slower than `commitWaitMs`, goes to the journal and comes back as
 * `journalled`. The call then apologises that it could not confirm the booking and says the details
 * were kept, which is true because the journal was fsync'd; the booking reaches the store when the
 * journal is replayed (a slow write that lands after all makes that replay a no-op: one booking per
 * call). If the journal fails too, that error is thrown.
 */
export async function bookDurably(
  store: CallStore,
  journal: BookingJournal,
  input: BookingInput,
  opts: BookDurablyOptions = {},
): Promise<DurableBookingResult> {
  const { log = silentLogger, now = Date.now, commitWaitMs = BOOKING_COMMIT_WAIT_MS } = opts;
  const withId: JournalledBooking = { ...input, id: input.id ?? newBookingId() };
  const write = store.createBooking(withId);
  // A write that outlives the wait may still fail; the journal holds the booking either way.
  write.catch(() => {});
  try {
    const { booking, created } = await withTimeout(
      write,
      commitWaitMs,
      `booking not committed within ${commitWaitMs} ms`,
    );
    return { booking, created, journalled: false };
  } catch (err) {
    if (err instanceof InvalidBookingError) throw err;
    log.error({ err, callId: input.callId }, 'booking write failed; journalling it');
    await journal.recordPending(withId, err instanceof Error ? err.message : String(err));
    return {
      booking: { ...withId, revision: withId.revision ?? 0, createdAt: now() },
      created: true,
      journalled: true,
    };
  }
}
