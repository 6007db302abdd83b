import { getShortestPaths } from '@xstate/graph';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AnyMachineSnapshot } from 'xstate';
import { callMachine } from '../../machines/call.machine.js';
import { STEPS } from '../../machines/call.types.js';
import { suggestedReply } from '../../machines/phrases.js';
import { FACTS, INPUT, startTestCall } from './harness.js';
import { asCallEvent, MODEL_EVENTS } from './model.js';

// Paths are generated from the real chart (invoke and after included) with @xstate/graph, then
// replayed on a real actor whose effects are stubs: the chart is the model and the system under test.
const key = (s: AnyMachineSnapshot) =>
  JSON.stringify([
    s.value,
    Math.min(s.context.attempts, 3),
    s.context.reprompts,
    s.context.slots.agreed === false,
  ]);

const paths = getShortestPaths(callMachine, {
  events: MODEL_EVENTS as never,
  input: INPUT,
  serializeState: key as never,
} as never);

const stateValue = (s: { value: unknown }) => JSON.stringify(s.value);
const reached = new Set(paths.map((p) => stateValue(p.state)));
const workflowOf = (s: AnyMachineSnapshot) =>
  typeof s.value === 'object' && s.value && 'active' in s.value
    ? (s.value.active as { workflow: string }).workflow
    : null;

/** Replays one generated path on a fresh actor: timers are fake, the booking resolves when the path says so. */
async function replay(steps: Array<{ event: { type: string } }>) {
  let settleBooking: { resolve: (v: { bookingId: string }) => void; reject: (e: Error) => void } | undefined;
  const call = startTestCall({
    booking: () =>
      new Promise((resolve, reject) => {
        settleBooking = { resolve, reject };
      }),
  });
  for (const { event } of steps.slice(1)) {
    // A delayed transition is replayed as the event itself: with deadlines running in both regions,
    // advancing time would also fire whichever shorter one the traversal did not take.
    if (event.type.startsWith('xstate.after.')) call.actor.send(asCallEvent(event as never));
    else if (event.type === 'xstate.done.actor.saveBooking') {
      settleBooking?.resolve({ bookingId: 'BK-TEST' });
      await vi.advanceTimersByTimeAsync(0);
    } else if (event.type === 'xstate.error.actor.saveBooking') {
      settleBooking?.reject(new Error('disk full'));
      await vi.advanceTimersByTimeAsync(0);
    } else call.actor.send(asCallEvent(event as never));
  }
  return call;
}

describe('call statechart, model-based', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reaches every workflow step, each way out, barge-in, closing and the end', () => {
    const workflows = new Set(paths.map((p) => workflowOf(p.state as never)).filter(Boolean));
    for (const step of STEPS) {
      expect(workflows, step).toContain(step);
    }
    const turns = [...reached].join(' ');
    for (const t of [
      '"greeting"',
      '"idle"',
      '"hearing"',
      '"thinking"',
      '"speaking"',
      '"deciding"',
      '"speculating"',
      '"bargeIn"',
      '"closing"',
    ]) {
      expect(turns, t).toContain(t);
    }
    expect(reached).toContain('"ended"');
  });

  it('no reachable state keeps a caller at a slot step after three interpreted turns without progress', () => {
    const slotSteps = ['understand', 'quote', 'postcode', 'address', 'name'];
    const stuck = paths.filter((p) => {
      const c = (p.state as AnyMachineSnapshot).context;
      return p.state.status === 'active' && slotSteps.includes(c.step) && c.attempts >= 3 && c.turnUnderstood;
    });
    expect(stuck.map((p) => p.steps.map((s) => s.event.type).join(' > '))).toEqual([]);
    // ...and the model does reach the third failed turn, which hands the call over.
    const handedOver = paths.some(
      (p) =>
        workflowOf(p.state as never) === 'transfer' &&
        p.steps.filter((s) => s.event.type === 'CALLER.FINAL').length >= 3,
    );
    expect(handedOver).toBe(true);
  });

  it.each(paths.map((p) => [p.steps.map((s) => s.event.type).join(' > '), p] as const))(
    'replays %s',
    async (_name, path) => {
      const { actor, replies } = await replay(path.steps as never);
      const snap = actor.getSnapshot();
      expect(key(snap)).toBe(key(path.state as never));
      // What the machine asks for at this state: a reply in progress is for the current step,
      // and its suggested wording is the one for that step and notice.
      if (snap.status === 'active' && snap.matches({ active: { turn: 'replying' } })) {
        const ask = replies.at(-1)!;
        // (A held speculative reply is for the step its turn is predicted to settle on.)
        expect(ask.step).toBe(snap.context.speculation?.step ?? snap.context.replyStep);
        if (ask.say === undefined) {
          expect(suggestedReply(ask.step, ask.notice, FACTS, ask.slots, ask.language).length).toBeGreaterThan(
            0,
          );
        }
      }
      actor.stop();
    },
  );

  // One path per distinct state value: the child actors' failures, sent in every state the chart can be
  // in, must each still end the call by its own deadlines (and with the TTS gone, without a loop).
  const byValue = new Map(
    paths.filter((p) => stateValue(p.state) !== '"ended"').map((p) => [stateValue(p.state), p]),
  );
  const FAILURES = [
    { type: 'GREETING.FAILED', reason: 'context error' },
    { type: 'STT.FAILED', reason: 'redial gave up' },
    { type: 'TTS.FAILED', reason: 'socket refused' },
    { type: 'SYSTEM.SHUTDOWN' },
  ];
  it.each(FAILURES.flatMap((f) => [...byValue].map(([value, p]) => [f.type, value, f, p] as const)))(
    '%s in %s still ends the call',
    async (_type, _value, failure, path) => {
      const { actor, effects } = await replay(path.steps as never);
      actor.send(asCallEvent(failure as never));
      for (let i = 0; i < 40 && actor.getSnapshot().status === 'active'; i++) {
        // A dead TTS fails every reply it is asked for.
        if (failure.type === 'TTS.FAILED' && actor.getSnapshot().matches({ active: { turn: 'replying' } }))
          actor.send({ type: 'REPLY.FAILED', reason: 'tts down' });
        await vi.advanceTimersByTimeAsync(60_000);
      }
      expect(actor.getSnapshot().status).toBe('done');
      expect(effects).toContain('hangUp');
    },
  );

  it.each(
    paths.filter((p) => stateValue(p.state) !== '"ended"').map((p) => [stateValue(p.state), p] as const),
  )('hangs up cleanly from %s', async (_name, path) => {
    const { actor } = await replay(path.steps as never);
    actor.send({ type: 'HANGUP' });
    expect(actor.getSnapshot().status).toBe('done');
  });

  it.each(
    paths.filter((p) => stateValue(p.state) !== '"ended"').map((p) => [stateValue(p.state), p] as const),
  )('never wedges: with no input at all, %s reaches the end by its deadlines', async (_name, path) => {
    const { actor, effects } = await replay(path.steps as never);
    for (let i = 0; i < 40 && actor.getSnapshot().status === 'active'; i++)
      await vi.advanceTimersByTimeAsync(60_000);
    expect(actor.getSnapshot().status).toBe('done');
    expect(effects).toContain('hangUp');
  });
});
