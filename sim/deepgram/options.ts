import { z } from 'zod';
import type { Clock } from '../../src/clock.js';
import type { Logger } from '../../src/log.js';
import { type CallerLine, loadCallerScript, parseCallerScript } from '../caller/script.js';
import { type KnobEnv, knob, nonNegativeOrNever } from '../knobs.js';
import { DROP_KINDS, type DropKind } from './drop.js';
import { DEFAULT_ENDPOINTER } from './endpointer.js';
import { DEFAULT_IDLE_TIMEOUT_MS } from './protocol.js';

/** Faults, each off by default. Env: SIM_DEEPGRAM_<NAME_IN_CAPS>. */
export interface DeepgramSimFaults {
  /** Close a stream with 1011 (NET-0000) once it has received this many seconds of audio. */
  dropAfterAudioSec?: number;
  /** Close a stream with 1011 right after the final of its Nth segment has been sent. */
  dropAfterSegments?: number;
  /** How many streams, over the simulator's life, the two drop faults may hit (default 1). */
  maxDrops?: number;
  /** After a stream's Nth segment, send nothing more (no Results, no Metadata, no close). */
  stallAfterSegments?: number;
  /** How many streams, over the simulator's life, the stall fault may hit (default: every one). */
  maxStalls?: number;
  /** Refuse this many handshakes (the first ones after `refuseAfterHandshakes`) with `refuseStatus`. */
  refuseHandshakes?: number;
  /** HTTP status of a refused handshake (default 503; 429 for "too many streams"). */
  refuseStatus?: number;
  /** Accept this many handshakes before refusing `refuseHandshakes` (0: refuse the first ones). */
  refuseAfterHandshakes?: number;
  /** How a drop ends the stream: a 1011 close frame (default) or a TCP reset with no close frame. */
  dropKind?: DropKind;
}

export interface DeepgramSimOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Default caller script, as lines or a JSON file path. Env: SIM_CALLER_SCRIPT (a path). */
  script?: readonly (CallerLine | string)[] | string;
  /** Picks a script per stream, e.g. from its `tag` query values; undefined falls back to the default. */
  scriptFor?: (stream: { tags: readonly string[]; requestId: string }) => readonly CallerLine[] | undefined;
  /** Only this API key is accepted; unset accepts any non-empty key. */
  requiredKey?: string;
  /** Extra wall-clock latency before each final (and what follows it), like the real service's finalisation. */
  finalDelayMs?: number;
  /** NET-0001: close 1011 after this long without any frame (docs/protocols/deepgram-live.md §5 item 8). */
  idleTimeoutMs?: number;
  /** §5 item 8 (UNVERIFIED): whether KeepAlive resets the idle timer before the first audio frame. */
  keepAliveBeforeAudio?: boolean;
  /** RMS (16-bit scale) above which a 10 ms window counts as voiced. */
  energyThreshold?: number;
  /** Voiced audio needed before a segment starts. */
  minSpeechMs?: number;
  /** Audio time between interim Results of one segment. */
  interimEveryMs?: number;
  /** Speaking rate used to grow interim transcripts with the speech heard so far. */
  wordsPerSec?: number;
  /** Empty finals every this much audio of pure silence (0 = never). */
  silenceFinalEveryMs?: number;
  /** With `endpointing=false`, the silence that still closes a segment (its final has speech_final:false). */
  gapWithoutEndpointingMs?: number;
  /** Transcript of segments beyond the end of the script ('' = an empty final, as for noise). */
  unscriptedText?: string;
  /** How long a dropped client's place in its script is kept for its redial. */
  keepScriptAfterDropMs?: number;
  /** Flux: silence after which a whole sentence is surely finished (end-of-turn confidence 1). */
  fluxSettleMs?: number;
  /** Flux: silence after which any turn is taken as over, finished-sounding or not. */
  fluxGiveUpMs?: number;
  /** Flux: silence that ends a speech segment, so the next speech is the script's next part. */
  fluxSegmentGapMs?: number;
  faults?: DeepgramSimFaults;
  clock?: Clock;
  log?: Logger;
  /** Environment to read knobs from (default process.env). */
  env?: KnobEnv;
}

export interface DeepgramSimKnobs {
  host: string;
  port: number;
  requiredKey: string;
  finalDelayMs: number;
  idleTimeoutMs: number;
  keepAliveBeforeAudio: boolean;
  energyThreshold: number;
  minSpeechMs: number;
  interimEveryMs: number;
  wordsPerSec: number;
  silenceFinalEveryMs: number;
  gapWithoutEndpointingMs: number;
  unscriptedText: string;
  keepScriptAfterDropMs: number;
  fluxSettleMs: number;
  fluxGiveUpMs: number;
  fluxSegmentGapMs: number;
  dropAfterAudioSec: number;
  dropAfterSegments: number;
  maxDrops: number;
  stallAfterSegments: number;
  maxStalls: number;
  refuseHandshakes: number;
  refuseStatus: number;
  refuseAfterHandshakes: number;
  dropKind: DropKind;
}

const positive = z.number().positive();
const errorStatus = z.number().int().min(400).max(599);

