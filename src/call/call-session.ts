import { type Actor, createActor, fromPromise, type InspectionEvent } from 'xstate';
import { callMachine } from '../../machines/call.machine.js';
import type { BookingRequest, BookingResult, CallFacts, Language, Step } from '../../machines/call.types.js';
import { greetingText } from '../../machines/phrases.js';
import { rmsMulaw, rmsS16le, VOICED_RMS } from '../audio/energy.js';
import { systemClock } from '../clock.js';
import type { Logger } from '../log.js';
import type { LlmClient } from '../providers/llm/types.js';
import type { SttEvent, SttOptions, SttProvider, SttSession } from '../providers/stt/types.js';
import type { TtsContext, TtsProvider, TtsSession, TtsVoice } from '../providers/tts/types.js';
import type { BookingInput, CallEnd, CallStore, Tenant } from '../store/types.js';
import type { CallTransport, TransportAudioFormat } from '../transports/transport.js';
import { BargeInDetector, type BargeInOptions } from './barge-in.js';
import { GreetingCache, timeOfDay } from './greeting.js';
import type { CallObserver } from './observer.js';
import { type ActiveReply, replyActor } from './reply.js';
import { TurnRecorder } from './turn-recorder.js';

export interface CallMetadata {
  did?: string;
  callerId?: string;
}

export interface ResolvedContext {
  tenant: Tenant;
  isRepeatCaller: boolean;
  language: Language;
  callerHash: string;
  callerMasked: string;
}

export interface CallDeps {
  stt: SttProvider;
  sttOptions: Omit<SttOptions, 'encoding' | 'sampleRate' | 'language'>;
  /** STT language: a code or 'multi', or 'auto' to follow the caller's language. */
  sttLanguage: string;
  tts: TtsProvider;
  ttsModelId: string;
  /** Voices used when a tenant has none of its own. */
  defaultVoices: Record<Language, string>;
  llm: LlmClient;
  llmOptions: { maxTokens: number; temperature: number };
  store: CallStore;
  /** Keeps a booking the store could not take, to be replayed later. */
  journal: { append(b: BookingInput, reason: string): Promise<void> };
  lookupMetadata: (callId: string) => Promise<CallMetadata | undefined>;
  resolveContext: (args: { dialled: string; caller: string }) => Promise<ResolvedContext>;
  greetings: GreetingCache;
  observer: CallObserver;
  bargeIn: BargeInOptions;
  log: Logger;
  now?: () => number;
  /** Test hook: the machine with shorter deadlines. */
  machine?: typeof callMachine;
  inspect?: (callId: string) => ((ev: InspectionEvent) => void) | undefined;
  onTransfer?: (callId: string, facts: CallFacts) => void;
  /** Told when agent audio was stopped for a barge-in: detection time and flush time (clock ms). */
  onBargeIn?: (callId: string, detectedAt: number, stoppedAt: number) => void;
}

/** A transport that may still be learning its audio format (AudioSocket: from the first frame). */
export type SessionTransport = CallTransport & { formatReady?: Promise<TransportAudioFormat> };

export interface CallSummary {
  callId: string;
  outcome: CallEnd['outcome'];
  bookingId?: string;
  turns: number;
  bargeIns: number;
}

/** Emotion per step (Sonic-3): warm hello, sympathy while hearing the problem, thanks at the end. */
const EMOTION: Partial<Record<Step, string>> = {
  greet: 'excited',
  understand: 'sympathetic',
  confirm: 'grateful',
  bookingFailed: 'apologetic',
};

const STT_LANGUAGE: Record<Language, string> = { en: 'en-GB', es: 'es' };
/** Caller audio kept while the STT socket is still opening (the caller may talk over the greeting). */
const PRE_OPEN_BUFFER_MS = 3000;
/** 3 s of 20 ms frames: caller audio kept while the call is being set up. */
const EARLY_FRAMES_MAX = 150;

/**
 * Runs one call from connect to hang-up: resolves the tenant, pre-connects STT and TTS in parallel,
 * plays the cached greeting at once, then lets the call actor drive the conversation. Audio flows
 * transport -> (VAD, STT) and TTS -> transport here; only milestones reach the actor.
 */
