/**
 * `node --import tsx bench/hold-db-lock.ts <db file> <hold ms>`: another process taking SQLite's write
 * lock (as a sqlite3 shell or a backup would) and holding it. Prints one JSON line when the lock is taken
 * ({"locked": epoch ms}) and one when it is given back ({"released": epoch ms}), then exits.
 * Used by the bench's --hold-db-lock and by the store-lock test.
 */
import Database from 'better-sqlite3';

const [path, holdArg] = process.argv.slice(2);
const holdMs = Number(holdArg);
if (!path || !Number.isFinite(holdMs) || holdMs < 0 || holdMs > 60_000) {
  console.error('usage: hold-db-lock.ts <db file> <hold ms, 0-60000>');
  process.exit(2);
}
const db = new Database(path, { fileMustExist: true });
db.pragma('busy_timeout = 10000');
db.exec('BEGIN IMMEDIATE'); // the write lock, held until COMMIT
console.log(JSON.stringify({ locked: Date.now() }));
// Synchronous on purpose: this process does nothing else while it holds the lock.
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, holdMs);
db.exec('COMMIT');
db.close();
console.log(JSON.stringify({ released: Date.now() }));
