import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from '../../bench/free-port.js';

const run = promisify(execFile);
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
const STDERR_KEEP = 8192;

/**
 * The server binaries of Debian's postgresql package (not on PATH there): the 15 the project targets
 * if present, else the newest installed. Undefined when PostgreSQL is not installed.
 */
export function findPostgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'postgres')) && existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  const pick = versions.includes('15') ? '15' : versions[0];
  return pick ? join(root, pick, 'bin') : undefined;
}

export const POSTGRES_SKIP_REASON =
  'PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin: install Debian\'s "postgresql" package (.ci/run does) to run the Postgres tests';

export interface PostgresServer {
  readonly port: number;
  /** A connection URL for `database` on this server (user postgres, trust auth). */
  url(database?: string): string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Fast shutdown (SIGINT), then the data directory is removed. */
  stop(): Promise<void>;
}

/**
 * A throwaway PostgreSQL cluster in a temp directory on a free port, for tests. As root (CI, this
 * container) initdb and postgres refuse to run, so they run as the postgres user: initdb via runuser,
 * and postgres via setpriv so it stays our direct child (pg_ctl would hand it to PID 1) in its own
 * process group, which stop() ends.
 */
export async function startPostgres(bin: string): Promise<PostgresServer> {
  const dir = mkdtempSync(join(tmpdir(), 'callchart-pg-'));
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  const asPostgres = (cmd: string, args: string[]): [string, string[]] =>
    asRoot
      ? ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', '--', cmd, ...args]]
      : [cmd, args];
  try {
    if (asRoot) {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
      chownSync(dir, uid, gid);
    }
    const initdb = asPostgres(join(bin, 'initdb'), [
      '-D',
      data,
      '-A',
      'trust',
      '-U',
      'postgres',
      '--no-sync',
      '-E',
      'UTF8',
      '--locale=C.UTF-8',
    ]);
    await run(initdb[0], initdb[1], { cwd: '/' });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  // Another process may grab the free port before postgres binds it: try a few.
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const [cmd, args] = asPostgres(join(bin, 'postgres'), [
      '-D',
      data,
      '-p',
      String(port),
      '-k',
      dir,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'fsync=off',
      '-c',
      'max_connections=200',
    ]);
    const child = spawn(cmd, args, { cwd: '/', detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString('utf8')).slice(-STDERR_KEEP);
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const killOnExit = () => killGroup(child, 'SIGKILL');
    process.once('exit', killOnExit);
    try {
      await waitUntilAccepting(port, exited, () => stderr);
      return makeServer(port, dir, child, exited, killOnExit);
    } catch (err) {
      lastError = err;
      killGroup(child, 'SIGKILL');
      await exited;
      process.off('exit', killOnExit);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  throw lastError;
}

function makeServer(
  port: number,
  dir: string,
  child: ChildProcess,
  exited: Promise<void>,
  killOnExit: () => void,
): PostgresServer {
  const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;
  return {
    port,
    url,
    async createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad database name ${name}`);
      const admin = new pg.Client({ connectionString: url() });
      admin.on('error', () => undefined); // surfaced by the awaited calls below
      await admin.connect();
      try {
        // FILE_COPY: much quicker than the default WAL_LOG strategy for the tiny databases tests make.
        await admin.query(`CREATE DATABASE ${name} STRATEGY = FILE_COPY`);
      } finally {
        await admin.end();
      }
      return url(name);
    },
    async stop() {
      // SIGINT is Postgres' fast shutdown: it ends its backends and exits cleanly.
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
      killGroup(child, 'SIGKILL'); // any straggler left in the group
      process.off('exit', killOnExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitUntilAccepting(port: number, exited: Promise<void>, stderr: () => string): Promise<void> {
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (gone) throw new Error(`postgres exited while starting:\n${stderr()}`);
    const client = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
    }
    if (Date.now() > deadline) throw new Error(`postgres did not accept connections:\n${stderr()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}
