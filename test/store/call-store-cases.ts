import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BOOKING_ID_PATTERN, InvalidBookingError } from '../../src/store/booking-input.js';
import { DEFAULT_TENANT } from '../../src/store/default-tenant.js';
import { hashCaller } from '../../src/store/phone-number.js';
import type { StoredCall } from '../../src/store/rows.js';
import { StoreClosedError } from '../../src/store/store-errors.js';
import type { CallStore } from '../../src/store/types.js';
import type { WriteErrorHandler } from '../../src/store/write-behind.js';
import { bookingInput, CALLER, callEnd, callRecord, QUICK_FIX, TEST_HASH_KEY, turn } from './fixtures.js';

export interface StoreUnderTest extends CallStore {
  callById(callId: string): Promise<StoredCall | undefined>;
  closeInterruptedCalls(owner: string, opts?: { withWorkers?: boolean }): Promise<number>;
}

export interface StoreOpenOptions {
  now?: () => number;
  onWriteError?: WriteErrorHandler;
  owner?: string;
  dataKey?: Buffer;
}

/** What the shared cases need from an engine: a fresh database per test, stores on it, a second look. */
export interface EngineHarness {
  /** Makes a fresh, empty database for the next test. */
  setup(): Promise<void>;
  /** Opens a store (migrating if needed) on the current test's database. */
  open(opts?: StoreOpenOptions): Promise<StoreUnderTest>;
  /** Row count seen through a separate connection, i.e. only what has been committed. */
  countRows(table: 'calls' | 'turns' | 'bookings'): Promise<number>;
  /** A row as committed, read through a separate connection. */
  peekRow(table: 'calls' | 'bookings', callId: string): Promise<Record<string, unknown> | undefined>;
  teardown(): Promise<void>;
}

const NOW = 1_700_000_100_000;

/**
 * The behaviour every CallStore engine must share, run against SQLite and against a real Postgres.
 * `ctx.store` is reassigned by cases that reopen, so engine-specific tests can use it too.
 */