export async function runCall(transport: SessionTransport, deps: CallDeps): Promise<CallSummary> {
  const now = deps.now ?? systemClock.now;
  const connectedAt = now();
  const callId = transport.callId;
  let log = deps.log.child({ callId });

  const endedEarly = new Promise<'closed'>((resolve) => transport.on('closed', () => resolve('closed')));
  // Caller audio from the first frame on: kept until the runtime is ready, so nothing said while the
  // tenant is being resolved is lost.
  const early: Buffer[] = [];
  let onAudio: (frame: Buffer) => void = (frame) => {
    if (early.length < EARLY_FRAMES_MAX) early.push(frame);
  };
  transport.on('audio', (frame) => onAudio(frame));
  const ready = Promise.all([
    transport.formatReady ?? Promise.resolve(transport.format),
    deps.lookupMetadata(callId),
  ]);
  const first = await Promise.race([ready, endedEarly]);
  if (first === 'closed') {
    log.info('caller hung up before the call was set up');
    return { callId, outcome: 'caller-hangup', turns: 0, bargeIns: 0 };
  }
  const [format, meta] = first;
  const ttsSessionP = deps.tts.open(
    {
      encoding: format.encoding === 'mulaw' ? 'pcm_mulaw' : 'pcm_s16le',
      sampleRate: format.sampleRate,
      modelId: deps.ttsModelId,
      // Word times let an interrupted reply be cut to exactly what the caller heard.
      wordTimestamps: true,
    },
    log,
  );
  ttsSessionP.catch(() => {}); // surfaced where it is awaited
  const ctx = await deps.resolveContext({ dialled: meta?.did ?? '', caller: meta?.callerId ?? '' });
  log = log.child({ tenant: ctx.tenant.id });
  const facts: CallFacts = {
    companyName: ctx.tenant.companyName,
    trade: ctx.tenant.trade,
    tradeLabel: ctx.tenant.tradeLabel,
    calloutFee: ctx.tenant.calloutFee,
    area: ctx.tenant.area,
    isRepeatCaller: ctx.isRepeatCaller,
    timeOfDay: timeOfDay(ctx.tenant.timeZone),
    // Only a transport that can transfer makes the promise depend on the tenant's transfer number.
    ...(transport.transferOnHangup ? { canTransfer: Boolean(ctx.tenant.transferNumber) } : {}),
  };
  const session = new CallRuntime(
    transport,
    format,
    deps,
    log,
    now,
    connectedAt,
    ctx,
    facts,
    ttsSessionP,
    meta,
  );
  const running = session.run(endedEarly); // the actor exists once run() first yields
  onAudio = (frame) => session.onCallerAudio(frame);
  for (const frame of early.splice(0)) session.onCallerAudio(frame);
  return running;
}

class CallRuntime {
  private actor!: Actor<typeof callMachine>;
  private stt: SttSession | undefined;
  private readonly preOpen: Buffer[] = [];
  private preOpenBytes = 0;
  private current: ActiveReply | undefined;
  private greetingPlaying = false;
  private greetingContext: TtsContext | undefined;
  private greetingDone = false;
  private readonly detector: BargeInDetector;
  private readonly turns: TurnRecorder;
  private readonly bytesPerMs: number;
  private readonly silence: Buffer;
  private lastVoicedAt: number | null = null;
  private finalVoicedAt: number | null = null;
  private pendingFinal: string[] = [];
  private bargeInAt: number | null = null;
  private answeredMs: number | null = null;
  private providerErrors = 0;
  private fallbacks = 0;
  private closed = false;

  constructor(
    private readonly transport: SessionTransport,
    private readonly format: TransportAudioFormat,
    private readonly deps: CallDeps,
    private readonly log: Logger,
    private readonly now: () => number,
    private readonly connectedAt: number,
    private readonly ctx: ResolvedContext,
    private readonly facts: CallFacts,
    private readonly ttsSession: Promise<TtsSession>,
    private readonly meta: CallMetadata | undefined,
  ) {
    this.detector = new BargeInDetector(deps.bargeIn);
    this.turns = new TurnRecorder(transport.callId, now);
    this.bytesPerMs = format.frameBytes / 20;
    this.silence = Buffer.alloc(format.frameBytes * 3, format.encoding === 'mulaw' ? 0xff : 0);
  }

