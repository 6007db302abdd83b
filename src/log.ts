import { type Logger, pino } from 'pino';
import { maskNumber } from './store/phone-number.js';

export type { Logger };

/** Keeps the country code and the last three digits: enough to tell callers apart in logs, not to dial them. */
export function maskPhone(value: unknown): unknown {
  return typeof value === 'string' ? maskNumber(value) : value;
}

/** Field names that carry phone numbers anywhere in a log object. */
export const PHONE_FIELDS = [
  'caller',
  'callerId',
  'callerNumber',
  'callbackNumber',
  'cli',
  'from',
  'to',
  'dialled',
  'did',
] as const;

/** Field names that carry a person's name or address: never logged, at any depth. */
export const PERSONAL_FIELDS = [
  'customerName',
  'callerName',
  'address',
  'postcode',
  'callerText',
  'agentText',
  'transcript',
  'consent',
] as const;

const PHONE_KEYS: ReadonlySet<string> = new Set(PHONE_FIELDS);
const PERSONAL_KEYS: ReadonlySet<string> = new Set(PERSONAL_FIELDS);
/** Nested log objects deeper than this are cut (a log line is not a dump). */
const MAX_SCRUB_DEPTH = 6;

/**
 * Masks phone fields and removes personal fields anywhere in a log object, not only at the top
 * level (pino's serializers only see top-level keys). Plain objects and arrays are copied; other
 * values (errors, buffers) are left to their serializers.
 */
export function scrubLogObject(value: unknown, depth = 0): unknown {
  if (Array.isArray(value)) {
    return depth >= MAX_SCRUB_DEPTH ? '[deep]' : value.map((v) => scrubLogObject(v, depth + 1));
  }
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) {
    return value;
  }
  if (depth >= MAX_SCRUB_DEPTH) return '[deep]';
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (PERSONAL_KEYS.has(key)) out[key] = v === undefined || v === null || v === '' ? v : '[personal]';
    else if (PHONE_KEYS.has(key)) out[key] = maskPhone(v);
    else out[key] = scrubLogObject(v, depth + 1);
  }
  return out;
}

/** Paths whose values are secrets; pino replaces them before serialisation. */
export const REDACT_PATHS = [
  'apiKey',
  '*.apiKey',
  '*.*.apiKey',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'headers["x-api-key"]',
  '*.headers["x-api-key"]',
  'token',
  '*.token',
  'password',
  '*.password',
];

export interface LoggerOptions {
  level?: string;
  pretty?: boolean;
  /** Where JSON lines go; tests pass a stream to read them back. */
  destination?: NodeJS.WritableStream;
}

/**
 * The one logger factory. JSON by default; pino-pretty only when asked for (a TTY),
 * and only if it is installed (it is a devDependency).
 */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const base = {
    level: opts.level ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: { err: pino.stdSerializers.err },
    formatters: { log: (obj: Record<string, unknown>) => scrubLogObject(obj) as Record<string, unknown> },
    base: { app: 'callchart' },
  };
  if (opts.destination) return pino(base, opts.destination as pino.DestinationStream);
  if (opts.pretty) {
    try {
      return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true } } });
    } catch {
      // pino-pretty missing in a production install: fall back to JSON.
    }
  }
  return pino(base);
}

/** A logger that drops everything; for tests and library defaults. */
export const silentLogger: Logger = pino({ level: 'silent' });
