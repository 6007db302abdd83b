import { spawnSync } from 'node:child_process';
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A data directory that can really run out of space: a small tmpfs mounted on it. Filling it makes
 * every write that needs a new block fail with ENOSPC, in the server as on a full disk (SQLite's WAL,
 * the booking journal), while blocks already written stay readable. Mounting needs root (CAP_SYS_ADMIN);
 * without it the row says so instead of faking the fault some other way.
 */
const SIZE_MIB = 16;
const FILLER = 'chaos-filler.bin';
const mounted = new Set<string>();
let exitHook = false;

/** Mounts the tmpfs on `dir`; returns why not when it cannot. */
export function mountSmallDisk(dir: string): { ok: true } | { ok: false; reason: string } {
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${SIZE_MIB}m,mode=0700`, 'tmpfs', dir], {
    encoding: 'utf8',
  });
  if (r.status !== 0)
    return {
      ok: false,
      reason: `cannot mount a tmpfs (needs root): ${(r.stderr || r.error?.message || '').trim()}`,
    };
  mounted.add(dir);
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      for (const d of mounted) spawnSync('umount', ['-l', d]);
    });
  }
  return { ok: true };
}

/** Writes one file until the disk is full; returns the bytes it took. */
export function fillDisk(dir: string): number {
  const fd = openSync(join(dir, FILLER), 'w');
  let total = 0;
  try {
    for (const size of [1 << 20, 1 << 12, 512]) {
      const block = Buffer.alloc(size, 0x5a);
      for (;;) {
        try {
          total += writeSync(fd, block);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw err;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  return total;
}

/** Gives the space back (before the runner reads the database). */
export function emptyDisk(dir: string): void {
  rmSync(join(dir, FILLER), { force: true });
}

export function unmountSmallDisk(dir: string): void {
  if (!mounted.delete(dir)) return;
  const r = spawnSync('umount', [dir]);
  if (r.status !== 0) spawnSync('umount', ['-l', dir]);
}
