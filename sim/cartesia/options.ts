import { z } from 'zod';
import type { Clock } from '../../src/clock.js';
import type { Logger } from '../../src/log.js';
import { type KnobEnv, knob, nonNegativeOrNever } from '../knobs.js';
import { type CartesiaFault, parseFaultsEnv } from './faults.js';
import { DEFAULT_IDLE_TIMEOUT_MS } from './protocol.js';

/** Behaviour knobs; each is also read from SIM_CARTESIA_<NAME> (docs/simulators.md). */
export interface CartesiaSimKnobs {
  /**
   * docs/protocols/cartesia-tts.md §4 item 8: from the first input a context generates (or a flush) to its
   * first chunk.
   */
  timeToFirstAudioMs: number;
  /** Generation time per second of audio: 0.1 sends 1 s of audio every 100 ms; 1 is real time. */
  realTimeFactor: number;
  /** Audio per `chunk` message. */
  chunkMs: number;
  /** Speaking rate at speed 1, spaces included. */
  charsPerSecond: number;
  /** §2a: the hold used when a request sets no `max_buffer_delay_ms` (the SDK comment says 3000). */
  defaultMaxBufferDelayMs: number;
  /** §4 item 7: the socket closes after this long without a message either way. */
  idleTimeoutMs: number;
  /** Voice ids that exist; empty accepts any id. Others get a 404 `voice_not_found` error (§3f). */
  voices: string[];
  /** Model ids that exist; empty accepts any id starting with `sonic`. */
  models: string[];
  /** §4 item 6: most contexts active at once across all sockets; 0 = no limit. Over it: 429. */
  maxConcurrentContexts: number;
  /** When set, the upgrade and HTTP calls need `Authorization: Bearer <key>` or `X-API-Key` (else 401). */
  apiKey: string;
  /** Refuse this many WebSocket upgrades (the first ones) with 503: a TTS that cannot be reached. */
  refuseHandshakes: number;
  faults: CartesiaFault[];
  /**
   * Faults apply only to contexts opened at least this long after their connection opened, so a
   * fault lands mid-call rather than on a greeting or the start-up line cache (default 0). When set,
   * faults also stay on the one connection that took the first of them, so a reopened socket is clean.
   */
  faultsAfterMs: number;
  /**
   * After this many WebSocket connections the simulator stops listening: later connects are refused
   * by the OS (ECONNREFUSED) while open sockets carry on (default Infinity: never).
   */
  refuseAfterConnections: number;
}

export interface CartesiaSimOptions extends Partial<CartesiaSimKnobs> {
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  log?: Logger;
  clock?: Clock;
  /** Where SIM_CARTESIA_* are read; process.env by default. */
  env?: KnobEnv;
}

const P = 'SIM_CARTESIA_';

function list(value: string[] | undefined, envName: string, env: KnobEnv | undefined): string[] {
  if (value) return value;
  return knob(undefined, envName, '', env)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

const nonNegative = z.number().min(0);
const positive = z.number().positive();

export function resolveKnobs(o: CartesiaSimOptions): CartesiaSimKnobs {
  const env = o.env;
  const faultsRaw = knob(undefined, `${P}FAULTS`, '', env);
  return {
    timeToFirstAudioMs: knob(o.timeToFirstAudioMs, `${P}TIME_TO_FIRST_AUDIO_MS`, 60, env, nonNegative),
    realTimeFactor: knob(o.realTimeFactor, `${P}REAL_TIME_FACTOR`, 0.1, env, nonNegative),
    chunkMs: knob(o.chunkMs, `${P}CHUNK_MS`, 40, env, positive),
    charsPerSecond: knob(o.charsPerSecond, `${P}CHARS_PER_SECOND`, 15, env, positive),
    defaultMaxBufferDelayMs: knob(
      o.defaultMaxBufferDelayMs,
      `${P}MAX_BUFFER_DELAY_MS`,
      3000,
      env,
      nonNegative,
    ),
    idleTimeoutMs: knob(o.idleTimeoutMs, `${P}IDLE_TIMEOUT_MS`, DEFAULT_IDLE_TIMEOUT_MS, env, positive),
    maxConcurrentContexts: knob(o.maxConcurrentContexts, `${P}MAX_CONCURRENT_CONTEXTS`, 0, env, nonNegative),
    voices: list(o.voices, `${P}VOICES`, env),
    models: list(o.models, `${P}MODELS`, env),
    apiKey: knob(o.apiKey, `${P}API_KEY`, '', env),
    refuseHandshakes: knob(o.refuseHandshakes, `${P}REFUSE_HANDSHAKES`, 0, env, nonNegative),
    faults: o.faults ?? (faultsRaw ? parseFaultsEnv(faultsRaw, `${P}FAULTS`) : []),
    faultsAfterMs: knob(o.faultsAfterMs, `${P}FAULTS_AFTER_MS`, 0, env, nonNegative),
    refuseAfterConnections: knob(
      o.refuseAfterConnections,
      `${P}REFUSE_AFTER_CONNECTIONS`,
      Infinity,
      env,
      nonNegativeOrNever,
    ),
  };
}
