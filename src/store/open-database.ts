import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from './migrations.js';

export const DEFAULT_DB_PATH = 'data/callchart.db';

// Long enough to ride out a backup or a shell holding the lock for a couple of seconds; short enough that a
// booking stuck behind it reaches the journal (and the caller an answer) within a few seconds.
const DEFAULT_BUSY_TIMEOUT_MS = 3000;

export interface OpenDatabaseOptions {
  /**
   * How long a statement waits for a lock held by *another* process (a sqlite3 shell, a backup).
   * better-sqlite3 is synchronous, so the wait blocks the calling thread. The default suits the only
   * places a connection is opened by the server: the store's writer thread, and startup (migrations),
   * before any call is taken. Never run statements on the thread that paces audio.
   */
  busyTimeoutMs?: number;
  /** Run the migrations (default). The store's writer thread opens a database already migrated. */
  migrate?: boolean;
}

/** Opens (creating the directory and file if needed), sets the pragmas and, unless told not to, migrates. */
export function openDatabase(
  path: string = DEFAULT_DB_PATH,
  opts: OpenDatabaseOptions = {},
): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    // First, so that nothing below fails at once on another process's lock.
    db.pragma(`busy_timeout = ${Math.max(0, Math.round(opts.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS))}`);
    // WAL: readers never block the writer, and a commit is one sequential append.
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL survives an application crash; bookings switch to FULL for power loss (see the store).
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    if (opts.migrate ?? true) migrate(db);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}
