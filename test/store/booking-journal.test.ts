import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidBookingError } from '../../src/store/booking-input.js';
import { BookingJournal, bookDurably } from '../../src/store/booking-journal.js';
import { fieldCipher } from '../../src/store/field-cipher.js';
import { SqliteCallStore } from '../../src/store/sqlite-call-store.js';
import type { CallStore } from '../../src/store/types.js';
import { captureLogger } from './capture-logger.js';
import { bookingInput } from './fixtures.js';
import { makeTempDir } from './temp-dir.js';

/** The real store, except that its first `failures` createBooking calls throw like a full disk would. */
function withFailingBookings(store: CallStore, failures: number): CallStore & { attempts: number } {
  let left = failures;
  const wrapped = Object.create(store) as CallStore & { attempts: number };
  wrapped.attempts = 0;
  wrapped.createBooking = async (b) => {
    wrapped.attempts++;
    if (left-- > 0) throw new Error('SQLITE_FULL: database or disk is full');
    return store.createBooking(b);
  };
  return wrapped;
}

describe('BookingJournal', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let store: SqliteCallStore;
  let journalPath: string;

  beforeEach(() => {
    tmp = makeTempDir();
    store = new SqliteCallStore({ path: join(tmp.dir, 'c.db') });
    journalPath = join(tmp.dir, 'journal', 'booking-journal.jsonl');
  });
  afterEach(async () => {
    await store.close();
    tmp.cleanup();
  });

  it('keeps the callback number sealed in the journal too, and the replay stores it readable', async () => {
    const key = Buffer.from(Array.from({ length: 32 }, (_, i) => 3 * i + 1));
    const keyed = new SqliteCallStore({ path: join(tmp.dir, 'c.db'), dataKey: key });
    try {
      const journal = new BookingJournal(journalPath, undefined, Date.now, fieldCipher(key));
      const input = bookingInput('c1', { callbackNumber: '+447700900123', calloutFee: 49, consent: 'yes' });
      expect((await bookDurably(withFailingBookings(keyed, 1), journal, input)).journalled).toBe(true);
      const text = readFileSync(journalPath, 'utf8');
      expect(text).not.toContain('900123');
      expect(text).toContain('gcm1:');
      expect((await journal.pending())[0]?.callbackNumber).toBe('+447700900123');
      expect((await journal.replay(keyed)).replayed).toBe(1);
      expect(await keyed.bookingForCall('c1')).toMatchObject({
        callbackNumber: '+447700900123',
        calloutFee: 49,
        consent: 'yes',
      });
    } finally {
      await keyed.close();
    }
  });

  it('keeps a booking the store failed to write, and replay stores it exactly once', async () => {
    const journal = new BookingJournal(journalPath);
    const failing = withFailingBookings(store, 1);

    const result = await bookDurably(failing, journal, bookingInput('c1'));
    expect(result.journalled).toBe(true);
    expect(await store.bookingForCall('c1')).toBeUndefined();
    expect(await journal.pending()).toEqual([{ ...bookingInput('c1'), id: result.booking.id }]);

    const first = await new BookingJournal(journalPath).replay(store); // as after a restart
    expect(first).toEqual({ replayed: 1, failed: 0, skippedLines: 0 });
    const stored = await store.bookingForCall('c1');
    expect(stored?.id).toBe(result.booking.id); // the reference the caller heard

    const second = await journal.replay(store);
    expect(second).toEqual({ replayed: 0, failed: 0, skippedLines: 0 });
    expect(await journal.pending()).toEqual([]);
  });

  it('journals a booking the store is slow to commit; the late write and the replay leave one booking', async () => {
    const journal = new BookingJournal(journalPath);
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = Object.create(store) as CallStore;
    slow.createBooking = async (b) => {
      await gate; // as a write queued behind another process's lock
      return store.createBooking(b);
    };
    const result = await bookDurably(slow, journal, bookingInput('c1'), { commitWaitMs: 20 });
    expect(result.journalled).toBe(true);
    expect(await journal.pending()).toEqual([{ ...bookingInput('c1'), id: result.booking.id }]);
    release();
    await expect.poll(() => store.bookingForCall('c1')).toMatchObject({ id: result.booking.id });
    expect(await journal.replay(store)).toMatchObject({ failed: 0 });
    expect(await journal.pending()).toEqual([]);
    expect((await store.bookingForCall('c1'))?.id).toBe(result.booking.id);
  });

  it('leaves an entry pending while the store keeps failing', async () => {
    const journal = new BookingJournal(journalPath);
    await bookDurably(withFailingBookings(store, 1), journal, bookingInput('c1'));
    const stillFailing = withFailingBookings(store, 1);
    expect(await journal.replay(stillFailing)).toEqual({ replayed: 0, failed: 1, skippedLines: 0 });
    expect(await journal.pending()).toHaveLength(1);
    expect(await journal.replay(store)).toMatchObject({ replayed: 1, failed: 0 });
  });

  it('does not journal when the store succeeds', async () => {
    const journal = new BookingJournal(journalPath);
    const result = await bookDurably(store, journal, bookingInput('c1'));
    expect(result).toMatchObject({ journalled: false, created: true });
    expect(await journal.pending()).toEqual([]);
  });

  it('rethrows invalid input instead of journalling it', async () => {
    const journal = new BookingJournal(journalPath);
    await expect(bookDurably(store, journal, bookingInput('c1', { postcode: '' }))).rejects.toBeInstanceOf(
      InvalidBookingError,
    );
    expect(await journal.pending()).toEqual([]);
  });

  it('skips a corrupted line with a log line and replays the rest', async () => {
    const { log, lines } = captureLogger();
    const journal = new BookingJournal(journalPath, log);
    await journal.recordPending({ ...bookingInput('c1'), id: 'BK-AAAAAA' });
    appendFileSync(journalPath, '{"type":"pending","at":1,"booking":{"callId":"c2", "customerN\n');
    appendFileSync(journalPath, 'not json at all\n');
    await journal.recordPending({ ...bookingInput('c3'), id: 'BK-BBBBBB' });

    const result = await journal.replay(store);
    expect(result).toEqual({ replayed: 2, failed: 0, skippedLines: 2 });
    expect((await store.bookingForCall('c1'))?.id).toBe('BK-AAAAAA');
    expect((await store.bookingForCall('c3'))?.id).toBe('BK-BBBBBB');
    const warnings = lines().filter((l) => l.msg === 'unreadable booking journal line skipped');
    expect(warnings.map((w) => w.line)).toEqual([2, 3]);
    // The log must not echo the customer data of a broken line.
    expect(JSON.stringify(lines())).not.toContain('customerN');
  });

  it('writes one JSON object per line, fsync-appended', async () => {
    const journal = new BookingJournal(journalPath);
    await Promise.all([
      journal.recordPending({ ...bookingInput('c1'), id: 'BK-AAAAAA' }),
      journal.recordPending({ ...bookingInput('c2'), id: 'BK-BBBBBB' }),
    ]);
    const lines = readFileSync(journalPath, 'utf8').trim().split('\n');
    expect(lines.map((l) => JSON.parse(l).booking.callId)).toEqual(['c1', 'c2']);
  });

  it('treats a missing journal file as empty', async () => {
    const journal = new BookingJournal(join(tmp.dir, 'absent.jsonl'));
    expect(await journal.replay(store)).toEqual({ replayed: 0, failed: 0, skippedLines: 0 });
  });
});
