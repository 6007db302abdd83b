import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { captureLogger } from '../store/capture-logger.js';

const base = () => ({
  AUDIOSOCKET_PORT: '0',
  AGI_ENABLED: '0',
  HTTP_PORT: '0',
  PUBLIC_HTTP_PORT: '0',
  CALLCHART_DB: join(mkdtempSync(join(tmpdir(), 'callchart-start-')), 'c.db'),
  // Placeholder keys: nothing is called, the providers only need to be constructible.
  GROQ_API_KEY: 'unused',
});

describe('starting the Twilio side', () => {
  it('without TWILIO_AUTH_TOKEN: no Twilio routes, and the log says why; AudioSocket still serves', async () => {
    const { log, lines } = captureLogger();
    const app = await startApp(loadConfig(base(), ''), log);
    try {
      expect(app.twilio).toBeNull();
      expect(app.audioSocketPort).toBeGreaterThan(0);
      expect(
        lines().some((l) => String(l.msg).includes('Twilio routes not served: set TWILIO_AUTH_TOKEN')),
      ).toBe(true);
    } finally {
      await app.close();
    }
  });

  it('with a token: the public server has its own port, separate from metrics, and never logs the token', async () => {
    const { log, lines } = captureLogger();
    const app = await startApp(loadConfig({ ...base(), TWILIO_AUTH_TOKEN: 'tok-secret-123' }, ''), log);
    try {
      expect(app.twilio?.port).toBeGreaterThan(0);
      expect(app.twilio?.port).not.toBe(app.httpPort);
      expect((await fetch(`${app.twilio?.baseUrl}/metrics`)).status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${app.httpPort}/voice/incoming`)).status).toBe(404);
      expect(JSON.stringify(lines())).not.toContain('tok-secret-123');
      // A refused webhook is counted for the operator (a wrong PUBLIC_BASE_URL shows up here).
      const refused = await fetch(`${app.twilio?.baseUrl}/voice/incoming`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'CallSid=CA00000000000000000000000000000002',
      });
      expect(refused.status).toBe(403);
      const metrics = await (await fetch(`http://127.0.0.1:${app.httpPort}/metrics`)).text();
      expect(metrics).toMatch(/callchart_twilio_requests_total\{route="incoming",result="forbidden"\} 1/);
    } finally {
      await app.close();
    }
  });
});

describe('Twilio configuration', () => {
  it('names PUBLIC_BASE_URL when it has a path (every signature would fail)', () => {
    expect(() => loadConfig({ PUBLIC_BASE_URL: 'https://voice.example.com/callchart' }, '')).toThrow(
      /PUBLIC_BASE_URL/,
    );
    expect(loadConfig({ PUBLIC_BASE_URL: 'https://voice.example.com' }, '').PUBLIC_BASE_URL).toBe(
      'https://voice.example.com',
    );
  });

  it('names PUBLIC_NODE_URL when it has a path, and takes a node origin', () => {
    expect(() => loadConfig({ PUBLIC_NODE_URL: 'https://node-a.voice.example.com/a' }, '')).toThrow(
      /PUBLIC_NODE_URL/,
    );
    expect(loadConfig({ PUBLIC_NODE_URL: 'https://node-a.voice.example.com' }, '').PUBLIC_NODE_URL).toBe(
      'https://node-a.voice.example.com',
    );
  });
});
