import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export interface ServeSimChild {
  child: ChildProcess;
  audioSocketPort: number;
  agiPort: number;
  httpPort: number;
  lines: LogLine[];
  exited: Promise<number | null>;
  /** Resolves with the first log line matching `msg` (already seen or still to come). */
  logged(msg: RegExp, timeoutMs?: number): Promise<LogLine>;
  /** Kills the whole process group (test clean-up). */
  kill(): void;
}

/**
 * `npm run serve:sim` (the real server on in-process simulators) as a child process in its own
 * process group, on free ports; its JSON log lines are parsed as they arrive.
 */
export async function startServeSim(env: Record<string, string>): Promise<ServeSimChild> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'sim/serve-sim.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      AUDIOSOCKET_PORT: '0',
      AGI_PORT: '0',
      HTTP_PORT: '0',
      LOG_LEVEL: 'info',
      LOG_PRETTY: '0',
      SIM_CARTESIA_CHARS_PER_SECOND: '45',
      MAX_EVENT_LOOP_DELAY_MS: '0', // a busy test machine must not shed the calls under test
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const lines: LogLine[] = [];
  const waiters: Array<{ msg: RegExp; resolve: (l: LogLine) => void }> = [];
  let buffered = '';
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-4000);
  });
  child.stdout?.on('data', (c: Buffer) => {
    buffered += c.toString();
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      const text = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      let line: LogLine;
      try {
        line = JSON.parse(text) as LogLine;
      } catch {
        continue;
      }
      lines.push(line);
      for (const w of [...waiters]) {
        if (w.msg.test(line.msg)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const kill = () => {
    if (child.pid && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  const logged = (msg: RegExp, timeoutMs = 60_000) => {
    const seen = lines.find((l) => msg.test(l.msg));
    if (seen) return Promise.resolve(seen);
    return new Promise<LogLine>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no log line ${msg} within ${timeoutMs} ms; stderr:\n${stderr}`)),
        timeoutMs,
      );
      waiters.push({
        msg,
        resolve: (l) => {
          clearTimeout(timer);
          resolve(l);
        },
      });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`serve:sim exited before logging ${msg}; stderr:\n${stderr}`));
      });
    });
  };
  let listening: LogLine;
  try {
    listening = await logged(/^callchart listening$/);
  } catch (err) {
    kill();
    throw err;
  }
  const portOf = (address: unknown) => Number(String(address).split(':').pop());
  return {
    child,
    audioSocketPort: portOf(listening.audioSocket),
    agiPort: portOf(listening.agi),
    httpPort: portOf(listening.http),
    lines,
    exited,
    logged,
    kill,
  };
}
