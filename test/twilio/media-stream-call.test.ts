import { describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { MediaStreamCall } from '../../src/transports/twilio/media-stream-call.js';

function fakeCall(opts: { bargeIn?: boolean; transfer?: (to: string) => Promise<void> } = {}) {
  const sent: Array<{ event: string; media?: { payload: string }; mark?: { name: string } }> = [];
  let closed = 0;
  let now = 0;
  const call = new MediaStreamCall({
    callId: 'CA1',
    streamSid: 'MZ1',
    bargeIn: opts.bargeIn ?? true,
    log: silentLogger,
    now: () => now,
    ...(opts.transfer ? { transfer: opts.transfer, transferGraceMs: 50 } : {}),
    socket: {
      send: (t) => sent.push(JSON.parse(t)),
      backlogBytes: () => 0,
      close: () => closed++,
    },
  });
  return { call, sent, closes: () => closed, tick: (ms: number) => (now += ms) };
}

const marks = (sent: ReturnType<typeof fakeCall>['sent']) =>
  sent.filter((m) => m.event === 'mark').map((m) => m.mark!.name);

describe('MediaStreamCall', () => {
  it('sends agent audio in even chunks of at most 100 ms, each followed by a mark', () => {
    const { call, sent } = fakeCall();
    call.play(Buffer.alloc(2000, 0x10)); // 250 ms
    const media = sent
      .filter((m) => m.event === 'media')
      .map((m) => Buffer.from(m.media!.payload, 'base64').length);
    expect(media).toEqual([667, 667, 666]);
    expect(sent.map((m) => m.event)).toEqual(['media', 'mark', 'media', 'mark', 'media', 'mark']);
    expect(call.queuedMs()).toBe(250);
    expect(call.playedMs()).toBe(0);
  });

  it('counts audio as played only when its mark comes back, and reports playout done at the last one', () => {
    const { call, sent } = fakeCall();
    const done = vi.fn();
    call.on('playoutDone', done);
    call.play(Buffer.alloc(1600, 0x10));
    const [first, second] = marks(sent) as [string, string];
    call.receiveMark(first);
    expect(call.playedMs()).toBe(100);
    expect(call.queuedMs()).toBe(100);
    expect(done).not.toHaveBeenCalled();
    expect(call.recentOutputRms(250)).toBeGreaterThan(0);
    call.receiveMark(second);
    expect(call.playedMs()).toBe(200);
    expect(done).toHaveBeenCalledTimes(1);
    call.receiveMark('never-sent');
    expect(call.playedMs()).toBe(200);
  });

  it('flush sends clear, and the marks Twilio echoes for cleared audio do not count as heard', () => {
    const { call, sent } = fakeCall();
    call.play(Buffer.alloc(2400, 0x10));
    const names = marks(sent);
    call.receiveMark(names[0]!);
    expect(call.flush()).toBe(200);
    expect(sent.at(-1)).toEqual({ event: 'clear', streamSid: 'MZ1' });
    for (const n of names.slice(1)) call.receiveMark(n);
    expect(call.playedMs()).toBe(100);
    expect(call.queuedMs()).toBe(0);
  });

  it('hangs up after playout, or hands over through the transfer hook instead', async () => {
    const plain = fakeCall();
    plain.call.play(Buffer.alloc(800, 0x10));
    plain.call.hangup({ afterPlayout: true });
    expect(plain.closes()).toBe(0);
    plain.call.receiveMark(marks(plain.sent)[0]!);
    expect(plain.closes()).toBe(1);
    expect(plain.call.closed).toBe(true);

    const transfer = vi.fn(async () => {});
    const handed = fakeCall({ transfer });
    handed.call.transferOnHangup('+442079460999');
    handed.call.play(Buffer.alloc(800, 0x10));
    handed.call.hangup({ afterPlayout: true });
    expect(transfer).not.toHaveBeenCalled();
    handed.call.receiveMark(marks(handed.sent)[0]!);
    expect(transfer).toHaveBeenCalledWith('+442079460999');
    // Twilio ends the stream itself; without a stop we close after the grace period.
    await new Promise((r) => setTimeout(r, 100));
    expect(handed.call.closed).toBe(true);
  });
});
