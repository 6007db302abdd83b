import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { type CallchartServer, startCallchartServer } from '../bench/callchart-server.js';
import { type NodeChild, spawnNodeChild } from '../bench/child-process.js';
import { delaysOf } from '../bench/provider-delays.js';
import { cleanEnv, type Simulators, startSimulators } from '../bench/simulators.js';
import { runFakeAgiCall } from '../sim/asterisk/fake-asterisk-agi.js';
import { runSimulatedCaller } from '../sim/caller/caller.js';
import type { CallerLine } from '../sim/caller/script.js';
import type { ProfileName } from '../sim/profiles.js';
import type { ExternalFault, FaultRow } from './faults.js';
import { freshCallGreeted } from './fresh-call.js';
import { longestSilence } from './silence.js';
import { emptyDisk, fillDisk, mountSmallDisk, unmountSmallDisk } from './small-disk.js';

export interface RowResult {
  id: string;
  fault: string;
  /** Longest the caller heard nothing while waiting for the agent; null when the call never connected. */
  maxSilenceMs: number | null;
  /** Where that silence was (`greeting`, `after line 3`, `mid-reply`, ...). */
  silenceAt: string;
  /** The agent ended the call with a booking, a hand-over or an honest apology (not silence). */
  recovered: boolean;
  /** The booking is in the store. */
  booked: boolean;
  /** After the row: /healthz answers and a fresh call is greeted. */
  processAlive: boolean;
  /** VA_OUTCOME, as the dialplan asks FastAGI for it after the leg. */
  outcome: string;
  /** Caller lines the agent answered, of those in the script. */
  answered: string;
  endedBy: 'agent' | 'caller' | 'socket' | 'none';
  /** The booking reached the retry journal. */
  journalled: boolean;
  /** The row could not be run here (and why). */
  skipped?: string;
  /** The runner itself failed (not the server). */
  error?: string;
}

export interface RowSetup {
  script: CallerLine[];
  scriptPath: string;
  profile: ProfileName;
  /** Per-row directories go under it (logs kept, data removed). */
  workDir: string;
}

const DID = '02012345678';
const CALLER_ID = '+447700900123';
/** Outcomes in which the agent dealt with the caller honestly: booked, handed over, or apologised. */
const RECOVERED = new Set(['booked', 'transferred', 'booking-failed']);
/** Start-up bound for the simulators and the server: generous, the machine may be busy. */
const READY_TIMEOUT_MS = 90_000;
/** How long the caller waits for an answer before it gives up on the call. */
const ANSWER_TIMEOUT_MS = 20_000;

