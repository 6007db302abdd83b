import { describe, expect, it } from 'vitest';
import { summariseGcTrace } from '../../bench/gc-trace.js';

/** A `--trace-gc-nvp` line, shortened to the fields the summary reads. */
const nvp = (pid: number, gc: string, pause: number, promoted: number, isolate = '0x1234') =>
  `[${pid}:${isolate}]     9000 ms: pause=${pause} mutator=3.1 gc=${gc} reduce_memory=0 allocated=1000000 promoted=${promoted} nodes_promoted=0`;

describe('--trace-gc summary', () => {
  it("counts only the load's GCs: after the first forced GC, before the second", () => {
    const log = [
      nvp(7, 's', 50, 9_000_000), // startup and warm-up
      'gc-on-signal: full gc begin pid=7',
      nvp(7, 's', 3, 0, '0x7f00'), // a worker thread's line, printed inside the markers
      nvp(7, 'mc', 80, 0), // the bench's forced GC
      'gc-on-signal: full gc end pid=7',
      nvp(7, 's', 1.5, 2_000_000),
      '{"level":40,"msg":"a log line"}',
      nvp(7, 's', 2.5, 3_000_000),
      nvp(7, 'mc', 150, 5_000_000, '0x7f00'), // a worker thread's isolate: not the frames' thread
      nvp(7, 'mc', 12.25, 1_000_000),
      'gc-on-signal: full gc begin pid=7',
      nvp(7, 'mc', 90, 0), // forced again, after the load
      'gc-on-signal: full gc end pid=7',
    ].join('\n');
    expect(summariseGcTrace(log, { seconds: 2, callMinutes: 0.5 })).toEqual({
      scavenges: 2,
      markCompacts: 1,
      promotedMB: 6,
      promotedMBPerSec: 3,
      promotedMBPerCallMin: 12,
      allocatedMBPerCallMin: 6,
      longestPauseMs: 12.25,
      longestMarkCompactPauseMs: 12.25,
      totalPauseMs: 16.3,
    });
  });

  it('adds up worker processes, each in its own window', () => {
    const log = [
      'gc-on-signal: full gc begin pid=1',
      nvp(1, 'mc', 50, 0),
      'gc-on-signal: full gc end pid=1',
      'gc-on-signal: full gc begin pid=2',
      nvp(2, 'mc', 50, 0),
      'gc-on-signal: full gc end pid=2',
      nvp(1, 's', 1, 1_000_000),
      'gc-on-signal: full gc begin pid=1',
      nvp(2, 's', 4, 1_000_000),
      nvp(1, 's', 99, 5_000_000), // pid 1's window has closed
      'gc-on-signal: full gc begin pid=2',
    ].join('\n');
    const s = summariseGcTrace(log, { seconds: 1, callMinutes: 1 });
    expect(s?.scavenges).toBe(2);
    expect(s?.promotedMB).toBe(2);
    expect(s?.longestPauseMs).toBe(4);
  });

  it('is null without a complete window (no trace, or the run was cut short)', () => {
    expect(summariseGcTrace('{"msg":"no trace"}', { seconds: 10, callMinutes: 1 })).toBeNull();
    const started = [
      'gc-on-signal: full gc begin pid=3',
      nvp(3, 'mc', 9, 0),
      'gc-on-signal: full gc end pid=3',
    ];
    expect(
      summariseGcTrace([...started, nvp(3, 's', 1, 1)].join('\n'), { seconds: 10, callMinutes: 1 }),
    ).toBeNull();
  });
});
