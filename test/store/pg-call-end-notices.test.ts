import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type CallEndNotices, openPgCallEndNotices } from '../../src/store/pg-call-end-notices.js';
import { waitFor } from '../support/process-group.js';
import { captureLogger } from './capture-logger.js';
import {
  findPostgresBin,
  POSTGRES_SKIP_REASON,
  type PostgresServer,
  startPostgres,
} from './postgres-server.js';

const bin = findPostgresBin();
if (!bin) console.warn(`SKIPPED: call-end notice tests. ${POSTGRES_SKIP_REASON}`);

const SID = 'CA0123456789abcdef0123456789abcdef';
const LISTENING = 'listening for call ends announced by other nodes';

/** How many times the notices have started listening (once, then once per reconnect). */
const listens = (logger: ReturnType<typeof captureLogger>) =>
  logger.lines().filter((l) => l.msg === LISTENING).length;

/** Two nodes' notices on one real PostgreSQL: what one node hears, the other ends. */
describe.skipIf(!bin)('call-end notices over Postgres LISTEN/NOTIFY', () => {
  let server: PostgresServer;
  let url: string;
  let admin: pg.Pool;
  const opened: CallEndNotices[] = [];

  beforeAll(async () => {
    server = await startPostgres(bin as string);
    url = await server.createDatabase('notices');
    admin = new pg.Pool({ connectionString: url, max: 1 });
    admin.on('error', () => undefined);
  }, 60_000);
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((n) => n.close()));
  });
  afterAll(async () => {
    await admin?.end();
    await server?.stop();
  });

  /** A node's notices, and every call id it has heard, once it is listening. */
  async function node() {
    const logger = captureLogger();
    const notices = openPgCallEndNotices(url, logger.log);
    opened.push(notices);
    const heard: string[] = [];
    notices.onEnded((id) => heard.push(id));
    await waitFor(
      async () => listens(logger) > 0,
      20_000,
      () => 'the notices never started listening',
    );
    /** Waits until this node has heard at least one notice. */
    const heardOne = (why: string) =>
      waitFor(
        async () => heard.length > 0,
        20_000,
        () => why,
      );
    return { notices, heard, heardOne, logger };
  }

  it('a call end announced by one node reaches every node', async () => {
    const [a, b] = [await node(), await node()];
    a.notices.announce(SID);
    await waitFor(
      async () => a.heard.length > 0 && b.heard.length > 0,
      20_000,
      () => 'the notice did not arrive',
    );
    expect(b.heard).toEqual([SID]);
    expect(a.heard).toEqual([SID]);
  });

  it('ignores a malformed notice with a log line, and passes the next good one on', async () => {
    const b = await node();
    await admin.query(`SELECT pg_notify('callchart_call_ended', $1)`, ['not a call id; DROP TABLE calls']);
    await admin.query(`SELECT pg_notify('callchart_call_ended', $1)`, [SID]);
    await b.heardOne('the good notice did not arrive');
    expect(b.heard).toEqual([SID]);
    expect(b.logger.lines().some((l) => l.msg === 'malformed call-end notice ignored')).toBe(true);
  });

  it('reconnects after the database drops its connection, and hears notices again', async () => {
    const b = await node();
    await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'callchart-notices'`,
    );
    await waitFor(
      async () => listens(b.logger) >= 2,
      30_000,
      () => 'the notices did not listen again after the connection was dropped',
    );
    expect(
      b.logger.lines().some((l) => String(l.msg).includes('database connection lost; reconnecting')),
    ).toBe(true);
    await admin.query(`SELECT pg_notify('callchart_call_ended', $1)`, [SID]);
    await b.heardOne('no notice after reconnecting');
    expect(b.heard).toEqual([SID]);
  });

  it('drops an announcement made before it listens, with a log line, and never throws', async () => {
    const logger = captureLogger();
    const notices = openPgCallEndNotices(url, logger.log);
    opened.push(notices);
    expect(() => notices.announce(SID)).not.toThrow();
    expect(logger.lines().some((l) => String(l.msg).startsWith('call-end notice not sent'))).toBe(true);
  });
});