  async run(endedEarly: Promise<'closed'>): Promise<CallSummary> {
    const { deps, transport, log } = this;
    const observer = this.countingObserver();
    deps.observer.callStarted(this.ctx.tenant.id);
    void deps.store
      .startCall({
        callId: transport.callId,
        tenantId: this.ctx.tenant.id,
        callerMasked: this.ctx.callerMasked,
        callerHash: this.ctx.callerHash,
        dialled: this.meta?.did ?? '',
        language: this.ctx.language,
        startedAt: Date.now(),
      })
      .catch((err) => log.error({ err }, 'could not store call start'));

    transport.on('playoutDone', () => this.onPlayoutDrained());
    transport.on('dtmf', (digit) => this.actor?.send({ type: 'DTMF', digit }));

    this.actor = createActor(
      (deps.machine ?? callMachine).provide({
        actors: {
          reply: replyActor({
            llm: deps.llm,
            tts: () => this.ttsSession,
            voice: (language, step) => this.voice(language, step),
            transport,
            turns: this.turns,
            observer,
            tenantId: this.ctx.tenant.id,
            llmOptions: deps.llmOptions,
            bytesPerMs: this.bytesPerMs,
            log,
            setCurrent: (r) => {
              this.current = r;
              this.detector.reset();
            },
          }),
          saveBooking: fromPromise<BookingResult, BookingRequest>(({ input }) => this.saveBooking(input)),
        },
        actions: {
          playGreeting: () => void this.playGreeting(),
          stopPlayout: () => this.stopPlayout(),
          finalizeTranscript: () => this.stt?.finalize(),
          transferCall: () => {
            log.info('transferring to a person');
            if (this.ctx.tenant.transferNumber) transport.transferOnHangup?.(this.ctx.tenant.transferNumber);
            deps.onTransfer?.(transport.callId, this.facts);
          },
          hangUp: () => transport.hangup({ afterPlayout: true }),
        },
      }),
      {
        input: { callId: transport.callId, language: this.ctx.language, facts: this.facts },
        inspect: deps.inspect?.(transport.callId),
      },
    );
    this.actor.on('caller.turn', () => this.turns.callerFinal(this.turnCallerText(), this.finalVoicedAt));
    this.actor.on('agent.turn', (e) => this.storeTurn(e.text, e.interrupted, e.step));

    const done = new Promise<void>((resolve) => {
      this.actor.subscribe({ complete: () => resolve(), error: () => resolve() });
    });
    this.actor.start();
    void this.openStt(observer);

    await Promise.race([done, endedEarly]);
    return this.finish();
  }

  /** The caller text of the turn being accepted (joined finals). */
  private lastCallerText = '';
  private turnCallerText(): string {
    return this.lastCallerText;
  }

  private countingObserver(): CallObserver {
    const o = this.deps.observer;
    return {
      ...o,
      providerError: (p, k) => {
        this.providerErrors++;
        o.providerError(p, k);
      },
      fallback: (f, t) => {
        this.fallbacks++;
        o.fallback(f, t);
      },
    };
  }

  private voice(language: Language, step: Step): TtsVoice {
    return {
      voiceId: this.ctx.tenant.voiceIds[language] || this.deps.defaultVoices[language],
      language,
      emotion: EMOTION[step] ?? 'calm',
    };
  }

  private async openStt(observer: CallObserver): Promise<void> {
    const { deps, format, log } = this;
    try {
      this.stt = await deps.stt.open(
        {
          ...deps.sttOptions,
          encoding: format.encoding === 'mulaw' ? 'mulaw' : 'linear16',
          sampleRate: format.sampleRate === 16000 ? 16000 : 8000,
          language: deps.sttLanguage === 'auto' ? STT_LANGUAGE[this.ctx.language] : deps.sttLanguage,
        },
        (e) => this.onSttEvent(e, observer),
        log,
      );
      if (this.closed) {
        await this.stt.close();
        return;
      }
      for (const chunk of this.preOpen) this.stt.sendAudio(chunk);
      this.preOpen.length = 0;
    } catch (err) {
      observer.providerError('stt', 'connect');
      log.error({ err }, 'speech-to-text unavailable; handing the call to a person');
      this.actor.send({ type: 'CALLER.ASKED_FOR_HUMAN' });
      this.actor.send({ type: 'WORKFLOW.SETTLE' });
    }
  }

  private onSttEvent(e: SttEvent, observer: CallObserver): void {
    switch (e.type) {
      case 'speech-started':
        if (this.transport.bargeIn === false && this.agentAudible()) break;
        this.bargeInAt = this.now();
        this.actor.send({
          type: 'CALLER.SPEECH_STARTED',
          source: 'stt',
          heardText: this.current?.heard() ?? '',
        });
        break;
      case 'final':
        if (e.text.trim()) this.pendingFinal.push(e.text.trim());
        if (e.speechFinal) this.flushFinal();
        break;
      case 'utterance-end':
        this.flushFinal();
        break;
      case 'reconnecting':
        this.log.warn({ attempt: e.attempt, code: e.code }, 'speech-to-text socket dropped; reconnecting');
        break;
      case 'error':
        observer.providerError('stt', e.fatal ? 'fatal' : 'error');
        this.log.error({ err: e.error, fatal: e.fatal }, 'speech-to-text error');
        if (e.fatal && !this.closed) {
          this.actor.send({ type: 'CALLER.ASKED_FOR_HUMAN' });
          this.actor.send({ type: 'WORKFLOW.SETTLE' });
        }
        break;
      default:
        break;
    }
  }

