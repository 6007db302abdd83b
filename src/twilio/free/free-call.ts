import { type Actor, createActor, fromCallback, fromPromise } from 'xstate';
import { callMachine } from '../../../machines/call.machine.js';
import {
  type AudioCommand,
  type BookingRequest,
  type BookingResult,
  type CallChildInput,
  type CallEvent,
  type CallFacts,
  CLOSING_STEPS,
  type GreetingInput,
  type Language,
} from '../../../machines/call.types.js';
import { greetingText } from '../../../machines/phrases.js';
import type { CallSummary } from '../../call/call-session.js';
import { timeOfDay } from '../../call/greeting.js';
import type { CallObserver } from '../../call/observer.js';
import type { Logger } from '../../log.js';
import type { LlmClient } from '../../providers/llm/types.js';
import type { BookingJournal } from '../../store/booking-journal.js';
import type { CallEnd, CallStore } from '../../store/types.js';
import type { CallerContext } from '../../tenants/resolve-call-context.js';
import { dialNumber, finalTwiml, gatherTwiml, pollTwiml } from '../twiml.js';
import { ChangeSignal } from './change-signal.js';
import { saveFreeTierBooking } from './free-booking.js';
import { textReplyActor } from './text-reply.js';

export interface FreeCallDeps {
  llm: LlmClient;
  llmOptions: { maxTokens: number; temperature: number };
  store: CallStore;
  journal: BookingJournal;
  observer: CallObserver;
  log: Logger;
  /** Test hook: the machine with shorter deadlines. */
  machine?: typeof callMachine;
  /** How long one webhook waits for the agent's next words before asking Twilio to come back. */
  answerWaitMs?: number;
}

/**
 * Twilio reads the prompt out and then listens, all inside one webhook round, and the chart's silence
 * clock starts when the TwiML leaves: it must cover the prompt being spoken as well as the pause.
 */
const FREE_TIER_DELAYS = { silenceDeadline: 20_000 };

interface Words {
  text: string;
  language: Language;
  /** The reply of a closing step: say it, then hang up (or dial). */
  last: boolean;
}

/**
 * One Free-tier call: the same call statechart as a voice call, with text-only effects. Each webhook
 * round hands Twilio the agent's next words as <Say> inside a speech <Gather>, and the caller's
 * SpeechResult comes back to the same actor. PLAYOUT.DONE is sent once the TwiML has been returned.
 */
export class FreeCall {
  private readonly actor: Actor<typeof callMachine>;
  private readonly facts: CallFacts;
  private readonly log: Logger;
  private readonly startedAt = Date.now();
  private outbox: Words | undefined;
  private dialTo: string | undefined;
  private readonly changes = new ChangeSignal();
  private ended = false;
  private turnIndex = 0;
  private callerText = '';
  private provider: string | null = null;
  private ttftMs: number | null = null;
  /** LLM requests made for the turn being answered (a tool call costs a second one). */
  private llmRounds = 0;
  private fallbacks = 0;
  private providerErrors = 0;

  constructor(
    readonly callSid: string,
    private readonly ctx: CallerContext,
    private readonly meta: { did: string; callerId: string },
    private readonly deps: FreeCallDeps,
    private readonly gatherUrl: string,
    private readonly onEnded: (summary: CallSummary) => void,
  ) {
    this.log = deps.log.child({ callId: callSid, tenant: ctx.tenant.id, tier: 'free' });
    this.facts = {
      companyName: ctx.tenant.companyName,
      trade: ctx.tenant.trade,
      tradeLabel: ctx.tenant.tradeLabel,
      calloutFee: ctx.tenant.calloutFee,
      area: ctx.tenant.area,
      isRepeatCaller: ctx.isRepeatCaller,
      timeOfDay: timeOfDay(ctx.tenant.timeZone),
      canTransfer: Boolean(ctx.tenant.transferNumber),
    };
    const machine = (deps.machine ?? callMachine).provide({
      delays: FREE_TIER_DELAYS,
      actors: {
        reply: textReplyActor({
          llm: deps.llm,
          llmOptions: deps.llmOptions,
          log: this.log,
          onText: (text, input) =>
            this.put({ text, language: input.language, last: CLOSING_STEPS.includes(input.step) }),
          onFirstToken: (provider, ttftMs) => {
            this.provider = provider;
            this.ttftMs ??= ttftMs;
            this.llmRounds++;
          },
          onFallback: (from, to) => {
            this.fallbacks++;
            deps.observer.fallback(from, to);
          },
          onError: (provider, kind) => {
            this.providerErrors++;
            deps.observer.providerError(provider, kind);
          },
        }),
        saveBooking: fromPromise<BookingResult, BookingRequest>(({ input }) =>
          saveFreeTierBooking(input, ctx, { ...deps, log: this.log }),
        ),
        // No audio reaches callchart on this tier: Twilio hears the caller and Polly speaks.
        audio: fromCallback<AudioCommand, CallChildInput>(({ receive }) => {
          receive((command) => {
            // Stop: words not yet handed to Twilio are dropped. Hang up: the next TwiML ends the call.
            if (command.type === 'AUDIO.STOP') this.outbox = undefined;
            this.wake();
          });
        }),
        stt: fromCallback(() => undefined),
        tts: fromCallback(() => undefined),
        greeting: fromCallback<CallEvent, GreetingInput>(({ input }) => {
          const text = greetingText(input.facts, input.language);
          this.storeTurn(text, 'greet'); // turn 0, as for voice calls
          this.put({ text, language: input.language, last: false });
        }),
      },
      actions: {
        transferCall: () => {
          const number = ctx.tenant.transferNumber;
          this.log.info({ to: number }, 'transferring to a person');
          if (number) this.dialTo = dialNumber(number);
        },
      },
    });
    this.actor = createActor(machine, {
      input: { callId: callSid, language: ctx.language, facts: this.facts },
    });
    this.actor.on('caller.turn', (e) => {
      this.callerText = e.text;
    });
    this.actor.on('agent.turn', (e) => this.storeTurn(e.text, e.step));
    this.actor.subscribe({
      next: () => this.wake(),
      complete: () => this.end('chart ended'),
      error: (err) => {
        this.log.error({ err }, 'call actor failed');
        this.end('error');
      },
    });
  }

