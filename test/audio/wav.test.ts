import { describe, expect, it } from 'vitest';
import { buildWav, interleaveStereo, WAV_HEADER_BYTES } from '../../src/audio/wav.js';
import { s16le } from './s16le.js';

/** A minimal RIFF reader: enough to prove the header says what a WAV player would read. */
function readWav(file: Buffer) {
  expect(file.toString('ascii', 0, 4)).toBe('RIFF');
  expect(file.readUInt32LE(4)).toBe(file.length - 8);
  expect(file.toString('ascii', 8, 12)).toBe('WAVE');
  let at = 12;
  let fmt: {
    format: number;
    channels: number;
    sampleRate: number;
    byteRate: number;
    blockAlign: number;
    bits: number;
  } | null = null;
  while (at + 8 <= file.length) {
    const id = file.toString('ascii', at, at + 4);
    const size = file.readUInt32LE(at + 4);
    const body = file.subarray(at + 8, at + 8 + size);
    if (id === 'fmt ') {
      fmt = {
        format: body.readUInt16LE(0),
        channels: body.readUInt16LE(2),
        sampleRate: body.readUInt32LE(4),
        byteRate: body.readUInt32LE(8),
        blockAlign: body.readUInt16LE(12),
        bits: body.readUInt16LE(14),
      };
    }
    if (id === 'data') return { fmt: fmt!, data: body };
    at += 8 + size + (size % 2);
  }
  throw new Error('no data chunk');
}

describe('buildWav', () => {
  it('writes a mono 8 kHz PCM file that parses back to the same samples', () => {
    const pcm = Buffer.alloc(320);
    for (let i = 0; i < 160; i++) pcm.writeInt16LE(i * 100 - 8000, i * 2);
    const file = buildWav(pcm, { sampleRate: 8000, channels: 1 });
    expect(file.length).toBe(WAV_HEADER_BYTES + 320);
    const { fmt, data } = readWav(file);
    expect(fmt).toEqual({
      format: 1,
      channels: 1,
      sampleRate: 8000,
      byteRate: 16000,
      blockAlign: 2,
      bits: 16,
    });
    expect(data.equals(pcm)).toBe(true);
  });

  it('writes stereo at any rate and trims a partial block', () => {
    const pcm = Buffer.alloc(4 * 10 + 3, 1);
    const { fmt, data } = readWav(buildWav(pcm, { sampleRate: 44100, channels: 2 }));
    expect(fmt).toMatchObject({ channels: 2, sampleRate: 44100, byteRate: 44100 * 4, blockAlign: 4 });
    expect(data.length).toBe(40);
  });
});

describe('interleaveStereo', () => {
  it('puts left then right per sample and pads the shorter track with silence', () => {
    const left = s16le([1, 2, 3]);
    const right = s16le([-7]);
    const out = interleaveStereo(left, right);
    const samples = Array.from({ length: out.length / 2 }, (_, i) => out.readInt16LE(i * 2));
    expect(samples).toEqual([1, -7, 2, 0, 3, 0]);
    const { fmt, data } = readWav(buildWav(out, { sampleRate: 8000, channels: 2 }));
    expect(fmt.channels).toBe(2);
    expect(data.equals(out)).toBe(true);
  });
});
