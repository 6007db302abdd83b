import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runFakeAgiCall } from '../../sim/asterisk/fake-asterisk-agi.js';
import { runSimulatedCaller } from '../../sim/caller/caller.js';
import { waitFor } from '../audiosocket/harness.js';
import { script, startRig } from '../e2e/rig.js';

type Rig = Awaited<ReturnType<typeof startRig>>;
const rigs: Rig[] = [];
afterEach(async () => {
  await Promise.all(rigs.splice(0).map((r) => r.close()));
});

async function rigWith(lines = script('booking-en')): Promise<Rig> {
  const rig = await startRig({ script: lines });
  rigs.push(rig);
  return rig;
}

/**
 * Starts the shutdown and waits until the app says it is draining. The shutdown comes back wrapped:
 * an async function returning the promise itself would wait for the whole shutdown.
 */
async function drainStarted(rig: Rig, drainMs: number): Promise<{ stopping: Promise<void> }> {
  const stopping = rig.app.shutdown({ drainMs });
  await waitFor(() => rig.app.draining, 'draining');
  return { stopping };
}

async function registeredCall(rig: Rig): Promise<string> {
  const agi = await runFakeAgiCall({
    host: '127.0.0.1',
    port: rig.app.agiPort ?? 0,
    script: 'voice-agent',
    args: ['02012345678', '+447700900123'],
  });
  const uuid = agi.variables.VA_UUID;
  if (!uuid) throw new Error(`no VA_UUID from FastAGI: ${agi.agiStatus}`);
  return uuid;
}

/** Resolves with the error code of a TCP connect to the port (null: it connected). */
function connectOutcome(port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(null);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

describe('a drain that begins between a call’s FastAGI registration and its AudioSocket leg', () => {
  it('still takes the call this node promised, lets it finish, then accepts nothing more', async () => {
    const lines = script('booking-en').slice(0, 2);
    const rig = await rigWith(lines);
    const uuid = await registeredCall(rig);
    expect(rig.app.registry.size).toBe(1);
    const { stopping } = await drainStarted(rig, 60_000);
    const caller = await runSimulatedCaller({
      port: rig.app.audioSocketPort,
      uuid,
      script: lines,
      turnGapMs: 500,
    });
    expect(caller.answerToFirstAudioMs).not.toBeNull(); // greeted
    expect(caller.completed).toBe(true); // every line answered, not cut by the drain
    await stopping;
    expect(rig.app.activeCalls()).toBe(0);
    expect(await connectOutcome(rig.app.audioSocketPort)).toBe('ECONNREFUSED');
  }, 90_000);

  it('stops waiting for a registered leg that never comes, well before the drain deadline', async () => {
    const rig = await rigWith();
    await registeredCall(rig); // the caller hangs up before Asterisk connects the AudioSocket leg
    const { stopping } = await drainStarted(rig, 120_000);
    // The leg's short wait ends the drain; the 120 s deadline (over the test's timeout) is never reached.
    await stopping;
    expect(rig.app.activeCalls()).toBe(0);
    expect(await connectOutcome(rig.app.audioSocketPort)).toBe('ECONNREFUSED');
  }, 60_000);

  it('closes the listener at once when no call is due', async () => {
    const rig = await rigWith();
    const { stopping } = await drainStarted(rig, 120_000);
    expect(await connectOutcome(rig.app.audioSocketPort)).toBe('ECONNREFUSED');
    await stopping;
  }, 60_000);
});
