import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CallerIntent } from '../../machines/call.types.js';
import { suggestedReply } from '../../machines/phrases.js';
import { details, FACTS, startTestCall, tools } from './harness.js';

const flag = (type: CallerIntent['type'], extra: object = {}) => tools({ type, ...extra } as CallerIntent);

/** Plays one agent reply to the end: audio starts, text generated, playout drains. */
function speakReply(actor: ReturnType<typeof startTestCall>['actor'], text = 'ok') {
  actor.send({ type: 'TTS.FIRST_AUDIO', ttfbMs: 50 });
  actor.send({ type: 'REPLY.GENERATED', text });
  actor.send({ type: 'PLAYOUT.DONE' });
}

function callerSays(call: ReturnType<typeof startTestCall>, text: string, ...intents: CallerIntent[]) {
  call.actor.send({ type: 'CALLER.FINAL', text });
  if (intents.length) call.actor.send(tools(...intents));
}

/** Every detail of a booking, given in one turn. */
const ALL_DETAILS = {
  problem: 'leak',
  agreed: true,
  postcode: 'NN15 6QP',
  address: '1 High St',
  name: 'Sam Jones',
};

/** A call whose booking is stored only when the test says so (`store(id)`). */
function withPendingBooking() {
  let resolveBooking: (v: { bookingId: string }) => void = () => {};
  const call = startTestCall({ booking: () => new Promise((resolve) => (resolveBooking = resolve)) });
  return { call, store: (bookingId: string) => resolveBooking({ bookingId }) };
}

