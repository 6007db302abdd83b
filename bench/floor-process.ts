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
  return announcedPort(child);
}

/**
 * The provider floor (provider-floor-main.ts) as a child process, talking to the simulators in
 * `simEnv`, asking the LLM for a reply about as long as callchart's (`replyMs` at the TTS rate).
 */
export async function startProviderFloor(opts: {
  simEnv: Record<string, string>;
  delays: ProviderDelays;
  replyMs: number;
  ttsCharsPerSecond: number;
  linesPerCall: number;
}): Promise<FloorProcess> {
  const child = spawnNodeChild('provider-floor', 'bench/provider-floor-main.ts', {
    nodeArgs: GC_ON_SIGNAL_ARGS,
    env: {
      ...cleanEnv(),
      ...opts.simEnv,
      PROVIDER_FLOOR_ENDPOINTING_MS: String(opts.delays.endpointingMs),
      PROVIDER_FLOOR_GREETING_MS: String(opts.replyMs),
      PROVIDER_FLOOR_REPLY_TEXT: replyOfLength(Math.round((opts.replyMs / 1000) * opts.ttsCharsPerSecond)),
      PROVIDER_FLOOR_LINES_PER_CALL: String(opts.linesPerCall),
    },
  });
  return announcedPort(child);
}

const REPLY_WORDS =
  'Thanks, I have that down. An engineer can come out to you today, and the callout fee is forty nine pounds. Is that all right?'.split(
    ' ',
  );

/** A plausible agent reply of about `chars` characters (at least a few words). */
export function replyOfLength(chars: number): string {
  const words: string[] = [];
  let length = 0;
  for (let i = 0; length < chars || words.length < 3; i++) {
    const word = REPLY_WORDS[i % REPLY_WORDS.length] as string;
    words.push(word);
    length += word.length + 1;
  }
  return words.join(' ');
}

async function announcedPort(child: NodeChild): Promise<FloorProcess> {
  try {
    const line = await withTimeout(child.firstLine, 30_000, `${child.name} did not start within 30 s`);
    const port = Number(/^FLOOR_PORT=(\d+)$/.exec(line)?.[1]);
    if (!port) throw new Error(`${child.name} printed no port: ${line}`);
    return { child, port };
  } catch (err) {
    await child.stop();
    throw err;
  }
}
