import { type Logger, pino } from 'pino';

export type { Logger };

/** Keeps the country code and the last three digits: enough to tell callers apart in logs, not to dial them. */
export function maskPhone(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const digits = value.replace(/[^\d+]/g, '');
  if (digits.replace('+', '').length < 5) return value.length ? '***' : value;
  const plus = digits.startsWith('+') ? '+' : '';
  const body = digits.replace('+', '');
  const cc = plus ? body.slice(0, 2) : '';
  return `${plus}${cc}${'*'.repeat(Math.max(3, body.length - cc.length - 3))}${body.slice(-3)}`;
}

/** Field names that carry phone numbers anywhere in a log object. */
export const PHONE_FIELDS = [
  'caller',
  'callerId',
  'callerNumber',
  'cli',
  'from',
  'to',
  'dialled',
  'did',
] as const;

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

const phoneSerializers = Object.fromEntries(PHONE_FIELDS.map((f) => [f, maskPhone]));

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
    serializers: { ...phoneSerializers, err: pino.stdSerializers.err },
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
