import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameParser } from '../../src/transports/audiosocket/frame-parser.js';
import { serializeFrame } from '../../src/transports/audiosocket/frame-serializer.js';
import type { Frame, ProtocolError, ProtocolErrorCode } from '../../src/transports/audiosocket/frames.js';
import { chunk, frameArb } from './arbitraries.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function parseAll(chunks: Buffer[], parser = new FrameParser()): { frames: Frame[]; error?: ProtocolError } {
  const frames: Frame[] = [];
  for (const c of chunks) {
    const r = parser.push(c);
    frames.push(...r.frames);
    if (r.error) return { frames, error: r.error };
  }
  const error = parser.end();
  return error ? { frames, error } : { frames };
}

const PARSER_CODES: ProtocolErrorCode[] = [
  'unknown-kind',
  'bad-uuid-length',
  'bad-audio-length',
  'bad-dtmf',
  'bad-hangup-length',
  'length-over-limit',
  'truncated',
];

describe('FrameParser: the wire examples of docs/protocols/audiosocket.md §5.1', () => {
  it('reads the UUID frame as lowercase 8-4-4-4-12', () => {
    const { frames } = parseAll([hex('01 00 10 40 32 5e c2 5e fd 4b d3 80 5f 53 57 6e 58 1d 13')]);
    expect(frames).toEqual([{ kind: 'uuid', uuid: '40325ec2-5efd-4bd3-805f-53576e581d13' }]);
  });

  it('reads DTMF, hangup and a 320-byte 0x10 frame', () => {
    const audio = Buffer.alloc(320, 7);
    const { frames, error } = parseAll([
      Buffer.concat([hex('03 00 01 35'), hex('10 01 40'), audio, hex('00 00 00')]),
    ]);
    expect(error).toBeUndefined();
    expect(frames).toEqual([
      { kind: 'dtmf', digit: '5' },
      { kind: 'audio', sampleRate: 8000, payload: audio },
      { kind: 'hangup' },
    ]);
  });

  it('maps 0x12 to 16 kHz (not 0x11, which is 12 kHz)', () => {
    const { frames } = parseAll([Buffer.concat([hex('12 02 80'), Buffer.alloc(640), hex('11 00 02 00 00')])]);
    expect(frames.map((f) => (f.kind === 'audio' ? f.sampleRate : 0))).toEqual([16000, 12000]);
  });

  it('reads 0xFF leniently: the first payload byte is the code', () => {
    expect(parseAll([hex('ff 00 01 01 ff 00 00')]).frames).toEqual([
      { kind: 'error', code: 1 },
      { kind: 'error', code: null },
    ]);
  });

  it('re-assembles a header and payload split byte by byte', () => {
    const bytes = Buffer.concat([hex('10 00 04 01 02 03 04'), hex('03 00 01 23')]);
    const { frames, error } = parseAll([...bytes].map((b) => Buffer.from([b])));
    expect(error).toBeUndefined();
    expect(frames).toEqual([
      { kind: 'audio', sampleRate: 8000, payload: hex('01020304') },
      { kind: 'dtmf', digit: '#' },
    ]);
  });

  it('returns a payload inside one chunk as a view of it, without copying', () => {
    const chunkBytes = Buffer.concat([hex('10 01 40'), Buffer.alloc(320, 9)]);
    const [frame] = new FrameParser().push(chunkBytes).frames;
    expect(frame?.kind === 'audio' && frame.payload.buffer === chunkBytes.buffer).toBe(true);
  });
});

