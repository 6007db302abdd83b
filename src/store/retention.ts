import { readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../log.js';
import type { CallStore } from './types.js';

const DAY_MS = 86_400_000;
/** Trace files INSPECT=jsonl writes (src/call/inspect.ts). */
const TRACE_FILE = /^callchart-.*\.jsonl$/;

export interface RetentionOptions {
  store: CallStore;
  traceDir: string;
  /** RETENTION_DAYS; 0 keeps everything. */
  days: number;
  log: Logger;
  /** How often the purge runs (default hourly). */
  everyMs?: number;
  now?: () => number;
}

/** One purge: turn text in the database and trace files older than the retention period. */
export async function purgeExpired(opts: RetentionOptions): Promise<{ turns: number; traceFiles: number }> {
  const cutoff = (opts.now ?? Date.now)() - opts.days * DAY_MS;
  const turns = (await opts.store.purgeTranscripts?.(cutoff)) ?? 0;
  let traceFiles = 0;
  let names: string[] = [];
  try {
    names = await readdir(opts.traceDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  for (const name of names.filter((n) => TRACE_FILE.test(n))) {
    const path = join(opts.traceDir, name);
    const info = await stat(path);
    if (info.isFile() && info.mtimeMs < cutoff) {
      await unlink(path);
      traceFiles++;
    }
  }
  if (turns || traceFiles)
    opts.log.info({ turns, traceFiles, days: opts.days }, 'retention: purged old transcripts');
  return { turns, traceFiles };
}

/** Purges now and then periodically; returns a stop function. A failed purge is logged and retried next time. */
export function startRetention(opts: RetentionOptions): () => void {
  if (opts.days <= 0) return () => {};
  const run = () => void purgeExpired(opts).catch((err) => opts.log.error({ err }, 'retention purge failed'));
  run();
  const timer = setInterval(run, opts.everyMs ?? 3_600_000);
  timer.unref();
  return () => clearInterval(timer);
}