  private flushFinal(): void {
    if (!this.pendingFinal.length) return;
    const text = this.pendingFinal.join(' ');
    this.pendingFinal = [];
    this.lastCallerText = text;
    this.finalVoicedAt = this.lastVoicedAt;
    this.actor.send({ type: 'CALLER.FINAL', text });
  }

  onCallerAudio(frame: Buffer): void {
    if (this.closed) return;
    const rms = this.format.encoding === 'mulaw' ? rmsMulaw(frame) : rmsS16le(frame);
    const frameMs = frame.length / this.bytesPerMs;
    // The agent is audible while its reply plays and briefly after (the echo tail).
    const agentRms = this.transport.recentOutputRms(250);
    const agentAudible = agentRms > 0 || this.transport.queuedMs() > 0;
    let toStt = frame;
    if (agentAudible && this.transport.bargeIn === false) {
      // No barge-in on this line: the caller cannot interrupt, and echo must not reach the STT.
      this.detector.reset();
      toStt = this.silence.subarray(0, frame.length);
    } else if (agentAudible) {
      const verdict = this.detector.onFrame(rms, frameMs, agentRms);
      if (verdict === 'quiet') toStt = this.silence.subarray(0, frame.length);
      else this.lastVoicedAt = this.now();
      if (verdict === 'barge-in' && (this.current || this.greetingPlaying)) {
        this.bargeInAt = this.now();
        this.actor.send({
          type: 'CALLER.SPEECH_STARTED',
          source: 'vad',
          heardText: this.current?.heard() ?? '',
        });
      }
    } else {
      this.detector.reset();
      if (rms > VOICED_RMS) this.lastVoicedAt = this.now();
    }
    if (this.stt) this.stt.sendAudio(toStt);
    else this.bufferBeforeOpen(toStt);
  }

  private agentAudible(): boolean {
    return this.transport.recentOutputRms(250) > 0 || this.transport.queuedMs() > 0;
  }

  private bufferBeforeOpen(frame: Buffer): void {
    this.preOpen.push(frame);
    this.preOpenBytes += frame.length;
    while (this.preOpenBytes > PRE_OPEN_BUFFER_MS * this.bytesPerMs) {
      this.preOpenBytes -= this.preOpen.shift()?.length ?? 0;
    }
  }

  private onPlayoutDrained(): void {
    if (this.current) {
      this.current.onPlayoutDrained();
      return;
    }
    if (this.greetingPlaying && this.transport.queuedMs() === 0 && this.greetingComplete()) {
      this.greetingPlaying = false;
      this.actor.send({ type: 'PLAYOUT.DONE' });
    }
  }

  private async playGreeting(): Promise<void> {
    const { deps, ctx, format, log } = this;
    const language = ctx.language;
    const voice = this.voice(language, 'greet');
    const key = {
      tenantId: ctx.tenant.id,
      language,
      timeOfDay: this.facts.timeOfDay,
      format: `${format.encoding}/${format.sampleRate}/${voice.voiceId}`,
    };
    const cached = deps.greetings.get(key);
    if (cached) {
      this.startGreeting();
      this.transport.play(cached);
      return;
    }
    // First call of its kind: stream it, and keep the whole clip for the next caller.
    try {
      const session = await this.ttsSession;
      if (!this.stillGreeting()) return;
      const parts: Buffer[] = [];
      const context = session.context(voice, (e) => {
        if (e.type === 'audio') {
          parts.push(e.audio);
          if (!this.greetingPlaying && !this.stillGreeting()) return;
          if (parts.length === 1) this.startGreeting();
          if (this.greetingPlaying) this.transport.play(e.audio);
        } else if (e.type === 'done') {
          this.greetingDone = true;
          deps.greetings.set(key, Buffer.concat(parts));
          this.onPlayoutDrained();
        } else if (e.type === 'error') {
          log.error({ err: e.error }, 'greeting could not be synthesised; listening instead');
          if (this.stillGreeting()) this.actor.send({ type: 'PLAYOUT.DONE' });
        }
      });
      this.greetingContext = context;
      context.push(greetingText(this.facts, language));
      context.finish();
    } catch (err) {
      log.error({ err }, 'text-to-speech unavailable for the greeting; listening instead');
      if (this.stillGreeting()) this.actor.send({ type: 'PLAYOUT.DONE' });
    }
  }

