import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../bench/child-process.js';
import { freePort } from '../../bench/free-port.js';
import { runFakeAgiCall } from '../../sim/asterisk/fake-asterisk-agi.js';
import { runSimulatedCaller } from '../../sim/caller/caller.js';
import { loadCallerScript } from '../../sim/caller/script.js';
import { type SimStack, startSimStack } from '../../sim/stack.js';
import { findPostgresBin, type PostgresServer, startPostgres } from '../store/postgres-server.js';
import { type GroupChild, spawnGroup, waitFor } from '../support/process-group.js';

const HAPROXY_CONFIG = join(ROOT, 'deploy/haproxy-fastagi.cfg');
const pgBin = findPostgresBin();
const haproxyBin = ['/usr/sbin/haproxy', '/usr/bin/haproxy'].find((p) => existsSync(p));
const missing = [pgBin ? '' : 'postgresql', haproxyBin ? '' : 'haproxy'].filter(Boolean);
if (missing.length > 0) {
  console.warn(
    `SKIPPED: multi-node test: Debian package(s) ${missing.join(', ')} not installed (.ci/run installs them)`,
  );
}

const script = loadCallerScript(join(ROOT, 'fixtures/scripts/booking-en.json'));
const QUICK_FIX_DID = '02012345678';

interface Node {
  name: string;
  child: GroupChild;
  audioSocket: string;
  agiPort: number;
  httpPort: number;
}

/**
 * Two callchart nodes (`src/main.ts`, what `npm start` runs) sharing one PostgreSQL, with HAProxy
 * (deploy/haproxy-fastagi.cfg, as docs/scaling.md shows it) in front of their FastAGI ports, and
 * simulated Asterisk calls placed through the proxy: the FastAGI answer names the node's own
 * AudioSocket address, and the caller's audio goes there.
 */
