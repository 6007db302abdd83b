import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  assertProviderKeys,
  ConfigError,
  configSchema,
  describeConfig,
  loadConfig,
  SECRET_KEYS,
} from '../../src/config.js';

describe('configuration', () => {
  it('defaults point at the real vendors and local listeners', () => {
    const c = loadConfig({}, '');
    expect(c.DEEPGRAM_BASE_URL).toBe('wss://api.deepgram.com');
    expect(c.GROQ_BASE_URL).toBe('https://api.groq.com');
    expect(c.CARTESIA_BASE_URL).toBe('https://api.cartesia.ai');
    expect(c).toMatchObject({ AUDIOSOCKET_HOST: '127.0.0.1', AUDIOSOCKET_PORT: 9099, AGI_PORT: 4573 });
    expect(c.CALLCHART_DB).toBe('data/callchart.db');
    expect(c.LLM_CHAIN[0]).toMatch(/^groq:/);
  });

  it('fails fast naming the bad variable and what it expects', () => {
    expect(() => loadConfig({ AUDIOSOCKET_PORT: 'ninety' }, '')).toThrow(ConfigError);
    expect(() => loadConfig({ AUDIOSOCKET_PORT: '70000' }, '')).toThrow(/AUDIOSOCKET_PORT/);
    expect(() => loadConfig({ GROQ_BASE_URL: 'not a url' }, '')).toThrow(/GROQ_BASE_URL/);
    expect(() => loadConfig({ LOG_LEVEL: 'loud' }, '')).toThrow(/LOG_LEVEL.*(expected|Invalid)/s);
  });

  it('validates the provider liveness settings strictly', () => {
    const c = loadConfig({}, '');
    expect(c).toMatchObject({
      TTS_REDIALS: 3,
      TTS_FIRST_AUDIO_TIMEOUT_MS: 1000,
      TTS_AUDIO_GAP_TIMEOUT_MS: 1500,
      STT_SILENT_SOCKET_MS: 2000,
      STT_REPLAY_MS: 4000,
      LLM_BREAKER_FAILURES: 3,
      LLM_BREAKER_COOLDOWN_MS: 30_000,
    });
    expect(loadConfig({ STT_SILENT_SOCKET_MS: '0' }, '').STT_SILENT_SOCKET_MS).toBe(0);
    expect(() => loadConfig({ STT_SILENT_SOCKET_MS: '100' }, '')).toThrow(/STT_SILENT_SOCKET_MS/);
    expect(() => loadConfig({ TTS_FIRST_AUDIO_TIMEOUT_MS: '0' }, '')).toThrow(/TTS_FIRST_AUDIO_TIMEOUT_MS/);
    expect(() => loadConfig({ TTS_REDIALS: '2.5' }, '')).toThrow(/TTS_REDIALS/);
    expect(() => loadConfig({ LLM_BREAKER_FAILURES: '0' }, '')).toThrow(/LLM_BREAKER_FAILURES/);
    expect(() => loadConfig({ STT_REPLAY_MS: '' }, '')).toThrow(/STT_REPLAY_MS: set but empty/);
  });

  it('treats a blank value as an error naming the variable, never as 0 or the default', () => {
    expect(() => loadConfig({ AUDIOSOCKET_PORT: '' }, '')).toThrow(/AUDIOSOCKET_PORT: set but empty/);
    expect(() => loadConfig({ LLM_FIRST_TOKEN_DEADLINE_MS: '  ' }, '')).toThrow(
      /LLM_FIRST_TOKEN_DEADLINE_MS: set but empty/,
    );
    expect(() => loadConfig({ AGI_ENABLED: '', TENANTS_FILE: '' }, '')).toThrow(
      /AGI_ENABLED.*\n.*TENANTS_FILE/s,
    );
    // An API key left blank in .env is just "not set".
    expect(loadConfig({ GROQ_API_KEY: '' }, '').GROQ_API_KEY).toBe('');
  });

  it('requires the speech, voice and one LLM key for real calls', () => {
    expect(() => assertProviderKeys(loadConfig({}, ''))).toThrow(
      /DEEPGRAM_API_KEY.*\n.*CARTESIA_API_KEY.*\n.*LLM_CHAIN/s,
    );
    const keyed = { DEEPGRAM_API_KEY: 'd', CARTESIA_API_KEY: 'c' };
    expect(() => assertProviderKeys(loadConfig({ ...keyed, ANTHROPIC_API_KEY: 'a' }, ''))).not.toThrow();
    expect(() =>
      assertProviderKeys(loadConfig({ ...keyed, ANTHROPIC_API_KEY: 'a', LLM_CHAIN: 'groq:x' }, '')),
    ).toThrow(/LLM_CHAIN/);
  });

  it('refuses INSPECT=1 (call data to stately.ai) in production unless INSPECT_ALLOW_REMOTE=1', () => {
    expect(() => loadConfig({ INSPECT: '1', NODE_ENV: 'production' }, '')).toThrow(
      /INSPECT.*INSPECT_ALLOW_REMOTE/s,
    );
    expect(loadConfig({ INSPECT: '1', NODE_ENV: 'production', INSPECT_ALLOW_REMOTE: '1' }, '').INSPECT).toBe(
      '1',
    );
    expect(loadConfig({ INSPECT: 'jsonl', NODE_ENV: 'production' }, '').INSPECT).toBe('jsonl');
    expect(loadConfig({ INSPECT: '1' }, '').INSPECT).toBe('1');
  });

  it('reads a .env file without overriding the real environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cc-env-'));
    const file = join(dir, '.env');
    writeFileSync(file, 'AUDIOSOCKET_PORT=9111\nLOG_LEVEL=debug\n');
    const saved = { ...process.env };
    try {
      process.env.LOG_LEVEL = 'warn';
      const c = loadConfig(process.env, file);
      expect(c.AUDIOSOCKET_PORT).toBe(9111);
      expect(c.LOG_LEVEL).toBe('warn');
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });

  it('takes DATA_KEY only as 32 random bytes (hex or base64), and never a blank, short or weak one', () => {
    const hex = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';
    expect(loadConfig({ DATA_KEY: hex }, '').DATA_KEY?.toString('hex')).toBe(hex);
    const b64 = Buffer.from(hex, 'hex').toString('base64');
    expect(loadConfig({ DATA_KEY: b64 }, '').DATA_KEY?.toString('hex')).toBe(hex);
    expect(loadConfig({}, '').DATA_KEY).toBeUndefined();
    for (const bad of ['', 'correct horse battery staple', hex.slice(2), `${hex}00`, 'A'.repeat(64)]) {
      expect(() => loadConfig({ DATA_KEY: bad }, '')).toThrow(/DATA_KEY/);
    }
    expect(JSON.stringify(describeConfig(loadConfig({ DATA_KEY: hex }, '')))).not.toContain('0011');
    expect(() => loadConfig({ NODE_ID: 'node a' }, '')).toThrow(/NODE_ID/);
  });

  it('.env.example documents every variable, and only those', () => {
    const text = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
    const documented = new Set([...text.matchAll(/^#?\s?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
    expect([...documented].sort()).toEqual(Object.keys(configSchema.shape).sort());
  });

  it('never exposes secrets when described for logging', () => {
    const c = loadConfig({ GROQ_API_KEY: 'gsk_secret', DEEPGRAM_API_KEY: 'dg_secret' }, '');
    const described = JSON.stringify(describeConfig(c));
    expect(described).not.toContain('secret');
    for (const k of SECRET_KEYS) expect(described).toContain(`"${k}":"[`);
  });
});
