import { connect, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { environmentBlock } from '../../sim/asterisk/fake-asterisk-agi.js';
import { CallMetadataRegistry } from '../../src/agi/call-metadata-registry.js';
import { type FastAgiServer, startFastAgiServer } from '../../src/agi/fastagi-server.js';
import { captureLogger } from '../store/capture-logger.js';

/**
 * A hostile FastAGI peer over real TCP: it keeps writing as fast as the socket lets it. Resolves with
 * the bytes written before the server cut it off.
 */
function flood(port: number, preamble: string, line: string): Promise<{ written: number; why: string }> {
  return new Promise((resolve) => {
    const socket: Socket = connect({ port, host: '127.0.0.1' });
    let written = 0;
    let done = false;
    const chunk = Buffer.from(line.repeat(64));
    const stop = (why: string) => {
      if (done) return;
      done = true;
      socket.destroy();
      resolve({ written, why });
    };
    const pump = () => {
      while (!done && socket.writable) {
        written += chunk.length;
        if (!socket.write(chunk)) return; // wait for 'drain'
        if (written > 256 * 1024 * 1024) return stop('never cut off');
      }
    };
    socket.on('drain', pump);
    socket.on('close', () => stop('closed'));
    socket.on('error', (err: NodeJS.ErrnoException) => stop(err.code ?? 'error'));
    socket.once('connect', () => {
      socket.write(preamble);
      socket.once('data', () => pump()); // the first SET VARIABLE arrived: now "answer" it
    });
  });
}

describe('FastAGI bounds against a flooding peer', () => {
  let registry: CallMetadataRegistry;
  let server: FastAgiServer;
  let logs: ReturnType<typeof captureLogger>;

  // A long session timeout: only the byte and usage caps can end these sessions.
  const start = async (maxSessionBytes?: number) => {
    server = await startFastAgiServer({
      port: 0,
      registry,
      log: logs.log,
      sessionTimeoutMs: 60_000,
      ...(maxSessionBytes ? { maxSessionBytes } : {}),
    });
  };
  beforeEach(() => {
    registry = new CallMetadataRegistry();
    logs = captureLogger();
  });
  afterEach(async () => {
    await server?.close();
    registry.close();
  });

  const env = () =>
    environmentBlock({ host: '127.0.0.1', port: server.port, args: ['02012345678', '+447700900123'] });

  it('cuts off an endless 520- usage block', async () => {
    await start(64 * 1024 * 1024); // the usage cap, not the byte budget, must end this one
    const result = await flood(
      server.port,
      `${env()}520-Invalid or unknown command\n`,
      `${'u'.repeat(120)}\n`,
    );
    expect(result.why).not.toBe('never cut off');
    expect(JSON.stringify(logs.lines())).toContain('520 usage block longer than 100 lines');
  }, 30_000);

  it('cuts off a session that sends more than its byte budget (no line ends at all)', async () => {
    await start();
    const result = await flood(server.port, env(), '200 result=1 ');
    expect(result.why).not.toBe('never cut off');
    const reasons = logs.lines().map((l) => String(l.reason));
    expect(reasons.some((r) => /more than \d+ bytes|longer than \d+ bytes/.test(r))).toBe(true);
  }, 30_000);

  it('cuts off a session that sends many short lines', async () => {
    await start();
    const result = await flood(server.port, env(), 'HANGUP\n');
    expect(result.why).not.toBe('never cut off');
    expect(logs.lines().some((l) => /more than 65536 bytes/.test(String(l.reason)))).toBe(true);
  }, 30_000);
});
