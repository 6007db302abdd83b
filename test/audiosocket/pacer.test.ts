import { describe, expect, it } from 'vitest';
import { FrameScheduler } from '../../src/transports/audiosocket/frame-scheduler.js';
import { HEADER_BYTES, Kind } from '../../src/transports/audiosocket/frames.js';
import { CallPacer } from '../../src/transports/audiosocket/pacer.js';
import { FakeClock } from './fake-clock.js';

interface Sent {
  at: number;
  kind: number;
  payload: Buffer;
}

const FORMAT_8K = { sampleRate: 8000, frameBytes: 320 } as const;

function setup(opts: { clock?: FakeClock; scheduler?: FrameScheduler } = {}) {
  const clock = opts.clock ?? new FakeClock();
  const scheduler = opts.scheduler ?? new FrameScheduler({ clock });
  const sent: Sent[] = [];
  let playoutDone = 0;
  const pacer = new CallPacer({
    scheduler,
    format: FORMAT_8K,
    send(frame) {
      expect(frame.readUInt16BE(1)).toBe(frame.length - HEADER_BYTES); // one whole frame per write
      sent.push({ at: clock.now(), kind: frame[0]!, payload: frame.subarray(HEADER_BYTES) });
      return true;
    },
    onPlayoutDone: () => playoutDone++,
  });
  return { clock, scheduler, pacer, sent, playoutDoneCount: () => playoutDone };
}

/** `ms` of a square wave at `amplitude` (never zero, so voiced frames are easy to tell from silence). */
function tone(ms: number, amplitude = 1000): Buffer {
  const b = Buffer.alloc(ms * 16);
  for (let i = 0; i < b.length / 2; i++) b.writeInt16LE(i % 2 ? amplitude : -amplitude, i * 2);
  return b;
}

const isSilence = (s: Sent) => s.payload.every((b) => b === 0);

