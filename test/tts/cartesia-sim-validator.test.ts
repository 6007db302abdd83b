import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeSamples } from '../../sim/cartesia/audio-encoding.js';
import { parseClientMessage, parseHttpRequest } from '../../sim/cartesia/client-messages.js';
import { resolveKnobs } from '../../sim/cartesia/options.js';
import { errorMessage } from '../../sim/cartesia/server-messages.js';
import { speakWords } from '../../sim/cartesia/speech-synth.js';
import { TranscriptBuffer } from '../../sim/cartesia/transcript-buffer.js';
import { rmsS16le } from '../../src/audio/energy.js';
import { decodeMulaw } from '../../src/audio/g711.js';

const VALID = {
  model_id: 'sonic-3',
  transcript: 'Hello. ',
  voice: { mode: 'id', id: 'sim-voice-en' },
  output_format: { container: 'raw', encoding: 'pcm_mulaw', sample_rate: 8000 },
  context_id: 'turn-7',
  continue: true,
};

describe('client message validator', () => {
  it('never throws on arbitrary strings or JSON, and every rejection is a well-formed error', () => {
    const nearValid = fc
      .record({
        model_id: fc.oneof(fc.string(), fc.integer(), fc.constant('sonic-3')),
        transcript: fc.oneof(fc.string(), fc.constant(null)),
        voice: fc.oneof(fc.string(), fc.record({ mode: fc.string(), id: fc.anything() }), fc.anything()),
        output_format: fc.oneof(
          fc.record({
            container: fc.constantFrom('raw', 'wav', 'mp3', ''),
            encoding: fc.constantFrom('pcm_s16le', 'pcm_mulaw', 'pcm_f32le', 'pcm_alaw', 'opus'),
            sample_rate: fc.oneof(fc.constantFrom(8000, 16000, 44100), fc.integer()),
          }),
          fc.anything(),
        ),
        context_id: fc.oneof(fc.string(), fc.anything()),
        continue: fc.anything(),
        cancel: fc.anything(),
        generation_config: fc.anything(),
        language: fc.anything(),
        locale: fc.anything(),
      })
      .map((m) => JSON.stringify(m));
    const text = fc.oneof(
      fc.string(),
      fc.json(),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      nearValid,
    );
    fc.assert(
      fc.property(text, (raw) => {
        const result = parseClientMessage(raw);
        if (result.ok) return;
        const message = errorMessage(result.error, 'sim-req-0001', result.contextId);
        expect(message.type).toBe('error');
        expect(message.done).toBe(true);
        expect(message.status_code).toBeGreaterThanOrEqual(400);
        expect(typeof message.message).toBe('string');
        expect(() => JSON.stringify(message)).not.toThrow();
      }),
      { numRuns: 1500 },
    );
  });

  it('accepts the three voice shapes and normalises them to an id', () => {
    for (const voice of ['v1', { id: 'v1' }, { mode: 'id', id: 'v1' }]) {
      const r = parseClientMessage(JSON.stringify({ ...VALID, voice }));
      expect(r.ok && r.value.kind === 'generate' && r.value.input.voiceId).toBe('v1');
    }
  });

  it('rejects a bad output_format, both language and locale, an unknown emotion, and non-JSON', () => {
    const cases: [unknown, RegExp][] = [
      [{ ...VALID, output_format: { ...VALID.output_format, sample_rate: 11025 } }, /output_format/],
      [{ ...VALID, output_format: { ...VALID.output_format, container: 'mp3' } }, /output_format/],
      [{ ...VALID, language: 'en', locale: 'en-GB' }, /language and locale/],
      [{ ...VALID, generation_config: { emotion: 'smug' } }, /emotion/],
      [{ ...VALID, generation_config: { speed: 3 } }, /speed/],
    ];
    for (const [message, pattern] of cases) {
      const r = parseClientMessage(JSON.stringify(message));
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.message).toMatch(pattern);
        expect(r.contextId).toBe('turn-7');
      }
    }
    const junk = parseClientMessage('{"model_id": ');
    expect(junk.ok === false && junk.error.code).toBe('invalid_json');
  });

  it('reads a cancel', () => {
    const r = parseClientMessage('{"context_id":"turn-7","cancel":true}');
    expect(r).toEqual({ ok: true, value: { kind: 'cancel', contextId: 'turn-7' } });
  });

  it('allows wav for /tts/bytes only', () => {
    const body = { ...VALID, output_format: { container: 'wav', encoding: 'pcm_s16le', sample_rate: 8000 } };
    expect(parseHttpRequest(body, true).ok).toBe(true);
    expect(parseHttpRequest(body, false).ok).toBe(false);
  });
});

