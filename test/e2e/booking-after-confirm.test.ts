import { afterEach, describe, expect, it } from 'vitest';
import { fixtureClip } from '../../sim/caller/caller.js';
import type { CallerLine } from '../../sim/caller/script.js';
import { script, startRig } from './rig.js';

/** The simulated STT hears lines by their order, so a new line can be said with an existing clip. */
const saidWith = (clipOf: Record<string, string>) => (line: CallerLine) =>
  fixtureClip(clipOf[line.text] ? { text: clipOf[line.text] as string } : line);

// Whole calls through real sockets and the real SQLite store, around the end of a booking.
describe('after the booking', () => {
  let rig: Awaited<ReturnType<typeof startRig>> | undefined;
  afterEach(() => rig?.close());

  it('a new address given while the booking is confirmed updates the stored booking', async () => {
    const correction = { text: "Sorry, it's 14 Acacia Avenue.", bargeInAfterMs: 500 };
    // A slow voice: the confirmation is still playing when the caller speaks over it.
    rig = await startRig({
      script: [...script('booking-en'), correction],
      sims: { cartesia: { charsPerSecond: 15 } },
    });
    const call = await rig.call({ clipFor: saidWith({ [correction.text]: '12 Acacia Avenue.' }) });
    expect(call.summary.outcome).toBe('booked');
    expect(call.booking).toMatchObject({
      customerName: 'Priya Shah',
      address: '14 Acacia Avenue',
      postcode: 'NN15 6QP',
      revision: 1,
      calloutFee: 49,
    });
    expect(call.booking?.updatedAt).toBeGreaterThanOrEqual(call.booking!.createdAt);
    console.log(
      JSON.stringify(call.turns.map((t) => [t.index, t.step, t.callerText, t.agentText, t.bargeIn])),
    );
    // The caller was told the booking once more, after the correction was stored.
    expect(call.turns.some((t) => t.callerText === correction.text)).toBe(true);
    expect(call.turns.at(-1)?.agentText ?? '').toMatch(/booked/);
    expect(call.turns.at(-1)!.at).toBeGreaterThanOrEqual(call.booking!.updatedAt!);
  }, 120_000);

  it('the last turn is stored when the caller hangs up while it is being answered', async () => {
    const lines = script('booking-en').slice(0, 1);
    // The answer (the quote) takes over six seconds to say; the caller hangs up four seconds into it
    // at the latest (the greeting, shorter, is waited out).
    rig = await startRig({ script: lines, sims: { cartesia: { charsPerSecond: 30 } } });
    const call = await rig.call({ answerTimeoutMs: 4000 });
    expect(call.summary.outcome).toBe('caller-hangup');
    expect(call.caller.end.reason).not.toBe('server-hangup');
    const last = call.turns.at(-1);
    expect(last).toMatchObject({ callerText: lines[0]?.text, bargeIn: false });
  }, 120_000);
});