export function callStoreCases(harness: () => EngineHarness): { store: () => StoreUnderTest } {
  let h: EngineHarness;
  let store: StoreUnderTest;
  const opened: StoreUnderTest[] = [];
  const open = async (opts: StoreOpenOptions = {}) => {
    const s = await h.open(opts);
    opened.push(s);
    return s;
  };

  beforeEach(async () => {
    h = harness();
    await h.setup();
    store = await open({ now: () => NOW });
  });
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
    await h.teardown();
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

    it('keeps a transfer number, and clears it when an update has none', async () => {
      await store.upsertTenant({ ...QUICK_FIX, transferNumber: '+442079460999' });
      expect((await store.tenantForNumber('02012345678')).transferNumber).toBe('+442079460999');
      await store.upsertTenant(QUICK_FIX);
      expect(await store.tenantForNumber('02012345678')).toEqual(QUICK_FIX);
      await expect(store.upsertTenant({ ...QUICK_FIX, transferNumber: '123; Hangup' })).rejects.toThrow();
    });

    it('rejects an invalid tenant without storing it', async () => {
      await expect(store.upsertTenant({ ...QUICK_FIX, calloutFee: -1 })).rejects.toThrow();
      await expect(store.upsertTenant({ ...QUICK_FIX, timeZone: 'Mars/Olympus' })).rejects.toThrow();
      expect((await store.tenantForNumber('02012345678')).id).toBe('default');
    });
  });

  describe('write-behind calls and turns', () => {
    it('commits call and turn rows by the time their promises resolve', async () => {
      await Promise.all([store.startCall(callRecord('c1')), store.addTurn(turn('c1', 0))]);
      expect(await h.countRows('calls')).toBe(1);
      expect(await h.countRows('turns')).toBe(1);
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
      const s = await open({ onWriteError: (w) => errors.push(`${w.kind}:${w.callId}`) });
      void s.startCall(callRecord('c1'));
      void s.addTurn(turn('no-such-call', 0)); // violates the turns -> calls foreign key
      await s.addTurn(turn('c1', 0));
      expect(errors).toEqual(['addTurn:no-such-call']);
      expect(await s.turnsForCall('c1')).toHaveLength(1);
    });

    it('endCall commits the end row and the metrics', async () => {
      void store.startCall(callRecord('c1'));
      await store.endCall(callEnd('c1'));
      const call = await store.callById('c1');
      expect(call).toMatchObject({
        callId: 'c1',
        outcome: 'booked',
        endedAt: 1_700_000_060_000,
        startedAt: 1_700_000_000_000,
        callerMasked: '+44*******123',
        metrics: callEnd('c1').metrics,
      });
    });

    it('close flushes pending writes', async () => {
      void store.startCall(callRecord('c1'));
      void store.addTurn(turn('c1', 0));
      await store.close();
      store = await open();
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
      expect(first.booking).toMatchObject({ customerName: 'Jane Smith', createdAt: NOW });
      expect(await store.bookingForCall('c1')).toEqual(first.booking);
    });

    it('keeps a pre-chosen booking id, and a replay of it is not a second booking', async () => {
      const { booking } = await store.createBooking(bookingInput('c1', { id: 'BK-7Q2M9X' }));
      expect(booking.id).toBe('BK-7Q2M9X');
      const again = await store.createBooking(bookingInput('c1', { id: 'BK-7Q2M9X' }));
      expect(again).toEqual({ booking, created: false });
    });

    it('is committed by the time createBooking resolves', async () => {
      await store.createBooking(bookingInput('c1'));
      expect(await h.countRows('bookings')).toBe(1);
    });

    it('books a call once when two stores on one database race for it', async () => {
      const other = await open({ now: () => NOW });
      const calls = Array.from({ length: 20 }, (_, i) => `race-${i}`);
      const results = await Promise.all(
        calls.map((id) =>
          Promise.all([
            store.createBooking(bookingInput(id, { customerName: 'From Node A' })),
            other.createBooking(bookingInput(id, { customerName: 'From Node B' })),
          ]),
        ),
      );
      for (const [a, b] of results) {
        expect([a.created, b.created].filter(Boolean)).toHaveLength(1);
        expect(b.booking).toEqual(a.booking);
      }
      expect(await h.countRows('bookings')).toBe(calls.length);
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

  describe('booking terms, callback number and corrections', () => {
    const KEY = Buffer.from(Array.from({ length: 32 }, (_, i) => i + 7));
    const terms = { calloutFee: 49, consent: 'Yes please, go ahead.', callbackNumber: '+447700900123' };

    it('keeps the fee quoted, the consent and the callback number with the booking', async () => {
      const { booking } = await store.createBooking(bookingInput('c1', terms));
      expect(booking).toMatchObject({ ...terms, revision: 0 });
      expect(await store.bookingForCall('c1')).toEqual(booking);
      expect((await h.peekRow('bookings', 'c1'))?.callback_number).toBe('+447700900123');
    });

    it('seals the callback number with DATA_KEY: unreadable in the row, read back with the key only', async () => {
      const keyed = await open({ dataKey: KEY });
      const { booking } = await keyed.createBooking(bookingInput('c1', terms));
      expect(booking.callbackNumber).toBe('+447700900123');
      const raw = String((await h.peekRow('bookings', 'c1'))?.callback_number);
      expect(raw).toMatch(/^gcm1:/);
      expect(raw).not.toContain('900123');
      expect((await keyed.bookingForCall('c1'))?.callbackNumber).toBe('+447700900123');
      await expect(store.bookingForCall('c1')).rejects.toThrow(/DATA_KEY/); // opened without the key
      const other = await open({ dataKey: Buffer.from(Array.from({ length: 32 }, (_, i) => 200 - i)) });
      await expect(other.bookingForCall('c1')).rejects.toThrow(/DATA_KEY/);
    });

    it('a correction replaces the details; a late copy of the first version never undoes it', async () => {
      const first = await store.createBooking(bookingInput('c1', { ...terms, id: 'BK-7Q2M9X' }));
      const corrected = bookingInput('c1', {
        ...terms,
        id: 'BK-7Q2M9X',
        address: '14 Acacia Avenue',
        revision: 1,
      });
      const second = await store.createBooking(corrected);
      expect(second.created).toBe(false);
      expect(second.booking).toMatchObject({ id: 'BK-7Q2M9X', address: '14 Acacia Avenue', revision: 1 });
      expect(second.booking.updatedAt).toBe(NOW);
      expect(second.booking.createdAt).toBe(first.booking.createdAt);
      // Idempotent: the same correction again, and the first version replayed late, change nothing.
      expect((await store.createBooking(corrected)).booking).toEqual(second.booking);
      expect((await store.createBooking(bookingInput('c1', { id: 'BK-7Q2M9X' }))).booking).toEqual(
        second.booking,
      );
      expect(await h.countRows('bookings')).toBe(1);
    });
  });

  describe('calls cut off by a crash', () => {
    it('a node closes its own open calls as interrupted, ended at the last thing stored', async () => {
      const a = await open({ owner: 'node-a' });
      const b = await open({ owner: 'node-b' });
      const worker = await open({ owner: 'node-a/worker-1' });
      const lookalike = await open({ owner: 'node-ab' });
      void a.startCall(callRecord('a1'));
      void a.addTurn(turn('a1', 0));
      await a.addTurn(turn('a1', 1));
      await a.createBooking(bookingInput('a1'));
      void a.startCall(callRecord('a2'));
      await a.endCall(callEnd('a2'));
      await b.startCall(callRecord('b1'));
      await worker.startCall(callRecord('w1'));
      await lookalike.startCall(callRecord('x1'));

      // node-a starts again: only its own call still open is closed.
      const restarted = await open({ owner: 'node-a' });
      expect(await restarted.closeInterruptedCalls('node-a')).toBe(1);
      expect(await restarted.callById('a1')).toMatchObject({
        outcome: 'interrupted',
        endedAt: turn('a1', 1).at,
        metrics: { durationMs: turn('a1', 1).at - callRecord('a1').startedAt, turns: 2, booked: true },
      });
      expect((await restarted.callById('a2'))?.outcome).toBe('booked');
      expect((await restarted.callById('b1'))?.endedAt).toBeNull();
      expect((await h.peekRow('calls', 'b1'))?.owner).toBe('node-b');
      // With its worker processes (a primary starting): node-a/worker-1, never node-ab.
      expect(await restarted.closeInterruptedCalls('node-a', { withWorkers: true })).toBe(1);
      expect((await restarted.callById('w1'))?.outcome).toBe('interrupted');
      expect((await restarted.callById('w1'))?.endedAt).toBe(callRecord('w1').startedAt);
      expect((await restarted.callById('x1'))?.endedAt).toBeNull();
      expect(await restarted.closeInterruptedCalls('node-a', { withWorkers: true })).toBe(0);
    });
  });

  it('keeps everything across a reopen', async () => {
    await store.upsertTenant(QUICK_FIX);
    void store.startCall(callRecord('c1'));
    void store.addTurn(turn('c1', 0));
    await store.endCall(callEnd('c1'));
    const { booking } = await store.createBooking(bookingInput('c1'));
    await store.close();

    store = await open();
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

  return { store: () => store };
}
