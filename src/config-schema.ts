import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { envFlag } from './env-flag.js';
import { DataKeyError, parseDataKey } from './store/field-cipher.js';

/** On/off variables: the spellings of src/env-flag.ts, shared with the simulators' knobs. */
const bool = envFlag;
const port = z.coerce.number().int().min(0).max(65535);
const ms = z.coerce.number().int().min(0).max(600_000);
const list = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean),
);

/** A shared secret: empty (off) or long enough not to be guessed. */
const token = z
  .string()
  .default('')
  .refine((s) => s === '' || s.length >= 16, 'must be empty or at least 16 characters');

/** A public origin Twilio requests and signs: scheme://host[:port], with no path (routes live at /voice/…). */
const publicOrigin = z
  .url()
  .refine(
    (u) => /^https?:\/\/[^/?#]+\/?$/.test(u),
    'an origin such as https://voice.example.com, with no path',
  )
  .optional();

/**
 * Every environment variable callchart reads, with its default. `.env.example` documents each one.
 * Defaults point at the vendors' real endpoints; `npm run demo` and `serve:sim` override them.
 */
export const configSchema = z.object({
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_PRETTY: bool.optional(),

  /**
   * Worker processes, each owning its calls end to end; 'auto' = one per core. With more than one,
   * worker i listens for AudioSocket on AUDIOSOCKET_PORT + i and this process answers FastAGI.
   */
  WORKERS: z
    .union([z.literal('auto'), z.coerce.number().int().min(1).max(64)])
    .default(1)
    .transform((v) => (v === 'auto' ? availableParallelism() : v)),
  AUDIOSOCKET_HOST: z.string().min(1).default('127.0.0.1'),
  AUDIOSOCKET_PORT: port.default(9099),
  /** Open AudioSocket connections beyond this are closed on arrival (a flood must not exhaust fds). */
  AUDIOSOCKET_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(100_000).default(1000),
  AGI_HOST: z.string().min(1).default('127.0.0.1'),
  AGI_PORT: port.default(4573),
  AGI_ENABLED: bool.default(true),
  METADATA_DIR: z.string().default('/tmp'),
  METADATA_WAIT_MS: ms.default(200),
  HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  HTTP_PORT: port.default(9464),
  HTTP_ENABLED: bool.default(true),
  /** A stereo WAV per call (caller left, agent right) in this directory; empty: no recordings. */
  RECORDINGS_DIR: z.string().default(''),
  RECORDINGS_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),

  CALLCHART_DB: z.string().min(1).default('data/callchart.db'),
  /** HMAC key for repeat-caller hashes (16+ characters); unset: a key file beside the database. */
  CALLER_HASH_KEY: z
    .string()
    .refine((v) => v === '' || v.length >= 16, 'at least 16 characters')
    .default(''),
  /** postgres://… selects the shared Postgres store instead of SQLite (CALLCHART_DB still locates the journal). */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/\S+$/, 'a postgres:// or postgresql:// URL')
    .optional(),
  TENANTS_FILE: z.string().optional(),
  /**
   * 32 random bytes, as 64 hex digits or base64 (`openssl rand -base64 32`): callback numbers are stored
   * encrypted with it (AES-256-GCM). Unset: they are stored as given. Keep it: without it they cannot be read.
   */
  DATA_KEY: z
    .string()
    .transform((s, ctx) => {
      try {
        return parseDataKey(s);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: err instanceof DataKeyError ? err.message : String(err) });
        return z.NEVER;
      }
    })
    .optional(),
  /**
   * This node's name on the calls it runs (default: the host name). Keep it stable across restarts and
   * unique per node sharing one database: at start a node closes only its own calls left open by a crash.
   */
  NODE_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, dot, dash or underscore (at most 64)')
    .optional(),

  DEEPGRAM_API_KEY: z.string().default(''),
  DEEPGRAM_BASE_URL: z.url().default('wss://api.deepgram.com'),
  DEEPGRAM_MODEL: z.string().default('nova-3'),
  /** 'multi' (Nova-3 English/Spanish code-switching), 'auto' (by the caller's language), or a BCP-47 code. */
  DEEPGRAM_LANGUAGE: z.string().min(2).default('multi'),
  DEEPGRAM_ENDPOINTING_MS: ms.default(300),
  DEEPGRAM_UTTERANCE_END_MS: ms.default(1000),
  DEEPGRAM_KEYTERMS: list.default(['postcode', 'plumber', 'callout']),
  /** Flux only (DEEPGRAM_MODEL=flux-general-en / flux-general-multi): end-of-turn thresholds. */
  DEEPGRAM_EAGER_EOT_THRESHOLD: z.union([z.literal('off'), z.coerce.number().min(0.3).max(0.9)]).default(0.5),
  DEEPGRAM_EOT_THRESHOLD: z.coerce.number().min(0.5).max(1).default(0.7),
  DEEPGRAM_EOT_TIMEOUT_MS: z.coerce.number().int().min(500).max(60_000).default(5000),

  GROQ_API_KEY: z.string().default(''),
  GROQ_BASE_URL: z.url().default('https://api.groq.com'),
  CEREBRAS_API_KEY: z.string().default(''),
  CEREBRAS_BASE_URL: z.url().default('https://api.cerebras.ai'),
  ANTHROPIC_API_KEY: z.string().default(''),
  ANTHROPIC_BASE_URL: z.url().default('https://api.anthropic.com'),
  /** provider:model pairs tried in order, e.g. groq:llama-3.3-70b-versatile,cerebras:llama3.1-8b */
  LLM_CHAIN: list.default([
    'groq:llama-3.3-70b-versatile',
    'cerebras:llama3.1-8b',
    'anthropic:claude-haiku-4-5',
  ]),
  LLM_FIRST_TOKEN_DEADLINE_MS: ms.default(1200),
  LLM_TOKEN_GAP_DEADLINE_MS: ms.default(1500),
  /** Circuit breaker per LLM provider: failures or stalls in a row that open it, and how long it stays open. */
  LLM_BREAKER_FAILURES: z.coerce.number().int().min(1).max(100).default(3),
  LLM_BREAKER_COOLDOWN_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
  LLM_MAX_TOKENS: z.coerce.number().int().min(16).max(4096).default(250),
  LLM_TEMPERATURE: z.coerce.number().min(0).max(2).default(0.3),

  CARTESIA_API_KEY: z.string().default(''),
  CARTESIA_BASE_URL: z.url().default('https://api.cartesia.ai'),
  CARTESIA_MODEL: z.string().default('sonic-3'),
  CARTESIA_VOICE_EN: z.string().default('a01c369f-6d2d-4185-bc20-b32c225eab70'),
  CARTESIA_VOICE_ES: z.string().default('5c5ad5e7-1020-476b-8b91-fdcbe9cc313c'),
  /** Redials of a TTS socket that cannot be opened before the call is handed over (TTS.FAILED). */
  TTS_REDIALS: z.coerce.number().int().min(0).max(10).default(3),
  /** A reply's TTS context with no first audio this long after its text, or a gap this long mid-reply, is retried. */
  TTS_FIRST_AUDIO_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(1000),
  TTS_AUDIO_GAP_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(1500),
  /** An STT socket that answers nothing this long while the caller speaks is redialled; 0 turns the check off. */
  STT_SILENT_SOCKET_MS: z.coerce
    .number()
    .int()
    .refine((v) => v === 0 || (v >= 500 && v <= 60_000), '0 (off) or 500..60000')
    .default(2000),
  /** Recent caller audio kept to be sent again to a redialled STT socket, so no words are lost. */
  STT_REPLAY_MS: z.coerce.number().int().min(0).max(10_000).default(4000),

  BARGE_IN_RMS: z.coerce.number().int().min(0).max(32767).default(800),
  BARGE_IN_MIN_MS: ms.default(300),
  /** Echo guard: the barge-in threshold is at least this fraction of the RMS being played out. */
  BARGE_IN_ECHO_RATIO: z.coerce.number().min(0).max(4).default(0.35),

  /** Start the reply on an early end-of-turn signal, holding its audio until the turn is confirmed. */
  SPECULATIVE_REPLIES: bool.default(true),
  /** Silence after a complete-looking transcript that counts as an early end of turn (Nova-3). */
  TURN_EAGER_SILENCE_MS: ms.default(160),
  /** Silence after which Deepgram is asked to finalise at once instead of waiting out its endpoint (Nova-3). */
  TURN_FINALIZE_SILENCE_MS: ms.default(240),
  /** Silence after which a transcript that stops mid-sentence still ends the turn. */
  TURN_INCOMPLETE_HOLD_MS: ms.default(1200),

  CONTEXT_API_URL: z.url().optional(),
  CONTEXT_API_KEY: z.string().default(''),
  // The greeting waits on it: past this the caller would hear silence, so the stored tenant is used.
  CONTEXT_API_TIMEOUT_MS: ms.default(800),

  INSPECT: z.enum(['0', '1', 'ws', 'jsonl']).default('0'),
  INSPECT_WS_URL: z.string().default('ws://127.0.0.1:8080'),
  /** INSPECT=1 sends call data to stately.ai: with NODE_ENV=production only if this is also set. */
  INSPECT_ALLOW_REMOTE: bool.default(false),
  /** Transcripts (turn text) and trace files older than this are purged hourly; 0 keeps them. */
  RETENTION_DAYS: z.coerce.number().int().min(0).max(3650).default(30),
  TRACE_DIR: z.string().default('traces'),

  SIM_CALLER_SCRIPT: z.string().optional(),
  SIM_PROFILE: z.enum(['fast', 'typical']).optional(),

  /**
   * Bearer tokens for the HTTP API (POST /v1/respond); empty turns that endpoint off. DASHBOARD_TOKEN
   * also opens the dashboard at /; without it the dashboard is served only on a loopback HTTP_HOST.
   */
  DASHBOARD_TOKEN: token,
  RESPOND_API_TOKEN: token,
  RESPOND_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(4 * 1024 * 1024),
  RESPOND_TIMEOUT_MS: ms.default(30_000),
  /** `npm run respond` only: run on in-process simulators even when provider keys are set. */
  SIM: bool.optional(),

  NODE_ENV: z.string().default('development'),
  /** Calls at once; FastAGI answers VA_OUTCOME=overflow beyond it. */
  MAX_CALLS: z.coerce.number().int().min(1).max(100_000).default(200),
  /** New calls are refused while the event loop's p99 delay is above this; 0 turns it off. */
  MAX_EVENT_LOOP_DELAY_MS: ms.default(250),
  /** On SIGTERM: how long live calls may run on before they are ended with a spoken goodbye. */
  DRAIN_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
  /**
   * Concurrent Deepgram streams and Cartesia contexts the accounts allow (per node; 0 = no limit). A
   * call that would pass either is refused at admission (the overflow outcome), not served half.
   */
  DEEPGRAM_MAX_STREAMS: z.coerce.number().int().min(0).max(100_000).default(0),
  CARTESIA_MAX_CONCURRENCY: z.coerce.number().int().min(0).max(100_000).default(0),
  /** HAProxy agent-check: a TCP port that answers "up ready 75%", "up drain" or "maint" (docs/scaling.md). */
  AGENT_CHECK_ENABLED: bool.default(false),
  AGENT_CHECK_HOST: z.string().min(1).default('127.0.0.1'),
  AGENT_CHECK_PORT: port.default(4574),
  /** /readyz: a provider not reached for this long makes the server not ready. */
  PROVIDER_STALE_SECONDS: z.coerce.number().int().min(5).max(3600).default(120),
  /** How often each provider's endpoint is probed (a TCP connect) for /readyz. */
  PROVIDER_PROBE_SECONDS: z.coerce.number().int().min(1).max(600).default(30),

  /** Public HTTP + WebSocket server for Twilio (webhooks and Media Streams); separate from HTTP_PORT. */
  PUBLIC_HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  PUBLIC_HTTP_PORT: port.default(8080),
  /** The URL Twilio calls (and signs), e.g. https://voice.example.com behind a TLS proxy. */
  PUBLIC_BASE_URL: publicOrigin,
  /**
   * This node's own public origin when several nodes share PUBLIC_BASE_URL behind a load balancer
   * (e.g. https://node-a.voice.example.com): the Media Stream and the Free tier's <Gather> answers
   * come back to the node holding the call. Default: PUBLIC_BASE_URL.
   */
  PUBLIC_NODE_URL: publicOrigin,
  /** Without it the Twilio routes are not served: every webhook must be signed with it. */
  TWILIO_AUTH_TOKEN: z.string().default(''),
  TWILIO_ACCOUNT_SID: z.string().default(''),
  /** Twilio REST API (live-call transfers). */
  TWILIO_API_BASE_URL: z.url().default('https://api.twilio.com'),
});

export type Config = z.infer<typeof configSchema>;
