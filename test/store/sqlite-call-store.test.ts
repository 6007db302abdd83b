import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteCallStore } from '../../src/store/sqlite-call-store.js';
import { callStoreCases, type EngineHarness } from './call-store-cases.js';
import { bookingInput, callRecord, turn } from './fixtures.js';
import { makeTempDir } from './temp-dir.js';

/** Each test gets its own database file; `countRows` reads it through a separate read-only connection. */
function sqliteHarness(): EngineHarness & { path: () => string } {
  let tmp: ReturnType<typeof makeTempDir>;
  let path = '';
  return {
    path: () => path,
    async setup() {
      tmp = makeTempDir();
      path = join(tmp.dir, 'callchart.db');
    },
    async open(opts = {}) {
      return new SqliteCallStore({ path, ...opts });
    },
    async countRows(table) {
      const peek = new Database(path, { readonly: true });
      try {
        return Number(peek.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get());
      } finally {
        peek.close();
      }
    },
    async peekRow(table, callId) {
      const peek = new Database(path, { readonly: true });
      try {
        return peek.prepare(`SELECT * FROM ${table} WHERE call_id = ?`).get(callId) as
          | Record<string, unknown>
          | undefined;
      } finally {
        peek.close();
      }
    },
    async teardown() {
      tmp.cleanup();
    },
  };
}

describe('SqliteCallStore', () => {
  callStoreCases(sqliteHarness);
});

describe('SqliteCallStore, SQLite only', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let path: string;
  let store: SqliteCallStore;

  beforeEach(() => {
    tmp = makeTempDir();
    path = join(tmp.dir, 'callchart.db');
    store = new SqliteCallStore({ path });
  });
  afterEach(async () => {
    await store.close();
    tmp.cleanup();
  });

  it('runs in WAL mode', () => {
    expect(store.journalMode()).toBe('wal');
  });

  it('commits call and turn writes off the caller stack by the time they resolve', async () => {
    // The writer thread commits them: nothing is guaranteed visible synchronously, everything once resolved.
    const started = store.startCall(callRecord('c1'));
    const added = store.addTurn(turn('c1', 0));
    expect(started).toBeInstanceOf(Promise);
    await Promise.all([started, added]);
    const peek = new Database(path, { readonly: true });
    try {
      expect(peek.prepare('SELECT COUNT(*) FROM calls').pluck().get()).toBe(1);
      expect(peek.prepare('SELECT COUNT(*) FROM turns').pluck().get()).toBe(1);
    } finally {
      peek.close();
    }
  });

  it('bounds what waits for the writer thread: past the bound, writes are dropped and reported', async () => {
    const errors: string[] = [];
    const bounded = new SqliteCallStore({ path, maxWaiting: 2, onWriteError: (w) => errors.push(w.callId) });
    await bounded.flush(); // its writer thread is up
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE'); // the writer thread waits on this lock
    let writes: Promise<void>[];
    try {
      writes = ['w1', 'w2', 'w3'].map((id) => bounded.startCall(callRecord(id)));
      await writes[2]; // the third was refused at once
      expect(errors).toEqual(['w3']);
    } finally {
      other.exec('COMMIT');
      other.close();
    }
    await Promise.all(writes);
    expect(errors).toEqual(['w3']);
    expect(await bounded.callById('w1')).toBeDefined();
    expect(await bounded.callById('w3')).toBeUndefined();
    await bounded.close();
  });

  it('fails a booking with the SQLite error code when the database stays locked', async () => {
    await store.flush(); // its writer thread is up
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    try {
      // The writer thread waits its busy timeout (seconds) off the event loop, then gives up.
      await expect(store.createBooking(bookingInput('c1'))).rejects.toMatchObject({ code: 'SQLITE_BUSY' });
    } finally {
      other.exec('COMMIT');
      other.close();
    }
    expect((await store.createBooking(bookingInput('c1'))).created).toBe(true);
  });
});