describe('call statechart scenarios', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('books a job end to end: one step per reply, booking before "that\'s booked"', async () => {
    const call = startTestCall();
    const { actor, replies, bookings, effects } = call;
    expect(effects).toEqual(['playGreeting']);
    actor.send({ type: 'PLAYOUT.DONE' });
    const steps: string[] = [];
    const turn = (text: string, intent: CallerIntent) => {
      callerSays(call, text, intent);
      steps.push(replies.at(-1)!.step);
      speakReply(actor);
    };
    turn('my sink is leaking', details({ problem: 'leaking sink' }));
    turn('yes please', details({ agreed: true }));
    turn("it's nn15 6qp", details({ postcode: 'nn15 6qp' }));
    turn('12 Acacia Avenue', details({ address: '12 Acacia Avenue' }));
    callerSays(call, 'Priya Shah', details({ name: 'Priya Shah' }));
    expect(actor.getSnapshot().matches({ active: { workflow: 'book', turn: 'deciding' } })).toBe(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(bookings).toEqual([
      {
        callId: 'call-1',
        problem: 'leaking sink',
        postcode: 'NN15 6QP',
        address: '12 Acacia Avenue',
        name: 'Priya Shah',
        // The fee quoted, and the caller's own words agreeing to it.
        calloutFee: FACTS.calloutFee,
        consent: 'yes please',
        revision: 0,
      },
    ]);
    expect(replies.at(-1)!.step).toBe('confirm');
    speakReply(actor, "That's booked.");
    expect(steps).toEqual(['quote', 'postcode', 'address', 'name']);
    expect(actor.getSnapshot().matches({ active: { turn: 'closing' } })).toBe(true);
    expect(effects).toContain('hangUp');
    expect(actor.getSnapshot().context.bookingId).toBe('BK-1');
    actor.send({ type: 'HANGUP' });
    expect(actor.getSnapshot().output).toMatchObject({ outcome: 'booked', bookingId: 'BK-1' });
  });

  it('a new address given while the booking is confirmed stores the next revision, then confirms again', async () => {
    const call = startTestCall();
    const { actor, replies, bookings } = call;
    actor.send({ type: 'PLAYOUT.DONE' });
    callerSays(call, 'my sink is leaking', details({ problem: 'leaking sink', agreed: true }));
    speakReply(actor);
    callerSays(
      call,
      'NN15 6QP, 12 Acacia Avenue, Priya Shah',
      details({ postcode: 'NN15 6QP', address: '12 Acacia Avenue', name: 'Priya Shah' }),
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(replies.at(-1)!.step).toBe('confirm');
    // The caller speaks over the confirmation with a correction.
    actor.send({ type: 'TTS.FIRST_AUDIO', ttfbMs: 50 });
    actor.send({ type: 'CALLER.SPEECH_STARTED', source: 'vad', heardText: "That's" });
    callerSays(call, "sorry, it's 14 Acacia Avenue", details({ address: '14 Acacia Avenue' }));
    expect(actor.getSnapshot().matches({ active: { workflow: 'book' } })).toBe(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(bookings.map((b) => [b.address, b.revision, b.bookingId])).toEqual([
      ['12 Acacia Avenue', 0, undefined],
      ['14 Acacia Avenue', 1, 'BK-1'],
    ]);
    expect(replies.at(-1)!.step).toBe('confirm');
    speakReply(actor, "That's booked.");
    expect(actor.getSnapshot().matches({ active: { turn: 'closing' } })).toBe(true);
    actor.send({ type: 'HANGUP' });
    expect(actor.getSnapshot().output).toMatchObject({ outcome: 'booked', bookingId: 'BK-1' });
  });

  it('a number the caller gives to be called back on goes with the booking; a garbled one is dropped', async () => {
    const call = startTestCall();
    call.actor.send({ type: 'PLAYOUT.DONE' });
    callerSays(call, 'my sink is leaking', details({ problem: 'leaking sink', agreed: true }));
    speakReply(call.actor);
    callerSays(call, 'call me on 07700 900 456', details({ callback: '07700 900-456' }));
    callerSays(call, 'or maybe', details({ callback: 'not a number' }));
    callerSays(
      call,
      'NN15 6QP, 12 Acacia Avenue, Priya Shah',
      details({ postcode: 'NN15 6QP', address: '12 Acacia Avenue', name: 'Priya Shah' }),
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(call.bookings.at(-1)).toMatchObject({ callbackNumber: '07700900456', revision: 0 });
  });

  it('records several slots given at once and asks for the first one missing', () => {
    const call = startTestCall();
    call.actor.send({ type: 'PLAYOUT.DONE' });
    callerSays(call, 'leak', details({ problem: 'burst pipe' }));
    speakReply(call.actor);
    callerSays(
      call,
      'yes, NN15 6QP, 12 Acacia Avenue',
      details({ agreed: true, postcode: 'NN15 6QP', address: '12 Acacia Avenue' }),
    );
    expect(call.replies.at(-1)!.step).toBe('name');
    expect(call.actor.getSnapshot().context.slots).toMatchObject({
      postcode: 'NN15 6QP',
      address: '12 Acacia Avenue',
    });
  });

  it('asks again for an invalid postcode, never records it, and hands over after three misses', () => {
    const call = startTestCall();
    call.actor.send({ type: 'PLAYOUT.DONE' });
    callerSays(call, 'leak', details({ problem: 'leak' }));
    speakReply(call.actor);
    callerSays(call, 'yes', details({ agreed: true }));
    speakReply(call.actor);
    for (let miss = 1; miss <= 2; miss++) {
      callerSays(call, "it's banana", details({ postcode: 'banana' }));
      const ask = call.replies.at(-1)!;
      expect(ask).toMatchObject({ step: 'postcode', notice: 'invalid_postcode' });
      expect(suggestedReply(ask.step, ask.notice, FACTS, ask.slots, 'en')).toMatch(/postcode/);
      expect(call.actor.getSnapshot().context.slots.postcode).toBeUndefined();
      speakReply(call.actor);
    }
    callerSays(call, 'banana again', details({ postcode: 'banana' }));
    expect(call.actor.getSnapshot().context.step).toBe('transfer');
    expect(call.replies.at(-1)!.step).toBe('transfer');
    expect(call.actor.getSnapshot().context.slots.postcode).toBeUndefined();
    expect(call.effects).toContain('transferCall');
  });

  it.each([
    ['CALLER.ASKED_TOTAL_PRICE', 'quote', 'total_price'],
    ['CALLER.ASKED_IF_LOCAL', 'quote', 'are_you_local'],
  ] as const)('answers the %s objection and stays at the step', (type, step, notice) => {
    const call = startTestCall();
    call.actor.send({ type: 'PLAYOUT.DONE' });
    callerSays(call, 'leak', details({ problem: 'leak' }));
    speakReply(call.actor);
    callerSays(call, 'how much in total?', { type } as CallerIntent);
    expect(call.replies.at(-1)).toMatchObject({ step, notice });
  });

  it.each([
    ['CALLER.SAID_TOO_EXPENSIVE', 'declined', 'declined'],
    ['CALLER.WAS_ABUSIVE', 'abusive', 'abusive'],
    ['CALLER.ASKED_FOR_HUMAN', 'transfer', 'transferred'],
  ] as const)('%s leads to %s, a last reply, then hang-up', (type, step, outcome) => {
    const call = startTestCall();
    call.actor.send({ type: 'PLAYOUT.DONE' });
    callerSays(call, 'something', { type } as CallerIntent);
    expect(call.replies.at(-1)!.step).toBe(step);
    speakReply(call.actor);
    expect(call.effects).toContain('hangUp');
    call.actor.send({ type: 'HANGUP' });
    expect(call.actor.getSnapshot().output).toMatchObject({ outcome });
  });

  it('switches language mid-call', () => {
    const call = startTestCall();
    call.actor.send({ type: 'PLAYOUT.DONE' });
    callerSays(call, 'hola', flag('CALLER.SWITCHED_LANGUAGE', { language: 'es' }).intents[0]!);
    expect(call.replies.at(-1)).toMatchObject({ language: 'es', notice: 'language_switched' });
  });

  it('barge-in stops playout, keeps only what was heard, and answers the interruption', () => {
    const call = startTestCall();
    call.actor.send({ type: 'PLAYOUT.DONE' });
    callerSays(call, 'leak', details({ problem: 'leak' }));
    call.actor.send({ type: 'TTS.FIRST_AUDIO', ttfbMs: 40 });
    call.actor.send({ type: 'REPLY.GENERATED', text: 'I can get a plumber out to you within the hour.' });
    call.actor.send({ type: 'CALLER.SPEECH_STARTED', source: 'vad', heardText: 'I can get a plumber' });
    expect(call.effects.filter((e) => e === 'stopPlayout')).toHaveLength(1);
    expect(call.effects).toContain('replyStopped');
    expect(call.actor.getSnapshot().matches({ active: { turn: 'bargeIn' } })).toBe(true);
    expect(call.emitted).toContainEqual({
      type: 'agent.turn',
      text: 'I can get a plumber',
      interrupted: true,
      step: 'quote',
    });
    callerSays(call, 'how much is it?', flag('CALLER.ASKED_TOTAL_PRICE').intents[0]!);
    const history = call.actor.getSnapshot().context.history;
    expect(history).toContainEqual({ role: 'agent', text: 'I can get a plumber', interrupted: true });
    expect(history.some((h) => h.role === 'agent' && h.text.includes('within the hour'))).toBe(false);
    expect(call.replies.at(-1)).toMatchObject({ step: 'quote', notice: 'total_price' });
  });

  it('a failed booking is apologised for and the call ends', async () => {
    const call = startTestCall({ booking: async () => Promise.reject(new Error('disk full')) });
    call.actor.send({ type: 'PLAYOUT.DONE' });
    callerSays(call, 'all of it', details(ALL_DETAILS));
    await vi.advanceTimersByTimeAsync(0);
    expect(call.replies.at(-1)!.step).toBe('bookingFailed');
    // Nothing says the details were kept, so the apology must not claim it.
    expect(call.replies.at(-1)!.notice).toBe('booking_not_kept');
    speakReply(call.actor);
    expect(call.effects).toContain('hangUp');
  });

  it('a booking slow to store: "bear with me" after a second, then the confirmation once it is stored', async () => {
    const { call, store } = withPendingBooking();
    call.actor.send({ type: 'PLAYOUT.DONE' });
    callerSays(call, 'all of it', details(ALL_DETAILS));
    const before = call.replies.length;
    await vi.advanceTimersByTimeAsync(900);
    expect(call.replies.length).toBe(before);
    await vi.advanceTimersByTimeAsync(200);
    expect(call.replies.at(-1)).toMatchObject({ step: 'book', say: 'Bear with me one moment.' });
    speakReply(call.actor);
    store('BK-9');
    await vi.advanceTimersByTimeAsync(0);
    expect(call.replies.at(-1)).toMatchObject({ step: 'confirm', say: undefined });
    expect(call.actor.getSnapshot().context.bookingId).toBe('BK-9');
  });

  it('a booking kept in the journal is apologised for as kept', async () => {
    const kept = Object.assign(new Error('journalled'), { bookingKept: true });
    const call = startTestCall({ booking: async () => Promise.reject(kept) });
    call.actor.send({ type: 'PLAYOUT.DONE' });
    callerSays(call, 'all of it', details(ALL_DETAILS));
    await vi.advanceTimersByTimeAsync(0);
    expect(call.replies.at(-1)).toMatchObject({ step: 'bookingFailed', notice: undefined });
    const said = (notice?: 'booking_not_kept', language: 'en' | 'es' = 'en') =>
      suggestedReply('bookingFailed', notice, FACTS, {}, language);
    expect(said()).toMatch(/kept your details/);
    expect(said('booking_not_kept')).not.toMatch(/kept/);
    expect(said(undefined, 'es')).toMatch(/guardado sus datos/);
    expect(said('booking_not_kept', 'es')).not.toMatch(/guardado sus datos/);
  });

  it('re-prompts a silent caller twice, then says goodbye and hangs up', async () => {
    const call = startTestCall();
    call.actor.send({ type: 'PLAYOUT.DONE' });
    for (const n of [1, 2]) {
      await vi.advanceTimersByTimeAsync(8_000);
      expect(call.replies.at(-1)!.say).toMatch(/still there/);
      expect(call.actor.getSnapshot().context.reprompts).toBe(n);
      speakReply(call.actor);
    }
    await vi.advanceTimersByTimeAsync(8_000);
    expect(call.replies.at(-1)!.step).toBe('goodbye');
    speakReply(call.actor);
    expect(call.effects).toContain('hangUp');
  });

  it('caps any call with a whole-call deadline', async () => {
    const call = startTestCall();
    call.actor.send({ type: 'PLAYOUT.DONE' });
    // A caller who keeps talking nonsense forever still gets hung up on eventually.
    const chatter = setInterval(
      () => call.actor.send({ type: 'CALLER.SPEECH_STARTED', source: 'stt', heardText: '' }),
      3_000,
    );
    await vi.advanceTimersByTimeAsync(21 * 60_000);
    clearInterval(chatter);
    expect(call.effects).toContain('hangUp');
  });

  it('DTMF 0 while the agent speaks: the reply ends, then the handover is spoken before hang-up', () => {
    const call = startTestCall();
    call.actor.send({ type: 'PLAYOUT.DONE' });
    callerSays(call, 'leak', details({ problem: 'leak' }));
    call.actor.send({ type: 'TTS.FIRST_AUDIO', ttfbMs: 40 });
    call.actor.send({ type: 'DTMF', digit: '0' });
    call.actor.send({ type: 'REPLY.GENERATED', text: 'quote' });
    call.actor.send({ type: 'PLAYOUT.DONE' });
    expect(call.replies.at(-1)!.step).toBe('transfer');
    expect(call.effects).not.toContain('hangUp');
    speakReply(call.actor);
    expect(call.effects).toContain('hangUp');
  });
});

describe('child actor failures and the hand-over rule', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const atPostcode = () => {
    const call = startTestCall();
    call.actor.send({ type: 'PLAYOUT.DONE' });
    callerSays(call, 'leak', details({ problem: 'leak' }));
    speakReply(call.actor);
    callerSays(call, 'yes', details({ agreed: true }));
    speakReply(call.actor);
    return call;
  };

  it.each([
    [
      'the model records a bad value',
      (call: ReturnType<typeof startTestCall>) => callerSays(call, 'banana', details({ postcode: 'banana' })),
    ],
    [
      'the model only replies',
      (call: ReturnType<typeof startTestCall>) => {
        callerSays(call, 'banana');
        call.actor.send({ type: 'TTS.FIRST_AUDIO', ttfbMs: 40 });
        call.actor.send({ type: 'REPLY.GENERATED', text: 'Sorry, what was the postcode?' });
        call.actor.send({ type: 'PLAYOUT.DONE' });
      },
    ],
  ])('hands over on the third failed turn at a step when %s', (_how, failTurn) => {
    const call = atPostcode();
    for (const miss of [1, 2]) {
      failTurn(call);
      expect(call.actor.getSnapshot().context.step, `miss ${miss}`).toBe('postcode');
      if (call.actor.getSnapshot().matches({ active: { turn: 'replying' } })) speakReply(call.actor);
    }
    failTurn(call);
    expect(call.actor.getSnapshot().context.step).toBe('transfer');
    expect(call.replies.at(-1)!.step).toBe('transfer');
    expect(call.effects).toContain('transferCall');
  });

  it('a speech-to-text failure hands the call to a person, spoken, then hung up', () => {
    const call = startTestCall();
    call.actor.send({ type: 'PLAYOUT.DONE' });
    call.actor.send({ type: 'STT.FAILED', reason: 'redial gave up' });
    expect(call.replies.at(-1)!.step).toBe('transfer');
    speakReply(call.actor);
    expect(call.effects).toContain('hangUp');
    call.actor.send({ type: 'HANGUP' });
    expect(call.actor.getSnapshot().output).toMatchObject({ outcome: 'transferred' });
  });

  it('an STT failure during the greeting is answered once the greeting has played', () => {
    const call = startTestCall();
    call.actor.send({ type: 'STT.FAILED', reason: 'refused' });
    expect(call.replies).toHaveLength(0);
    call.actor.send({ type: 'PLAYOUT.DONE' });
    expect(call.replies.at(-1)!.step).toBe('transfer');
  });

  it('a text-to-speech failure ends the call handed over, without looping apologies', async () => {
    const call = startTestCall();
    call.actor.send({ type: 'PLAYOUT.DONE' });
    call.actor.send({ type: 'TTS.FAILED', reason: 'socket refused' });
    for (let i = 0; i < 3 && !call.effects.includes('hangUp'); i++)
      call.actor.send({ type: 'REPLY.FAILED', reason: 'tts down' });
    expect(call.effects).toContain('hangUp');
    expect(call.replies.length).toBeLessThanOrEqual(3);
    call.actor.send({ type: 'HANGUP' });
    expect(call.actor.getSnapshot().output).toMatchObject({ outcome: 'transferred' });
  });

  it('a failed greeting goes straight to listening', () => {
    const call = startTestCall();
    call.actor.send({ type: 'GREETING.FAILED', reason: 'context error' });
    expect(call.actor.getSnapshot().matches({ active: { turn: { listening: 'idle' } } })).toBe(true);
  });

  it('shutdown cuts the reply, says goodbye and hangs up; the call is stored as interrupted', () => {
    const call = startTestCall();
    call.actor.send({ type: 'PLAYOUT.DONE' });
    callerSays(call, 'leak', details({ problem: 'leak' }));
    call.actor.send({ type: 'TTS.FIRST_AUDIO', ttfbMs: 40 });
    call.actor.send({ type: 'SYSTEM.SHUTDOWN' });
    expect(call.effects).toContain('stopPlayout');
    expect(call.replies.at(-1)!.say).toMatch(/call back/);
    speakReply(call.actor);
    expect(call.effects).toContain('hangUp');
    call.actor.send({ type: 'HANGUP' });
    expect(call.actor.getSnapshot().output).toMatchObject({ outcome: 'interrupted' });
  });
});

/** Every detail but the name given and answered: the next turn completes the booking. */
function atNameStep(call: ReturnType<typeof startTestCall>) {
  call.actor.send({ type: 'PLAYOUT.DONE' });
  callerSays(
    call,
    'leak',
    details({ problem: 'leak', agreed: true, postcode: 'NN15 6QP', address: '12 Acacia Avenue' }),
  );
  speakReply(call.actor);
}

/** The name completed a speculated turn; the held confirmation waits while the booking stores. */
async function confirmedWhileBookingStores() {
  const pending = withPendingBooking();
  atNameStep(pending.call);
  pending.call.actor.send({ type: 'CALLER.TURN_ENDING', text: 'Priya Shah' });
  pending.call.actor.send({ type: 'CALLER.FINAL', text: 'Priya Shah.' });
  await vi.advanceTimersByTimeAsync(0);
  return pending;
}

describe('speculative replies', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const atPostcode = () => {
    const call = startTestCall();
    call.actor.send({ type: 'PLAYOUT.DONE' });
    callerSays(call, 'leak', details({ problem: 'leak' }));
    speakReply(call.actor);
    callerSays(call, 'yes please');
    speakReply(call.actor);
    expect(call.actor.getSnapshot().context.step).toBe('postcode');
    return call;
  };

  it('starts the reply for the predicted step on an early signal and releases it when the final agrees', () => {
    const call = atPostcode();
    const before = call.replies.length;
    call.actor.send({ type: 'CALLER.TURN_ENDING', text: "It's NN15 6QP." });
    expect(call.replies.at(-1)).toMatchObject({ speculative: true, step: 'address' });
    expect(call.replies.at(-1)!.history.at(-1)).toEqual({ role: 'caller', text: "It's NN15 6QP." });
    call.actor.send({ type: 'TTS.FIRST_AUDIO', ttfbMs: 40 });
    expect(call.effects).not.toContain('replyReleased');
    call.actor.send({ type: 'CALLER.FINAL', text: "it's NN15 6QP" });
    expect(call.effects).toContain('replyReleased');
    expect(call.replies).toHaveLength(before + 1); // the same reply goes on: no second request
    expect(
      call.actor.getSnapshot().matches({ active: { workflow: 'address', turn: { replying: 'speaking' } } }),
    ).toBe(true);
    expect(
      call.emitted.filter((e) => e.type === 'speculation').map((e) => (e as { result: string }).result),
    ).toEqual(['started', 'confirmed']);
  });

  it('drops the held reply when the caller goes on, and answers the whole turn once it ends', () => {
    const call = atPostcode();
    call.actor.send({ type: 'CALLER.TURN_ENDING', text: "It's" });
    call.actor.send({ type: 'CALLER.TURN_ENDING', text: "It's NN15 6QP." });
    const speculative = call.replies.length;
    call.actor.send({ type: 'CALLER.TURN_RESUMED' });
    expect(call.effects).toContain('replyStopped');
    expect(call.actor.getSnapshot().matches({ active: { turn: { listening: 'hearing' } } })).toBe(true);
    call.actor.send({ type: 'CALLER.FINAL', text: "It's NN15 6QP, sorry, SW1A 1AA." });
    expect(call.replies).toHaveLength(speculative + 1);
    expect(call.replies.at(-1)).not.toHaveProperty('speculative');
    expect(call.effects).not.toContain('replyReleased');
  });

  it('drops the held reply when the final says something else, and replies afresh', () => {
    const call = atPostcode();
    call.actor.send({ type: 'CALLER.TURN_ENDING', text: "It's NN15 6QP." });
    call.actor.send({ type: 'CALLER.FINAL', text: "It's NN15 6QP, no wait" });
    expect(call.effects).not.toContain('replyReleased');
    expect(call.replies.at(-1)).not.toHaveProperty('speculative');
    expect(call.emitted.some((e) => e.type === 'speculation' && e.result === 'cancelled')).toBe(true);
  });

  it('applies the tool calls a held reply made after its words only once the turn is confirmed', () => {
    const call = startTestCall();
    call.actor.send({ type: 'PLAYOUT.DONE' });
    call.actor.send({ type: 'CALLER.TURN_ENDING', text: 'my sink is leaking' });
    expect(call.replies.at(-1)).toMatchObject({ speculative: true, step: 'understand' });
    call.actor.send({ ...tools(details({ problem: 'leaking sink' })), afterText: true });
    expect(call.actor.getSnapshot().context.step).toBe('greet');
    call.actor.send({ type: 'CALLER.FINAL', text: 'My sink is leaking.' });
    expect(call.actor.getSnapshot().context.step).toBe('quote');
    expect(call.effects).toContain('replyReleased');
    // Its words were the quote, so no second reply follows when it has played.
    const count = call.replies.length;
    speakReply(call.actor);
    expect(call.replies).toHaveLength(count);
    expect(call.actor.getSnapshot().matches({ active: { turn: { listening: 'idle' } } })).toBe(true);
  });

  it('speculates the confirmation while the booking commits, and releases it only once stored', async () => {
    const { call, store } = withPendingBooking();
    atNameStep(call);
    expect(call.actor.getSnapshot().context.step).toBe('name');
    call.actor.send({ type: 'CALLER.TURN_ENDING', text: 'Priya Shah' });
    expect(call.replies.at(-1)).toMatchObject({ speculative: true, step: 'confirm' });
    call.actor.send({ type: 'TTS.FIRST_AUDIO', ttfbMs: 40 });
    call.actor.send({ type: 'CALLER.FINAL', text: 'Priya Shah.' });
    await vi.advanceTimersByTimeAsync(0);
    // Stored not yet: "that's booked" is held.
    expect(call.actor.getSnapshot().matches({ active: { workflow: 'book' } })).toBe(true);
    expect(call.effects).not.toContain('replyReleased');
    store('BK-7');
    await vi.advanceTimersByTimeAsync(0);
    expect(call.effects).toContain('replyReleased');
    expect(call.actor.getSnapshot().context.bookingId).toBe('BK-7');
    expect(
      call.actor.getSnapshot().matches({ active: { workflow: 'confirm', turn: { replying: 'speaking' } } }),
    ).toBe(true);
  });

  it("keeps the held confirmation's first audio and words that come while the booking stores", async () => {
    const { call, store } = await confirmedWhileBookingStores();
    expect(call.actor.getSnapshot().matches({ active: { turn: { replying: 'confirming' } } })).toBe(true);
    // A busy store: the held reply's audio and words arrive before the booking is stored.
    call.actor.send({ type: 'TTS.FIRST_AUDIO', ttfbMs: 40 });
    call.actor.send({ type: 'REPLY.GENERATED', text: "That's booked, Priya." });
    store('BK-8');
    await vi.advanceTimersByTimeAsync(0);
    expect(call.effects).toContain('replyReleased');
    expect(
      call.actor.getSnapshot().matches({ active: { workflow: 'confirm', turn: { replying: 'speaking' } } }),
    ).toBe(true);
    call.actor.send({ type: 'PLAYOUT.DONE' });
    const agentTurns = call.emitted.filter((e) => e.type === 'agent.turn');
    expect(agentTurns.at(-1)).toMatchObject({
      text: "That's booked, Priya.",
      interrupted: false,
      step: 'confirm',
    });
    expect(call.actor.getSnapshot().matches({ active: { turn: 'closing' } })).toBe(true);
  });

  it('drops a held reply that needs a second round while the booking stores, and replies afresh once stored', async () => {
    const { call, store } = await confirmedWhileBookingStores();
    call.actor.send(tools(details({ name: 'Priya Shah' })));
    expect(call.effects).toContain('replyStopped');
    store('BK-8');
    await vi.advanceTimersByTimeAsync(0);
    expect(call.effects).not.toContain('replyReleased');
    expect(call.replies.at(-1)).toMatchObject({ step: 'confirm' });
    expect(call.replies.at(-1)).not.toHaveProperty('speculative');
  });

  it('drops the held confirmation when the booking fails, and apologises instead', async () => {
    const call = startTestCall({ booking: async () => Promise.reject(new Error('disk full')) });
    atNameStep(call);
    call.actor.send({ type: 'CALLER.TURN_ENDING', text: 'Priya Shah' });
    call.actor.send({ type: 'TTS.FIRST_AUDIO', ttfbMs: 40 });
    call.actor.send({ type: 'CALLER.FINAL', text: 'Priya Shah.' });
    await vi.advanceTimersByTimeAsync(0);
    expect(call.effects).not.toContain('replyReleased');
    expect(call.replies.at(-1)).toMatchObject({ step: 'bookingFailed', notice: 'booking_not_kept' });
    expect(call.replies.at(-1)).not.toHaveProperty('speculative');
  });
});

describe('phrasing', () => {
  it('speaks Spanish with usted and the trade in Spanish', async () => {
    const { suggestedReply: reply, tradeLabelIn } = await import('../../machines/phrases.js');
    expect(reply('quote', undefined, FACTS, {}, 'es')).toMatch(/fontanero.*49 libras/);
    expect(reply('postcode', 'invalid_postcode', FACTS, {}, 'es')).toMatch(/código postal/);
    expect(tradeLabelIn('es', 'Roofer')).toBe('techador');
    expect(tradeLabelIn('es', 'chimney sweep')).toBe('chimney sweep');
    expect(tradeLabelIn('en', 'plumber')).toBe('plumber');
  });
});
