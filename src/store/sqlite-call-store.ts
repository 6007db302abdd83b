import type { Worker } from 'node:worker_threads';
import { type Logger, silentLogger } from '../log.js';
import { parseBookingInput } from './booking-input.js';
import { DEFAULT_TENANT } from './default-tenant.js';
import { type FieldCipher, fieldCipher } from './field-cipher.js';
import { DEFAULT_DB_PATH, openDatabase } from './open-database.js';
import {
  type BookingRow,
  bookingFromRow,
  type CallRow,
  callFromRow,
  type StoredCall,
  type TenantRow,
  type TurnRow,
  tenantFromRow,
  turnFromRow,
} from './rows.js';
import { spawnModuleWorker } from './spawn-module-worker.js';
import { fromWireError, type WriterData, type WriterOp, type WriterReply } from './sqlite-writer-protocol.js';
import { assertOpen, droppedAfterClose, StoreClosedError } from './store-errors.js';
import { defaultOwner, type StoreIdentity } from './store-identity.js';
import { dialledNumberKey, tenantNumberKey } from './tenant-number-key.js';
import { parseTenant } from './tenant-schema.js';
import type { Booking, BookingInput, CallEnd, CallRecord, CallStore, Tenant, TurnRecord } from './types.js';
import type { WriteErrorHandler } from './write-behind.js';

// Existing importers take these from here.
export { StoreClosedError, type StoredCall };

export interface SqliteCallStoreOptions extends StoreIdentity {
  /** Database file; created with its directory. Default data/callchart.db. */
  path?: string;
  log?: Logger;
  /** Wall clock (epoch ms) for booking timestamps; tests pin it. */
  now?: () => number;
  /** Told about every write-behind write that failed (already logged). */
  onWriteError?: WriteErrorHandler;
  /** Bound on requests waiting for the writer thread (default SQLITE_MAX_WAITING). */
  maxWaiting?: number;
}

interface Waiting {
  resolve: (r: Extract<WriterReply, { ok: true }>) => void;
  reject: (err: Error) => void;
}

/** Requests waiting on the writer thread (it may sit on another process's lock); past this, new ones fail. */
export const SQLITE_MAX_WAITING = 20_000;

const WRITER_ENTRY = new URL(
  `./sqlite-writer${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`,
  import.meta.url,
);

/**
 * CallStore on better-sqlite3, whose every statement is synchronous. So that no statement ever runs on
 * the event loop that paces call audio, the connection lives on a writer thread (sqlite-writer.ts) and
 * this class only posts to it: a lock held by another process, an fsync or a checkpoint stalls that
 * thread, never a call's frames. (A thread rather than a near-zero busy timeout with retries, because
 * commits, fsyncs and checkpoints block too, lock or no lock.)
 *
 * Call and turn writes are write-behind, batched per tick on the writer thread; their promises never
 * reject (failures are logged and go to `onWriteError`). Bookings resolve only once their own commit
 * with synchronous=FULL is done, because the caller is about to be told "you're booked". The database
 * is opened and migrated here first, synchronously, so a bad path or schema fails at construction.
 */
export class SqliteCallStore implements CallStore {
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly onWriteError: WriteErrorHandler | undefined;
  private readonly writer: Worker;
  private readonly waiting = new Map<number, Waiting>();
  private readonly mode: string;
  private readonly maxWaiting: number;
  private readonly cipher: FieldCipher;
  private nextId = 1;
  /** Set when the writer thread died: everything after it fails fast. */
  private writerGone: Error | undefined;
  /** Calls started and not yet ended in this process; they are not "previous" calls. */
  private readonly activeCalls = new Set<string>();
  private closed = false;

  constructor(opts: SqliteCallStoreOptions = {}) {
    this.log = opts.log ?? silentLogger;
    this.now = opts.now ?? Date.now;
    this.onWriteError = opts.onWriteError;
    this.maxWaiting = opts.maxWaiting ?? SQLITE_MAX_WAITING;
    this.cipher = fieldCipher(opts.dataKey);
    const db = openDatabase(opts.path);
    try {
      this.mode = String(db.pragma('journal_mode', { simple: true }));
    } finally {
      db.close();
    }
    const workerData: WriterData = {
      path: opts.path ?? DEFAULT_DB_PATH,
      owner: opts.owner ?? defaultOwner(),
      ...(opts.dataKey ? { dataKey: opts.dataKey } : {}),
    };
    this.writer = spawnModuleWorker(WRITER_ENTRY, { workerData });
    this.writer.unref(); // referenced only while a request is outstanding
    this.writer.on('message', (r: WriterReply) => this.settle(r));
    this.writer.on('error', (err) => this.writerDied(err));
    this.writer.on('exit', (code) => {
      if (!this.closed) this.writerDied(new Error(`sqlite writer thread exited (${code})`));
    });
  }

  /** Journal mode actually in force ('wal' unless the file system refused it). */
  journalMode(): string {
    return this.mode;
  }

  async tenantForNumber(dialled: string): Promise<Tenant> {
    assertOpen(this.closed);
    const row = (await this.ask({ op: 'tenantForNumber', key: dialledNumberKey(dialled) })).value as
      | TenantRow
      | undefined;
    return row ? tenantFromRow(row) : DEFAULT_TENANT;
  }

