import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: children run from it so `--import tsx` and relative paths resolve. */
export const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface NodeChild {
  readonly name: string;
  readonly pid: number;
  /** The first line the child prints on stdout: each bench child announces its ports that way. */
  readonly firstLine: Promise<string>;
  /** Exit code (null when killed by a signal). Never rejects. */
  readonly exited: Promise<number | null>;
  /** The tail of what the child printed, for error messages. */
  output(): string;
  /** SIGTERM (a clean shutdown: the server flushes its store, writes its CPU profile), then SIGKILL. */
  stop(graceMs?: number): Promise<void>;
}

/** Node flags for a measured server child: a full GC on SIGUSR2 (see gc-on-signal.ts). */
export const GC_ON_SIGNAL_ARGS = ['--expose-gc', '--import', './bench/gc-on-signal.ts'];

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Kills every child still running, at once. Runs on exit too, so a crashed bench leaves nothing behind. */
export function killAllChildren(): void {
  for (const child of live) (groupSignals.get(child) ?? ((sig) => child.kill(sig)))('SIGKILL');
  live.clear();
}

/** How to signal each live child: its whole group when it has one. */
const groupSignals = new WeakMap<ChildProcess, (sig: NodeJS.Signals) => void>();

const OUTPUT_TAIL_CHARS = 8000;

/** Starts `node --import tsx <script>` with piped output (drained always, so the child never blocks). */
export function spawnNodeChild(
  name: string,
  script: string,
  opts: {
    env: NodeJS.ProcessEnv;
    nodeArgs?: string[];
    logDir?: string;
    args?: string[];
    /** Its own process group (detached): `kill(-pid)` then reaches everything it started. */
    processGroup?: boolean;
  },
): NodeChild {
  if (!exitHookInstalled) {
    process.once('exit', killAllChildren);
    exitHookInstalled = true;
  }
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', ...(opts.nodeArgs ?? []), script, ...(opts.args ?? [])],
    {
      cwd: ROOT,
      env: opts.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: opts.processGroup ?? false,
    },
  );
  if (child.pid === undefined) throw new Error(`${name}: could not start ${script}`);
  live.add(child);
  const pid = child.pid;
  const signal = (sig: NodeJS.Signals) => {
    if (!opts.processGroup) return child.kill(sig);
    try {
      process.kill(-pid, sig);
    } catch {
      // the group is gone
    }
  };
  groupSignals.set(child, signal);

  let tail = '';
  const log = opts.logDir ? createWriteStream(join(opts.logDir, `${name}.log`), { flags: 'a' }) : null;
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
    log?.write(chunk);
  };
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      live.delete(child);
      log?.end();
      resolve(code);
    });
  });
  const firstLine = new Promise<string>((resolve, reject) => {
    let head: string | null = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      keep(chunk);
      if (head === null) return;
      head += chunk.toString('utf8');
      const nl = head.indexOf('\n');
      if (nl >= 0) {
        resolve(head.slice(0, nl).trim());
        head = null;
      }
    });
    void exited.then((code) => reject(new Error(`${name} exited (${code}) before it was ready:\n${tail}`)));
  });
  firstLine.catch(() => {}); // surfaced where it is awaited
  let stopping: Promise<void> | null = null;
  child.stderr?.on('data', keep);

  return {
    name,
    pid: child.pid,
    firstLine,
    exited,
    output: () => tail,
    stop(graceMs = 10_000) {
      // Once only: a second SIGTERM makes src/shutdown.ts exit at once, before the store has flushed.
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        signal('SIGTERM');
        const timer = setTimeout(() => signal('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
        if (opts.processGroup) signal('SIGKILL'); // anything it left behind in its group
      })();
      return stopping;
    },
  };
}
