import { afterEach, describe, expect, it } from 'vitest';
import { runFakeAgiCall } from '../../sim/asterisk/fake-asterisk-agi.js';
import { CallMetadataRegistry } from '../../src/agi/call-metadata-registry.js';
import { CallOutcomeRegistry } from '../../src/agi/call-outcome-registry.js';
import { type FastAgiServer, startFastAgiServer } from '../../src/agi/fastagi-server.js';
import { captureLogger } from '../store/capture-logger.js';

const UUID = '6f1c2a9e-3b4d-4c5e-8f60-718293a4b5c6';
const OTHER = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

describe('CallOutcomeRegistry', () => {
  it('hands an outcome over once, whatever the UUID case', async () => {
    const r = new CallOutcomeRegistry();
    r.set(UUID.toUpperCase(), { outcome: 'transferred', transferTo: '+442079460999' });
    expect(await r.take(UUID)).toEqual({ outcome: 'transferred', transferTo: '+442079460999' });
    expect(await r.take(UUID)).toBeUndefined();
    r.close();
  });

  it('lets a request wait for an outcome recorded a moment later', async () => {
    const r = new CallOutcomeRegistry();
    const waiting = r.take(UUID, 5000);
    r.set(UUID, { outcome: 'booked' });
    expect(await waiting).toEqual({ outcome: 'booked' });
    expect(r.size).toBe(0);
    r.close();
  });

  it('keeps at most maxEntries, the oldest going first', async () => {
    const r = new CallOutcomeRegistry({ maxEntries: 1 });
    r.set(UUID, { outcome: 'booked' });
    r.set(OTHER, { outcome: 'declined' });
    expect(r.size).toBe(1);
    expect(await r.take(UUID)).toBeUndefined();
    expect(await r.take(OTHER)).toEqual({ outcome: 'declined' });
    r.close();
  });

  it('forgets an outcome nobody asked for once its time is up', async () => {
    const r = new CallOutcomeRegistry({ ttlMs: 20 });
    r.set(UUID, { outcome: 'booked' });
    await new Promise((done) => setTimeout(done, 80));
    expect(await r.take(UUID)).toBeUndefined();
    r.close();
  });

  it('releases a waiter with nothing when closed', async () => {
    const r = new CallOutcomeRegistry();
    const waiting = r.take(UUID, 60_000);
    r.close();
    expect(await waiting).toBeUndefined();
  });
});

describe('FastAGI outcome script against a fake Asterisk', () => {
  let server: FastAgiServer | undefined;
  const registry = new CallMetadataRegistry();
  const outcomes = new CallOutcomeRegistry();
  afterEach(async () => {
    await server?.close();
  });

  async function start() {
    const logs = captureLogger();
    server = await startFastAgiServer({ port: 0, registry, outcomes, log: logs.log });
    return { at: { host: server.host, port: server.port }, logs };
  }

  it('sets VA_OUTCOME and VA_TRANSFER_TO for a transferred call, and registers nothing', async () => {
    const { at } = await start();
    outcomes.set(UUID, { outcome: 'transferred', transferTo: '+442079460999' });
    const call = await runFakeAgiCall({ ...at, script: 'outcome', args: [UUID] });
    expect(call.agiStatus).toBe('SUCCESS');
    expect(call.variables).toEqual({ VA_OUTCOME: 'transferred', VA_TRANSFER_TO: '+442079460999' });
    expect(registry.size).toBe(0);
  });

  it('sets an empty VA_TRANSFER_TO for any other outcome', async () => {
    const { at } = await start();
    outcomes.set(UUID, { outcome: 'booked', transferTo: '+442079460999' });
    const call = await runFakeAgiCall({ ...at, script: 'outcome', args: [UUID] });
    expect(call.commands).toEqual([
      ['SET', 'VARIABLE', 'VA_OUTCOME', 'booked'],
      ['SET', 'VARIABLE', 'VA_TRANSFER_TO', ''],
    ]);
  });

  it('answers "unknown" for a call it never saw, after a bounded wait', async () => {
    const { at } = await start();
    const call = await runFakeAgiCall({ ...at, script: 'outcome', args: [OTHER], timeoutMs: 10_000 });
    expect(call.variables).toEqual({ VA_OUTCOME: 'unknown', VA_TRANSFER_TO: '' });
  });

  it('answers "unknown" with one log line for an argument that is not a UUID', async () => {
    const { at, logs } = await start();
    const call = await runFakeAgiCall({ ...at, script: 'outcome', args: ['"; Hangup'] });
    expect(call.variables).toEqual({ VA_OUTCOME: 'unknown', VA_TRANSFER_TO: '' });
    expect(logs.lines().filter((l) => l.msg === 'outcome asked without a valid UUID')).toHaveLength(1);
  });
});
