import { existsSync } from 'node:fs';
import { type Config, configSchema } from './config-schema.js';

export { type Config, configSchema } from './config-schema.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Secrets whose key left blank in .env means "not set" (DATABASE_URL, TWILIO_AUTH_TOKEN: absent or real). */
const OPTIONAL_SECRETS = [
  'DEEPGRAM_API_KEY',
  'GROQ_API_KEY',
  'CEREBRAS_API_KEY',
  'ANTHROPIC_API_KEY',
  'CARTESIA_API_KEY',
  'CONTEXT_API_KEY',
  'CALLER_HASH_KEY',
  'DASHBOARD_TOKEN',
  'RESPOND_API_TOKEN',
] as const;

/**
 * Variables where an empty value means "not set". Everywhere else a blank value is a mistake:
 * `z.coerce.number()` would read it as 0 (a random port, a 0 ms deadline).
 */
const BLANK_MEANS_UNSET: ReadonlySet<string> = new Set([
  ...OPTIONAL_SECRETS,
  'RECORDINGS_DIR', // empty: no recordings
]);

/** Loads `.env` (if present, without overriding the real environment), then validates. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, envFile = '.env'): Config {
  if (env === process.env && envFile && existsSync(envFile)) process.loadEnvFile(envFile);
  const values: Record<string, string | undefined> = {};
  const blank: string[] = [];
  for (const key of Object.keys(configSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value.trim() === '') {
      if (!BLANK_MEANS_UNSET.has(key)) blank.push(key);
      continue;
    }
    values[key] = value;
  }
  if (blank.length) {
    const lines = blank.map(
      (k) => `  ${k}: set but empty (give a value, or remove the line for the default)`,
    );
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const parsed = configSchema.safeParse(values);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const cfg = parsed.data;
  if (cfg.INSPECT === '1' && cfg.NODE_ENV === 'production' && !cfg.INSPECT_ALLOW_REMOTE) {
    throw new ConfigError(
      'Invalid configuration:\n  INSPECT: 1 sends call data to stately.ai; refused with NODE_ENV=production unless INSPECT_ALLOW_REMOTE=1',
    );
  }
  return cfg;
}

/**
 * `npm start` answers real calls, so it needs a real speech-to-text and text-to-speech key and at
 * least one LLM key in LLM_CHAIN. (serve:sim, the demo and tests supply simulator keys.)
 */
export function assertProviderKeys(cfg: Config): void {
  const missing: string[] = [];
  if (!cfg.DEEPGRAM_API_KEY) missing.push('  DEEPGRAM_API_KEY: required (speech to text)');
  if (!cfg.CARTESIA_API_KEY) missing.push('  CARTESIA_API_KEY: required (text to speech)');
  const llmKeys: Record<string, string> = {
    groq: cfg.GROQ_API_KEY,
    cerebras: cfg.CEREBRAS_API_KEY,
    anthropic: cfg.ANTHROPIC_API_KEY,
  };
  if (!cfg.LLM_CHAIN.some((entry) => llmKeys[entry.split(':')[0] ?? ''])) {
    missing.push('  LLM_CHAIN: no provider in the chain has an API key (GROQ_API_KEY, ...)');
  }
  if (missing.length) throw new ConfigError(`Invalid configuration:\n${missing.join('\n')}`);
}

/** Names of the variables that hold secrets; never logged. */
export const SECRET_KEYS = [
  ...OPTIONAL_SECRETS,
  'DATA_KEY', // a blank one is an error, not "unset": encryption must not silently switch off
  'DATABASE_URL', // may carry a password
  'TWILIO_AUTH_TOKEN',
] as const;

/** A copy of the config safe to log: secrets reduced to "set"/"unset". */
export function describeConfig(cfg: Config): Record<string, unknown> {
  const out: Record<string, unknown> = { ...cfg };
  for (const k of SECRET_KEYS) out[k] = cfg[k] ? '[set]' : '[unset]';
  return out;
}
