import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteCallStore } from '../../src/store/sqlite-call-store.js';
import { callStoreCases, type EngineHarness } from './call-store-cases.js';
import { callRecord, turn } from './fixtures.js';
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

  it('does not write on the caller stack, then commits on the next tick', async () => {
    const started = store.startCall(callRecord('c1'));
    const added = store.addTurn(turn('c1', 0));
    // Nothing has been committed yet: a second connection sees no row.
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
});
