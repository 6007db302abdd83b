import { afterAll, describe, expect, it } from 'vitest';
import { killAllChildren } from '../../bench/child-process.js';
import { runKillBench } from '../../bench/kill-run.js';

// kill -9 under load, shrunk: the simulators and callchart as real processes, three callers booking
// back to back, SIGKILL to the server's process group mid-call and a restart on the same database.
// What the callers heard is then checked against the database. Counts only, never timings.
describe('bench kill -9 mode', () => {
  afterAll(killAllChildren);

  it('loses no booking a caller heard confirmed, and marks the calls it cut interrupted', {
    timeout: 240_000,
  }, async () => {
    const r = await runKillBench({ calls: 3, seconds: 45, killAfterSeconds: 6, ttsCharsPerSecond: 45 });
    expect(r.restarted).toBe(true);
    expect(r.integrity).toBe('ok');
    // The kill landed mid-call: those calls' rows were closed as interrupted by the restart.
    expect(r.callsCutByKill).toBeGreaterThanOrEqual(1);
    expect(r.cutCallsInterrupted).toBe(r.callsCutByKill);
    expect(r.interruptedCalls).toBeGreaterThanOrEqual(r.callsCutByKill);
    // Calls after the restart were booked and heard confirmed: every one of them is on disk.
    expect(r.callsAfterRestart).toBeGreaterThanOrEqual(1);
    expect(r.heardConfirmed).toBeGreaterThanOrEqual(1);
    expect(r.bookingsOnDisk).toBe(r.heardConfirmed);
    expect(r.lostBookings).toBe(0);
    expect(r.halfWrittenRows).toBe(0);
  });
});
