import type Database from 'better-sqlite3';
import { DEFAULT_TENANT } from './default-tenant.js';
import type { Engine, SqlValue } from './sql-dialect.js';

/** One SQL statement of a migration; `?` placeholders (numbered for Postgres by sqlFor). */
export interface Statement {
  sql: string;
  params?: readonly SqlValue[];
}

/**
 * One schema change, for both engines: the same tables, the same column names, the same version
 * numbers, so one row mapper (rows.ts) reads both. Where the engines' SQL differs, `statements` gets
 * the engine: epoch-ms columns are BIGINT in Postgres (read back as numbers, see pg-pool.ts), REAL is
 * DOUBLE PRECISION, and SQLite tables are STRICT. Flags stay 0/1 integers in both.
 */
export interface Migration {
  version: number;
  name: string;
  statements: (engine: Engine) => Statement[];
}

const TYPES: Record<Engine, { epochMs: string; real: string; strict: string }> = {
  sqlite: { epochMs: 'INTEGER', real: 'REAL', strict: ' STRICT' },
  postgres: { epochMs: 'BIGINT', real: 'DOUBLE PRECISION', strict: '' },
};

/**
 * Numbered, append-only. Never edit a migration that has shipped: add the next number instead.
 * Each runs in its own transaction together with its schema_migrations row, so a crash mid-way leaves
 * the database at the previous version.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'tenants, calls, turns, bookings',
    statements: (engine) => {
      const { epochMs, real, strict } = TYPES[engine];
      return [
        {
          sql: `
        CREATE TABLE tenants (
          number_key   TEXT PRIMARY KEY,          -- normaliseNumber(number); '*' for the default tenant
          number       TEXT NOT NULL,             -- as configured, for display
          id           TEXT NOT NULL,             -- one company may own several numbers
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
          updated_at   ${epochMs} NOT NULL
        )${strict};
        CREATE INDEX tenants_by_id ON tenants (id);

        CREATE TABLE calls (
          call_id                  TEXT PRIMARY KEY,
          tenant_id                TEXT NOT NULL,
          dialled                  TEXT NOT NULL,
          caller_masked            TEXT NOT NULL,
          caller_hash              TEXT NOT NULL,
          language                 TEXT NOT NULL,
          started_at               ${epochMs} NOT NULL,
          ended_at                 ${epochMs},
          outcome                  TEXT,
          duration_ms              ${epochMs},
          turns                    INTEGER,
          barge_ins                INTEGER,
          booked                   INTEGER,
          answer_to_first_audio_ms ${epochMs},
          provider_errors          INTEGER,
          fallbacks                INTEGER
        )${strict};
        CREATE INDEX calls_by_caller ON calls (caller_hash, tenant_id);

        CREATE TABLE turns (
          call_id           TEXT NOT NULL REFERENCES calls (call_id) ON DELETE CASCADE,
          idx               INTEGER NOT NULL,
          step              TEXT NOT NULL,
          caller_text       TEXT NOT NULL,
          agent_text        TEXT NOT NULL,
          barge_in          INTEGER NOT NULL,
          stt_final_ms      ${real},
          llm_ttft_ms       ${real},
          tts_ttfb_ms       ${real},
          mouth_to_ear_ms   ${real},
          barge_in_stop_ms  ${real},
          llm_provider      TEXT,
          at                ${epochMs} NOT NULL,
          PRIMARY KEY (call_id, idx)
        )${strict};

        -- No foreign key to calls on purpose: a booking the caller was told about must be storable
        -- even if the call row itself failed to write (journal replay after a crash).
        -- UNIQUE (call_id) is what keeps a call to one booking, also when two nodes race.
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
          created_at    ${epochMs} NOT NULL
        )${strict};`,
        },
      ];
    },
  },
  {
    version: 2,
    name: 'default tenant',
    // A migration is frozen once shipped: it names its own columns rather than reuse tenantParams(),
    // which follows today's schema (later migrations add columns this one must not write).
    statements: () => {
      const t = DEFAULT_TENANT;
      return [
        {
          sql: `INSERT INTO tenants (number_key, number, id, company_name, trade, trade_label, callout_fee, area,
           time_zone, language, voice_en, voice_es, tier, updated_at)
         VALUES ('*', '*', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)
         ON CONFLICT (number_key) DO NOTHING`,
          params: [
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
        },
      ];
    },
  },
  {
    version: 3,
    name: 'turn figures: LLM requests before the first audio, speculative replies',
    statements: () => [
      { sql: 'ALTER TABLE turns ADD COLUMN llm_rounds INTEGER' },
      { sql: 'ALTER TABLE turns ADD COLUMN llm_requests INTEGER' },
      { sql: 'ALTER TABLE turns ADD COLUMN speculative INTEGER NOT NULL DEFAULT 0' },
    ],
  },
  {
    version: 4,
    name: 'tenant transfer number',
    // Where a "put me through to a person" call goes; NULL means the tenant has none.
    statements: () => [{ sql: 'ALTER TABLE tenants ADD COLUMN transfer_number TEXT NULL' }],
  },
  {
    version: 5,
    name: 'booking terms, callback number and revision; call owner',
    statements: (engine) => [
      // The fee quoted (whole pounds) and the caller's words agreeing to it; NULL on older rows.
      { sql: 'ALTER TABLE bookings ADD COLUMN callout_fee INTEGER' },
      { sql: 'ALTER TABLE bookings ADD COLUMN consent TEXT' },
      // The number to ring back; sealed (field-cipher.ts) when DATA_KEY is set. NULL: none known.
      { sql: 'ALTER TABLE bookings ADD COLUMN callback_number TEXT' },
      // 0 as first booked; each correction in the same call stores the next revision over it.
      { sql: 'ALTER TABLE bookings ADD COLUMN revision INTEGER NOT NULL DEFAULT 0' },
      { sql: `ALTER TABLE bookings ADD COLUMN updated_at ${TYPES[engine].epochMs}` },
      // The node (and worker) running the call: at start a node closes only its own dead calls.
      { sql: 'ALTER TABLE calls ADD COLUMN owner TEXT' },
      { sql: 'CREATE INDEX calls_open_by_owner ON calls (owner) WHERE ended_at IS NULL' },
    ],
  },
];

/** Applies every migration newer than the database. Safe to call on every open. Returns the versions applied. */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  ) STRICT`);
  const applied = new Set(
    db
      .prepare('SELECT version FROM schema_migrations')
      .pluck()
      .all()
      .map((v) => Number(v)),
  );
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const done: number[] = [];
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      for (const s of m.statements('sqlite')) {
        if (s.params) db.prepare(s.sql).run(...s.params);
        else db.exec(s.sql);
      }
      record.run(m.version, m.name, Date.now());
    })();
    done.push(m.version);
  }
  return done;
}

export function schemaVersion(db: Database.Database): number {
  const v = db.prepare('SELECT MAX(version) FROM schema_migrations').pluck().get();
  return typeof v === 'number' ? v : 0;
}
