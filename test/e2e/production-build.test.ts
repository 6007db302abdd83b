import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AsteriskPeer } from '../../sim/asterisk/peer.js';
import { type SimStack, startSimStack } from '../../sim/stack.js';
import { rmsS16le } from '../../src/audio/energy.js';
import { silentLogger } from '../../src/log.js';
import { waitFor } from '../audiosocket/harness.js';

/**
 * What `npm start` and the systemd unit run: the compiled server in dist/, under plain node (no
 * tsx). It must boot, answer a call with its greeting through the provider simulators (the
 * Cartesia SDK's CommonJS build included), and exit cleanly on SIGTERM.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BUILD_TIMEOUT_MS = 300_000;

/**
 * `npm start`'s own build step, at the lowest CPU priority: tsc takes a core for many seconds, and
 * the real-time call tests running beside this file must not lose their 20 ms pacing to it.
 */
async function buildAtLowPriority(): Promise<void> {
  const build = spawn(process.execPath, ['scripts/build.mjs', '--if-stale'], { cwd: ROOT, stdio: 'inherit' });
  if (build.pid !== undefined) setPriority(build.pid, 19);
  const code = await new Promise<number | null>((resolve) => build.once('exit', resolve));
  if (code !== 0) throw new Error(`npm run build failed (exit ${code})`);
}

let sims: SimStack;
let server: ChildProcess;
let output = '';
let exitCode: Promise<number | null>;

const listening = () => /"msg":"callchart listening"/.test(output);
const portOf = (name: string) => Number(new RegExp(`"${name}":"127\\.0\\.0\\.1:(\\d+)"`).exec(output)?.[1]);

beforeAll(async () => {
  await buildAtLowPriority();
  sims = await startSimStack({ log: silentLogger });
  const dir = mkdtempSync(join(tmpdir(), 'callchart-dist-'));
  // Its own process group, so the whole group can be stopped whatever happens.
  server = spawn(process.execPath, ['--enable-source-maps', 'dist/src/main.js'], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      ...sims.env,
      CALLCHART_DB: join(dir, 'callchart.db'),
      METADATA_DIR: dir,
      AUDIOSOCKET_PORT: '0',
      AGI_PORT: '0',
      HTTP_PORT: '0',
      LOG_LEVEL: 'info',
      LOG_PRETTY: '0',
    },
  });
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-200_000);
  };
  server.stdout?.on('data', keep);
  server.stderr?.on('data', keep);
  exitCode = new Promise((resolve) => server.once('exit', (code) => resolve(code)));
  await waitFor(listening, 'the built server listening', 60_000);
}, BUILD_TIMEOUT_MS + 90_000);

afterAll(async () => {
  if (server?.pid !== undefined && server.exitCode === null && server.signalCode === null) {
    try {
      process.kill(-server.pid, 'SIGKILL');
    } catch {}
  }
  await sims?.close();
});

describe('the production build (dist/)', () => {
  it('answers a call with its greeting, then exits on SIGTERM', async () => {
    let voicedFrames = 0;
    const peer = await AsteriskPeer.connect({
      port: portOf('audioSocket'),
      onServerFrame: (frame) => {
        if (frame.kind === 'audio' && rmsS16le(frame.payload) > 500) voicedFrames++;
      },
    });
    await waitFor(() => voicedFrames >= 10, 'the greeting, voiced', 30_000);
    peer.hangup();
    await peer.ended;
    await waitFor(() => /"outcome":/.test(output), 'the call summary', 15_000);

    process.kill(-server.pid!, 'SIGTERM');
    expect(await exitCode).toBe(0);
    expect(output).toContain('"msg":"shutting down"');
    expect(output).not.toMatch(/Error \[ERR_|is not a function|Cannot find/);
  }, 90_000);
});
