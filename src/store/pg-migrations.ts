import type { Pool, PoolClient } from 'pg';
import { DEFAULT_TENANT } from './default-tenant.js';

export interface PgMigration {
  version: number;
  name: string;
  up: (client: PoolClient) => Promise<void>;
}

/**
 * The Postgres twin of MIGRATIONS (migrations.ts): same tables, same column names, same version
 * numbers for the same change, so one row mapper (rows.ts) reads both engines. Epoch-ms columns are
 * BIGINT (read back as numbers, see pg-types.ts); flags stay 0/1 integers as in SQLite.
 * Numbered and append-only: never edit a migration that has shipped.
 */
export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    name: 'tenants, calls, turns, bookings',
    up: async (c) => {
      await c.query(`
        CREATE TABLE tenants (
          number_key   TEXT PRIMARY KEY,
          number       TEXT NOT NULL,
          id           TEXT NOT NULL,
          company_name TEXT NOT NULL,
          trade        TEXT NOT NULL,
          trade_label  TEXT NOT NULL,
          callout_fee  INTEGER NOT NULL CHECK (callout_fee >= 0),
          area         TEXT NOT NULL,
          time_zone    TEXT NOT NULL,
          language     TEXT NOT NULL CHECK (language IN ('en', 'es')),
          voice_en     TEXT NOT NULL,
          voice_es     TEXT NOT NULL,
          tier         TEXT NOT NULL CHECK (tier IN ('free', 'pro', 'enterprise')),
          updated_at   BIGINT NOT NULL
        );
        CREATE INDEX tenants_by_id ON tenants (id);

        CREATE TABLE calls (
          call_id                  TEXT PRIMARY KEY,
          tenant_id                TEXT NOT NULL,
          dialled                  TEXT NOT NULL,
          caller_masked            TEXT NOT NULL,
          caller_hash              TEXT NOT NULL,
          language                 TEXT NOT NULL,
          started_at               BIGINT NOT NULL,
          ended_at                 BIGINT,
          outcome                  TEXT,
          duration_ms              BIGINT,
          turns                    INTEGER,
          barge_ins                INTEGER,
          booked                   INTEGER,
          answer_to_first_audio_ms BIGINT,
          provider_errors          INTEGER,
          fallbacks                INTEGER
        );
        CREATE INDEX calls_by_caller ON calls (caller_hash, tenant_id);

        CREATE TABLE turns (
          call_id           TEXT NOT NULL REFERENCES calls (call_id) ON DELETE CASCADE,
          idx               INTEGER NOT NULL,
          step              TEXT NOT NULL,
          caller_text       TEXT NOT NULL,
          agent_text        TEXT NOT NULL,
          barge_in          INTEGER NOT NULL,
          stt_final_ms      DOUBLE PRECISION,
          llm_ttft_ms       DOUBLE PRECISION,
          tts_ttfb_ms       DOUBLE PRECISION,
          mouth_to_ear_ms   DOUBLE PRECISION,
          barge_in_stop_ms  DOUBLE PRECISION,
          llm_provider      TEXT,
          at                BIGINT NOT NULL,
          PRIMARY KEY (call_id, idx)
        );

        -- No foreign key to calls, as in SQLite: a journalled booking must be storable without its call row.
        -- UNIQUE (call_id) is what keeps a call to one booking when two nodes race.
        CREATE TABLE bookings (
          id            TEXT PRIMARY KEY,
          call_id       TEXT NOT NULL UNIQUE,
          tenant_id     TEXT NOT NULL,
          customer_name TEXT NOT NULL,
          postcode      TEXT NOT NULL,
          address       TEXT NOT NULL,
          problem       TEXT NOT NULL,
          caller_masked TEXT NOT NULL,
          caller_hash   TEXT NOT NULL,
          created_at    BIGINT NOT NULL
        );
      `);
    },
  },
  {
    version: 2,
    name: 'default tenant',
    up: async (c) => {
      const t = DEFAULT_TENANT;
      await c.query(
        `INSERT INTO tenants (number_key, number, id, company_name, trade, trade_label, callout_fee, area,
           time_zone, language, voice_en, voice_es, tier, updated_at)
         VALUES ('*', '*', $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0)
         ON CONFLICT (number_key) DO NOTHING`,
        [
          t.id,
          t.companyName,
          t.trade,
          t.tradeLabel,
          t.calloutFee,
          t.area,
          t.timeZone,
          t.language,
          t.voiceIds.en,
          t.voiceIds.es,
          t.tier,
        ],
      );
    },
  },
  {
    version: 3,
    name: 'turn figures: LLM requests before the first audio, speculative replies',
    up: async (c) => {
      await c.query(`
        ALTER TABLE turns ADD COLUMN llm_rounds INTEGER;
        ALTER TABLE turns ADD COLUMN llm_requests INTEGER;
        ALTER TABLE turns ADD COLUMN speculative INTEGER NOT NULL DEFAULT 0;
      `);
    },
  },
  {
    version: 4,
    name: 'tenant transfer number',
    up: async (c) => {
      // Where a "put me through to a person" call goes; NULL means the tenant has none.
      await c.query('ALTER TABLE tenants ADD COLUMN transfer_number TEXT NULL');
    },
  },
];

/** Any constant shared by every node: the advisory lock that lets one node migrate at a time. */
const MIGRATION_LOCK_KEY = 0x63616c6c; // 'call'

/**
 * Applies every migration newer than the database, each in its own transaction with its version row.
 * Several nodes may start at once: a session advisory lock makes the others wait and then find nothing
 * left to do. Returns the versions applied.
 */
export async function migratePg(
  pool: Pool,
  migrations: readonly PgMigration[] = PG_MIGRATIONS,
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

async function applyPending(client: PoolClient, migrations: readonly PgMigration[]): Promise<number[]> {
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
      await m.up(client);
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
