import type { ProfileName } from '../sim/profiles.js';
import { type NodeChild, spawnNodeChild } from './child-process.js';
import { simulatorEnv } from './provider-delays.js';

export interface Simulators {
  child: NodeChild;
  /** Base URLs and placeholder keys that point callchart at the simulators. */
  env: Record<string, string>;
}

/** Only what a Node child needs from the bench's own environment; everything else is set on purpose. */
export function cleanEnv(): Record<string, string> {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG'];
  return Object.fromEntries(keep.flatMap((k) => (process.env[k] ? [[k, process.env[k]]] : [])));
}

/**
 * Every provider simulator in one child process (`sim/main.ts`), on free ports. It is a process of
 * its own so the server's CPU and memory, sampled from /proc, are the server's alone.
 */
export async function startSimulators(opts: {
  profile: ProfileName;
  scriptPath: string;
  ttsCharsPerSecond: number;
  /** More simulator knobs (SIM_*), applied last: the chaos runner's faults. */
  env?: Record<string, string>;
  /** How long the child may take to print its ports (default 30 s). */
  readyTimeoutMs?: number;
}): Promise<Simulators> {
  const child = spawnNodeChild('simulators', 'sim/main.ts', {
    env: {
      ...cleanEnv(),
      ...simulatorEnv(opts.profile),
      SIM_CARTESIA_CHARS_PER_SECOND: String(opts.ttsCharsPerSecond),
      SIM_PORT_BASE: '0',
      SIM_CALLER_SCRIPT: opts.scriptPath,
      LOG_LEVEL: 'warn',
      ...opts.env,
    },
  });
  try {
    // The first stdout line is `KEY=VAL KEY=VAL ...` (sim/main.ts).
    const readyMs = opts.readyTimeoutMs ?? 30_000;
    const line = await withTimeout(child.firstLine, readyMs, `simulators did not start within ${readyMs} ms`);
    const env = Object.fromEntries(
      line.split(' ').map((pair) => {
        const eq = pair.indexOf('=');
        return [pair.slice(0, eq), pair.slice(eq + 1)];
      }),
    );
    if (!env.DEEPGRAM_BASE_URL) throw new Error(`simulators printed no environment: ${line}`);
    return { child, env };
  } catch (err) {
    await child.stop();
    throw err;
  }
}

export async function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(message)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
