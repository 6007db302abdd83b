import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Logger } from '../log.js';

const KEY_FILE = 'caller-hash.key';

/**
 * The key for caller hashes: CALLER_HASH_KEY when set; otherwise a random key kept beside the
 * database (mode 600), made on first start, so repeat callers are still recognised after a restart.
 * Losing the key only forgets who called before; it never exposes a number.
 */
export function loadCallerHashKey(configured: string, dbPath: string, log: Logger): string {
  if (configured) return configured;
  const path = join(dirname(dbPath), KEY_FILE);
  try {
    const stored = readFileSync(path, 'utf8').trim();
    if (/^[0-9a-f]{64}$/.test(stored)) return stored;
    throw new Error(`${path} does not hold a 64-digit hex key`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const key = randomBytes(32).toString('hex');
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${key}\n`, { mode: 0o600, flag: 'wx' });
  log.warn({ path }, 'CALLER_HASH_KEY is not set: made a caller-hash key beside the database (back it up)');
  return key;
}