  async upsertTenant(t: Tenant): Promise<void> {
    assertOpen(this.closed);
    const tenant = parseTenant(t);
    await this.ask({ op: 'upsertTenant', key: tenantNumberKey(tenant), tenant, updatedAt: this.now() });
  }

  async isRepeatCaller(callerHash: string, tenantId: string): Promise<boolean> {
    assertOpen(this.closed);
    if (!callerHash) return false; // withheld numbers are nobody in particular
    // A handful is enough: all we need is one call that is not in progress right now.
    const limit = this.activeCalls.size + 1;
    const ids = (await this.ask({ op: 'callIdsForCaller', callerHash, tenantId, limit })).value as string[];
    return ids.some((id) => !this.activeCalls.has(id));
  }

  startCall(c: CallRecord): Promise<void> {
    if (droppedAfterClose(this.closed, this.log, 'startCall', c.callId)) return Promise.resolve();
    this.activeCalls.add(c.callId);
    return this.writeBehind('startCall', c.callId, { op: 'startCall', call: c });
  }

  /** Queues the end row and commits everything pending for every call before resolving. */
  endCall(e: CallEnd): Promise<void> {
    if (droppedAfterClose(this.closed, this.log, 'endCall', e.callId)) return Promise.resolve();
    this.activeCalls.delete(e.callId);
    return this.writeBehind('endCall', e.callId, { op: 'endCall', end: e });
  }

  addTurn(t: TurnRecord): Promise<void> {
    if (droppedAfterClose(this.closed, this.log, 'addTurn', t.callId)) return Promise.resolve();
    return this.writeBehind('addTurn', t.callId, { op: 'addTurn', turn: t });
  }

  async createBooking(b: BookingInput): Promise<{ booking: Booking; created: boolean }> {
    assertOpen(this.closed);
    const input = parseBookingInput(b);
    const { value } = await this.ask({ op: 'createBooking', input, createdAt: this.now() });
    const { row, created } = value as { row: BookingRow; created: boolean };
    return { booking: bookingFromRow(row, this.cipher), created };
  }

  async bookingForCall(callId: string): Promise<Booking | undefined> {
    assertOpen(this.closed);
    const row = (await this.ask({ op: 'bookingForCall', callId })).value as BookingRow | undefined;
    return row ? bookingFromRow(row, this.cipher) : undefined;
  }

  async closeInterruptedCalls(owner: string, opts: { withWorkers?: boolean } = {}): Promise<number> {
    assertOpen(this.closed);
    const withWorkers = opts.withWorkers ?? false;
    return (await this.ask({ op: 'closeInterruptedCalls', owner, withWorkers })).value as number;
  }

  async turnsForCall(callId: string): Promise<TurnRecord[]> {
    assertOpen(this.closed);
    return ((await this.ask({ op: 'turnsForCall', callId })).value as TurnRow[]).map(turnFromRow);
  }

  async purgeTranscripts(before: number): Promise<number> {
    assertOpen(this.closed);
    return (await this.ask({ op: 'purgeTranscripts', before })).value as number;
  }

  /** The stored call row (for admin views and tests); undefined if it was never written. */
  async callById(callId: string): Promise<StoredCall | undefined> {
    assertOpen(this.closed);
    const r = (await this.ask({ op: 'callById', callId })).value as CallRow | undefined;
    return r ? callFromRow(r) : undefined;
  }

  /** Commits pending write-behind writes now. */
  async flush(): Promise<void> {
    if (!this.closed) await this.ask({ op: 'flush' });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      if (!this.writerGone) await this.ask({ op: 'close' });
    } finally {
      await this.writer.terminate();
    }
  }

  private writeBehind(kind: string, callId: string, body: WriterOp): Promise<void> {
    const report = (err: unknown) => {
      this.log.error({ err, kind, callId }, 'store write failed');
      this.onWriteError?.({ kind, callId }, err);
    };
    return this.ask(body).then(
      (r) => {
        if (r.warning) this.log.warn({ callId }, r.warning);
        if (r.writeFailed) report(fromWireError(r.writeFailed));
      },
      report, // the writer thread is gone: the write is lost, and said so, but never rejects
    );
  }

  private ask(body: WriterOp): Promise<Extract<WriterReply, { ok: true }>> {
    if (this.writerGone) return Promise.reject(this.writerGone);
    if (this.waiting.size >= this.maxWaiting) return Promise.reject(new Error('store write queue full'));
    const id = this.nextId++;
    if (this.waiting.size === 0) this.writer.ref();
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.writer.postMessage({ id, body });
    });
  }

  private settle(r: WriterReply): void {
    const w = this.waiting.get(r.id);
    if (!w) return;
    this.waiting.delete(r.id);
    if (this.waiting.size === 0) this.writer.unref();
    if (r.ok) w.resolve(r);
    else w.reject(fromWireError(r.error));
  }

  private writerDied(err: Error): void {
    if (this.writerGone) return;
    this.writerGone = err;
    this.log.error({ err }, 'sqlite writer thread stopped; store writes now fail');
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
    this.writer.unref();
  }
}