describe.skipIf(missing.length > 0)('two nodes on Postgres behind HAProxy', () => {
  let postgres: PostgresServer;
  let databaseUrl: string;
  let sims: SimStack;
  let dataDir: string;
  let nodes: Node[] = [];
  let proxy: GroupChild | undefined;
  let proxyPort: number;
  let db: pg.Pool;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'callchart-multinode-'));
    postgres = await startPostgres(pgBin as string);
    databaseUrl = await postgres.createDatabase('multinode');
    db = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    db.on('error', () => undefined); // the server's goodbye at shutdown may reach a closing client
    sims = await startSimStack({ script, cartesia: { charsPerSecond: 45 } });
    nodes = await Promise.all(['a', 'b'].map((name) => startNode(name)));
    proxyPort = await freePort();
    const [a, b] = nodes as [Node, Node];
    proxy = spawnGroup(haproxyBin as string, ['-f', HAPROXY_CONFIG, '-db'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        FASTAGI_BIND: `127.0.0.1:${proxyPort}`,
        NODE_A_FASTAGI: `127.0.0.1:${a.agiPort}`,
        NODE_A_HTTP_PORT: String(a.httpPort),
        NODE_B_FASTAGI: `127.0.0.1:${b.agiPort}`,
        NODE_B_HTTP_PORT: String(b.httpPort),
      },
    });
    await waitFor(
      async () =>
        (await runFakeAgiCall({ host: '127.0.0.1', port: proxyPort, timeoutMs: 2000 })).agiStatus ===
        'SUCCESS',
      30_000,
      () => `haproxy did not pass calls on:\n${proxy?.output()}`,
    );
  }, 120_000);

  afterAll(async () => {
    await proxy?.stop();
    await Promise.all(nodes.map((n) => n.child.stop()));
    await db?.end();
    await sims?.close();
    await postgres?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  async function startNode(name: string): Promise<Node> {
    const [audioPort, agiPort, httpPort] = [await freePort(), await freePort(), await freePort()];
    const child = spawnGroup(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        ...sims.env,
        DATABASE_URL: databaseUrl,
        CALLCHART_DB: join(dataDir, name, 'callchart.db'), // only the booking journal lives here
        AUDIOSOCKET_PORT: String(audioPort),
        AGI_PORT: String(agiPort),
        HTTP_PORT: String(httpPort),
        METADATA_DIR: join(dataDir, name),
        TENANTS_FILE: 'tenants.example.json',
        LOG_LEVEL: 'warn',
        LOG_PRETTY: '0',
        INSPECT: '0',
      },
    });
    await waitFor(
      async () => (await fetch(`http://127.0.0.1:${httpPort}/healthz`)).ok,
      60_000,
      () => `node ${name} did not become healthy:\n${child.output()}`,
    );
    return { name, child, audioSocket: `127.0.0.1:${audioPort}`, agiPort, httpPort };
  }

  /** What Asterisk does: FastAGI through the proxy, then AudioSocket to the address it was given. */
  async function placeCall(n: number) {
    const agi = await runFakeAgiCall({
      host: '127.0.0.1',
      port: proxyPort,
      script: 'voice-agent',
      args: [QUICK_FIX_DID, `07700900${String(100 + n)}`],
    });
    const uuid = agi.variables.VA_UUID;
    const audioSocket = agi.variables.VA_AUDIOSOCKET;
    if (!uuid || !audioSocket) throw new Error(`FastAGI through the proxy failed: ${agi.agiStatus}`);
    const port = Number(audioSocket.split(':').at(-1));
    return { uuid, audioSocket, talk: () => runSimulatedCaller({ port, uuid, script, turnGapMs: 500 }) };
  }

  async function bookingsPerCall(uuids: string[]): Promise<Map<string, number>> {
    const { rows } = await db.query<{ call_id: string; n: number }>(
      'SELECT call_id, COUNT(*)::int AS n FROM bookings WHERE call_id = ANY($1) GROUP BY call_id',
      [uuids],
    );
    return new Map(rows.map((r) => [r.call_id, r.n]));
  }

  it('spreads calls over both nodes, stores each booking once, and moves new calls off a stopped node', {
    timeout: 240_000,
  }, async () => {
    const [a, b] = nodes as [Node, Node];
    // Registered one after another, so round robin alternates; then all four talk at once.
    const first = [];
    for (let n = 0; n < 4; n++) first.push(await placeCall(n));
    expect(new Set(first.map((c) => c.audioSocket))).toEqual(new Set([a.audioSocket, b.audioSocket]));
    const results = await Promise.all(first.map((c) => c.talk()));
    for (const r of results) expect(r.completed).toBe(true);

    const uuids = first.map((c) => c.uuid);
    const booked = await bookingsPerCall(uuids);
    expect(uuids.map((u) => booked.get(u))).toEqual([1, 1, 1, 1]);
    // Both nodes wrote their calls to the one shared store.
    const { rows } = await db.query('SELECT call_id FROM calls WHERE call_id = ANY($1)', [uuids]);
    expect(rows).toHaveLength(uuids.length);

    // Stop node A; every new call goes to node B, through the same proxy address.
    await a.child.stop();
    const later = [];
    for (let n = 4; n < 6; n++) later.push(await placeCall(n));
    expect(later.map((c) => c.audioSocket)).toEqual([b.audioSocket, b.audioSocket]);
    const laterResults = await Promise.all(later.map((c) => c.talk()));
    for (const r of laterResults) expect(r.completed).toBe(true);
    const laterBooked = await bookingsPerCall(later.map((c) => c.uuid));
    expect(later.map((c) => laterBooked.get(c.uuid))).toEqual([1, 1]);
  });

  it('runs the HAProxy config that docs/scaling.md shows', () => {
    const docs = readFileSync(join(ROOT, 'docs/scaling.md'), 'utf8');
    expect(docs).toContain(readFileSync(HAPROXY_CONFIG, 'utf8').trim());
  });
});
