import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../bench/child-process.js';
import { freePort } from '../../bench/free-port.js';
import { runFakeAgiCall } from '../../sim/asterisk/fake-asterisk-agi.js';
import { type CallerResult, runSimulatedCaller } from '../../sim/caller/caller.js';
import { loadCallerScript } from '../../sim/caller/script.js';
import { type SimStack, startSimStack } from '../../sim/stack.js';
import type { WorkerState } from '../../src/workers/worker-pool.js';
import { type GroupChild, spawnGroup, waitFor } from '../support/process-group.js';

const script = loadCallerScript(join(ROOT, 'fixtures/scripts/booking-en.json')).slice(0, 3);

interface Health {
  ok: boolean;
  workers: WorkerState[];
}

/**
 * `WORKERS=2` on the real entry point (`src/main.ts`): the primary answers FastAGI and hands each
 * call to a worker process, which takes the AudioSocket connection on its own port.
 */
describe('WORKERS=2', () => {
  let sims: SimStack;
  let dataDir: string;
  let server: GroupChild;
  let agiPort: number;
  let httpPort: number;

  const health = async (): Promise<Health> =>
    (await fetch(`http://127.0.0.1:${httpPort}/healthz`)).json() as Promise<Health>;
  const allReady = async () => {
    const h = await health();
    return h.workers.length === 2 && h.workers.every((w) => w.audioSocket !== null);
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'callchart-workers-'));
    sims = await startSimStack({ script, cartesia: { charsPerSecond: 45 } });
    [agiPort, httpPort] = [await freePort(), await freePort()];
    server = spawnGroup(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        ...sims.env,
        WORKERS: '2',
        AUDIOSOCKET_PORT: '0',
        AGI_PORT: String(agiPort),
        HTTP_PORT: String(httpPort),
        CALLCHART_DB: join(dataDir, 'callchart.db'),
        METADATA_DIR: dataDir,
        TENANTS_FILE: 'tenants.example.json',
        LOG_LEVEL: 'warn',
        LOG_PRETTY: '0',
        INSPECT: '0',
        // The drain test asserts that a live call runs to its end; on a busy machine a booking call can
        // outlast the default 60 s (the deadline itself is test/process/drain.test.ts's).
        DRAIN_SECONDS: '300',
      },
    });
    await waitFor(allReady, 90_000, () => `workers did not start:\n${server.output()}`);
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await sims?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  async function register(n: number) {
    const agi = await runFakeAgiCall({
      host: '127.0.0.1',
      port: agiPort,
      script: 'voice-agent',
      args: ['02012345678', `07700900${200 + n}`],
    });
    const uuid = agi.variables.VA_UUID;
    const audioSocket = agi.variables.VA_AUDIOSOCKET;
    if (!uuid || !audioSocket) throw new Error(`FastAGI gave no address: ${agi.agiStatus}`);
    return { uuid, audioSocket, port: Number(audioSocket.split(':').at(-1)) };
  }
  // A caller that could not talk comes back as its error, so a failure says why. Three processes
  // start their line caches on the first calls: on a busy machine a greeting may take a while.
  const talk = (c: { uuid: string; port: number }, onLineSaid?: () => void): Promise<CallerResult | Error> =>
    runSimulatedCaller({
      port: c.port,
      uuid: c.uuid,
      script,
      turnGapMs: 500,
      answerTimeoutMs: 45_000,
      ...(onLineSaid ? { onLineSaid } : {}),
    }).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));
  /** Whether the call ran to its end; the caller's error instead, if it could not talk at all. */
  const completed = (r: CallerResult | Error) => (r instanceof Error ? r.message : r.completed);

  it('hands calls to the least-loaded worker; a dead worker loses only its calls and comes back', {
    timeout: 180_000,
  }, async () => {
    const before = await health();
    const addresses = before.workers.map((w) => w.audioSocket);
    // Two calls registered back to back: the second goes to the other, still idle, worker.
    const a = await register(1);
    const b = await register(2);
    expect(new Set([a.audioSocket, b.audioSocket])).toEqual(new Set(addresses));

    const talkingA = talk(a);
    const talkingB = talk(b);
    // Kill A's worker outright once its call is under way.
    const victim = before.workers.find((w) => w.audioSocket === a.audioSocket) as WorkerState;
    await waitFor(
      async () => (await health()).workers.some((w) => w.pid === victim.pid && w.calls > 0),
      30_000,
      () => 'call A never showed up on its worker',
    );
    process.kill(victim.pid as number, 'SIGKILL');

    const [resultA, resultB] = await Promise.all([talkingA, talkingB]);
    expect(resultA instanceof Error || !resultA.completed).toBe(true);
    expect(completed(resultB)).toBe(true);

    // The metadata reached the worker that took the call: it knew the dialled number's company.
    const db = new Database(join(dataDir, 'callchart.db'), { readonly: true });
    try {
      const row = db.prepare('SELECT tenant_id, dialled FROM calls WHERE call_id = ?').get(b.uuid);
      expect(row).toEqual({ tenant_id: 'quick-fix-plumbing', dialled: '02012345678' });
      // The worker told the primary how the leg ended: its FastAGI answers the dialplan's question.
      const asked = await runFakeAgiCall({
        host: '127.0.0.1',
        port: agiPort,
        script: 'outcome',
        args: [b.uuid],
      });
      const outcomeOf = () => db.prepare('SELECT outcome FROM calls WHERE call_id = ?').pluck().get(b.uuid);
      await waitFor(
        async () => outcomeOf() != null,
        10_000,
        () => 'call B was never ended',
      );
      expect(asked.variables.VA_OUTCOME).toBe(outcomeOf());
    } finally {
      db.close();
    }

    // The slot is started again with a new process; the other worker kept its pid throughout.
    await waitFor(
      async () => {
        const h = await health();
        const slot = h.workers.find((w) => w.index === victim.index);
        return slot?.pid !== victim.pid && slot?.audioSocket != null;
      },
      60_000,
      () => `the killed worker was not restarted:\n${server.output()}`,
    );
    const after = await health();
    const survivor = before.workers.find((w) => w.index !== victim.index) as WorkerState;
    expect(after.workers.find((w) => w.index === survivor.index)?.pid).toBe(survivor.pid);
    expect(after.workers.find((w) => w.index === victim.index)?.restarts).toBe(1);

    // And the restarted worker takes calls again.
    const c = await register(3);
    expect(completed(await talk(c))).toBe(true);
  });

  it("the primary's /metrics describes the node: the workers' calls, aggregated", async () => {
    const scrape = async () => (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    const callsEnded = (text: string) =>
      [...text.matchAll(/^callchart_calls_total\{[^}]*\} (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
    // Calls ran only in the workers (B, and C on the restarted one); the primary has none of its own.
    // C's worker counts it once its side of the call has ended, which may trail the caller a little.
    let text = '';
    await waitFor(
      async () => {
        text = await scrape();
        return callsEnded(text) >= 2;
      },
      30_000,
      () => `the workers' calls never showed on the primary's /metrics:\n${text.slice(0, 2000)}`,
    );
    expect(text).toMatch(/^callchart_audiosocket_frames_sent_total \d+/m);
    // The node's admission gauges come from the primary alone (not one per worker, added up).
    expect(text).toMatch(/^callchart_admission_max_calls 200$/m);
  });

  it('SIGTERM drains every worker: no new calls, the live call and one just handed out run to their end, exit 0', {
    timeout: 240_000,
  }, async () => {
    const live = await register(4);
    // SIGTERM once the call is surely live: the caller heard the greeting and said its first line
    // (a worker counts a call from its registration, before the AudioSocket leg has connected).
    let saidFirstLine!: () => void;
    const firstLine = new Promise<void>((resolve) => (saidFirstLine = resolve));
    const talking = talk(live, () => saidFirstLine());
    const started = await Promise.race([firstLine.then(() => true), talking.then(completed)]);
    expect(started).toBe(true);
    // A call FastAGI handed a worker's address just before the signal: its AudioSocket leg connects
    // as the drain begins, as Asterisk's would, and must still be taken.
    const late = await register(5);
    process.kill(server.pid, 'SIGTERM'); // the primary alone: it tells its workers
    const lateTalking = talk(late);
    await waitFor(
      async () => {
        const res = await fetch(`http://127.0.0.1:${httpPort}/readyz`);
        return res.status === 503 && ((await res.json()) as { draining: boolean }).draining;
      },
      30_000,
      () => `the primary never said it was draining:\n${server.output()}`,
    );
    // FastAGI is closed: Asterisk's AGI() fails and the dialplan routes the call elsewhere.
    const refused = await runFakeAgiCall({ host: '127.0.0.1', port: agiPort, timeoutMs: 2000 }).then(
      (r) => r.agiStatus,
      () => 'refused',
    );
    expect(refused).not.toBe('SUCCESS');
    expect(completed(await talking)).toBe(true);
    expect(completed(await lateTalking)).toBe(true);
    await server.exited;
    expect(server.exitCode()).toBe(0);
  });
});