/** Every knob: the option, else SIM_DEEPGRAM_*, else the default. Infinity means "never" for faults. */
export function resolveKnobs(opts: DeepgramSimOptions): DeepgramSimKnobs {
  const env = opts.env;
  const f = opts.faults ?? {};
  const k: DeepgramSimKnobs = {
    host: knob(opts.host, 'SIM_DEEPGRAM_HOST', '127.0.0.1', env),
    port: knob(opts.port, 'SIM_DEEPGRAM_PORT', 0, env, nonNegativeOrNever),
    requiredKey: knob(opts.requiredKey, 'SIM_DEEPGRAM_REQUIRED_KEY', '', env),
    finalDelayMs: knob(opts.finalDelayMs, 'SIM_DEEPGRAM_FINAL_DELAY_MS', 0, env, nonNegativeOrNever),
    idleTimeoutMs: knob(
      opts.idleTimeoutMs,
      'SIM_DEEPGRAM_IDLE_TIMEOUT_MS',
      DEFAULT_IDLE_TIMEOUT_MS,
      env,
      nonNegativeOrNever,
    ),
    keepAliveBeforeAudio: knob(opts.keepAliveBeforeAudio, 'SIM_DEEPGRAM_KEEPALIVE_BEFORE_AUDIO', true, env),
    energyThreshold: knob(
      opts.energyThreshold,
      'SIM_DEEPGRAM_ENERGY_THRESHOLD',
      DEFAULT_ENDPOINTER.thresholdRms,
      env,
      nonNegativeOrNever,
    ),
    minSpeechMs: knob(
      opts.minSpeechMs,
      'SIM_DEEPGRAM_MIN_SPEECH_MS',
      DEFAULT_ENDPOINTER.minSpeechMs,
      env,
      nonNegativeOrNever,
    ),
    interimEveryMs: knob(opts.interimEveryMs, 'SIM_DEEPGRAM_INTERIM_EVERY_MS', 500, env, nonNegativeOrNever),
    wordsPerSec: knob(opts.wordsPerSec, 'SIM_DEEPGRAM_WORDS_PER_SEC', 2.5, env, positive),
    silenceFinalEveryMs: knob(
      opts.silenceFinalEveryMs,
      'SIM_DEEPGRAM_SILENCE_FINAL_EVERY_MS',
      5000,
      env,
      nonNegativeOrNever,
    ),
    gapWithoutEndpointingMs: knob(
      opts.gapWithoutEndpointingMs,
      'SIM_DEEPGRAM_GAP_WITHOUT_ENDPOINTING_MS',
      800,
      env,
      nonNegativeOrNever,
    ),
    unscriptedText: knob(opts.unscriptedText, 'SIM_DEEPGRAM_UNSCRIPTED_TEXT', '', env),
    keepScriptAfterDropMs: knob(
      opts.keepScriptAfterDropMs,
      'SIM_DEEPGRAM_KEEP_SCRIPT_AFTER_DROP_MS',
      60_000,
      env,
      nonNegativeOrNever,
    ),
    fluxSettleMs: knob(opts.fluxSettleMs, 'SIM_DEEPGRAM_FLUX_SETTLE_MS', 350, env, positive),
    fluxGiveUpMs: knob(opts.fluxGiveUpMs, 'SIM_DEEPGRAM_FLUX_GIVE_UP_MS', 2000, env, positive),
    fluxSegmentGapMs: knob(opts.fluxSegmentGapMs, 'SIM_DEEPGRAM_FLUX_SEGMENT_GAP_MS', 300, env, positive),
    dropAfterAudioSec: knob(
      f.dropAfterAudioSec,
      'SIM_DEEPGRAM_DROP_AFTER_AUDIO_SEC',
      Infinity,
      env,
      nonNegativeOrNever,
    ),
    dropAfterSegments: knob(
      f.dropAfterSegments,
      'SIM_DEEPGRAM_DROP_AFTER_SEGMENTS',
      Infinity,
      env,
      nonNegativeOrNever,
    ),
    maxDrops: knob(f.maxDrops, 'SIM_DEEPGRAM_MAX_DROPS', 1, env, nonNegativeOrNever),
    stallAfterSegments: knob(
      f.stallAfterSegments,
      'SIM_DEEPGRAM_STALL_AFTER_SEGMENTS',
      Infinity,
      env,
      nonNegativeOrNever,
    ),
    maxStalls: knob(f.maxStalls, 'SIM_DEEPGRAM_MAX_STALLS', Infinity, env, nonNegativeOrNever),
    refuseHandshakes: knob(f.refuseHandshakes, 'SIM_DEEPGRAM_REFUSE_HANDSHAKES', 0, env, nonNegativeOrNever),
    refuseStatus: knob(f.refuseStatus, 'SIM_DEEPGRAM_REFUSE_STATUS', 503, env, errorStatus),
    refuseAfterHandshakes: knob(
      f.refuseAfterHandshakes,
      'SIM_DEEPGRAM_REFUSE_AFTER_HANDSHAKES',
      0,
      env,
      nonNegativeOrNever,
    ),
    dropKind: knob(f.dropKind, 'SIM_DEEPGRAM_DROP_KIND', 'close', env, z.enum(DROP_KINDS)),
  };
  if (!(k.fluxGiveUpMs > k.fluxSettleMs))
    throw new Error('Deepgram simulator: fluxGiveUpMs must be longer than fluxSettleMs');
  return k;
}

/** The default script: the option (lines or a JSON path), else SIM_CALLER_SCRIPT, else none (every segment unscripted). */
export function resolveScript(opts: DeepgramSimOptions): readonly CallerLine[] {
  const source = opts.script ?? knob(undefined, 'SIM_CALLER_SCRIPT', '', opts.env);
  if (typeof source === 'string') return source === '' ? [] : loadCallerScript(source);
  return parseCallerScript(source);
}