  /** The call has just arrived: the greeting. */
  start(): Promise<string> {
    this.deps.observer.callStarted(this.ctx.tenant.id);
    void this.deps.store
      .startCall({
        callId: this.callSid,
        tenantId: this.ctx.tenant.id,
        callerMasked: this.ctx.callerMasked,
        callerHash: this.ctx.callerHash,
        dialled: this.meta.did,
        language: this.ctx.language,
        startedAt: this.startedAt,
      })
      .catch((err) => this.log.error({ err }, 'could not store call start'));
    this.actor.start();
    this.deps.observer.answered(this.ctx.tenant.id, Date.now() - this.startedAt);
    return this.respond();
  }

  /** A <Gather> round came back, with what the caller said (undefined or '' when nothing was heard). */
  gather(speech: string | undefined): Promise<string> {
    const text = speech?.trim().slice(0, 1000) ?? '';
    if (text && this.actor.getSnapshot().status === 'active') {
      this.actor.send({ type: 'CALLER.FINAL', text });
    }
    return this.respond();
  }

  /** The call is over (status callback, idle deadline, shutdown). Safe to call twice. */
  end(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    const snap = this.actor.getSnapshot();
    if (snap.status === 'active') this.actor.send({ type: 'HANGUP' });
    const c = this.actor.getSnapshot().context;
    this.actor.stop();
    const end: CallEnd = {
      callId: this.callSid,
      endedAt: Date.now(),
      outcome: c.outcome ?? 'caller-hangup',
      metrics: {
        durationMs: Date.now() - this.startedAt,
        turns: c.turn,
        bargeIns: 0,
        booked: Boolean(c.bookingId),
        answerToFirstAudioMs: null,
        providerErrors: this.providerErrors,
        fallbacks: this.fallbacks,
      },
    };
    void this.deps.store.endCall(end).catch((err) => this.log.error({ err }, 'could not store call end'));
    this.deps.observer.callEnded(this.ctx.tenant.id, end);
    this.log.info({ reason, outcome: end.outcome, turns: c.turn, bookingId: c.bookingId }, 'call ended');
    this.wake();
    this.onEnded({
      callId: this.callSid,
      outcome: end.outcome,
      ...(c.bookingId ? { bookingId: c.bookingId } : {}),
      turns: c.turn,
      bargeIns: 0,
    });
  }

  get isEnded(): boolean {
    return this.ended;
  }

  private put(words: Words): void {
    this.outbox = words;
    this.wake();
  }

  private wake(): void {
    this.changes.notify();
  }

  /** Waits until there is something to tell Twilio: words, a hang-up, or "keep listening". */
  private async respond(): Promise<string> {
    const deadline = Date.now() + (this.deps.answerWaitMs ?? 10_000);
    for (;;) {
      const twiml = this.nextTwiml();
      if (twiml) return twiml;
      const left = deadline - Date.now();
      if (left <= 0 || !(await this.changes.next(left))) return pollTwiml(this.gatherUrl);
    }
  }

  private nextTwiml(): string | undefined {
    const language = this.actor.getSnapshot().context.language;
    const words = this.outbox;
    if (words && !this.ended) {
      this.outbox = undefined;
      // The chart moves on once Twilio has the words (it reads them out on its own).
      setImmediate(() => {
        if (this.actor.getSnapshot().status === 'active') this.actor.send({ type: 'PLAYOUT.DONE' });
      });
      return words.last
        ? finalTwiml({ text: words.text, language: words.language, ...this.dial() })
        : gatherTwiml({ text: words.text, language: words.language, action: this.gatherUrl });
    }
    const snap = this.actor.getSnapshot();
    if (this.ended || snap.status !== 'active' || snap.matches({ active: { turn: 'closing' } })) {
      return finalTwiml({ language, ...this.dial() });
    }
    if (snap.matches({ active: { turn: 'listening' } })) {
      return gatherTwiml({ language, action: this.gatherUrl });
    }
    return undefined; // thinking, deciding: the words are on their way
  }

  private dial(): { dialTo?: string } {
    return this.dialTo ? { dialTo: this.dialTo } : {};
  }

  private storeTurn(text: string, step: string): void {
    const index = this.turnIndex++;
    const record = {
      callId: this.callSid,
      index,
      step,
      callerText: index === 0 ? '' : this.callerText,
      agentText: text,
      bargeIn: false,
      sttFinalMs: null,
      llmTtftMs: index === 0 ? null : this.ttftMs,
      ttsTtfbMs: null,
      mouthToEarMs: null,
      bargeInStopMs: null,
      llmProvider: index === 0 ? null : this.provider,
      llmRounds: index === 0 ? null : this.llmRounds,
      llmRequests: index === 0 ? null : this.llmRounds,
      speculative: false,
      at: Date.now(),
    };
    this.callerText = '';
    this.ttftMs = null;
    this.llmRounds = 0;
    this.deps.observer.turn(this.ctx.tenant.id, record);
    this.deps.store.addTurn(record).catch((err) => this.log.error({ err }, 'could not store turn'));
  }
}
