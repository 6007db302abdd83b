import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildWav, WAV_HEADER_BYTES, wavHeader } from '../../src/audio/wav.js';
import { firstChannel, readWav, WavFormatError } from '../../src/audio/wav-reader.js';

const formats = fc.record({
  sampleRate: fc.constantFrom(8000, 16000),
  channels: fc.constantFrom(1 as const, 2 as const),
});

describe('readWav', () => {
  it('reads back exactly what buildWav wrote, for every supported format', () => {
    fc.assert(
      fc.property(formats, fc.uint8Array({ maxLength: 4000 }), (format, pcm) => {
        const wav = readWav(buildWav(pcm, format));
        const blockAlign = format.channels * 2;
        const whole = pcm.length - (pcm.length % blockAlign);
        expect(wav.format).toEqual(format);
        expect(Buffer.compare(wav.pcm, Buffer.from(pcm.subarray(0, whole)))).toBe(0);
        expect(wav.durationMs).toBeCloseTo((whole / blockAlign / format.sampleRate) * 1000, 6);
      }),
    );
  });

  it('skips unknown chunks (LIST, fact) before the data, honouring the pad byte', () => {
    fc.assert(
      fc.property(
        formats,
        fc.uint8Array({ maxLength: 33 }),
        fc.uint8Array({ maxLength: 400 }),
        (f, extra, pcm) => {
          const data = buildWav(pcm, f).subarray(36); // "data" chunk
          const fmt = wavHeader(0, f).subarray(12, 36);
          const list = Buffer.alloc(8 + extra.length + (extra.length % 2));
          list.write('LIST', 0, 'latin1');
          list.writeUInt32LE(extra.length, 4);
          Buffer.from(extra).copy(list, 8);
          const body = Buffer.concat([Buffer.from('WAVE'), fmt, list, data]);
          const head = Buffer.alloc(8);
          head.write('RIFF', 0, 'latin1');
          head.writeUInt32LE(body.length, 4);
          const wav = readWav(Buffer.concat([head, body]));
          expect(Buffer.compare(wav.pcm, data.subarray(8))).toBe(0);
        },
      ),
    );
  });

  it('never throws anything but WavFormatError on arbitrary or truncated input', () => {
    const valid = buildWav(Buffer.alloc(320, 7), { sampleRate: 8000, channels: 1 });
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          fc.nat({ max: valid.length - 1 }).map((n) => valid.subarray(0, n)),
          fc.tuple(fc.nat({ max: WAV_HEADER_BYTES - 1 }), fc.integer({ min: 0, max: 255 })).map(([i, b]) => {
            const copy = Buffer.from(valid);
            copy[i] = b;
            return copy;
          }),
        ),
        (bytes) => {
          try {
            const wav = readWav(bytes);
            // Whatever is accepted is a format we support, and its samples lie inside the input.
            expect([8000, 16000]).toContain(wav.format.sampleRate);
            expect(wav.pcm.length).toBeLessThanOrEqual(bytes.length);
          } catch (err) {
            expect(err).toBeInstanceOf(WavFormatError);
          }
        },
      ),
    );
  });

  it('explains each unsupported format', () => {
    const wav = (patch: (b: Buffer) => void) => {
      const b = buildWav(Buffer.alloc(160), { sampleRate: 8000, channels: 1 });
      patch(b);
      return b;
    };
    expect(() => readWav(Buffer.from('hello world, not audio'))).toThrow(/no RIFF\/WAVE signature/);
    expect(() => readWav(wav((b) => b.writeUInt32LE(44100, 24)))).toThrow(/sample rate 44100/);
    expect(() => readWav(wav((b) => b.writeUInt16LE(7, 20)))).toThrow(/format tag 7/);
    expect(() => readWav(wav((b) => b.writeUInt16LE(8, 34)))).toThrow(/8-bit/);
    expect(() => readWav(wav((b) => b.writeUInt16LE(3, 22)))).toThrow(/3 channels/);
    expect(() => readWav(wav(() => {}).subarray(0, 30))).toThrow(/truncated/);
    expect(() => readWav(wav(() => {}).subarray(0, 100))).toThrow(/truncated/);
  });

  it('accepts unknown sizes only when asked to (streamed TTS output)', () => {
    const b = buildWav(Buffer.alloc(160, 1), { sampleRate: 16000, channels: 1 });
    b.writeUInt32LE(0xffffffff, 4);
    b.writeUInt32LE(0xffffffff, 40);
    expect(() => readWav(b)).toThrow(WavFormatError);
    expect(readWav(b, { streamed: true }).pcm.length).toBe(160);
  });
});

describe('readWav, streamed', () => {
  it('reads a body cut anywhere after the header as a whole-sample prefix of the audio', () => {
    fc.assert(
      fc.property(
        formats,
        fc.uint8Array({ minLength: 4, maxLength: 2000 }),
        fc.nat(),
        (format, pcm, cutAt) => {
          const file = buildWav(pcm, format);
          const cut = file.subarray(0, WAV_HEADER_BYTES + (cutAt % (file.length - WAV_HEADER_BYTES + 1)));
          const wav = readWav(cut, { streamed: true });
          expect(wav.pcm.length % (format.channels * 2)).toBe(0);
          expect(
            Buffer.compare(wav.pcm, file.subarray(WAV_HEADER_BYTES, WAV_HEADER_BYTES + wav.pcm.length)),
          ).toBe(0);
        },
      ),
    );
  });
});

describe('firstChannel', () => {
  it('keeps the left samples of a stereo buffer', () => {
    const stereo = Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]);
    expect([...firstChannel(stereo, 2)]).toEqual([1, 2, 5, 6]);
    expect(firstChannel(stereo, 1)).toBe(stereo);
  });
});