  private stillGreeting(): boolean {
    return !this.closed && this.actor.getSnapshot().matches({ active: { turn: 'greeting' } });
  }

  private startGreeting(): void {
    this.greetingPlaying = true;
    this.answeredMs = this.now() - this.connectedAt;
    // The greeting is turn 0: no caller words and no provider round trip, only answer-to-first-audio.
    void this.deps.store.addTurn({
      callId: this.transport.callId,
      index: 0,
      step: 'greet',
      callerText: '',
      agentText: greetingText(this.facts, this.ctx.language),
      bargeIn: false,
      sttFinalMs: null,
      llmTtftMs: null,
      ttsTtfbMs: null,
      mouthToEarMs: null,
      bargeInStopMs: null,
      llmProvider: null,
      at: Date.now(),
    });
    this.deps.observer.answered(this.ctx.tenant.id, this.answeredMs);
    this.log.info({ answerToFirstAudioMs: Math.round(this.answeredMs) }, 'greeting playing');
  }

  /** A cached greeting is complete once queued; a streamed one when its context is done. */
  private greetingComplete(): boolean {
    return this.greetingContext === undefined || this.greetingDone;
  }

  private stopPlayout(): void {
    const dropped = this.transport.flush();
    this.greetingPlaying = false;
    if (!this.greetingDone) this.greetingContext?.cancel();
    if (this.bargeInAt !== null) {
      const stoppedAt = this.now();
      this.turns.bargeInStopped(stoppedAt - this.bargeInAt);
      this.deps.onBargeIn?.(this.transport.callId, this.bargeInAt, stoppedAt);
      this.deps.observer.bargeIn(this.ctx.tenant.id);
      this.log.info({ droppedMs: Math.round(dropped) }, 'barge-in: agent audio stopped');
    }
  }

  private async saveBooking(input: BookingRequest): Promise<BookingResult> {
    const booking: BookingInput = {
      callId: input.callId,
      tenantId: this.ctx.tenant.id,
      customerName: input.name,
      postcode: input.postcode,
      address: input.address,
      problem: input.problem,
      callerMasked: this.ctx.callerMasked,
      callerHash: this.ctx.callerHash,
    };
    try {
      const { booking: row, created } = await this.deps.store.createBooking(booking);
      if (created) this.deps.observer.bookingMade(this.ctx.tenant.id);
      this.log.info({ bookingId: row.id, created }, 'booking committed');
      return { bookingId: row.id };
    } catch (err) {
      this.log.error({ err }, 'booking write failed; kept in the retry journal');
      await this.deps.journal
        .append(booking, String((err as Error)?.message ?? err))
        .catch((e) =>
          this.log.fatal(
            { err: e, booking: { ...booking, callerMasked: undefined } },
            'booking journal failed',
          ),
        );
      throw err;
    }
  }

  private storeTurn(text: string, interrupted: boolean, step: Step): void {
    const record = this.turns.agentDone(text, interrupted, step);
    this.deps.observer.turn(this.ctx.tenant.id, record);
    this.deps.store.addTurn(record).catch((err) => this.log.error({ err }, 'could not store turn'));
  }

  private async finish(): Promise<CallSummary> {
    this.closed = true;
    const { actor, deps, transport, log } = this;
    if (actor.getSnapshot().status === 'active') actor.send({ type: 'HANGUP' });
    if (!transport.closed) transport.hangup();
    const snap = actor.getSnapshot();
    actor.stop();
    const c = snap.context;
    const outcome: CallEnd['outcome'] = c.outcome ?? 'caller-hangup';
    const end: CallEnd = {
      callId: transport.callId,
      endedAt: Date.now(),
      outcome,
      metrics: {
        durationMs: Math.round(this.now() - this.connectedAt),
        turns: c.turn,
        bargeIns: c.bargeIns,
        booked: Boolean(c.bookingId),
        answerToFirstAudioMs: this.answeredMs === null ? null : Math.round(this.answeredMs * 10) / 10,
        providerErrors: this.providerErrors,
        fallbacks: this.fallbacks,
      },
    };
    await Promise.allSettled([
      this.stt?.close(),
      this.ttsSession.then((s) => s.close()),
      deps.store.endCall(end),
    ]);
    deps.observer.callEnded(this.ctx.tenant.id, end);
    log.info({ outcome: c.outcome ?? 'caller-hangup', ...end.metrics, bookingId: c.bookingId }, 'call ended');
    return {
      callId: transport.callId,
      outcome: end.outcome,
      bookingId: c.bookingId,
      turns: c.turn,
      bargeIns: c.bargeIns,
    };
  }
}

export { GreetingCache };