describe('CallPacer on the shared FrameScheduler (fake clock)', () => {
  it('keeps 30 s of frames on the 20 ms grid with zero drift, even when timers fire late', () => {
    // Every timer fires 0–3 ms late, as on a loaded event loop.
    let n = 0;
    const clock = new FakeClock(1000, () => [0, 3, 1, 2][n++ % 4]!);
    const { pacer, sent } = setup({ clock });
    const t0 = clock.now();
    pacer.play(tone(30_000));
    pacer.start(FORMAT_8K);
    const end = t0 + 30_005; // the frame due at 30 000 may fire up to 3 ms late
    while (clock.now() < end) clock.advance(Math.min(7, end - clock.now())); // uneven steps on purpose
    expect(sent).toHaveLength(1501); // t0, t0+20, …, t0+30000
    sent.forEach((s, k) => {
      const offset = s.at - (t0 + 20 * k);
      expect(offset).toBeGreaterThanOrEqual(0);
      expect(offset).toBeLessThanOrEqual(3); // lateness of that one timer, never accumulated
    });
    expect(sent.every((s) => s.kind === Kind.slin8 && s.payload.length === 320)).toBe(true);
    expect(pacer.stats().lateFrames).toBe(0); // 3 ms is inside the 5 ms late threshold
  });

  it('serves many calls from one timer per frame period', () => {
    const clock = new FakeClock();
    const scheduler = new FrameScheduler({ clock });
    const calls = Array.from({ length: 200 }, () => setup({ clock, scheduler }));
    for (const c of calls) c.pacer.start(FORMAT_8K);
    const armedBefore = clock.timersArmed;
    clock.advance(1000);
    const frames = calls.reduce((a, c) => a + c.sent.length, 0);
    expect(frames).toBe(200 * 51);
    expect(clock.timersArmed - armedBefore).toBeLessThanOrEqual(51);
    expect(clock.pending).toBe(1);
    expect(scheduler.stats()).toMatchObject({ streams: 200, wakeups: 50 });
  });

  it('calls at different phases still share wake-ups within the 1 ms slack', () => {
    const clock = new FakeClock();
    const scheduler = new FrameScheduler({ clock });
    const calls = Array.from({ length: 100 }, () => setup({ clock, scheduler }));
    for (const c of calls) {
      clock.advance(0.125); // phases spread evenly over 12.5 ms of the 20 ms period (exact in binary)
      c.pacer.start(FORMAT_8K);
    }
    const before = scheduler.stats();
    clock.advance(2000);
    const after = scheduler.stats();
    expect(after.framesServed - before.framesServed).toBe(100 * 100);
    // One wake-up serves every call due within 1 ms: ≤ 14 per period for 12.5 ms of phases, not 100.
    expect(after.wakeups - before.wakeups).toBeLessThanOrEqual(14 * 100);
    for (const c of calls) {
      const gaps = c.sent.slice(1).map((s, k) => s.at - c.sent[k]!.at);
      // Each frame within the slack of its own grid: gaps of 20 ± 1 ms, and the grid never slips.
      expect(Math.min(...gaps)).toBeGreaterThanOrEqual(19);
      expect(Math.max(...gaps)).toBeLessThanOrEqual(21);
      const last = c.sent.at(-1)!.at;
      const first = c.sent[0]!.at;
      expect(Math.abs(last - first - 20 * (c.sent.length - 1))).toBeLessThanOrEqual(1);
    }
  });

  it('sends the first frame of a reply at once and re-phases the call to it', () => {
    const { clock, pacer, sent } = setup();
    const t0 = clock.now();
    pacer.start(FORMAT_8K);
    clock.advance(47); // silence at t0, t0+20, t0+40
    expect(sent.map((s) => s.at - t0)).toEqual([0, 20, 40]);
    pacer.play(tone(100));
    expect(sent).toHaveLength(4);
    expect(sent[3]!.at - t0).toBe(47); // not 60
    expect(isSilence(sent[3]!)).toBe(false);
    clock.advance(200);
    const times = sent.map((s) => s.at - t0);
    expect(times.slice(3, 10)).toEqual([47, 67, 87, 107, 127, 147, 167]);
    expect(sent.slice(3, 8).every((s) => !isSilence(s))).toBe(true); // 100 ms = 5 frames of audio
    expect(sent.slice(8).every(isSilence)).toBe(true);
  });

  it('waits for the tick when less than a frame is queued, then pads it', () => {
    const { clock, pacer, sent } = setup();
    pacer.start(FORMAT_8K);
    clock.advance(5);
    pacer.play(tone(10)); // 160 bytes
    expect(sent).toHaveLength(1);
    clock.advance(15);
    expect(sent).toHaveLength(2);
    const frame = sent[1]!.payload;
    expect(frame.length).toBe(320);
    expect(frame.subarray(0, 160).equals(tone(10))).toBe(true);
    expect(frame.subarray(160).every((b) => b === 0)).toBe(true);
    expect(pacer.playedMs()).toBe(10);
  });

  it('pads a short last frame and reports playoutDone once, when the queue drains', () => {
    const { clock, pacer, sent, playoutDoneCount } = setup();
    pacer.start(FORMAT_8K);
    const audio = tone(50); // 2.5 frames
    pacer.play(audio);
    expect(pacer.queuedMs()).toBe(30); // the first 20 ms left at once
    clock.advance(40);
    expect(pacer.queuedMs()).toBe(0);
    expect(playoutDoneCount()).toBe(0); // the last frame is still playing
    clock.advance(20);
    expect(playoutDoneCount()).toBe(1);
    clock.advance(200);
    expect(playoutDoneCount()).toBe(1);
    const voiced = sent.slice(1, 4).map((s) => s.payload);
    expect(Buffer.concat(voiced).subarray(0, audio.length).equals(audio)).toBe(true);
    expect(voiced[2]!.subarray(160).every((b) => b === 0)).toBe(true);
    expect(sent.every((s) => s.payload.length === 320)).toBe(true);
    expect(pacer.playedMs()).toBe(50);
    expect(pacer.stats()).toMatchObject({ agentFrames: 3, underruns: 0 });
  });

  it('flush() drops queued audio and the very next frame is silence', () => {
    const { clock, pacer, sent, playoutDoneCount } = setup();
    pacer.start(FORMAT_8K);
    pacer.play(tone(1000));
    clock.advance(90); // frames at 0 (immediate), 20, 40, 60, 80
    const before = sent.length;
    const dropped = pacer.flush();
    expect(dropped).toBe(1000 - 20 * (before - 1));
    expect(pacer.queuedMs()).toBe(0);
    clock.advance(10);
    expect(sent).toHaveLength(before + 1);
    expect(isSilence(sent.at(-1)!)).toBe(true);
    clock.advance(100);
    expect(sent.slice(before).every(isSilence)).toBe(true);
    expect(playoutDoneCount()).toBe(0); // flushed, not played out
    expect(pacer.playedMs()).toBe(20 * (before - 1));
  });

  it('counts an underrun when audio resumes soon after running dry, not after a real pause', () => {
    const { clock, pacer } = setup();
    pacer.start(FORMAT_8K);
    pacer.play(tone(40));
    clock.advance(60); // drained and playoutDone
    clock.advance(100);
    pacer.play(tone(40)); // 100 ms gap: the TTS was too slow
    expect(pacer.stats().underruns).toBe(1);
    clock.advance(1000);
    pacer.play(tone(40)); // a second reply after a real pause
    expect(pacer.stats().underruns).toBe(1);
  });

  it('catches up a few late frames on the same grid, and resyncs instead of bursting further behind', () => {
    const { clock, pacer, sent } = setup();
    const t0 = clock.now();
    pacer.start(FORMAT_8K);
    clock.advance(100); // frames at 0…100
    clock.stall(50); // the event loop blocks until t0+150
    clock.advance(0);
    const catchUp = sent.slice(6).map((s) => s.at - t0);
    expect(catchUp).toEqual([150, 150]); // the frames due at 120 and 140
    clock.advance(10);
    expect(sent.at(-1)!.at - t0).toBe(160); // back on the original grid
    expect(pacer.stats().lateFrames).toBe(2);

    const count = sent.length;
    clock.stall(300);
    clock.advance(0);
    expect(sent.length - count).toBe(1); // one frame, not a 15-frame burst
    expect(pacer.stats().resyncs).toBe(1);
    const resyncAt = sent.at(-1)!.at;
    clock.advance(40);
    expect(sent.slice(-2).map((s) => s.at - resyncAt)).toEqual([20, 40]);
  });

  it('remembers the level of recent agent frames for the echo guard', () => {
    const { clock, pacer } = setup();
    pacer.start(FORMAT_8K);
    expect(pacer.recentOutputRms(500)).toBe(0);
    pacer.play(tone(40, 3000));
    clock.advance(20);
    expect(pacer.recentOutputRms(100)).toBe(3000);
    clock.advance(300);
    expect(pacer.recentOutputRms(100)).toBe(0); // only silence since
    expect(pacer.recentOutputRms(400)).toBe(3000);
  });

  it('stop() unregisters the call, and the scheduler disarms its timer when no call is left', () => {
    const { clock, scheduler, pacer, sent } = setup();
    pacer.start(FORMAT_8K);
    clock.advance(40);
    pacer.stop();
    const count = sent.length;
    clock.advance(200);
    expect(sent).toHaveLength(count);
    expect(scheduler.stats().streams).toBe(0);
    expect(clock.pending).toBe(0);
  });
});

