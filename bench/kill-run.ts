import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCallerScript } from '../sim/caller/script.js';
import type { ProfileName } from '../sim/profiles.js';
import { type CallchartServer, startCallchartServer } from './callchart-server.js';
import { ROOT } from './child-process.js';
import { checkAfterKill, type KillCheck } from './kill-check.js';
import { LoadGenerator, type LoadResult } from './load-generator.js';
import { delaysOf } from './provider-delays.js';
import { type Simulators, startSimulators } from './simulators.js';

export interface KillBenchOptions {
  calls: number;
  /** Window in which new calls start (before and after the restart). */
  seconds: number;
  /** SIGKILL the server's process group this many seconds into the load, then restart it. */
  killAfterSeconds: number;
  rampSeconds?: number;
  profile?: ProfileName;
  /** The simulated voice's speaking rate (faster: shorter calls). Default 15, as the main bench. */
  ttsCharsPerSecond?: number;
  progress?: boolean;
}

export interface KillBenchResult extends KillCheck {
  mode: 'kill';
  calls: number;
  seconds: number;
  killAfterSeconds: number;
  callsPlaced: number;
  /** Calls the callers could not place while the server was down (refused, then retried). */
  refusedWhileDown: number;
  /** Whether the restarted server was healthy again (it took the calls after the kill). */
  restarted: boolean;
  /** Seconds into the load when the restarted server answered /healthz (null: it never did). */
  restartedAtSeconds: number | null;
  /** Calls placed on the restarted server: with none, `lostBookings` 0 proves only the calls before. */
  callsAfterRestart: number;
}

const QUICK_FIX_PLUMBING_DID = '02012345678';

/**
 * `npm run bench -- --kill-after S`: the booking load against callchart on SQLite, `kill -9` of the
 * server's whole process group S seconds in, and a restart on the same database and journal and the
 * same ports while the callers carry on. Once the load is over and the server has stopped, the
 * callers' own records are checked against the database (kill-check.ts).
 */
export async function runKillBench(opts: KillBenchOptions): Promise<KillBenchResult> {
  if (opts.killAfterSeconds >= opts.seconds) throw new Error('--kill-after must be less than --seconds');
  const profile = opts.profile ?? 'fast';
  const delays = delaysOf(profile);
  const scriptPath = join(ROOT, 'fixtures/scripts/booking-en.json');
  const dataDir = mkdtempSync(join(tmpdir(), 'callchart-kill-'));
  let sims: Simulators | null = null;
  let server: CallchartServer | null = null;
  const log = (msg: string) => opts.progress && process.stderr.write(`kill bench: ${msg}\n`);
  try {
    sims = await startSimulators({ profile, scriptPath, ttsCharsPerSecond: opts.ttsCharsPerSecond ?? 15 });
    const serverOpts = { simEnv: sims.env, delays, dataDir, processGroup: true } as const;
    server = await startCallchartServer(serverOpts);
    const ports = { audioSocket: server.audioSocketPort, agi: server.agiPort, http: server.httpPort };
    const generator = new LoadGenerator({
      target: { audioSocketPort: ports.audioSocket, agiPort: ports.agi },
      calls: opts.calls,
      seconds: opts.seconds,
      arrival: 'ramp',
      rampSeconds: opts.rampSeconds ?? Math.min(10, opts.calls / 10, opts.killAfterSeconds / 2),
      script: loadCallerScript(scriptPath),
      did: QUICK_FIX_PLUMBING_DID,
    });
    const loadStart = performance.now();
    const load: Promise<LoadResult> = generator.run();
    // However the restart goes, the load ends: no new calls after the window and a bound after it.
    const hardStop = setTimeout(() => generator.stop(), (opts.seconds + 120) * 1000);
    let restarted = false;
    let killedAtMs = 0;
    let restartedAtMs: number | null = null;
    try {
      await new Promise((r) => setTimeout(r, opts.killAfterSeconds * 1000));
      killedAtMs = performance.now() - loadStart;
      log(`SIGKILL to process group ${server.child.pid} at ${Math.round(killedAtMs / 100) / 10} s`);
      process.kill(-server.child.pid, 'SIGKILL');
      await server.child.exited;
      server = null;
      server = await startCallchartServer({ ...serverOpts, ports });
      restarted = true;
      restartedAtMs = performance.now() - loadStart;
      log('restarted on the same database and ports');
    } finally {
      // The load finishes either way, so its calls are not left running.
      await load.catch(() => undefined);
      clearTimeout(hardStop);
    }
    const { outcomes } = await load;
    await server?.child.stop(); // SIGTERM: the restarted server drains and flushes its store
    server = null;
    await sims.child.stop();
    sims = null;
    const check = checkAfterKill(join(dataDir, 'callchart.db'), outcomes, killedAtMs);
    return {
      mode: 'kill',
      calls: opts.calls,
      seconds: opts.seconds,
      killAfterSeconds: opts.killAfterSeconds,
      callsPlaced: outcomes.length,
      refusedWhileDown: outcomes.filter((o) => o.error !== null && o.uuid === null).length,
      restarted,
      restartedAtSeconds: restartedAtMs === null ? null : Math.round(restartedAtMs / 100) / 10,
      callsAfterRestart: outcomes.filter((o) => o.uuid !== null && o.startMs >= (restartedAtMs ?? Infinity))
        .length,
      ...check,
    };
  } finally {
    if (server) process.kill(-server.child.pid, 'SIGKILL');
    await Promise.allSettled([server?.child.exited, sims?.child.stop()]);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The text report of a kill run. */
export function formatKillSummary(r: KillBenchResult): string {
  return [
    `callchart kill -9 bench: ${r.calls} callers, ${r.seconds} s window, SIGKILL at ${r.killAfterSeconds} s, restart ${r.restarted ? `ok (serving at ${r.restartedAtSeconds} s)` : 'FAILED'}`,
    `calls placed ${r.callsPlaced} (${r.callsAfterRestart} after the restart), refused while down ${r.refusedWhileDown}, cut by the kill ${r.callsCutByKill} (stored interrupted ${r.cutCallsInterrupted}), interrupted rows ${r.interruptedCalls}`,
    `bookings heard confirmed ${r.heardConfirmed}, on disk ${r.bookingsOnDisk}, lostBookings ${r.lostBookings} (target 0)`,
    `half-written rows ${r.halfWrittenRows} (target 0), integrity_check ${r.integrity}`,
    ...(r.heardConfirmed === 0
      ? ['no caller heard a booking confirmed: give the load more --seconds after the kill']
      : []),
  ].join('\n');
}
