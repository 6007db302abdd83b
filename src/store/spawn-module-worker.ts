import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker thread on a sibling module of the caller, compiled (.js under dist/) or not (.ts under
 * tsx and vitest). Node 20 resolves a worker's entry before `--import tsx` takes effect, so a .ts entry
 * is reached through a one-line bootstrap that registers tsx first.
 */
export function spawnModuleWorker(entry: URL, opts: WorkerOptions = {}): Worker {
  if (extname(fileURLToPath(entry)) !== '.ts') return new Worker(entry, opts);
  const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(boot, { ...opts, eval: true });
}
