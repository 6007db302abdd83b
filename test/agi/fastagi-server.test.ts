import { connect } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runFakeAgiCall } from '../../sim/asterisk/fake-asterisk-agi.js';
import { CallMetadataRegistry } from '../../src/agi/call-metadata-registry.js';
import { type FastAgiServer, startFastAgiServer } from '../../src/agi/fastagi-server.js';
import { isCanonicalUuid } from '../../src/agi/uuid.js';
import { captureLogger } from '../store/capture-logger.js';

const DIALPLAN_UUID = '6f1c2a9e-3b4d-4c5e-8f60-718293a4b5c6';

describe('FastAGI server against a fake Asterisk', () => {
  let registry: CallMetadataRegistry;
  let server: FastAgiServer;
  let logs: ReturnType<typeof captureLogger>;

  async function start(extra: Partial<Parameters<typeof startFastAgiServer>[0]> = {}) {
    server = await startFastAgiServer({
      port: 0,
      registry,
      log: logs.log,
      audioSocketAddress: '127.0.0.1:9099',
      ...extra,
    });
    return { host: server.host, port: server.port };
  }

  beforeEach(() => {
    registry = new CallMetadataRegistry();
    logs = captureLogger();
  });
  afterEach(async () => {
    await server?.close();
    registry.close();
  });

  it('pattern 5.1: hands the dialplan a fresh UUID and registers the call under it', async () => {
    const at = await start();
    const call = await runFakeAgiCall({
      ...at,
      script: 'voice-agent',
      args: ['02012345678', '+447700900123'],
      env: { channel: 'PJSIP/trunk-0000002a', uniqueid: '1718000000.42' },
    });
    expect(call.agiStatus).toBe('SUCCESS');
    const uuid = call.variables.VA_UUID ?? '';
    expect(isCanonicalUuid(uuid)).toBe(true);
    expect(call.variables.VA_AUDIOSOCKET).toBe('127.0.0.1:9099');
    expect(call.commands).toEqual([
      ['SET', 'VARIABLE', 'VA_UUID', uuid],
      ['SET', 'VARIABLE', 'VA_AUDIOSOCKET', '127.0.0.1:9099'],
    ]);
    expect(await registry.take(uuid)).toEqual({
      did: '02012345678',
      callerId: '+447700900123',
      channel: 'PJSIP/trunk-0000002a',
      uniqueId: '1718000000.42',
      source: 'fastagi-5.1',
    });
  });

  it('never sends CR, and each command is one complete LF-terminated line', async () => {
    const at = await start();
    const call = await runFakeAgiCall({ ...at, args: ['02012345678', '+447700900123'] });
    expect(call.sawCarriageReturn).toBe(false);
    expect(call.trailingBytes).toBe(0);
    expect(call.commandLines.every((l) => !l.includes('\r'))).toBe(true);
  });

  it('takes the DID and caller from the environment when no arguments are passed', async () => {
    const at = await start({ audioSocketAddress: undefined });
    const call = await runFakeAgiCall({
      ...at,
      env: { extension: '01234567890', dnid: '01234567890', callerid: '07700900123' },
    });
    expect(Object.keys(call.variables)).toEqual(['VA_UUID']);
    expect(await registry.take(call.variables.VA_UUID ?? '')).toMatchObject({
      did: '01234567890',
      callerId: '07700900123',
    });
  });

  it('pattern 5.2: registers under the dialplan UUID and sends nothing', async () => {
    const at = await start();
    const call = await runFakeAgiCall({
      ...at,
      script: 'register',
      args: [DIALPLAN_UUID, '02012345678', '+447700900123'],
    });
    expect(call.agiStatus).toBe('SUCCESS');
    expect(call.commandLines).toEqual([]);
    expect(call.variables).toEqual({});
    expect(await registry.take(DIALPLAN_UUID)).toMatchObject({
      did: '02012345678',
      callerId: '+447700900123',
      source: 'fastagi-5.2',
    });
  });

  it('metadata registered by FastAGI is waiting for the AudioSocket side', async () => {
    const at = await start();
    const waiting = registry.take(DIALPLAN_UUID, 2000); // AudioSocket connected first (should not happen, but may)
    await runFakeAgiCall({ ...at, args: [DIALPLAN_UUID, '02012345678', '+447700900123'] });
    expect((await waiting)?.did).toBe('02012345678');
  });

  it('ignores the trailing HANGUP Asterisk writes after the server closes', async () => {
    const at = await start();
    await runFakeAgiCall({ ...at, args: ['02012345678', '+447700900123'] });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(logs.lines().filter((l) => Number(l.level) >= 40)).toEqual([]);
  });

  it('still completes when the caller hangs up mid-session (SET VARIABLE works on a dead channel)', async () => {
    const at = await start();
    const call = await runFakeAgiCall({
      ...at,
      args: ['02012345678', '+447700900123'],
      callerHangsUpAfter: 0,
    });
    expect(call.agiStatus).toBe('HANGUP');
    expect(isCanonicalUuid(call.variables.VA_UUID ?? '')).toBe(true);
  });

  it.each([
    ['510', '510 Invalid or unknown command'],
    ['511', '511 Command Not Permitted on a dead channel or intercept routine'],
    [
      '520',
      '520-Invalid command syntax.  Proper usage follows:\nUsage: SET VARIABLE <a> <b>\n520 End of proper usage.',
    ],
    ['200 result=0', '200 result=0'],
  ])('a %s reply to SET VARIABLE VA_UUID ends the session and drops the registration', async (_n, line) => {
    const at = await start();
    const call = await runFakeAgiCall({
      ...at,
      args: ['02012345678', '+447700900123'],
      replyOverride: (words) => (words[2] === 'VA_UUID' ? line : undefined),
    });
    expect(call.agiStatus).toBe('SUCCESS'); // the dialplan then sees an empty VA_UUID and fails over
    expect(call.commands).toHaveLength(1);
    expect(registry.size).toBe(0);
    expect(logs.lines().some((l) => l.msg === 'SET VARIABLE refused')).toBe(true);
  });

  it('a refused VA_AUDIOSOCKET keeps the UUID registration the dialplan already has', async () => {
    const at = await start();
    const call = await runFakeAgiCall({
      ...at,
      args: ['02012345678', '+447700900123'],
      replyOverride: (words) =>
        words[2] === 'VA_AUDIOSOCKET' ? '510 Invalid or unknown command' : undefined,
    });
    expect(await registry.take(call.variables.VA_UUID ?? '')).toBeDefined();
  });

  it('drops a peer that answers with something that is not an AGI reply', async () => {
    const at = await start();
    await runFakeAgiCall({ ...at, args: ['02012345678'], replyOverride: () => 'OK then' });
    expect(registry.size).toBe(0);
    expect(logs.lines().find((l) => l.msg === 'FastAGI session dropped')?.reason).toMatch(/not an AGI reply/);
  });

  it.each([
    ['an HTTP request', 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['binary noise', Buffer.from([0x10, 0x00, 0x10, 0xff, 0xfe, 0x0a])],
    ['a block missing agi_channel', 'agi_network: yes\nagi_uniqueid: 1.2\n\n'],
    ['an endless line', 'agi_network: '.padEnd(10_000, 'y')],
  ])('closes the connection on %s, and serves the next call', async (_name, preamble) => {
    const at = await start();
    const bad = await runFakeAgiCall({ ...at, rawPreamble: preamble });
    expect(bad.commandLines).toEqual([]);
    expect(registry.size).toBe(0);
    expect(logs.lines().some((l) => l.msg === 'FastAGI session dropped')).toBe(true);
    const good = await runFakeAgiCall({ ...at, args: ['02012345678', '+447700900123'] });
    expect(isCanonicalUuid(good.variables.VA_UUID ?? '')).toBe(true);
  });

  it('garbage on one connection does not disturb a call in progress on another', async () => {
    const at = await start();
    const calls = Array.from({ length: 20 }, (_, i) =>
      runFakeAgiCall({ ...at, args: [`0201234567${i % 10}`, '+447700900123'] }),
    );
    const bad = runFakeAgiCall({ ...at, rawPreamble: 'hello\n' });
    const results = await Promise.all(calls);
    await bad;
    const uuids = new Set(results.map((r) => r.variables.VA_UUID));
    expect(uuids.size).toBe(20);
    expect(registry.size).toBe(20);
  });

  it('drops a peer that never finishes its environment block', async () => {
    const at = await start({ sessionTimeoutMs: 100 });
    const socket = connect(at);
    socket.on('error', () => undefined);
    socket.write('agi_network: yes\n'); // ...and then nothing
    // The logged reason proves it was the session timeout that closed it, however busy the machine.
    await new Promise<void>((resolve) => socket.on('close', () => resolve()));
    expect(logs.lines().find((l) => l.msg === 'FastAGI session dropped')?.reason).toBe('session timed out');
  });

  it('drops a peer that never answers a command', async () => {
    const at = await start({ sessionTimeoutMs: 100 });
    const call = await runFakeAgiCall({
      ...at,
      args: ['02012345678', '+447700900123'],
      replyOverride: () => null, // a stalled Asterisk: the command is read and never answered
    });
    expect(call.commands).toHaveLength(1);
    expect(registry.size).toBe(0);
    expect(logs.lines().find((l) => l.msg === 'FastAGI session dropped')?.reason).toBe('session timed out');
  });

  it('AGISTATUS is FAILURE when nothing listens', async () => {
    const at = await start();
    await server.close();
    const call = await runFakeAgiCall({ ...at, args: ['02012345678'] });
    expect(call.agiStatus).toBe('FAILURE');
  });

  it('logs masked caller numbers only', async () => {
    const at = await start();
    await runFakeAgiCall({ ...at, args: ['02012345678', '+447700900123'] });
    expect(JSON.stringify(logs.lines())).not.toContain('7700900123');
  });

  it('refuses a malformed AudioSocket address at start-up', async () => {
    await expect(
      startFastAgiServer({ port: 0, registry, log: logs.log, audioSocketAddress: 'nowhere' }),
    ).rejects.toThrow(/host:port/);
  });
});
