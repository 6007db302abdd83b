import { describe, expect, it } from 'vitest';
import type { CallFacts } from '../../machines/call.types.js';
import { fixedLines } from '../../src/call/fixed-lines.js';
import { LineCache, type LineSet } from '../../src/call/line-cache.js';
import { silentLogger } from '../../src/log.js';
import type { TtsProvider, TtsSession, TtsVoice } from '../../src/providers/tts/types.js';

const FACTS: CallFacts = {
  companyName: 'Quick Fix Plumbing',
  trade: 'plumbing',
  tradeLabel: 'plumber',
  calloutFee: 49,
  area: 'London',
  isRepeatCaller: false,
  timeOfDay: 'morning',
};
const SET: LineSet = {
  tenantId: 'quick-fix',
  language: 'en',
  format: { encoding: 'pcm_s16le', sampleRate: 8000, modelId: 'sonic-3' },
};
const voice = (): TtsVoice => ({ voiceId: 'v1', language: 'en' });

/** A TTS whose clips are as many bytes as the text has characters; `fail` rejects every synthesis. */
function fakeTts(mode: 'ok' | 'fail' | 'stall' = 'ok') {
  const stats = { sessions: 0, syntheses: 0, closed: 0 };
  const provider: TtsProvider = {
    name: 'fake',
    async open() {
      stats.sessions++;
      const session: Partial<TtsSession> = {
        synthesize: (text: string) => {
          stats.syntheses++;
          if (mode === 'fail') return Promise.reject(new Error('503'));
          if (mode === 'stall') return new Promise<Buffer>(() => {});
          return Promise.resolve(Buffer.alloc(text.length, 1));
        },
        close: async () => {
          stats.closed++;
        },
      };
      return session as TtsSession;
    },
  };
  return { provider, stats };
}

describe('fixed lines and the LineCache', () => {
  it('lists each fixed line once: apologies, transfer, goodbye, booking failed, hold, overflow, shutdown', () => {
    const lines = fixedLines(FACTS, 'en').map((l) => l.text);
    expect(new Set(lines).size).toBe(lines.length);
    expect(lines).toContain('Let me put you through to one of the team. Please hold the line.');
    expect(lines.some((t) => /lines are busy/.test(t))).toBe(true);
    expect(lines.some((t) => /missed that/.test(t))).toBe(true);
    expect(lines).toContain('Bear with me one moment.');
  });

  it('synthesises every line once on a session of its own, then serves them by set, voice and text', async () => {
    const cache = new LineCache();
    const tts = fakeTts();
    const lines = fixedLines(FACTS, 'en');
    await Promise.all([
      cache.prepare(SET, lines, voice, tts.provider, silentLogger),
      cache.prepare(SET, lines, voice, tts.provider, silentLogger), // the same fill, not a second one
    ]);
    expect(tts.stats).toEqual({ sessions: 1, syntheses: lines.length, closed: 1 });
    const transfer = 'Let me put you through to one of the team. Please hold the line.';
    expect(cache.get(SET, 'v1', transfer)?.length).toBe(transfer.length);
    expect(cache.get({ ...SET, tenantId: 'other' }, 'v1', transfer)).toBeUndefined();
    expect(
      cache.get({ ...SET, format: { ...SET.format, sampleRate: 16000 } }, 'v1', transfer),
    ).toBeUndefined();
    expect(cache.get(SET, 'v2', transfer)).toBeUndefined();
    // Everything held: a later call opens no session.
    await cache.prepare(SET, lines, voice, tts.provider, silentLogger);
    expect(tts.stats.sessions).toBe(1);
  });

  it('never rejects when the TTS fails or stalls, and closes its session', async () => {
    for (const mode of ['fail', 'stall'] as const) {
      const cache = new LineCache({ synthTimeoutMs: 50 });
      const tts = fakeTts(mode);
      await expect(
        cache.prepare(SET, fixedLines(FACTS, 'en'), voice, tts.provider, silentLogger),
      ).resolves.toBeUndefined();
      expect(cache.size).toBe(0);
      expect(tts.stats.closed).toBe(1);
      // Not retried at once by the next call.
      await cache.prepare(SET, fixedLines(FACTS, 'en'), voice, tts.provider, silentLogger);
      expect(tts.stats.sessions).toBe(1);
    }
  });

  it('stays within its byte budget', async () => {
    const cache = new LineCache({ maxBytes: 200 });
    await cache.prepare(SET, fixedLines(FACTS, 'en'), voice, fakeTts().provider, silentLogger);
    expect(cache.size).toBeGreaterThan(0);
    expect(cache.size).toBeLessThan(fixedLines(FACTS, 'en').length);
  });
});