describe('transcript buffer', () => {
  it('concatenates inputs verbatim and releases only whole words', () => {
    const b = new TranscriptBuffer();
    b.append('I');
    expect(b.takeCompleteWords()).toEqual([]);
    b.append(' can');
    expect(b.takeCompleteWords()).toEqual(['I']);
    b.append(' bo');
    b.append('ok');
    expect(b.takeCompleteWords()).toEqual(['can']);
    expect(b.hasFragment).toBe(true);
    b.append('ing ');
    expect(b.takeCompleteWords()).toEqual(['booking']);
    expect(b.hasFragment).toBe(false);
    b.append('today.');
    expect(b.takeAll()).toEqual(['today.']);
  });

  it('never loses or invents words, however the text is split', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: fc.constantFrom('a', 'b', ' ', '\n', '.') }), { maxLength: 20 }),
        (pieces) => {
          const b = new TranscriptBuffer();
          const words: string[] = [];
          for (const p of pieces) {
            b.append(p);
            words.push(...b.takeCompleteWords());
          }
          words.push(...b.takeAll());
          expect(words).toEqual(
            pieces
              .join('')
              .split(/\s+/)
              .filter((w) => w.length > 0),
          );
        },
      ),
    );
  });
});

describe('speech stand-in', () => {
  const style = { voiceId: 'sim-voice-en', speed: 1, volume: 1, charsPerSecond: 15 };

  it('is deterministic, voiced, and about 15 characters per second', () => {
    const text = 'Thanks, I have your postcode.';
    const a = speakWords(text.split(' '), 8000, style, 0);
    const b = speakWords(text.split(' '), 8000, style, 0);
    expect(Buffer.from(a.samples.buffer).equals(Buffer.from(b.samples.buffer))).toBe(true);
    expect(a.durationSec).toBeGreaterThan(text.length / 20);
    expect(a.durationSec).toBeLessThan(text.length / 10);
    const rms = rmsS16le(Buffer.from(a.samples.buffer));
    expect(rms).toBeGreaterThan(2000);
    expect(rms).toBeLessThan(6000);
  });

  it('a word said again renders the same samples, and a reply never shares them with another', () => {
    const first = speakWords(['Lovely,', 'thanks.'], 8000, style, 0);
    const kept = Int16Array.from(first.samples);
    first.samples.fill(0); // a consumer writing over its reply must not change the next one
    const again = speakWords(['Lovely,', 'thanks.'], 8000, style, 0);
    expect(again.samples).toEqual(kept);
    expect(kept.some((s) => s !== 0)).toBe(true);
  });

  it('s16le output is the samples little-endian, also from a view into a larger array', () => {
    const all = Int16Array.from([7, -2, 0x1234, -32768, 32767]);
    const view = all.subarray(1, 4);
    const bytes = encodeSamples(view, 'pcm_s16le');
    expect([...bytes]).toEqual([0xfe, 0xff, 0x34, 0x12, 0x00, 0x80]);
    bytes[0] = 0;
    expect(all[1]).toBe(-2); // a copy, not the array's own memory
  });

  it('µ-law output decodes back to the same speech energy', () => {
    const spoken = speakWords(['Hello', 'there.'], 8000, style, 0);
    const linear = rmsS16le(encodeSamples(spoken.samples, 'pcm_s16le'));
    const viaMulaw = rmsS16le(decodeMulaw(encodeSamples(spoken.samples, 'pcm_mulaw')));
    expect(Math.abs(viaMulaw - linear) / linear).toBeLessThan(0.05);
  });

  it('encodes A-law and f32 with the right sizes and known values', () => {
    const samples = Int16Array.from([0, 1000, -1000, 32767, -32768]);
    // ITU-T G.711 A-law: 0 -> 0xD5, full-scale positive -> 0xAA, full-scale negative -> 0x2A.
    expect([...encodeSamples(samples, 'pcm_alaw')]).toEqual([0xd5, 0xfa, 0x7a, 0xaa, 0x2a]);
    const f32 = encodeSamples(samples, 'pcm_f32le');
    expect(f32.length).toBe(20);
    expect(f32.readFloatLE(4)).toBeCloseTo(1000 / 32768, 6);
  });
});

describe('simulator knobs', () => {
  it('reads SIM_CARTESIA_* when the instance sets nothing, and instance values win', () => {
    const env = {
      SIM_CARTESIA_CHUNK_MS: '20',
      SIM_CARTESIA_VOICES: 'a, b',
      SIM_CARTESIA_FAULTS: '[{"kind":"error","status":503,"afterChunks":5,"times":2}]',
    };
    const knobs = resolveKnobs({ env, chunkMs: 60 });
    expect(knobs.chunkMs).toBe(60);
    expect(knobs.voices).toEqual(['a', 'b']);
    expect(knobs.faults).toEqual([{ kind: 'error', status: 503, afterChunks: 5, times: 2 }]);
    expect(knobs.timeToFirstAudioMs).toBe(60);
  });

  it('refuses a malformed value at startup, naming the variable', () => {
    expect(() => resolveKnobs({ env: { SIM_CARTESIA_FAULTS: '[{"kind":"explode"}]' } })).toThrow(
      /SIM_CARTESIA_FAULTS/,
    );
    expect(() => resolveKnobs({ env: { SIM_CARTESIA_REAL_TIME_FACTOR: 'fast' } })).toThrow(
      /SIM_CARTESIA_REAL_TIME_FACTOR/,
    );
  });
});
