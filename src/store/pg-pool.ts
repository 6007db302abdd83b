import pg from 'pg';
import type { Logger } from '../log.js';

/** Bounds so a slow or unreachable database fails one operation instead of hanging calls. */
const POOL_MAX = 10;
const CONNECT_TIMEOUT_MS = 5000;
const STATEMENT_TIMEOUT_MS = 10_000;

/**
 * BIGINT columns hold epoch milliseconds and durations, far below 2^53: read them as numbers so rows
 * from Postgres have the same shapes as rows from SQLite (pg returns them as strings by default).
 */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 && format !== 'binary'
      ? (v: string) => Number(v)
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/** A connection pool for DATABASE_URL. The URL holds a password: it is never logged. */
export function openPgPool(url: string, log: Logger): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: POOL_MAX,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    application_name: 'callchart',
    types,
  });
  // An idle client whose server went away emits 'error' on the pool; unhandled, that ends the process.
  pool.on('error', (err) => log.error({ err }, 'idle postgres connection failed'));
  return pool;
}

/** Postgres' SQLSTATE for a unique or primary-key violation. */
export function isUniqueViolation(err: unknown): err is { code: string; constraint?: string } {
  return (err as { code?: unknown } | null)?.code === '23505';
}
