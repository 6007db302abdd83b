import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runFakeAgiCall } from '../../sim/asterisk/fake-asterisk-agi.js';
import { runSimulatedCaller } from '../../sim/caller/caller.js';
import { script } from '../e2e/rig.js';
import { type ServeSimChild, startServeSim } from './serve-sim-child.js';

const children: ServeSimChild[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill();
});

/** Resolves with the connect error code, or 'connected'. */
function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ port, host: '127.0.0.1' });
    s.once('connect', () => {
      s.destroy();
      resolve('connected');
    });
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

async function placeCall(server: ServeSimChild) {
  const agi = await runFakeAgiCall({
    host: '127.0.0.1',
    port: server.agiPort,
    script: 'voice-agent',
    args: ['02012345678', '+447700900123'],
  });
  const uuid = agi.variables.VA_UUID;
  if (!uuid) throw new Error(`no VA_UUID: ${agi.agiStatus}`);
  return runSimulatedCaller({
    port: server.audioSocketPort,
    uuid,
    script: script('booking-en'),
    turnGapMs: 500,
  });
}

describe('SIGTERM drains a real server process', () => {
  it('stops new calls at once, lets a live call finish its booking, then exits 0', async () => {
    const server = await startServeSim({ DRAIN_SECONDS: '60' });
    children.push(server);
    const call = placeCall(server);
    await server.logged(/^greeting playing$/);
    server.child.kill('SIGTERM');
    await server.logged(/^draining: no new calls$/);

    expect(await tryConnect(server.agiPort)).toBe('ECONNREFUSED');
    expect(await tryConnect(server.audioSocketPort)).toBe('ECONNREFUSED');
    const ready = await fetch(`http://127.0.0.1:${server.httpPort}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ ready: false, draining: true });

    const result = await call;
    expect(result.completed).toBe(true);
    expect(result.end.reason).toBe('server-hangup'); // the agent said goodbye and hung up itself
    expect(await server.exited).toBe(0);
    const ended = server.lines.find((l) => l.msg === 'call ended');
    expect(ended).toMatchObject({ outcome: 'booked' });
    expect(server.lines.some((l) => /drain deadline passed/.test(l.msg))).toBe(false);
  }, 120_000);

  it('at the drain deadline, signals the calls left to say goodbye, ends them and exits 0', async () => {
    const server = await startServeSim({ DRAIN_SECONDS: '1', SIM_CARTESIA_CHARS_PER_SECOND: '15' });
    children.push(server);
    const call = placeCall(server);
    await server.logged(/^greeting playing$/);
    server.child.kill('SIGTERM');
    const deadline = await server.logged(/^drain deadline passed/);
    expect(deadline).toMatchObject({ activeCalls: 1 });
    const result = await call;
    expect(result.completed).toBe(false);
    expect(result.end.reason).toBe('server-hangup');
    expect(await server.exited).toBe(0);
    expect(server.lines.find((l) => l.msg === 'call ended')).toBeDefined();
  }, 120_000);
});
