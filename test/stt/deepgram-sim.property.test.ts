import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseControlMessage } from '../../sim/deepgram/control-message.js';
import { DEFAULT_ENDPOINTER, detectSegments, type EndpointerConfig } from '../../sim/deepgram/endpointer.js';
import { parseListenQuery } from '../../sim/deepgram/query.js';
import { knob } from '../../sim/knobs.js';

const RATE = 8000;
const CONFIG: EndpointerConfig = { ...DEFAULT_ENDPOINTER, endpointingMs: 300 };

type Piece = { kind: 'tone' | 'silence' | 'noise'; ms: number; amplitude: number };

/** Tone, digital silence or low noise (below the threshold) pieces, as 8 kHz samples. */
function render(pieces: readonly Piece[]): { samples: Int16Array; toneSpans: [number, number][] } {
  const total = pieces.reduce((a, p) => a + p.ms * 8, 0);
  const samples = new Int16Array(total);
  const toneSpans: [number, number][] = [];
  let at = 0;
  let seed = 1;
  for (const p of pieces) {
    const n = p.ms * 8;
    for (let i = 0; i < n; i++) {
      if (p.kind === 'tone')
        samples[at + i] = Math.round(p.amplitude * Math.sin((2 * Math.PI * 300 * i) / RATE));
      if (p.kind === 'noise') {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        samples[at + i] = ((seed % 201) - 100) * 1; // |x| <= 100, RMS ~58: under the 300 threshold
      }
    }
    if (p.kind === 'tone') toneSpans.push([at / RATE, (at + n) / RATE]);
    at += n;
  }
  return { samples, toneSpans };
}

const piece = fc.record({
  kind: fc.constantFrom<Piece['kind']>('tone', 'silence', 'noise'),
  ms: fc.integer({ min: 10, max: 1200 }),
  amplitude: fc.integer({ min: 1000, max: 20000 }),
});

describe('energy endpointer invariants', () => {
  it('reports segments in order, never overlapping, each inside voiced audio', () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const { samples, toneSpans } = render(pieces);
        const segments = detectSegments(samples, RATE, CONFIG);
        for (let i = 0; i < segments.length; i++) {
          const s = segments[i]!;
          expect(s.endSec).toBeGreaterThan(s.startSec);
          if (i > 0) expect(s.startSec).toBeGreaterThanOrEqual(segments[i - 1]!.endSec);
          // Every segment starts within (one window of) some tone: silence and sub-threshold noise never start one.
          expect(toneSpans.some(([a, b]) => s.startSec >= a - 0.01 && s.startSec < b)).toBe(true);
        }
        expect(segments.length).toBeLessThanOrEqual(toneSpans.length);
      }),
      { numRuns: 150 },
    );
  });

  it('finds exactly one segment per tone when tones outlast min speech and gaps outlast endpointing', () => {
    const burst = fc.record({
      toneMs: fc.integer({ min: 100, max: 900 }),
      gapMs: fc.integer({ min: 320, max: 1000 }),
    });
    fc.assert(
      fc.property(fc.array(burst, { minLength: 1, maxLength: 6 }), fc.boolean(), (bursts, noisy) => {
        const pieces: Piece[] = bursts.flatMap((b) => [
          { kind: 'tone' as const, ms: b.toneMs, amplitude: 5000 },
          { kind: noisy ? ('noise' as const) : ('silence' as const), ms: b.gapMs, amplitude: 0 },
        ]);
        const { samples, toneSpans } = render(pieces);
        const segments = detectSegments(samples, RATE, CONFIG);
        expect(segments).toHaveLength(bursts.length);
        segments.forEach((s, i) => {
          expect(Math.abs(s.startSec - toneSpans[i]![0])).toBeLessThanOrEqual(0.01);
          expect(Math.abs(s.endSec - toneSpans[i]![1])).toBeLessThanOrEqual(0.01);
        });
      }),
      { numRuns: 100 },
    );
  });
});

describe('parsers never throw on hostile input', () => {
  it('parseListenQuery returns a verdict for any query string', () => {
    const key = fc.constantFrom(
      'model',
      'language',
      'encoding',
      'sample_rate',
      'channels',
      'interim_results',
      'endpointing',
      'utterance_end_ms',
      'vad_events',
      'keyterm',
      'keywords',
      'x',
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(key, fc.string({ maxLength: 12 }))), (pairs) => {
        const result = parseListenQuery(new URLSearchParams(pairs));
        if (result.ok) {
          expect(['linear16', 'mulaw']).toContain(result.query.encoding);
          expect(result.query.sampleRate).toBeGreaterThanOrEqual(8000);
        } else {
          expect(result.errMsg.length).toBeGreaterThan(0);
        }
      }),
    );
  });

  it('accepts every well-formed phone query and reads it back', () => {
    fc.assert(
      fc.property(
        fc.record({
          encoding: fc.constantFrom('linear16', 'mulaw'),
          rate: fc.constantFrom(8000, 16000),
          interim: fc.boolean(),
          endpointing: fc.oneof(fc.integer({ min: 1, max: 5000 }), fc.constant(false as const)),
          keyterms: fc.array(fc.string({ minLength: 1, maxLength: 20 }), { maxLength: 4 }),
        }),
        (q) => {
          const params = new URLSearchParams({
            model: 'nova-3',
            encoding: q.encoding,
            sample_rate: String(q.rate),
            interim_results: String(q.interim),
            endpointing: String(q.endpointing),
          });
          for (const k of q.keyterms) params.append('keyterm', k);
          const result = parseListenQuery(new URLSearchParams(params.toString()));
          expect(result.ok).toBe(true);
          if (!result.ok) return;
          expect(result.query).toMatchObject({
            encoding: q.encoding,
            sampleRate: q.rate,
            interimResults: q.interim,
            endpointingMs: q.endpointing,
            keyterms: q.keyterms,
          });
        },
      ),
    );
  });

  it('parseControlMessage classifies any text frame', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        const result = parseControlMessage(text);
        if (result.ok) expect(['KeepAlive', 'Finalize', 'CloseStream']).toContain(result.message.type);
      }),
    );
  });
});

describe('knob()', () => {
  it('prefers the explicit value, then the environment, then the default', () => {
    expect(knob(5, 'X_MS', 40, { X_MS: '7' })).toBe(5);
    expect(knob(undefined, 'X_MS', 40, { X_MS: '7' })).toBe(7);
    expect(knob(undefined, 'X_MS', 40, {})).toBe(40);
    expect(knob(undefined, 'X_ON', false, { X_ON: 'yes' })).toBe(true);
    expect(knob(undefined, 'X_NAME', 'a', { X_NAME: ' b ' })).toBe('b');
    expect(knob(undefined, 'X_MS', Infinity, { X_MS: 'Infinity' })).toBe(Infinity);
  });

  it('names the variable when its value is malformed', () => {
    expect(() => knob(undefined, 'X_MS', 40, { X_MS: 'fast' })).toThrow(/X_MS/);
    expect(() => knob(undefined, 'X_ON', true, { X_ON: 'maybe' })).toThrow(/X_ON/);
  });
});
