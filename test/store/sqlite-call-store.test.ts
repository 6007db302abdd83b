import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BOOKING_ID_PATTERN, InvalidBookingError } from '../../src/store/booking-input.js';
import { DEFAULT_TENANT } from '../../src/store/default-tenant.js';
import { hashCaller } from '../../src/store/phone-number.js';
import { SqliteCallStore, StoreClosedError } from '../../src/store/sqlite-call-store.js';
import { bookingInput, CALLER, callEnd, callRecord, QUICK_FIX, TEST_HASH_KEY, turn } from './fixtures.js';
import { makeTempDir } from './temp-dir.js';

describe('SqliteCallStore', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let path: string;
  let store: SqliteCallStore;

  beforeEach(() => {
    tmp = makeTempDir();
    path = join(tmp.dir, 'callchart.db');
    store = new SqliteCallStore({ path, now: () => 1_700_000_100_000 });
  });
  afterEach(async () => {
    await store.close();
    tmp.cleanup();
  });

  it('runs in WAL mode', () => {
    expect(store.journalMode()).toBe('wal');
  });

  describe('tenants', () => {
    it('falls back to the seeded default tenant for an unknown number', async () => {
      const t = await store.tenantForNumber('01999 000000');
      expect(t).toEqual(DEFAULT_TENANT);
      expect(t).toMatchObject({ companyName: 'Home Services', tradeLabel: 'engineer', calloutFee: 49 });
    });

    it('falls back for a dialled number with no digits', async () => {
      expect((await store.tenantForNumber('unknown')).id).toBe('default');
    });

    it('finds a tenant by any spelling of its dialled number', async () => {
      await store.upsertTenant(QUICK_FIX);
      for (const dialled of ['02012345678', '+442012345678', '442012345678', '0044 20 1234 5678']) {
        expect(await store.tenantForNumber(dialled)).toEqual(QUICK_FIX);
      }
    });

    it('updates a tenant in place', async () => {
      await store.upsertTenant(QUICK_FIX);
      await store.upsertTenant({ ...QUICK_FIX, calloutFee: 55 });
      expect((await store.tenantForNumber('02012345678')).calloutFee).toBe(55);
    });

    it('rejects an invalid tenant without storing it', async () => {
      await expect(store.upsertTenant({ ...QUICK_FIX, calloutFee: -1 })).rejects.toThrow();
      await expect(store.upsertTenant({ ...QUICK_FIX, timeZone: 'Mars/Olympus' })).rejects.toThrow();
      expect((await store.tenantForNumber('02012345678')).id).toBe('default');
    });
  });

  describe('write-behind calls and turns', () => {
    it('does not write on the caller stack, then commits on the next tick', async () => {
      const started = store.startCall(callRecord('c1'));
      const added = store.addTurn(turn('c1', 0));
      // Nothing has been committed yet: a second connection sees no row.
      const { default: Database } = await import('better-sqlite3');
      const peek = new Database(path, { readonly: true });
      try {
        expect(peek.prepare('SELECT COUNT(*) FROM calls').pluck().get()).toBe(0);
        await Promise.all([started, added]);
        expect(peek.prepare('SELECT COUNT(*) FROM calls').pluck().get()).toBe(1);
        expect(peek.prepare('SELECT COUNT(*) FROM turns').pluck().get()).toBe(1);
      } finally {
        peek.close();
      }
    });

    it('returns turns in order, with their latency figures', async () => {
      void store.startCall(callRecord('c1'));
      void store.addTurn(turn('c1', 1, { bargeIn: true, bargeInStopMs: 35 }));
      void store.addTurn(turn('c1', 0));
      const turns = await store.turnsForCall('c1'); // a read flushes what is pending
      expect(turns.map((t) => t.index)).toEqual([0, 1]);
      expect(turns[1]).toEqual(turn('c1', 1, { bargeIn: true, bargeInStopMs: 35 }));
    });

    it('keeps the latest version of a re-sent turn', async () => {
      void store.startCall(callRecord('c1'));
      void store.addTurn(turn('c1', 1, { agentText: 'I can get a plumber out to you today' }));
      void store.addTurn(turn('c1', 1, { agentText: 'I can get a', bargeIn: true }));
      const turns = await store.turnsForCall('c1');
      expect(turns).toHaveLength(1);
      expect(turns[0]).toMatchObject({ agentText: 'I can get a', bargeIn: true });
    });

    it('drops a bad write without losing the rest of its batch', async () => {
      const errors: string[] = [];
      await store.close();
      store = new SqliteCallStore({ path, onWriteError: (w) => errors.push(`${w.kind}:${w.callId}`) });
      void store.startCall(callRecord('c1'));
      void store.addTurn(turn('no-such-call', 0)); // violates the turns -> calls foreign key
      await store.addTurn(turn('c1', 0));
      expect(errors).toEqual(['addTurn:no-such-call']);
      expect(await store.turnsForCall('c1')).toHaveLength(1);
    });

    it('endCall commits the end row and the metrics', async () => {
      void store.startCall(callRecord('c1'));
      await store.endCall(callEnd('c1'));
      const call = await store.callById('c1');
      expect(call).toMatchObject({
        callId: 'c1',
        outcome: 'booked',
        endedAt: 1_700_000_060_000,
        callerMasked: '+44*******123',
        metrics: callEnd('c1').metrics,
      });
    });

    it('close flushes pending writes', async () => {
      void store.startCall(callRecord('c1'));
      void store.addTurn(turn('c1', 0));
      await store.close();
      store = new SqliteCallStore({ path });
      expect(await store.turnsForCall('c1')).toHaveLength(1);
    });
  });

  describe('repeat callers', () => {
    const hash = hashCaller(CALLER, TEST_HASH_KEY);

    it('a first-time caller is not a repeat caller, even while their call is in progress', async () => {
      expect(await store.isRepeatCaller(hash, 'quick-fix-plumbing')).toBe(false);
      void store.startCall(callRecord('c1'));
      expect(await store.isRepeatCaller(hash, 'quick-fix-plumbing')).toBe(false);
    });

    it('a caller with an earlier call to the same tenant is a repeat caller', async () => {
      void store.startCall(callRecord('c1'));
      await store.endCall(callEnd('c1'));
      void store.startCall(callRecord('c2'));
      expect(await store.isRepeatCaller(hash, 'quick-fix-plumbing')).toBe(true);
      expect(await store.isRepeatCaller(hash, 'spark-electrical')).toBe(false);
      expect(await store.isRepeatCaller(hashCaller('07700900999', TEST_HASH_KEY), 'quick-fix-plumbing')).toBe(
        false,
      );
    });

    it('a withheld number is never a repeat caller', async () => {
      void store.startCall(callRecord('c1', { callerHash: '' }));
      await store.endCall(callEnd('c1'));
      expect(await store.isRepeatCaller('', 'quick-fix-plumbing')).toBe(false);
    });
  });

  describe('bookings', () => {
    it('is idempotent per call: one row, created then not created', async () => {
      void store.startCall(callRecord('c1'));
      const first = await store.createBooking(bookingInput('c1'));
      const second = await store.createBooking(bookingInput('c1', { customerName: 'Someone Else' }));
      expect(first.created).toBe(true);
      expect(second.created).toBe(false);
      expect(second.booking).toEqual(first.booking);
      expect(first.booking.id).toMatch(BOOKING_ID_PATTERN);
      expect(first.booking).toMatchObject({ customerName: 'Jane Smith', createdAt: 1_700_000_100_000 });
      expect(await store.bookingForCall('c1')).toEqual(first.booking);
    });

    it('keeps a pre-chosen booking id', async () => {
      const { booking } = await store.createBooking(bookingInput('c1', { id: 'BK-7Q2M9X' }));
      expect(booking.id).toBe('BK-7Q2M9X');
    });

    it('is committed by the time createBooking resolves', async () => {
      await store.createBooking(bookingInput('c1'));
      const { default: Database } = await import('better-sqlite3');
      const peek = new Database(path, { readonly: true });
      try {
        expect(peek.prepare('SELECT COUNT(*) FROM bookings').pluck().get()).toBe(1);
      } finally {
        peek.close();
      }
    });

    it('rejects invalid input with InvalidBookingError', async () => {
      await expect(store.createBooking(bookingInput('c1', { customerName: '  ' }))).rejects.toBeInstanceOf(
        InvalidBookingError,
      );
      await expect(store.createBooking(bookingInput('c1', { id: 'not-an-id' }))).rejects.toBeInstanceOf(
        InvalidBookingError,
      );
      expect(await store.bookingForCall('c1')).toBeUndefined();
    });

    it('returns undefined for a call without a booking', async () => {
      expect(await store.bookingForCall('nobody')).toBeUndefined();
    });
  });

  it('keeps everything across a reopen', async () => {
    await store.upsertTenant(QUICK_FIX);
    void store.startCall(callRecord('c1'));
    void store.addTurn(turn('c1', 0));
    await store.endCall(callEnd('c1'));
    const { booking } = await store.createBooking(bookingInput('c1'));
    await store.close();

    store = new SqliteCallStore({ path });
    expect(await store.tenantForNumber('+442012345678')).toEqual(QUICK_FIX);
    expect(await store.turnsForCall('c1')).toEqual([turn('c1', 0)]);
    expect(await store.bookingForCall('c1')).toEqual(booking);
    expect((await store.callById('c1'))?.outcome).toBe('booked');
  });

  it('refuses reads and bookings after close, and drops late writes quietly', async () => {
    await store.close();
    await expect(store.createBooking(bookingInput('c1'))).rejects.toBeInstanceOf(StoreClosedError);
    await expect(store.tenantForNumber('02012345678')).rejects.toBeInstanceOf(StoreClosedError);
    await expect(store.addTurn(turn('c1', 0))).resolves.toBeUndefined();
    await store.close(); // idempotent
  });
});
