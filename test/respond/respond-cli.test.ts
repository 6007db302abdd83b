import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readWav } from '../../src/audio/wav-reader.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLIP = 'fixtures/audio/hi-the-pipe-under-my-kitchen-sink-is-leaking.wav';
const dir = mkdtempSync(join(tmpdir(), 'callchart-respond-cli-'));
const running = new Set<ChildProcess>();

/** Kills a child's whole process group (tsx runs node under it). */
function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
afterAll(() => {
  for (const child of running) killGroup(child);
});

/**
 * `npm run respond` as a user runs it, minus npm: the same script under tsx, in its own process
 * group, with no provider keys so it starts the simulators in-process.
 */
function runRespond(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'sim/respond/main.ts', ...args], {
    cwd: ROOT,
    detached: true, // its own process group, stopped as a whole
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      SIM: '1',
      LOG_LEVEL: 'warn',
      CALLCHART_DB: join(dir, 'unused.db'),
      ...env,
    },
  });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => {
    stdout += c.toString('utf8');
  });
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString('utf8');
  });
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.once('exit', (code) => {
      running.delete(child);
      killGroup(child);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('npm run respond (child process on the simulators)', () => {
  it('writes the reply as a WAV at the input rate and prints the timing line', {
    timeout: 60_000,
  }, async () => {
    const out = join(dir, 'out.wav');
    const r = await runRespond([CLIP, out]);
    expect(r.stderr).not.toMatch(/respond failed/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/heard: "Hi, the pipe under my kitchen sink is leaking\."/);
    expect(r.stdout).toMatch(
      /STT \d+ ms \| LLM first token \d+ ms \| LLM total \d+ ms \| TTS first byte \d+ ms \| TTS total \d+ ms \| overall \d+ ms/,
    );
    expect(r.stdout).toMatch(/streaming: /);
    const wav = readWav(readFileSync(out));
    expect(wav.format).toEqual({ sampleRate: 8000, channels: 1 });
    expect(wav.durationMs).toBeGreaterThan(2000); // the quote is two sentences
    expect(wav.durationMs).toBeLessThan(60_000);
  });

  it('--json prints one object with the same figures; --tenant and --history are honoured', {
    timeout: 60_000,
  }, async () => {
    const out = join(dir, 'out-json.wav');
    const history = join(dir, 'history.json');
    writeFileSync(
      history,
      JSON.stringify([{ role: 'agent', text: 'Hello, Spark Electrical, good morning.' }]),
    );
    const r = await runRespond([CLIP, out, '--json', '--tenant', 'spark-electrical', '--history', history]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const report = JSON.parse(lines[0]!);
    expect(report).toMatchObject({
      tenantId: 'spark-electrical',
      step: 'quote',
      sampleRate: 8000,
      output: out,
    });
    expect(report.reply).toMatch(/electrician/);
    for (const k of ['sttMs', 'llmTotalMs', 'ttsFirstByteMs', 'ttsTotalMs', 'totalMs', 'streamingSavedMs']) {
      expect(report.timings[k]).toEqual(expect.any(Number));
    }
    expect(readWav(readFileSync(out)).durationMs).toBeCloseTo(report.audioMs, 0);
  });

  it('explains a bad WAV and exits 2', { timeout: 60_000 }, async () => {
    const truncated = join(dir, 'truncated.wav');
    writeFileSync(truncated, readFileSync(join(ROOT, CLIP)).subarray(0, 30));
    const bad = await runRespond([truncated, join(dir, 'never.wav')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/truncated\.wav: truncated WAV/);

    const wrong = join(dir, 'wrong-rate.wav');
    const copy = Buffer.from(readFileSync(join(ROOT, CLIP)));
    copy.writeUInt32LE(22050, 24);
    copy.writeUInt32LE(44100, 28);
    writeFileSync(wrong, copy);
    const rate = await runRespond([wrong, join(dir, 'never.wav')]);
    expect(rate.code).toBe(2);
    expect(rate.stderr).toMatch(/unsupported WAV sample rate 22050 Hz: use 8000 or 16000/);
  });

  it('rejects bad arguments with the usage line', { timeout: 60_000 }, async () => {
    const r = await runRespond([CLIP]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/usage: npm run respond -- in\.wav out\.wav/);
    const lang = await runRespond([CLIP, join(dir, 'x.wav'), '--language', 'fr']);
    expect(lang.code).toBe(2);
    expect(lang.stderr).toMatch(/--language must be en or es/);
  });
});