/** One fault row: its own simulators and server, one call with the fault, then a liveness check. */
export async function runRow(row: FaultRow, setup: RowSetup): Promise<RowResult> {
  const base = { id: row.id, fault: row.fault };
  const rowDir = join(setup.workDir, row.id);
  const dataDir = join(rowDir, 'data');
  const logDir = join(rowDir, 'logs');
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(logDir, { recursive: true });
  const disk = row.external?.kind === 'disk-full';
  if (disk) {
    const m = mountSmallDisk(dataDir);
    if (!m.ok) return { ...base, ...notRun(), skipped: m.reason };
  }
  let sims: Simulators | null = null;
  let server: CallchartServer | null = null;
  let fault: Promise<void> = Promise.resolve();
  try {
    sims = await startSimulators({
      profile: setup.profile,
      scriptPath: setup.scriptPath,
      ttsCharsPerSecond: 15,
      env: row.sim ?? {},
      readyTimeoutMs: READY_TIMEOUT_MS,
    });
    server = await startCallchartServer({
      simEnv: sims.env,
      delays: delaysOf(setup.profile),
      dataDir,
      logDir,
      processGroup: true,
      readyTimeoutMs: READY_TIMEOUT_MS,
      // A short drain: the fresh call is hung up by then, and the row should not wait a minute.
      env: { DRAIN_SECONDS: '2', LOG_LEVEL: process.env.CHAOS_LOG_LEVEL ?? 'warn' },
    });
    const srv = server;
    const agi = await runFakeAgiCall({ host: '127.0.0.1', port: srv.agiPort, args: [DID, CALLER_ID] });
    const uuid = agi.variables.VA_UUID;
    if (!uuid) return { ...base, ...notRun(), error: `FastAGI handed out no call id (${agi.agiStatus})` };
    const caller = await runSimulatedCaller({
      port: srv.audioSocketPort,
      uuid,
      script: setup.script,
      answerTimeoutMs: ANSWER_TIMEOUT_MS,
      onLineSaid: (i) => {
        if (row.external && i === row.external.afterLine) fault = injectExternal(row.external, srv, dataDir);
      },
    });
    const asked = await runFakeAgiCall({
      host: '127.0.0.1',
      port: srv.agiPort,
      script: 'outcome',
      args: [uuid],
    }).catch(() => null);
    const outcome = asked?.variables.VA_OUTCOME ?? 'unknown';
    await fault;
    const processAlive = await alive(srv);
    const endedBy =
      caller.end.reason === 'server-hangup'
        ? 'agent'
        : caller.end.reason.startsWith('local')
          ? 'caller'
          : 'socket';
    await srv.child.stop();
    server = null;
    if (disk) emptyDisk(dataDir);
    const answered = caller.turns.filter((t) => t.mouthToEarMs !== null).length;
    const silence = longestSilence({
      startedAt: caller.startedAt,
      endedAt: caller.startedAt + caller.durationMs,
      agentVoicedAt: caller.agentVoicedAt,
      spoken: caller.spoken,
      agentHungUp: endedBy === 'agent',
    });
    return {
      ...base,
      maxSilenceMs: silence.ms,
      silenceAt: silence.where,
      recovered: endedBy === 'agent' && RECOVERED.has(outcome),
      booked: bookedInStore(srv.dbPath, uuid),
      processAlive,
      outcome,
      answered: `${answered}/${setup.script.length}`,
      endedBy,
      journalled: inJournal(srv.dbPath, uuid),
    };
  } catch (err) {
    return { ...base, ...notRun(), error: (err as Error).message.split('\n')[0] ?? 'failed' };
  } finally {
    await fault.catch(() => undefined);
    await server?.child.stop();
    await sims?.child.stop();
    if (disk) unmountSmallDisk(dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function notRun(): Omit<RowResult, 'id' | 'fault'> {
  return {
    maxSilenceMs: null,
    silenceAt: '-',
    recovered: false,
    booked: false,
    processAlive: false,
    outcome: 'unknown',
    answered: '-',
    endedBy: 'none',
    journalled: false,
  };
}

/** Starts the fault; resolves once it is over (the lock given back, or the disk filled). */
function injectExternal(fault: ExternalFault, server: CallchartServer, dataDir: string): Promise<void> {
  if (fault.kind === 'disk-full') {
    fillDisk(dataDir);
    return Promise.resolve();
  }
  const holder: NodeChild = spawnNodeChild('db-lock', 'bench/hold-db-lock.ts', {
    env: cleanEnv(),
    args: [server.dbPath, String(fault.holdMs)],
    processGroup: true,
  });
  return holder.exited.then(() => undefined);
}

/** The server process is up, answers /healthz, and greets a fresh call. */
async function alive(server: CallchartServer): Promise<boolean> {
  const state = await Promise.race([
    server.child.exited.then(() => 'exited'),
    new Promise<string>((r) => setImmediate(() => r('running'))),
  ]);
  if (state === 'exited') return false;
  const health = await fetch(`http://127.0.0.1:${server.httpPort}/healthz`, {
    signal: AbortSignal.timeout(5000),
  }).catch(() => null);
  if (!health?.ok) return false;
  return freshCallGreeted(server.agiPort, server.audioSocketPort, DID, CALLER_ID);
}

function bookedInStore(dbPath: string, uuid: string): boolean {
  if (!existsSync(dbPath)) return false;
  try {
    const db = new Database(dbPath, { readonly: true, fileMustExist: true });
    try {
      return db.prepare('SELECT 1 FROM bookings WHERE call_id = ?').get(uuid) !== undefined;
    } finally {
      db.close();
    }
  } catch {
    return false;
  }
}

function inJournal(dbPath: string, uuid: string): boolean {
  const path = join(dirname(dbPath), 'booking-journal.jsonl');
  return existsSync(path) && readFileSync(path, 'utf8').includes(uuid);
}