describe('FrameParser: protocol errors are values, one per stream', () => {
  const cases: [string, string, ProtocolErrorCode][] = [
    ['0x02 silence kind', '02 00 00', 'unknown-kind'],
    ['an unknown kind', '42 00 01 00', 'unknown-kind'],
    ['a 15-byte UUID', '01 00 0f 000102030405060708090a0b0c0d0e', 'bad-uuid-length'],
    ['odd-length audio', '10 00 03 010203', 'bad-audio-length'],
    ['zero-length audio', '10 00 00', 'bad-audio-length'],
    ['a DTMF byte outside 0-9*#A-D', '03 00 01 78', 'bad-dtmf'],
    ['a 2-byte DTMF frame', '03 00 02 3131', 'bad-dtmf'],
    ['a hangup with payload', '00 00 01 00', 'bad-hangup-length'],
  ];
  it.each(cases)('rejects %s', (_name, bytes, code) => {
    const { frames, error } = parseAll([hex(bytes)]);
    expect(frames).toEqual([]);
    expect(error?.code).toBe(code);
    expect(error?.message.length).toBeGreaterThan(0);
  });

  it('rejects an unknown kind from its header alone, before any payload arrives', () => {
    expect(new FrameParser().push(hex('7e ff ff')).error?.code).toBe('unknown-kind');
  });

  it('applies a stricter length limit from the header, before buffering the payload', () => {
    const parser = new FrameParser({ maxPayloadBytes: 4096 });
    const result = parser.push(hex('10 13 88')); // 5000 bytes announced
    expect(result.error).toMatchObject({ code: 'length-over-limit', kind: 0x10, length: 5000 });
    expect(
      new FrameParser({ maxPayloadBytes: 4096 }).push(Buffer.concat([hex('10 10 00'), Buffer.alloc(4096)]))
        .error,
    ).toBeUndefined();
  });

  it('keeps the frames before the error and ignores input after it', () => {
    const parser = new FrameParser();
    const r = parser.push(Buffer.concat([hex('03 00 01 31'), hex('42 00 00')]));
    expect(r.frames).toEqual([{ kind: 'dtmf', digit: '1' }]);
    expect(r.error?.code).toBe('unknown-kind');
    const again = parser.push(hex('03 00 01 32'));
    expect(again.frames).toEqual([]);
    expect(again.error).toBe(r.error);
    expect(parser.end()).toBeNull(); // already reported
  });

  it('reports a stream that ends inside a header or a payload as truncated', () => {
    expect(parseAll([hex('10 01')]).error?.code).toBe('truncated');
    expect(parseAll([hex('10 01 40 00 00')]).error).toMatchObject({
      code: 'truncated',
      kind: 0x10,
      length: 320,
    });
    expect(parseAll([hex('03 00 01 31')]).error).toBeUndefined();
  });

  it('in lenient (legacy Asterisk) mode skips bad frames and keeps going', () => {
    const parser = new FrameParser({ lenient: true });
    const r = parser.push(
      Buffer.concat([hex('42 00 02 aaaa'), hex('10 00 00'), hex('10 00 02 0102'), hex('00 00 00')]),
    );
    expect(r.error).toBeUndefined();
    expect(r.ignored?.map((e) => e.code)).toEqual(['unknown-kind', 'bad-audio-length']);
    expect(r.frames).toEqual([{ kind: 'audio', sampleRate: 8000, payload: hex('0102') }, { kind: 'hangup' }]);
  });
});

describe('FrameParser properties (fast-check)', () => {
  it('any chunking of a valid stream parses to the same frames', () => {
    fc.assert(
      fc.property(
        fc.array(frameArb, { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (frames, cuts) => {
          const bytes = Buffer.concat(frames.map(serializeFrame));
          const parsed = parseAll(chunk(bytes, cuts));
          expect(parsed.error).toBeUndefined();
          expect(parsed.frames).toEqual(frames);
        },
      ),
    );
  });

  it('parse() hands the same frames to its callback, then the error, and nothing after it', () => {
    fc.assert(
      fc.property(
        fc.array(frameArb, { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (frames, cuts) => {
          const bytes = Buffer.concat([...frames.map(serializeFrame), hex('02 00 00'), hex('00 00 00')]);
          const parser = new FrameParser();
          const seen: Frame[] = [];
          let error: ProtocolError | undefined;
          for (const c of chunk(bytes, cuts)) {
            error = parser.parse(c, (f) => seen.push(f));
            if (error) break;
          }
          expect(seen).toEqual(frames);
          expect(error?.code).toBe('unknown-kind');
          expect(parser.parse(hex('00 00 00'), (f) => seen.push(f))).toBe(error);
          expect(seen).toEqual(frames);
        },
      ),
    );
  });

  it('serialize ∘ parse is the identity on valid byte streams', () => {
    fc.assert(
      fc.property(
        fc.array(frameArb, { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (frames, cuts) => {
          const bytes = Buffer.concat(frames.map(serializeFrame));
          const parsed = parseAll(chunk(bytes, cuts));
          expect(Buffer.concat(parsed.frames.map(serializeFrame)).equals(bytes)).toBe(true);
        },
      ),
    );
  });

  it('random bytes never throw, in strict or lenient mode, and any error is a known code', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 3000 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 65535 }),
        (bytes, cuts, lenient, maxPayloadBytes) => {
          const parser = new FrameParser({ lenient, maxPayloadBytes });
          const { error } = parseAll(chunk(Buffer.from(bytes), cuts), parser);
          if (error) expect(PARSER_CODES).toContain(error.code);
        },
      ),
    );
  });

  it('mutated valid streams never throw, and a parse without error re-serializes to the input', () => {
    fc.assert(
      fc.property(
        fc.array(frameArb, { minLength: 1, maxLength: 6 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        fc.nat(),
        fc.array(fc.nat(), { maxLength: 6 }),
        (frames, flips, cutAt, cuts) => {
          const bytes = Buffer.concat(frames.map(serializeFrame));
          for (const [at, value] of flips) bytes[at % bytes.length] = value;
          const mutated = bytes.subarray(0, bytes.length - (cutAt % 4)); // sometimes truncated too
          const parsed = parseAll(chunk(mutated, cuts));
          if (parsed.error) {
            expect(PARSER_CODES).toContain(parsed.error.code);
          } else if (parsed.frames.every((f) => f.kind !== 'error')) {
            // Every byte belonged to a valid frame, and (0xFF aside, whose extra payload bytes are not
            // kept) each kind has one encoding: what was read must serialize back to the input.
            expect(Buffer.concat(parsed.frames.map(serializeFrame)).equals(mutated)).toBe(true);
          }
        },
      ),
    );
  });
});
