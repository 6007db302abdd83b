import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate, schemaVersion } from '../../src/store/migrations.js';
import { openDatabase } from '../../src/store/open-database.js';
import { makeTempDir } from './temp-dir.js';

describe('openDatabase and migrations', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    tmp = makeTempDir();
  });
  afterEach(() => tmp.cleanup());

  it('creates the directory, turns WAL on and sets the pragmas', () => {
    const db = openDatabase(join(tmp.dir, 'nested', 'dir', 'c.db'));
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(Number(db.pragma('busy_timeout', { simple: true }))).toBeGreaterThan(0);
    } finally {
      db.close();
    }
  });

  it('applies every migration once and nothing on reopen', () => {
    const path = join(tmp.dir, 'c.db');
    const latest = Math.max(...MIGRATIONS.map((m) => m.version));
    openDatabase(path).close();
    const db = new Database(path);
    try {
      expect(schemaVersion(db)).toBe(latest);
      expect(migrate(db)).toEqual([]);
      const rows = db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all();
      expect(rows).toEqual(MIGRATIONS.map((m) => m.version));
      expect(db.prepare("SELECT COUNT(*) FROM tenants WHERE number_key = '*'").pluck().get()).toBe(1);
    } finally {
      db.close();
    }
    openDatabase(path).close(); // a second open must not fail on existing tables
  });

  it('rolls back a failing migration together with its version row', () => {
    const db = new Database(':memory:');
    try {
      const broken = [
        ...MIGRATIONS,
        {
          version: 999,
          name: 'half done',
          statements: () => [{ sql: 'CREATE TABLE half (x INTEGER)' }, { sql: 'THIS IS NOT SQL' }],
        },
      ];
      expect(() => migrate(db, broken)).toThrow();
      expect(schemaVersion(db)).toBe(Math.max(...MIGRATIONS.map((m) => m.version)));
      expect(db.prepare("SELECT COUNT(*) FROM sqlite_master WHERE name = 'half'").pluck().get()).toBe(0);
    } finally {
      db.close();
    }
  });
});
