import { GC_ON_SIGNAL_ARGS, type NodeChild, spawnNodeChild } from './child-process.js';
import type { ProviderDelays } from './provider-delays.js';
import { cleanEnv, withTimeout } from './simulators.js';

export interface FloorProcess {
  child: NodeChild;
  port: number;
}

/**
 * The floor server (floor-main.ts) as a child process, waiting as long as the simulators make
 * callchart wait, and answering with a tone as long as callchart's replies.
 */
export async function startFloor(opts: {
  delays: ProviderDelays;
  replyMs: number;
  linesPerCall: number;
}): Promise<FloorProcess> {
  const { delays } = opts;
  const child = spawnNodeChild('floor', 'bench/floor-main.ts', {
    nodeArgs: GC_ON_SIGNAL_ARGS,
    env: {
      ...cleanEnv(),
      FLOOR_ENDPOINTING_MS: String(delays.endpointingMs),
      FLOOR_REPLY_DELAY_MS: String(delays.sttFinalDelayMs + delays.llmTtftMs + delays.ttsFirstAudioMs),
      // callchart plays its greeting from a cache at once; the floor's tone starts at once too.
      FLOOR_GREETING_MS: String(opts.replyMs),
      FLOOR_REPLY_MS: String(opts.replyMs),
      FLOOR_LINES_PER_CALL: String(opts.linesPerCall),
    },
  });
  try {
    const line = await withTimeout(child.firstLine, 30_000, 'floor did not start within 30 s');
    const port = Number(/^FLOOR_PORT=(\d+)$/.exec(line)?.[1]);
    if (!port) throw new Error(`floor printed no port: ${line}`);
    return { child, port };
  } catch (err) {
    await child.stop();
    throw err;
  }
}
