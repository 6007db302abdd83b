import { describe, expect, it } from 'vitest';
import { BlockPool, ByteQueue } from '../../src/audio/byte-queue.js';
import { LevelHistory } from '../../src/audio/level-history.js';
import { bytesPerMs, frameBytes, pcmBytesForMs, pcmDurationMs, silencePcm } from '../../src/audio/pcm.js';

describe('pcm sizes', () => {
  it('knows the frame sizes of docs/protocols/audiosocket.md §4.4', () => {
    expect(frameBytes(8000)).toBe(320);
    expect(frameBytes(8000, 10)).toBe(160);
    expect(frameBytes(8000, 30)).toBe(480);
    expect(frameBytes(16000)).toBe(640);
    expect(frameBytes(44100)).toBe(1764);
    expect(bytesPerMs(8000)).toBe(16);
    expect(pcmDurationMs(16000, 8000)).toBe(1000);
    expect(pcmBytesForMs(20, 16000)).toBe(640);
    expect(pcmBytesForMs(0.1, 8000)).toBe(0);
  });

  it('makes whole-sample silence', () => {
    const s = silencePcm(321);
    expect(s.length).toBe(320);
    expect(s.every((b) => b === 0)).toBe(true);
  });
});

describe('ByteQueue', () => {
  it('hands out bytes in order across chunk boundaries and counts them', () => {
    const q = new ByteQueue();
    q.push(Buffer.from([1, 2, 3]));
    q.push(Buffer.alloc(0));
    q.push(Buffer.from([4, 5]));
    expect(q.length).toBe(5);
    const out = Buffer.alloc(6);
    expect(q.takeInto(out, 1, 4)).toBe(4);
    expect([...out]).toEqual([0, 1, 2, 3, 4, 0]);
    expect(q.length).toBe(1);
    expect(q.takeInto(out, 0, 4)).toBe(1);
    expect(out[0]).toBe(5);
    expect(q.takeInto(out, 0, 4)).toBe(0);
  });

  it('copies what is pushed: the caller may reuse its buffer at once', () => {
    const q = new ByteQueue();
    const chunk = Buffer.from([7, 8, 9]);
    q.push(chunk);
    chunk.fill(0);
    const out = Buffer.alloc(3);
    q.takeInto(out, 0, 3);
    expect([...out]).toEqual([7, 8, 9]);
  });

  it('keeps the order across pooled blocks, for any chunk and take sizes', () => {
    const pool = new BlockPool(7, 4);
    const q = new ByteQueue(pool);
    const expected: number[] = [];
    const got: number[] = [];
    let next = 0;
    for (let round = 0; round < 200; round++) {
      const chunk = Buffer.alloc((round * 13) % 23, 0);
      for (let i = 0; i < chunk.length; i++) chunk[i] = next++ & 0xff;
      expected.push(...chunk);
      q.push(chunk);
      const take = (round * 5) % 19;
      const out = Buffer.alloc(take + 2);
      const n = q.takeInto(out, 1, take);
      got.push(...out.subarray(1, 1 + n));
      expect(q.length).toBe(expected.length - got.length);
    }
    const rest = Buffer.alloc(q.length);
    q.takeInto(rest, 0, rest.length);
    got.push(...rest);
    expect(got).toEqual(expected);
    // Spent blocks went back to the pool, up to its bound.
    expect(pool.freeBlocks).toBeGreaterThan(0);
    expect(pool.freeBlocks).toBeLessThanOrEqual(4);
  });

  it('returns its blocks to the pool on clear(), and reuses them', () => {
    const pool = new BlockPool(16, 10);
    const q = new ByteQueue(pool);
    q.push(Buffer.alloc(40, 1));
    expect(pool.freeBlocks).toBe(0);
    q.clear();
    expect(pool.freeBlocks).toBe(3);
    q.push(Buffer.alloc(20, 2));
    expect(pool.freeBlocks).toBe(1);
    const out = Buffer.alloc(20);
    expect(q.takeInto(out, 0, 20)).toBe(20);
    expect(out.every((b) => b === 2)).toBe(true);
  });

  it('clear() reports what it dropped', () => {
    const q = new ByteQueue();
    q.push(Buffer.alloc(300));
    q.takeInto(Buffer.alloc(100), 0, 100);
    expect(q.clear()).toBe(200);
    expect(q.length).toBe(0);
  });
});

describe('LevelHistory', () => {
  it('returns the max level inside the window only', () => {
    const h = new LevelHistory(4);
    h.record(0, 500);
    h.record(20, 100);
    h.record(40, 300);
    expect(h.maxSince(50, 100)).toBe(500);
    expect(h.maxSince(50, 40)).toBe(300); // entries after t=10
    expect(h.maxSince(500, 100)).toBe(0);
  });

  it('with minEntries, keeps the newest entries in the window however late "now" is (a stalled loop)', () => {
    const h = new LevelHistory(10);
    h.record(0, 500);
    h.record(20, 100);
    h.record(40, 0);
    expect(h.maxSince(1000, 100)).toBe(0); // wall time alone: all too old
    expect(h.maxSince(1000, 100, 2)).toBe(100); // the last two frames sent still count
    expect(h.maxSince(1000, 100, 3)).toBe(500);
    expect(h.maxSince(50, 100, 1)).toBe(500); // the wall-time window still reaches further when it can
  });

  it('forgets entries beyond its capacity', () => {
    const h = new LevelHistory(2);
    h.record(0, 900);
    h.record(20, 1);
    h.record(40, 2);
    expect(h.maxSince(40, 1000)).toBe(2);
    h.clear();
    expect(h.maxSince(40, 1000)).toBe(0);
  });
});
