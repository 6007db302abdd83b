import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CallerLine } from '../../sim/caller/script.js';
import { DEFAULT_ENDPOINTER, EnergyEndpointer } from '../../sim/deepgram/endpointer.js';
import { parseFluxControl } from '../../sim/deepgram/flux-messages.js';
import { parseFluxQuery } from '../../sim/deepgram/flux-query.js';
import { FluxTurnDetector } from '../../sim/deepgram/flux-turns.js';
import {
  DEFAULT_CONFIDENCE_MODEL,
  endOfTurnConfidence,
  textCompleteness,
} from '../../sim/deepgram/turn-completeness.js';

describe('Flux simulator: end-of-turn confidence', () => {
  it('a whole sentence sounds finished; a trailing comma, conjunction, copula or filler does not', () => {
    expect(textCompleteness('Yes please, go ahead.')).toBe(1);
    expect(textCompleteness('¿Puede hablar en español?')).toBe(1);
    for (const t of ["It's, um,", 'The address is', 'My boiler and', 'Mi código postal es', 'so um'])
      expect(textCompleteness(t)).toBeLessThan(0.5);
    expect(textCompleteness('Priya Shah')).toBeGreaterThan(textCompleteness('My name is'));
    expect(textCompleteness('  ')).toBe(0);
  });

  it('grows with silence, to 1, and faster for a finished sentence', () => {
    fc.assert(
      fc.property(fc.string(), fc.nat(5000), fc.nat(5000), (text, a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const m = DEFAULT_CONFIDENCE_MODEL;
        const cLo = endOfTurnConfidence(text, lo, m);
        expect(cLo).toBeGreaterThanOrEqual(0);
        expect(endOfTurnConfidence(text, hi, m)).toBeGreaterThanOrEqual(cLo);
        expect(endOfTurnConfidence(text, m.giveUpMs, m)).toBe(1);
      }),
    );
    const m = DEFAULT_CONFIDENCE_MODEL;
    expect(endOfTurnConfidence('Go ahead.', 300, m)).toBeGreaterThan(
      endOfTurnConfidence("It's, um,", 300, m),
    );
    expect(endOfTurnConfidence("It's, um,", 700, m)).toBeLessThan(0.5);
  });
});

describe('Flux simulator: parsers never throw', () => {
  it('the /v2/listen query: thresholds inside their ranges pass, others are a 400', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, min: -2, max: 2 }), (x) => {
        const r = parseFluxQuery(
          new URLSearchParams(
            `model=flux-general-en&encoding=mulaw&sample_rate=8000&eager_eot_threshold=${x}`,
          ),
        );
        expect(r.ok).toBe(x >= 0.3 && x <= 0.9);
      }),
    );
    fc.assert(
      fc.property(fc.string(), fc.string(), (k, v) => {
        const params = new URLSearchParams();
        params.append(k, v);
        expect(() => parseFluxQuery(params)).not.toThrow();
      }),
    );
  });

  it('client text frames', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        expect(() => parseFluxControl(text)).not.toThrow();
      }),
    );
    expect(parseFluxControl('{"type":"ForceEndTurn"}')).toEqual({
      ok: true,
      message: { type: 'ForceEndTurn' },
    });
    expect(parseFluxControl('{"type":"Configure","thresholds":{"eot_threshold":0.2}}')).toMatchObject({
      ok: false,
      configure: true,
    });
  });
});

describe('Flux simulator: turn detector', () => {
  const config = {
    windowMs: 10,
    minSpeechMs: 80,
    phrasePauseMs: 120,
    updateEveryMs: 250,
    wordsPerSec: 2.5,
    eagerEotThreshold: 0.5,
    eotThreshold: 0.7,
    eotTimeoutMs: 60_000,
    confidence: DEFAULT_CONFIDENCE_MODEL,
  };
  /** The detector behind the same energy endpointer the simulator uses (300 ms segments). */
  const detector = (takePart: () => CallerLine | undefined) => ({
    d: new FluxTurnDetector(config, takePart),
    ep: new EnergyEndpointer({ ...DEFAULT_ENDPOINTER, endpointingMs: 300 }),
  });
  const run = ({ d, ep }: ReturnType<typeof detector>, voiced: boolean, ms: number) =>
    Array.from({ length: ms / 10 }, () => {
      const segment = ep.push(voiced ? 5000 : 0);
      return d.push(ep.voiced, segment);
    }).flat();

  it('a turn of endless unscripted noise keeps a bounded number of segments', () => {
    let taken = 0;
    const t = detector(() => {
      taken++;
      return undefined;
    });
    for (let i = 0; i < 100; i++) {
      run(t, true, 200);
      run(t, false, 400);
    }
    expect(t.d.turnOpen).toBe(true); // no words: only the timeout could end it
    expect(taken).toBeLessThanOrEqual(32);
  });

  it('a click shorter than minSpeechMs neither opens nor resumes a turn', () => {
    const t = detector(() => ({ text: 'Yes please.' }));
    expect(run(t, true, 50)).toEqual([]);
    run(t, false, 500);
    expect(t.d.turnOpen).toBe(false);
    const start = run(t, true, 600);
    expect(start[0]?.event).toBe('StartOfTurn');
    const end = run(t, false, 400).filter((e) => e.event !== 'Update');
    expect(end.map((e) => e.event)).toEqual(['EagerEndOfTurn', 'EndOfTurn']);
    expect(end.map((e) => e.transcript)).toEqual(['Yes please.', 'Yes please.']);
  });
});
