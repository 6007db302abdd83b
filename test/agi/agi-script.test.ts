import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { environmentBlock } from '../../sim/asterisk/fake-asterisk-agi.js';
import { parseAgiWords } from '../../src/agi/agi-words.js';
import { readMetadataFile } from '../../src/agi/metadata-file.js';
import { isCanonicalUuid } from '../../src/agi/uuid.js';

const SCRIPT = fileURLToPath(new URL('../../asterisk/voice_agent_setup.agi', import.meta.url));

/** Runs the AGI script the way Asterisk does: environment on stdin, then one reply per command. */
function runScript(args: string[], env: Record<string, string> = {}): Promise<string[]> {
  return new Promise((resolve, reject) => {
    // stderr ignored: the failure case makes sh complain about the missing directory, as intended.
    const child = spawn('/bin/sh', [SCRIPT], { stdio: ['pipe', 'pipe', 'ignore'] });
    let out = '';
    let answered = 0;
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      // Answer each complete command line as Asterisk would.
      const commands = out.split('\n').length - 1;
      for (let i = answered; i < commands; i++) child.stdin.write('200 result=1\n');
      answered = commands;
    });
    child.on('error', reject);
    child.on('close', () => resolve(out.split('\n').filter(Boolean)));
    child.stdin.on('error', () => undefined);
    child.stdin.write(
      environmentBlock({ host: 'local', port: 0, args, env }).replace('agi_network: yes\n', ''),
    );
  });
}

describe('asterisk/voice_agent_setup.agi (metadata-file mode)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'callchart-agi-script-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the metadata file callchart reads, and sets VA_UUID with an LF-only command', async () => {
    const lines = await runScript(['020 1234 5678', '+447700900123', dir]);
    expect(lines).toHaveLength(1);
    const words = parseAgiWords(lines[0] ?? '');
    expect(words.slice(0, 3)).toEqual(['SET', 'VARIABLE', 'VA_UUID']);
    const uuid = words[3] ?? '';
    expect(isCanonicalUuid(uuid)).toBe(true);
    expect(await readMetadataFile(dir, uuid, { waitMs: 0 })).toEqual({
      did: '02012345678',
      callerId: '+447700900123',
      source: 'metadata-file',
    });
  });

  it('falls back to the environment and strips anything that is not part of a number', async () => {
    const lines = await runScript([], { extension: '01234567890', callerid: 'anonymous', dnid: 'x' });
    const uuid = parseAgiWords(lines[0] ?? '')[3] ?? '';
    // no dir argument: the script writes to /tmp, so read it from there and clean up
    const meta = await readMetadataFile('/tmp', uuid, { waitMs: 0 });
    expect(meta).toMatchObject({ did: '01234567890', callerId: '' });
  });

  it('leaves VA_UUID unset when it cannot write the file', async () => {
    const lines = await runScript(['02012345678', '+447700900123', join(dir, 'missing')]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^VERBOSE "voice_agent_setup: cannot write metadata/);
    expect(readdirSync(dir)).toEqual([]);
  });
});
