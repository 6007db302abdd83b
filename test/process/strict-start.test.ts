import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** tsx by absolute URL: the child runs in a temp directory where the bare name would not resolve. */
const TSX = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

/** `npm start` as a real process in its own group, from a directory without a .env file. */
function start(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const cwd = mkdtempSync(join(tmpdir(), 'cc-start-'));
  const child = spawn(process.execPath, ['--import', TSX, join(ROOT, 'src/main.ts')], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const timer = setTimeout(() => {
    if (child.pid) process.kill(-child.pid, 'SIGKILL');
  }, 60_000);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    }),
  );
}

const keys = { DEEPGRAM_API_KEY: 'dg', CARTESIA_API_KEY: 'ca', GROQ_API_KEY: 'gq' };
const closedPorts = { AUDIOSOCKET_PORT: '0', AGI_PORT: '0', HTTP_PORT: '0', LOG_LEVEL: 'silent' };

describe('npm start refuses a configuration it cannot run on (exit 2, no restart loop)', () => {
  it('without the speech-to-text and text-to-speech keys', async () => {
    const { code, stderr } = await start({ ...closedPorts, GROQ_API_KEY: 'gq' });
    expect(code).toBe(2);
    expect(stderr).toMatch(/DEEPGRAM_API_KEY: required/);
    expect(stderr).toMatch(/CARTESIA_API_KEY: required/);
  }, 90_000);

  it('on a blank value, naming it', async () => {
    const { code, stderr } = await start({ ...keys, ...closedPorts, AUDIOSOCKET_PORT: '' });
    expect(code).toBe(2);
    expect(stderr).toMatch(/AUDIOSOCKET_PORT: set but empty/);
  }, 90_000);

  it('on a tenants file that does not validate, naming the entry, field and line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cc-tenants-'));
    const file = join(dir, 'tenants.json');
    const good = {
      id: 'good-co',
      number: '02011112222',
      companyName: 'Good Co',
      trade: 'plumber',
      tradeLabel: 'plumbing',
      calloutFee: 80,
      area: 'London',
    };
    const bad = { ...good, id: 'bad-co', number: '02033334444', calloutFee: 'eighty' };
    writeFileSync(file, `[\n${JSON.stringify(good, null, 2)},\n${JSON.stringify(bad, null, 2)}\n]\n`);
    const badLine = 2 + JSON.stringify(good, null, 2).split('\n').length;
    const { code, stderr } = await start({
      ...keys,
      ...closedPorts,
      TENANTS_FILE: file,
      CALLCHART_DB: join(dir, 'cc.db'),
    });
    expect(code).toBe(2);
    expect(stderr).toContain(`line ${badLine}, entry 2 field calloutFee`);
  }, 90_000);
});
