import type { Pool, PoolClient } from 'pg';
import { MIGRATIONS, type Migration } from './migrations.js';
import { sqlFor } from './sql-dialect.js';

/** Any constant shared by every node: the advisory lock that lets one node migrate at a time. */
const MIGRATION_LOCK_KEY = 0x63616c6c; // 'call'

/**
 * Applies every migration newer than the database, each in its own transaction with its version row.
 * Several nodes may start at once: a session advisory lock makes the others wait and then find nothing
 * left to do. Returns the versions applied.
 */
export async function migratePg(
  pool: Pool,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number[]> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      return await applyPending(client, migrations);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } catch (err) {
    broken = err as Error; // do not hand a connection in an unknown state back to the pool
    throw err;
  } finally {
    client.release(broken);
  }
}

async function applyPending(client: PoolClient, migrations: readonly Migration[]): Promise<number[]> {
  await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at BIGINT NOT NULL
  )`);
  const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
  const applied = new Set(rows.map((r) => r.version));
  const done: number[] = [];
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (applied.has(m.version)) continue;
    await client.query('BEGIN');
    try {
      for (const st of m.statements('postgres')) {
        await client.query(sqlFor('postgres', st.sql), st.params ? [...st.params] : undefined);
      }
      await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
        m.version,
        m.name,
        Date.now(),
      ]);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK');
      throw err;
    }
    done.push(m.version);
  }
  return done;
}

export async function pgSchemaVersion(pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations');
  return rows[0]?.v ?? 0;
}
