import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from './migrations.js';

export const DEFAULT_DB_PATH = 'data/callchart.db';

/**
 * How long a write waits for a lock held by *another* process (a sqlite3 shell, a backup). better-sqlite3
 * is synchronous, so this wait blocks the event loop: kept short because the event loop carries audio.
 */
const BUSY_TIMEOUT_MS = 1000;

/** Opens (creating the directory and file if needed), sets the pragmas and runs migrations. */
export function openDatabase(path: string = DEFAULT_DB_PATH): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    // WAL: readers never block the writer, and a commit is one sequential append.
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL survives an application crash; bookings switch to FULL for power loss (see the store).
    db.pragma('synchronous = NORMAL');
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('foreign_keys = ON');
    migrate(db);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}
