import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { MIGRATIONS, type Migration } from '../../src/store/migrations.js';
import { openCallStore } from '../../src/store/open-call-store.js';
import { openDatabase } from '../../src/store/open-database.js';
import { PgCallStore } from '../../src/store/pg-call-store.js';
import { migratePg, pgSchemaVersion } from '../../src/store/pg-migrations.js';
import { openPgPool } from '../../src/store/pg-pool.js';
import { PgWriteBehindQueue } from '../../src/store/pg-write-behind.js';
import { callStoreCases, type EngineHarness } from './call-store-cases.js';
import { captureLogger } from './capture-logger.js';
import { bookingInput, callEnd, callRecord, QUICK_FIX } from './fixtures.js';
import {
  findPostgresBin,
  POSTGRES_SKIP_REASON,
  type PostgresServer,
  startPostgres,
} from './postgres-server.js';

const bin = findPostgresBin();
if (!bin) console.warn(`SKIPPED: Postgres store tests. ${POSTGRES_SKIP_REASON}`);

let server: PostgresServer;
let databases = 0;

/** Each test gets its own database on the shared test server. */
function pgHarness(): EngineHarness {
  let url = '';
  let peek: pg.Pool | undefined;
  const peekPool = () => {
    if (!peek) {
      peek = new pg.Pool({ connectionString: url, max: 1 });
      peek.on('error', () => undefined); // the server's goodbye at shutdown may reach a closing client
    }
    return peek;
  };
  return {
    async setup() {
      url = await server.createDatabase(`t${++databases}`);
    },
    open: (opts = {}) => PgCallStore.open({ url, ...opts }),
    async countRows(table) {
      const { rows } = await peekPool().query<{ n: string }>(`SELECT COUNT(*) AS n FROM ${table}`);
      return Number(rows[0]?.n);
    },
    async peekRow(table, callId) {
      const { rows } = await peekPool().query(`SELECT * FROM ${table} WHERE call_id = $1`, [callId]);
      return rows[0];
    },
    async teardown() {
      await peek?.end();
    },
  };
}

