import { describe, expect, it } from 'vitest';
import {
  HANGUP_FRAME,
  serializeFrame,
  silenceFrame,
  writeHeader,
} from '../../src/transports/audiosocket/frame-serializer.js';
import {
  audioKindOfRate,
  isSampleRate,
  sampleRateOfKind,
  uuidFromBytes,
  uuidToBytes,
} from '../../src/transports/audiosocket/frames.js';

const hex = (b: Buffer) => b.toString('hex');

describe('serializeFrame: the bytes of docs/protocols/audiosocket.md §4.4 and §5.1', () => {
  it('hangup is 00 00 00', () => {
    expect(hex(serializeFrame({ kind: 'hangup' }))).toBe('000000');
    expect(hex(HANGUP_FRAME)).toBe('000000');
  });

  it('UUID frame is 01 00 10 + the 16 bytes in hex-digit order (upper case in, same bytes)', () => {
    const expected = '010010' + '40325ec25efd4bd3805f53576e581d13';
    expect(hex(serializeFrame({ kind: 'uuid', uuid: '40325ec2-5efd-4bd3-805f-53576e581d13' }))).toBe(
      expected,
    );
    expect(hex(serializeFrame({ kind: 'uuid', uuid: '40325EC2-5EFD-4BD3-805F-53576E581D13' }))).toBe(
      expected,
    );
  });

  it('DTMF 5 is 03 00 01 35', () => {
    expect(hex(serializeFrame({ kind: 'dtmf', digit: '5' }))).toBe('03000135');
  });

  it('audio headers carry the kind of the rate and a big-endian length', () => {
    expect(
      hex(serializeFrame({ kind: 'audio', sampleRate: 8000, payload: Buffer.alloc(320) }).subarray(0, 3)),
    ).toBe('100140');
    expect(
      hex(serializeFrame({ kind: 'audio', sampleRate: 16000, payload: Buffer.alloc(640) }).subarray(0, 3)),
    ).toBe('120280');
    expect(
      hex(serializeFrame({ kind: 'audio', sampleRate: 8000, payload: Buffer.alloc(16000) }).subarray(0, 3)),
    ).toBe('103e80');
  });

  it('error frames carry their code, or nothing', () => {
    expect(hex(serializeFrame({ kind: 'error', code: 4 }))).toBe('ff000104');
    expect(hex(serializeFrame({ kind: 'error', code: null }))).toBe('ff0000');
  });

  it('refuses a payload the 16-bit length cannot describe', () => {
    expect(() => serializeFrame({ kind: 'audio', sampleRate: 8000, payload: Buffer.alloc(65536) })).toThrow(
      RangeError,
    );
    expect(() => writeHeader(Buffer.alloc(3), 0x10, 70000)).toThrow(RangeError);
  });

  it('silence frames are all-zero payloads, built once per rate and size', () => {
    const a = silenceFrame(16000, 640);
    expect(hex(a.subarray(0, 3))).toBe('120280');
    expect(a.subarray(3).every((b) => b === 0)).toBe(true);
    expect(silenceFrame(16000, 640)).toBe(a);
  });
});

describe('kinds and UUIDs', () => {
  it('maps every audio kind 0x10…0x18 to its rate and back', () => {
    const rates = [8000, 12000, 16000, 24000, 32000, 44100, 48000, 96000, 192000];
    rates.forEach((rate, i) => {
      expect(sampleRateOfKind(0x10 + i)).toBe(rate);
      expect(isSampleRate(rate)).toBe(true);
      expect(audioKindOfRate(rate as 8000)).toBe(0x10 + i);
    });
    expect(sampleRateOfKind(0x19)).toBeUndefined();
    expect(sampleRateOfKind(0x02)).toBeUndefined();
    expect(isSampleRate(11025)).toBe(false);
  });

  it('round-trips UUID strings and rejects malformed ones', () => {
    const uuid = '40325ec2-5efd-4bd3-805f-53576e581d13';
    expect(uuidFromBytes(uuidToBytes(uuid))).toBe(uuid);
    expect(() => uuidToBytes('40325ec2-5efd-4bd3-805f')).toThrow(RangeError);
  });
});
