import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
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
import { startTwilioSim, type TwilioSim } from '../../sim/twilio/platform.js';
import { newSid, postSignedWebhook } from '../../sim/twilio/signing.js';
import { readTwiml } from '../../sim/twilio/twiml-reader.js';
import { findPostgresBin, type PostgresServer, startPostgres } from '../store/postgres-server.js';
import { type GroupChild, spawnGroup, waitFor } from '../support/process-group.js';

const HAPROXY_CONFIG = join(ROOT, 'deploy/haproxy-fastagi.cfg');
const HAPROXY_TWILIO_CONFIG = join(ROOT, 'deploy/haproxy-twilio.cfg');
const TWILIO_AUTH_TOKEN = 'multinode-auth-token-0001';
/** Twilio numbers of the example tenants (E.164): Enterprise (streams) and Free (webhooks only). */
const TWILIO_ENTERPRISE = '+442012345678';
const TWILIO_FREE = '+441134960123';
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
  agentPort: number;
  /** The node's own public origin for Twilio (PUBLIC_NODE_URL). */
  twilioUrl: string;
}

/** Calls a node takes at once in this test: small, so the test can fill a node. */
const MAX_CALLS = 6;

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
  let adminSocket: string;
  let webhookAdminSocket: string;
  let db: pg.Pool;
  let twilio: TwilioSim;
  let webhookProxy: GroupChild | undefined;
  /** The one public URL of the Twilio webhooks (HAProxy in HTTP mode). */
  let twilioBase: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'callchart-multinode-'));
    postgres = await startPostgres(pgBin as string);
    databaseUrl = await postgres.createDatabase('multinode');
    db = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    db.on('error', () => undefined); // the server's goodbye at shutdown may reach a closing client
    sims = await startSimStack({ script, cartesia: { charsPerSecond: 45 } });
    twilio = await startTwilioSim({ authToken: TWILIO_AUTH_TOKEN });
    const webhookProxyPort = await freePort();
    twilioBase = `http://127.0.0.1:${webhookProxyPort}`;
    nodes = await Promise.all(['a', 'b'].map((name) => startNode(name)));
    proxyPort = await freePort();
    const [a, b] = nodes as [Node, Node];
    // The test also reads HAProxy's view of each node, on an admin socket added by a second file.
    adminSocket = join(dataDir, 'haproxy.sock');
    const adminConfig = adminConfigFor(adminSocket);
    proxy = spawnGroup(haproxyBin as string, ['-f', HAPROXY_CONFIG, '-f', adminConfig, '-db'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        FASTAGI_BIND: `127.0.0.1:${proxyPort}`,
        NODE_A_FASTAGI: `127.0.0.1:${a.agiPort}`,
        NODE_A_HTTP_PORT: String(a.httpPort),
        NODE_A_AGENT_PORT: String(a.agentPort),
        NODE_B_FASTAGI: `127.0.0.1:${b.agiPort}`,
        NODE_B_HTTP_PORT: String(b.httpPort),
        NODE_B_AGENT_PORT: String(b.agentPort),
      },
    });
    webhookAdminSocket = join(dataDir, 'haproxy-webhooks.sock');
    const webhookAdminConfig = adminConfigFor(webhookAdminSocket);
    webhookProxy = spawnGroup(
      haproxyBin as string,
      ['-f', HAPROXY_TWILIO_CONFIG, '-f', webhookAdminConfig, '-db'],
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH,
          TWILIO_BIND: `127.0.0.1:${webhookProxyPort}`,
          NODE_A_TWILIO: a.twilioUrl.replace('http://', ''),
          NODE_A_HTTP_PORT: String(a.httpPort),
          NODE_A_AGENT_PORT: String(a.agentPort),
          NODE_B_TWILIO: b.twilioUrl.replace('http://', ''),
          NODE_B_HTTP_PORT: String(b.httpPort),
          NODE_B_AGENT_PORT: String(b.agentPort),
        },
      },
    );
    await waitFor(
      async () =>
        (await runFakeAgiCall({ host: '127.0.0.1', port: proxyPort, timeoutMs: 2000 })).agiStatus ===
        'SUCCESS',
      30_000,
      () => `haproxy did not pass calls on:\n${proxy?.output()}`,
    );
    // An unsigned POST through the webhook proxy reaches a node, which refuses it (403, where the
    // proxy itself would answer 503 with no node up): the proxy is up.
    const unsigned = { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } };
    await waitFor(
      async () => (await fetch(`${twilioBase}/voice/status`, unsigned).catch(() => null))?.status === 403,
      30_000,
      () => `the webhook proxy did not pass requests on:\n${webhookProxy?.output()}`,
    );
  }, 120_000);

  afterAll(async () => {
    await Promise.all([proxy?.stop(), webhookProxy?.stop()]);
    await Promise.all(nodes.map((n) => n.child.stop()));
    await db?.end();
    await Promise.all([sims?.close(), twilio?.close()]);
    await postgres?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  async function startNode(name: string): Promise<Node> {
    const [audioPort, agiPort, httpPort, agentPort, twilioPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const twilioUrl = `http://127.0.0.1:${twilioPort}`;
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
        AGENT_CHECK_ENABLED: '1',
        AGENT_CHECK_PORT: String(agentPort),
        MAX_CALLS: String(MAX_CALLS),
        // Twilio: webhooks through the shared proxy; the stream and Gather answers to this node.
        TWILIO_AUTH_TOKEN,
        TWILIO_ACCOUNT_SID: twilio.accountSid,
        TWILIO_API_BASE_URL: twilio.url,
        PUBLIC_HTTP_PORT: String(twilioPort),
        PUBLIC_BASE_URL: twilioBase,
        PUBLIC_NODE_URL: twilioUrl,
        // No shedding: a busy test machine must not drain both nodes.
        MAX_EVENT_LOOP_DELAY_MS: '0',
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
    return { name, child, audioSocket: `127.0.0.1:${audioPort}`, agiPort, httpPort, agentPort, twilioUrl };
  }

  /** A second config file that adds an admin socket, so the test can read HAProxy's view of each node. */
  function adminConfigFor(socketPath: string): string {
    const file = `${socketPath}.cfg`;
    writeFileSync(file, `global\n    stats socket ${socketPath} mode 600 level admin\n`);
    return file;
  }

  /** HAProxy's view of one node of a backend (status UP, DRAIN, MAINT, DOWN…; weight), from `show stat`. */
  function proxyView(
    server: string,
    where = { socket: adminSocket, backend: 'callchart_fastagi' },
  ): Promise<{ status: string; weight: string }> {
    return new Promise((resolve, reject) => {
      const socket = createConnection(where.socket);
      let text = '';
      socket.on('data', (d) => {
        text += d.toString();
      });
      socket.on('error', reject);
      socket.on('end', () => {
        const header = text.split('\n')[0]?.replace(/^# /, '').split(',') ?? [];
        const row = text
          .split('\n')
          .find((l) => l.startsWith(`${where.backend},${server},`))
          ?.split(',');
        resolve({
          status: row?.[header.indexOf('status')] ?? 'missing',
          weight: row?.[header.indexOf('weight')] ?? 'missing',
        });
      });
      socket.end('show stat\n');
    });
  }

  /** HAProxy's status of one node behind the FastAGI proxy. */
  async function proxyStatus(server: string): Promise<string> {
    return (await proxyView(server)).status;
  }

  /** What the node's agent port says (one line), as HAProxy reads it. */
  function agentSays(node: Node): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = createConnection(node.agentPort, '127.0.0.1');
      let text = '';
      socket.on('data', (d) => {
        text += d.toString();
      });
      socket.on('error', reject);
      socket.on('end', () => resolve(text.trim()));
    });
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

  it('a node at capacity tells HAProxy through its agent check, and gets no new calls', {
    timeout: 120_000,
  }, async () => {
    const [a, b] = nodes as [Node, Node];
    expect(await agentSays(a)).toMatch(/^up ready \d+%$/);
    // Fill node A on its own FastAGI port: registrations that never connect hold a slot each.
    let full = false;
    for (let i = 0; i < 2 * MAX_CALLS && !full; i++) {
      const reply = await runFakeAgiCall({
        host: '127.0.0.1',
        port: a.agiPort,
        script: 'voice-agent',
        args: [QUICK_FIX_DID, '07700900999'],
      });
      full = reply.variables.VA_OUTCOME === 'overflow';
    }
    expect(full).toBe(true);
    expect(await agentSays(a)).toBe('up drain');
    await waitFor(
      async () => (await proxyStatus('node-a')).startsWith('DRAIN'),
      30_000,
      () => `HAProxy did not drain node A: ${proxy?.output()}`,
    );
    const placed = [];
    for (let n = 0; n < 3; n++) placed.push(await placeCall(20 + n));
    expect(placed.map((c) => c.audioSocket)).toEqual([b.audioSocket, b.audioSocket, b.audioSocket]);
    // Nobody talks on these (Asterisk would have played the busy line); their registrations lapse
    // after the metadata TTL, and node A takes calls again.
    await waitFor(
      async () => (await proxyStatus('node-a')) === 'UP',
      90_000,
      () => 'node A did not come back into HAProxy once its registrations lapsed',
    );
  });

  it('takes Twilio calls through an HTTP load balancer: each stream and Gather answer goes to the node that answered', {
    timeout: 180_000,
  }, async () => {
    const [a, b] = nodes as [Node, Node];
    const place = (to: string, n: number, extra: { timeScale?: number } = {}) =>
      twilio.placeCall({
        voiceUrl: `${twilioBase}/voice/incoming`,
        statusUrl: `${twilioBase}/voice/status`,
        to,
        from: `+4477009002${String(n).padStart(2, '0')}`,
        script,
        turnGapMs: 500,
        ...extra,
      });
    // The test before filled node A and then B with registrations that lapse; round robin alternates
    // only once the webhook proxy (checking on its own clock) sees both nodes up at equal weights.
    const webhooks = { socket: webhookAdminSocket, backend: 'callchart_twilio' };
    await waitFor(
      async () => {
        const views = await Promise.all(['node-a', 'node-b'].map((n) => proxyView(n, webhooks)));
        return views.every((v) => v.status === 'UP' && v.weight === views[0]?.weight);
      },
      90_000,
      () => `the webhook proxy does not see both nodes up at equal weights: ${webhookProxy?.output()}`,
    );
    // Three calls at once through the round-robin proxy: two Media Streams calls and a Free one.
    const calls = await Promise.all([
      place(TWILIO_ENTERPRISE, 1),
      place(TWILIO_ENTERPRISE, 2),
      place(TWILIO_FREE, 3, { timeScale: 0.05 }),
    ]);
    expect(calls.map((c) => c.mode)).toEqual(['stream', 'stream', 'gather']);
    for (const c of calls) expect(c.completed).toBe(true);
    // The webhook went to the proxy; everything after it named one node, the one that answered.
    const nodeOf = (c: (typeof calls)[number]) => {
      expect(c.requested[0]).toBe(`${twilioBase}/voice/incoming`);
      const later = c.requested.slice(1).map((u) => new URL(u).port);
      expect(later.length).toBeGreaterThan(0);
      expect(new Set(later).size).toBe(1);
      return [a, b].find((n) => new URL(n.twilioUrl).port === later[0])?.name;
    };
    expect(calls[0]?.requested[1]).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/voice\/stream$/);
    expect(new Set(calls.map(nodeOf))).toEqual(new Set(['a', 'b']));
    const sids = calls.map((c) => c.callSid);
    const booked = await bookingsPerCall(sids);
    expect(sids.map((sid) => booked.get(sid))).toEqual([1, 1, 1]);
  });

  it('ends a call on its node at once when its status callback reaches the other node', {
    timeout: 90_000,
  }, async () => {
    const [a, b] = nodes as [Node, Node];
    await waitFor(
      async () => (await agentSays(a)) === 'up ready 100%',
      60_000,
      () => 'node A is not idle',
    );
    const call = (to: string, from: string) => ({
      AccountSid: twilio.accountSid,
      CallSid: newSid('CA'),
      CallStatus: 'ringing',
      Direction: 'inbound',
      From: from,
      To: to,
      Called: to,
    });
    // As the balancer passes requests on: posted to one node, signed for the shared URL.
    const viaBalancer = (node: Node, path: string, params: Record<string, string>) =>
      postSignedWebhook(TWILIO_AUTH_TOKEN, `${node.twilioUrl}${path}`, params, {
        signatureUrl: `${twilioBase}${path}`,
      });
    // A Free call in its greeting, and a Media Streams call whose stream has not connected yet.
    const free = call(TWILIO_FREE, '+447700900298');
    const streamed = call(TWILIO_ENTERPRISE, '+447700900299');
    const answers = [
      await viaBalancer(a, '/voice/incoming', free),
      await viaBalancer(a, '/voice/incoming', streamed),
    ];
    expect(answers.map((r) => r.status)).toEqual([200, 200]);
    expect(answers.map((r) => readTwiml(r.body)[0]?.verb)).toEqual(['Gather', 'Stream']);
    expect(await agentSays(a)).toBe(`up ready ${Math.round((100 * (MAX_CALLS - 2)) / MAX_CALLS)}%`);
    // Both callers hang up; Twilio's status callbacks land on node B.
    for (const c of [free, streamed]) {
      expect((await viaBalancer(b, '/voice/status', { ...c, CallStatus: 'completed' })).status).toBe(204);
    }
    // Node A ends them now, not at the Free call's two-minute idle deadline or the stream token's
    // 30 s: the shared store shows the Free call's end, and A has every slot free again.
    await waitFor(
      async () =>
        (
          await db.query('SELECT outcome FROM calls WHERE call_id = $1 AND ended_at IS NOT NULL', [
            free.CallSid,
          ])
        ).rows[0]?.outcome === 'caller-hangup',
      20_000,
      () => `node A did not end the Free call it holds:\n${a.child.output()}`,
    );
    await waitFor(
      async () => (await agentSays(a)) === 'up ready 100%',
      20_000,
      () => `node A still holds a slot for the stream that never came:\n${a.child.output()}`,
    );
  });

  it('spreads calls over both nodes, stores each booking once, and moves new calls off a draining node while its own call finishes', {
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

    // A call in progress on node A, then SIGTERM to A: it drains. Its agent says "maint", so every
    // new call goes to node B through the same proxy address, and A's call runs to its end.
    let onA: Awaited<ReturnType<typeof placeCall>> | undefined;
    for (let n = 4; n < 12 && !onA; n++) {
      const c = await placeCall(n);
      if (c.audioSocket === a.audioSocket) onA = c;
    }
    if (!onA) throw new Error('no call landed on node A');
    const talking = onA.talk();
    await waitFor(
      async () =>
        ((await (await fetch(`http://127.0.0.1:${a.httpPort}/healthz`)).json()).activeCalls ?? 0) >= 1,
      30_000,
      () => 'the call on node A did not start',
    );
    process.kill(-a.child.pid, 'SIGTERM');
    await waitFor(
      async () => (await proxyStatus('node-a')) !== 'UP',
      30_000,
      () => `HAProxy still sends calls to draining node A: ${proxy?.output()}`,
    );
    const later = [];
    for (let n = 12; n < 14; n++) later.push(await placeCall(n));
    expect(later.map((c) => c.audioSocket)).toEqual([b.audioSocket, b.audioSocket]);
    const laterResults = await Promise.all(later.map((c) => c.talk()));
    for (const r of laterResults) expect(r.completed).toBe(true);
    expect((await talking).completed).toBe(true);
    await a.child.exited;
    const laterBooked = await bookingsPerCall([onA.uuid, ...later.map((c) => c.uuid)]);
    expect([onA.uuid, ...later.map((c) => c.uuid)].map((u) => laterBooked.get(u))).toEqual([1, 1, 1]);
  });

  it('runs the HAProxy configs that docs/scaling.md shows', () => {
    const docs = readFileSync(join(ROOT, 'docs/scaling.md'), 'utf8');
    expect(docs).toContain(readFileSync(HAPROXY_CONFIG, 'utf8').trim());
    expect(docs).toContain(readFileSync(HAPROXY_TWILIO_CONFIG, 'utf8').trim());
  });
});