describe('CallPacer agent frame buffers', () => {
  function run(released: boolean | null) {
    const clock = new FakeClock();
    const scheduler = new FrameScheduler({ clock });
    const buffers = new Set<Buffer>();
    const payloads: Buffer[] = [];
    const pacer = new CallPacer({
      scheduler,
      format: FORMAT_8K,
      send(frame) {
        buffers.add(frame);
        payloads.push(Buffer.from(frame.subarray(HEADER_BYTES))); // a copy: the buffer may be reused
        return true;
      },
      ...(released === null ? {} : { frameReleased: () => released }),
      onPlayoutDone: () => {},
    });
    const audio = tone(200);
    pacer.play(audio);
    pacer.start(FORMAT_8K);
    clock.advance(300);
    return { buffers, payloads, audio };
  }

  it('writes every agent frame into one buffer while the wire takes each frame at once', () => {
    const { buffers, payloads, audio } = run(true);
    // 10 agent frames, then silence (the one shared silence frame): two buffers in all.
    expect(buffers.size).toBe(2);
    expect(Buffer.concat(payloads.slice(0, 10)).equals(audio)).toBe(true);
  });

  it('takes a new buffer per frame while the wire still holds the last one, or cannot say', () => {
    for (const released of [false, null]) {
      const { buffers, payloads, audio } = run(released);
      expect(buffers.size).toBe(11);
      expect(Buffer.concat(payloads.slice(0, 10)).equals(audio)).toBe(true);
    }
  });
});
