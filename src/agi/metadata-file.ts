import { constants } from 'node:fs';
import { open, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { type Logger, silentLogger } from '../log.js';
import type { CallMetadata } from './call-metadata.js';
import { isCanonicalUuid, uuidKey } from './uuid.js';

export interface ReadMetadataFileOptions {
  /** Total time to keep looking (seed: up to 1 s). */
  waitMs?: number;
  /** Gap between attempts (seed: 50 ms). */
  pollMs?: number;
  /** Delete the file once read (best effort: /tmp's sticky bit may forbid it). Default true. */
  remove?: boolean;
  signal?: AbortSignal;
  log?: Logger;
}

/** The AGI script's file (written by asterisk/voice_agent_setup.agi): {"did": "...", "cli": "..."}; extra fields are ignored. */
const metadataFileSchema = z.object({
  did: z.string().max(64),
  cli: z.string().max(64),
});

const MAX_FILE_BYTES = 4096;

export function metadataFilePath(dir: string, uuid: string): string {
  return join(dir, `va_${uuidKey(uuid)}.json`);
}

/**
 * Metadata-file mode: waits for `<dir>/va_<uuid>.json` written by the AGI script. A file that is not
 * there yet, or not yet complete JSON (the writer may be mid-write), is retried until the deadline.
 * Returns undefined if nothing valid turned up. The uuid is checked first, so it can never be a path.
 */
export async function readMetadataFile(
  dir: string,
  uuid: string,
  opts: ReadMetadataFileOptions = {},
): Promise<CallMetadata | undefined> {
  const log = opts.log ?? silentLogger;
  if (!isCanonicalUuid(uuid)) {
    log.warn({ uuid: uuid.slice(0, 40) }, 'metadata file lookup refused: not a UUID');
    return undefined;
  }
  const path = metadataFilePath(dir, uuid);
  const deadline = performance.now() + (opts.waitMs ?? 1000);
  const pollMs = opts.pollMs ?? 50;
  let lastProblem = 'missing';
  for (;;) {
    if (opts.signal?.aborted) return undefined;
    const attempt = await readOnce(path);
    if (attempt.meta) {
      if (opts.remove ?? true) {
        await unlink(path).catch((err: NodeJS.ErrnoException) =>
          log.debug({ path, code: err.code }, 'metadata file not removed'),
        );
      }
      return attempt.meta;
    }
    lastProblem = attempt.problem;
    // Too large, or not a plain file: waiting will not fix it.
    if (attempt.final) break;
    const left = deadline - performance.now();
    if (left <= 0) break;
    try {
      await sleep(Math.min(pollMs, left), undefined, { signal: opts.signal });
    } catch {
      return undefined; // aborted
    }
  }
  if (lastProblem !== 'missing') {
    log.warn({ path, problem: lastProblem }, 'metadata file unusable');
    // Never left behind for a later call to trip over (a symlink is removed, not its target).
    if (opts.remove ?? true) await unlink(path).catch(() => {});
  }
  return undefined;
}

async function readOnce(path: string): Promise<{ meta?: CallMetadata; problem: string; final?: boolean }> {
  let text: string;
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    // O_NOFOLLOW: a symlink planted in a shared directory is refused; O_NONBLOCK: so is a FIFO,
    // which would otherwise hold a thread-pool thread until someone writes to it.
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
    const stat = await handle.stat();
    if (!stat.isFile()) return { problem: 'not a regular file', final: true };
    // Checked before reading: a huge file is never pulled into memory.
    if (stat.size > MAX_FILE_BYTES) return { problem: `too large (${stat.size} bytes)`, final: true };
    const buffer = Buffer.alloc(MAX_FILE_BYTES + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    if (bytesRead > MAX_FILE_BYTES) return { problem: 'too large', final: true };
    text = buffer.toString('utf8', 0, bytesRead);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return { problem: 'a symlink', final: true };
    return { problem: code === 'ENOENT' ? 'missing' : `unreadable (${code})` };
  } finally {
    await handle?.close();
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { problem: 'not JSON' };
  }
  const parsed = metadataFileSchema.safeParse(json);
  if (!parsed.success) return { problem: 'wrong shape' };
  return { meta: { did: parsed.data.did, callerId: parsed.data.cli, source: 'metadata-file' }, problem: '' };
}
