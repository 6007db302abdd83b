import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CallMetadataRegistry } from '../../src/agi/call-metadata-registry.js';
import { lookupCallMetadata } from '../../src/agi/lookup-call-metadata.js';
import { metadataFilePath, readMetadataFile } from '../../src/agi/metadata-file.js';
import { captureLogger } from '../store/capture-logger.js';

const UUID = '6f1c2a9e-3b4d-4c5e-8f60-718293a4b5c6';

describe('metadata files', () => {
  let dir: string;
  let registry: CallMetadataRegistry;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'callchart-meta-'));
    registry = new CallMetadataRegistry();
  });
  afterEach(() => {
    registry.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads va_<uuid>.json and removes it', async () => {
    writeFileSync(metadataFilePath(dir, UUID), '{"did":"02012345678","cli":"+447700900123"}');
    expect(await readMetadataFile(dir, UUID, { waitMs: 0 })).toEqual({
      did: '02012345678',
      callerId: '+447700900123',
      source: 'metadata-file',
    });
    expect(existsSync(metadataFilePath(dir, UUID))).toBe(false);
  });

  it('polls for a file that appears a little later, and for one still being written', async () => {
    const path = metadataFilePath(dir, UUID);
    setTimeout(() => writeFileSync(path, '{"did":"0201'), 30);
    setTimeout(() => writeFileSync(path, '{"did":"02012345678","cli":""}'), 120);
    expect(await readMetadataFile(dir, UUID, { waitMs: 1000, pollMs: 20 })).toMatchObject({
      did: '02012345678',
      callerId: '',
    });
  });

  it('gives up with a log line on a file that never becomes valid', async () => {
    writeFileSync(metadataFilePath(dir, UUID), '{"did": 2012345678}');
    const { log, lines } = captureLogger();
    expect(await readMetadataFile(dir, UUID, { waitMs: 60, pollMs: 20, log })).toBeUndefined();
    expect(lines().find((l) => l.msg === 'metadata file unusable')?.problem).toBe('wrong shape');
  });

  it('refuses an oversized file without reading it, a FIFO and a symlink, and removes each', async () => {
    const path = metadataFilePath(dir, UUID);
    const { log, lines } = captureLogger();
    writeFileSync(path, `{"did":"02012345678","cli":"${'1'.repeat(8192)}"}`);
    expect(await readMetadataFile(dir, UUID, { waitMs: 1000, pollMs: 20, log })).toBeUndefined();
    expect(String(lines().at(-1)?.problem)).toMatch(/^too large \(\d+ bytes\)$/);
    expect(existsSync(path)).toBe(false);

    execFileSync('mkfifo', [path]);
    // Without O_NONBLOCK this read would hang until the test times out.
    expect(await readMetadataFile(dir, UUID, { waitMs: 1000, pollMs: 20, log })).toBeUndefined();
    expect(lines().at(-1)?.problem).toBe('not a regular file');
    expect(existsSync(path)).toBe(false);

    const target = join(dir, 'elsewhere.json');
    writeFileSync(target, '{"did":"02012345678","cli":"+447700900123"}');
    symlinkSync(target, path);
    expect(await readMetadataFile(dir, UUID, { waitMs: 1000, pollMs: 20, log })).toBeUndefined();
    expect(lines().at(-1)?.problem).toBe('a symlink');
    expect(existsSync(path)).toBe(false);
    expect(existsSync(target)).toBe(true); // the link went, not what it pointed at
  });

  it('removes a file that never became valid once it gives up', async () => {
    const path = metadataFilePath(dir, UUID);
    writeFileSync(path, '{"did": 2012345678}');
    expect(await readMetadataFile(dir, UUID, { waitMs: 60, pollMs: 20 })).toBeUndefined();
    expect(existsSync(path)).toBe(false);
  });

  it('returns undefined quietly when no file arrives', async () => {
    const { log, lines } = captureLogger();
    expect(await readMetadataFile(dir, UUID, { waitMs: 60, pollMs: 20, log })).toBeUndefined();
    expect(lines()).toEqual([]);
  });

  it('never turns a non-UUID into a path', async () => {
    writeFileSync(join(dir, 'secret.json'), '{"did":"1","cli":"2"}');
    const { log, lines } = captureLogger();
    expect(await readMetadataFile(join(dir, 'sub'), '../secret', { waitMs: 0, log })).toBeUndefined();
    expect(lines()[0]?.msg).toMatch(/not a UUID/);
  });

  describe('lookupCallMetadata', () => {
    it('prefers the FastAGI registry', async () => {
      registry.put(UUID, { did: '01234567890', callerId: '', source: 'fastagi-5.1' });
      writeFileSync(metadataFilePath(dir, UUID), '{"did":"02012345678","cli":""}');
      const meta = await lookupCallMetadata(UUID, { registry, metadataDir: dir, waitMs: 500 });
      expect(meta?.source).toBe('fastagi-5.1');
    });

    it('falls back to the file', async () => {
      writeFileSync(metadataFilePath(dir, UUID), '{"did":"02012345678","cli":""}');
      const meta = await lookupCallMetadata(UUID, { registry, metadataDir: dir, waitMs: 500 });
      expect(meta).toMatchObject({ did: '02012345678', source: 'metadata-file' });
    });

    it('waits for whichever arrives first', async () => {
      setTimeout(() => registry.put(UUID, { did: '1', callerId: '', source: 'fastagi-5.2' }), 40);
      const meta = await lookupCallMetadata(UUID, { registry, metadataDir: dir, waitMs: 1000, pollMs: 10 });
      expect(meta?.source).toBe('fastagi-5.2');
    });

    it('is undefined when neither route has it', async () => {
      // (It gives up after waitMs: a lookup that never returned would fail on the test timeout.)
      expect(
        await lookupCallMetadata(UUID, { registry, metadataDir: dir, waitMs: 80, pollMs: 20 }),
      ).toBeUndefined();
      expect(await lookupCallMetadata(UUID, { waitMs: 80 })).toBeUndefined();
    });
  });
});