describe.skipIf(!bin)('PgCallStore against a real PostgreSQL', () => {
  beforeAll(async () => {
    server = await startPostgres(bin as string);
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  describe('shared CallStore cases', () => {
    callStoreCases(pgHarness);
  });

  describe('migrations', () => {
    const latest = Math.max(...MIGRATIONS.map((m) => m.version));

    it('applies every migration once, also when several nodes start at the same moment', async () => {
      const url = await server.createDatabase(`m${++databases}`);
      const pools = [0, 1, 2].map(() => openPgPool(url, silentLogger));
      try {
        const applied = await Promise.all(pools.map((p) => migratePg(p)));
        // Exactly one node did the work; the others waited on the lock and found nothing to do.
        expect(applied.map((a) => a.length).sort()).toEqual([0, 0, MIGRATIONS.length]);
        expect(await pgSchemaVersion(pools[0] as pg.Pool)).toBe(latest);
        expect(await migratePg(pools[0] as pg.Pool)).toEqual([]);
        const { rows } = await (pools[0] as pg.Pool).query(
          `SELECT column_name FROM information_schema.columns
           WHERE table_name = 'tenants' AND column_name = 'transfer_number' AND is_nullable = 'YES'`,
        );
        expect(rows).toHaveLength(1);
      } finally {
        await Promise.all(pools.map((p) => p.end()));
      }
    });

    it('mirrors every SQLite table and column', async () => {
      const url = await server.createDatabase(`m${++databases}`);
      const pool = openPgPool(url, silentLogger);
      const sqlite = openDatabase(':memory:');
      try {
        await migratePg(pool);
        const inSqlite = new Set<string>();
        const tables = sqlite
          .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
          .pluck()
          .all() as string[];
        for (const table of tables) {
          for (const c of sqlite.pragma(`table_info(${table})`) as Array<{ name: string }>)
            inSqlite.add(`${table}.${c.name}`);
        }
        const { rows } = await pool.query<{ c: string }>(
          `SELECT table_name || '.' || column_name AS c FROM information_schema.columns
           WHERE table_schema = 'public'`,
        );
        const inPg = new Set(rows.map((r) => r.c));
        expect([...inSqlite].filter((c) => !inPg.has(c))).toEqual([]);
        expect([...inPg].filter((c) => !inSqlite.has(c))).toEqual([]);
      } finally {
        sqlite.close();
        await pool.end();
      }
    });

    it('rolls back a failing migration together with its version row', async () => {
      const url = await server.createDatabase(`m${++databases}`);
      const pool = openPgPool(url, silentLogger);
      try {
        const broken: Migration[] = [
          ...MIGRATIONS,
          {
            version: 999,
            name: 'half done',
            statements: () => [{ sql: 'CREATE TABLE half (x INTEGER)' }, { sql: 'THIS IS NOT SQL' }],
          },
        ];
        await expect(migratePg(pool, broken)).rejects.toThrow();
        expect(await pgSchemaVersion(pool)).toBe(latest);
        const { rows } = await pool.query("SELECT to_regclass('half') AS t");
        expect(rows[0]?.t).toBeNull();
      } finally {
        await pool.end();
      }
    });
  });

  it('bounds the write-behind queue: past the limit a write is reported and dropped', async () => {
    const url = await server.createDatabase(`q${++databases}`);
    const pool = openPgPool(url, silentLogger);
    const dropped: string[] = [];
    try {
      await pool.query('CREATE TABLE w (n INTEGER)');
      const queue = new PgWriteBehindQueue(pool, silentLogger, (w) => dropped.push(w.callId), 3);
      const writes = [1, 2, 3, 4, 5].map((n) =>
        queue.enqueue({ kind: 'w', callId: `c${n}`, run: (c) => c.query('INSERT INTO w VALUES ($1)', [n]) }),
      );
      await Promise.all(writes);
      expect(dropped).toEqual(['c4', 'c5']);
      const { rows } = await pool.query<{ n: number }>('SELECT n FROM w ORDER BY n');
      expect(rows.map((r) => r.n)).toEqual([1, 2, 3]);
    } finally {
      await pool.end();
    }
  });

  it('survives the server cutting its connections: logged, reconnected, no crash', async () => {
    const name = `r${++databases}`;
    const url = await server.createDatabase(name);
    const { log, lines } = captureLogger();
    const store = await PgCallStore.open({ url, log });
    const admin = new pg.Client({ connectionString: server.url() });
    admin.on('error', () => undefined);
    await admin.connect();
    try {
      await store.upsertTenant(QUICK_FIX); // leaves an idle connection in the pool
      const cut = await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = $1 AND application_name = 'callchart'`,
        [name],
      );
      expect(cut.rowCount).toBeGreaterThan(0);
      await waitUntil(() => lines().some((l) => l.msg === 'idle postgres connection failed'));
      void store.startCall(callRecord('c1'));
      await store.endCall(callEnd('c1'));
      expect((await store.callById('c1'))?.outcome).toBe('booked');
      expect((await store.tenantForNumber('02012345678')).id).toBe(QUICK_FIX.id);
    } finally {
      await admin.end();
      await store.close();
    }
  });

  it('DATABASE_URL selects the Postgres store', async () => {
    const url = await server.createDatabase(`s${++databases}`);
    const store = await openCallStore({
      databaseUrl: url,
      sqlitePath: '/nonexistent/never.db',
      log: silentLogger,
    });
    try {
      expect(store).toBeInstanceOf(PgCallStore);
      expect((await store.createBooking(bookingInput('c1'))).created).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('fails to open, with an error and no hang, when the database is unreachable', async () => {
    const url = `postgres://postgres@127.0.0.1:${server.port}/no_such_database`;
    await expect(PgCallStore.open({ url })).rejects.toThrow(/no_such_database/);
  });
});

async function waitUntil(probe: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
