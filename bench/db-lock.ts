import { spawnNodeChild } from './child-process.js';

export interface DbLockFigures {
  /** How long the other process really held the write lock. */
  heldMs: number;
  /** When it took it, in seconds after the load started. */
  atSeconds: number;
}

/**
 * --hold-db-lock: a third of the way into the load window (at most 10 s in, so calls are under way),
 * another process takes callchart's SQLite write lock and holds it (hold-db-lock.ts). Resolves with what
 * it reported once it has let go.
 */
export async function holdDbLockDuringLoad(
  dbPath: string,
  opts: { holdDbLockMs?: number; seconds: number },
): Promise<DbLockFigures> {
  const loadStart = Date.now();
  await new Promise((r) => setTimeout(r, Math.min(10, opts.seconds / 3) * 1000));
  const child = spawnNodeChild('db-lock', 'bench/hold-db-lock.ts', {
    env: process.env,
    args: [dbPath, String(opts.holdDbLockMs ?? 2000)],
  });
  const code = await child.exited;
  const out = child.output();
  const locked = Number(/"locked":(\d+)/.exec(out)?.[1]);
  const released = Number(/"released":(\d+)/.exec(out)?.[1]);
  if (code !== 0 || !locked || !released) throw new Error(`db-lock holder failed (${code}):\n${out}`);
  return { heldMs: released - locked, atSeconds: Math.round((locked - loadStart) / 100) / 10 };
}
