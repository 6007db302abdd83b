import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BytesSynthResult } from '../../src/providers/tts/bytes-synth.js';
import { firstSentenceEnd } from '../../src/respond/first-sentence.js';
import { applyIntents, type WorkflowState } from '../../src/respond/one-shot-workflow.js';
import { StreamedSynthesis } from '../../src/respond/streamed-synthesis.js';
import { timingHeaders, timingLine } from '../../src/respond/timing-report.js';

const UNDERSTAND: WorkflowState = { step: 'understand', slots: {}, language: 'en' };

describe('applyIntents (the workflow as the call machine runs it)', () => {
  it('moves from understand to quote once a valid problem is recorded', () => {
    const s = applyIntents(UNDERSTAND, [
      { type: 'CALLER.GAVE_DETAILS', details: { problem: 'leaking sink pipe' } },
    ]);
    expect(s).toMatchObject({ step: 'quote', slots: { problem: 'leaking sink pipe' } });
  });

  it('stays and flags an invalid problem', () => {
    const s = applyIntents(UNDERSTAND, [{ type: 'CALLER.GAVE_DETAILS', details: { problem: '!!' } }]);
    expect(s).toMatchObject({ step: 'understand', notice: 'invalid_problem' });
  });

  it('runs through every step whose slot is filled, stopping at book', () => {
    const s = applyIntents(UNDERSTAND, [
      {
        type: 'CALLER.GAVE_DETAILS',
        details: {
          problem: 'no hot water',
          agreed: true,
          postcode: 'sw1a 1aa',
          address: '10 Downing Street',
          name: 'Sam Jones',
        },
      },
    ]);
    expect(s.step).toBe('book');
    expect(s.slots.postcode).toBe('SW1A 1AA');
  });

  it('takes the ways out and the notices', () => {
    expect(applyIntents(UNDERSTAND, [{ type: 'CALLER.ASKED_FOR_HUMAN' }]).step).toBe('transfer');
    expect(applyIntents(UNDERSTAND, [{ type: 'CALLER.WAS_ABUSIVE' }]).step).toBe('abusive');
    expect(applyIntents(UNDERSTAND, [{ type: 'CALLER.ASKED_TOTAL_PRICE' }]).notice).toBe('total_price');
    expect(applyIntents(UNDERSTAND, [{ type: 'CALLER.SWITCHED_LANGUAGE', language: 'es' }])).toMatchObject({
      language: 'es',
      notice: 'language_switched',
      step: 'understand',
    });
    const quote: WorkflowState = { step: 'quote', slots: { problem: 'leak' }, language: 'en' };
    expect(applyIntents(quote, [{ type: 'CALLER.GAVE_DETAILS', details: { agreed: false } }]).step).toBe(
      'declined',
    );
  });
});

describe('firstSentenceEnd', () => {
  it('finds the end of the first full sentence, not decimals or short fragments', () => {
    expect(firstSentenceEnd('I can get a plumber out. The fee is 49.50 pounds.')).toBe(25);
    expect(firstSentenceEnd('The fee is 49.50 pounds')).toBe(-1);
    expect(firstSentenceEnd('OK. Right, I can help with that. Then')).toBe(33);
    expect(firstSentenceEnd('Done.')).toBe(-1); // no space yet: more may follow
  });

  it('always cuts after a terminator and never past the text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        const end = firstSentenceEnd(text);
        if (end === -1) return;
        expect(end).toBeLessThanOrEqual(text.length);
        expect(text.slice(0, end)).toMatch(/[.!?…]+["')\]]*\s$/);
      }),
    );
  });
});

describe('StreamedSynthesis', () => {
  const fakeSynth =
    (log: string[]) =>
    async (text: string): Promise<BytesSynthResult> => {
      log.push(text);
      return { pcm: Buffer.from(text), firstByteMs: 5 };
    };

  it('starts on the first sentence while the reply streams, then sends the rest; audio in order', async () => {
    const sent: string[] = [];
    const s = new StreamedSynthesis(fakeSynth(sent));
    for (const token of ['I can get ', 'a plumber out. ', 'The callout ', 'is 49 pounds.']) s.push(token);
    expect(sent).toEqual(['I can get a plumber out.']);
    expect(s.firstRequestAt).toEqual(expect.any(Number));
    const out = await s.finish();
    expect(sent).toEqual(['I can get a plumber out.', 'The callout is 49 pounds.']);
    expect(out.pcm.toString()).toBe('I can get a plumber out.The callout is 49 pounds.');
    expect(out.requests).toBe(2);
  });

  it('sends a one-sentence reply whole at the end, and reports a failed request', async () => {
    const sent: string[] = [];
    const s = new StreamedSynthesis(fakeSynth(sent));
    s.push('What seems to be the problem?');
    expect(sent).toEqual([]);
    expect((await s.finish()).requests).toBe(1);

    const failing = new StreamedSynthesis(async () => {
      throw new Error('tts down');
    });
    failing.push('First sentence here. ');
    failing.push('Second.');
    await expect(failing.finish()).rejects.toThrow('tts down');
    await expect(new StreamedSynthesis(fakeSynth([])).finish()).rejects.toThrow(/empty/);
  });
});

describe('timing report', () => {
  const t = {
    sttMs: 101.2,
    llmFirstTokenMs: null,
    llmTotalMs: 300,
    ttsFirstByteMs: 80.4,
    ttsTotalMs: 500,
    totalMs: 990,
    streamingSavedMs: 40,
  };
  it('prints every stage on one line and puts them in headers', () => {
    expect(timingLine(t)).toBe(
      'STT 101 ms | LLM first token - | LLM total 300 ms | TTS first byte 80 ms | TTS total 500 ms | overall 990 ms',
    );
    const h = timingHeaders(t);
    expect(h['x-respond-stt-ms']).toBe('101.2');
    expect(h).not.toHaveProperty('x-respond-llm-first-token-ms');
    expect(h['server-timing']).toBe(
      'stt;dur=101.2, llm-total;dur=300, tts-first-byte;dur=80.4, tts-total;dur=500, total;dur=990, streaming-saved;dur=40',
    );
  });
});
