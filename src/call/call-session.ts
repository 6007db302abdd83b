import { createActor, type InspectionEvent } from 'xstate';
import { callMachine } from '../../machines/call.machine.js';
import type { CallFacts, Language } from '../../machines/call.types.js';
import type { CallMetadata } from '../agi/call-metadata.js';
import { systemClock } from '../clock.js';
import type { Logger } from '../log.js';
import type { LlmClient } from '../providers/llm/types.js';
import type { SttOptions, SttProvider } from '../providers/stt/types.js';
import type { TtsProvider } from '../providers/tts/types.js';
import type { BookingJournal } from '../store/booking-journal.js';
import type { CallStore } from '../store/types.js';
import type { CallerContext } from '../tenants/resolve-call-context.js';
import type { CallTransport, TransportAudioFormat } from '../transports/transport.js';
import { audioActor } from './audio-actor.js';
import type { BargeInOptions } from './barge-in.js';
import { CallLine } from './call-line.js';
import { type CallSummary, endCall, startCallRecord } from './call-summary.js';
import { CallerAudio } from './caller-audio.js';
import { fixedLines } from './fixed-lines.js';
import { type GreetingCache, timeOfDay } from './greeting.js';
import { greetingActor } from './greeting-actor.js';
import { LegOutcome, type ReportLegOutcome } from './leg-outcome.js';
import type { LineCache, LineSet } from './line-cache.js';
import type { CallObserver } from './observer.js';
import { replyActor } from './reply-actor.js';
import type { TtsWatchdogs } from './reply-voice.js';
import { saveBookingActor } from './save-booking-actor.js';
import { sttActor } from './stt-actor.js';
import { ttsActor } from './tts-actor.js';
import type { TurnEndOptions } from './turn-end.js';

export type { CallSummary } from './call-summary.js';

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
  journal: BookingJournal;
  lookupMetadata: (callId: string) => Promise<CallMetadata | undefined>;
  resolveContext: (args: { dialled: string; caller: string }) => Promise<CallerContext>;
  greetings: GreetingCache;
  observer: CallObserver;
  bargeIn: BargeInOptions;
  log: Logger;
  now?: () => number;
  inspect?: (callId: string) => ((ev: InspectionEvent) => void) | undefined;
  onTransfer?: (callId: string, facts: CallFacts) => void;
  /** Told when agent audio was stopped for a barge-in: detection time and flush time (clock ms). */
  onBargeIn?: (callId: string, detectedAt: number, stoppedAt: number) => void;
  /** End-of-turn timing and whether replies may start on an early end-of-turn estimate. */
  turnEnd: TurnEndOptions;
  /** Aborted when the server stops: every live call says goodbye and hangs up. */
  shutdownSignal?: AbortSignal;
  /** Told how the agent's leg ended (and the transfer number), before the hang-up. */
  reportOutcome?: ReportLegOutcome;
  /** Apology, transfer, goodbye and overflow lines synthesised ahead, played when a reply needs one. */
  lines?: LineCache;
  /** How long a reply's TTS context may keep the caller waiting before it is retried. */
  ttsWatchdogs?: TtsWatchdogs;
}

/** A transport that may still be learning its audio format (AudioSocket: from the first frame). */
export type SessionTransport = CallTransport & { formatReady?: Promise<TransportAudioFormat> };

/** 3 s of 20 ms frames: caller audio kept while the call is being set up. */
const EARLY_FRAMES_MAX = 150;

/**
 * Runs one call from connect to hang-up. This is the composition root of a call: it learns the audio
 * format and the call's metadata, resolves who is calling whom (opening the TTS socket meanwhile),
 * builds the call's data plane, supplies the chart's child actors with `provide()`, runs the actor to
 * its end and writes the summary. Everything in between is the chart and its actors.
 */
export async function runCall(transport: SessionTransport, deps: CallDeps): Promise<CallSummary> {
  const now = deps.now ?? systemClock.now;
  const connectedAt = now();
  const callId = transport.callId;
  let log = deps.log.child({ callId });

  const hungUpEarly = new Promise<'closed'>((resolve) => transport.on('closed', () => resolve('closed')));
  // Caller audio from the first frame on, kept until the audio actor takes over: nothing said while
  // the call is being set up is lost.
  const early: Buffer[] = [];
  let onFrame: (frame: Buffer) => void = (frame) => {
    if (early.length < EARLY_FRAMES_MAX) early.push(frame);
  };
  transport.on('audio', (frame) => onFrame(frame));

  const ready = Promise.all([
    transport.formatReady ?? Promise.resolve(transport.format),
    deps.lookupMetadata(callId),
  ]);
  const first = await Promise.race([ready, hungUpEarly]);
  if (first === 'closed') {
    log.info('caller hung up before the call was set up');
    return { callId, outcome: 'caller-hangup', turns: 0, bargeIns: 0 };
  }
  const [format, meta] = first;
  const ttsFormat: LineSet['format'] = {
    encoding: format.encoding === 'mulaw' ? 'pcm_mulaw' : 'pcm_s16le',
    sampleRate: format.sampleRate,
    modelId: deps.ttsModelId,
  };
  // Word times let an interrupted reply be cut to exactly what the caller heard.
  const tts = deps.tts.open({ ...ttsFormat, wordTimestamps: true }, log);
  tts.catch(() => {}); // the tts actor reports it
  const caller = await deps.resolveContext({ dialled: meta?.did ?? '', caller: meta?.callerId ?? '' });
  log = log.child({ tenant: caller.tenant.id });
  const facts: CallFacts = {
    companyName: caller.tenant.companyName,
    trade: caller.tenant.trade,
    tradeLabel: caller.tenant.tradeLabel,
    calloutFee: caller.tenant.calloutFee,
    area: caller.tenant.area,
    isRepeatCaller: caller.isRepeatCaller,
    timeOfDay: timeOfDay(caller.tenant.timeZone),
    // Only a transport that can transfer makes the promise depend on the tenant's transfer number.
    ...(transport.transferOnHangup ? { canTransfer: Boolean(caller.tenant.transferNumber) } : {}),
  };
  const line = new CallLine(
    transport,
    format,
    caller,
    facts,
    tts,
    deps.defaultVoices,
    deps.observer,
    log,
    now,
    connectedAt,
  );
  startCallRecord(line, deps.store, meta?.did ?? '');
  // What the caller had heard of the reply when they hung up (read before the reply child stops).
  let heardAtHangup = '';
  transport.on('closed', () => {
    heardAtHangup = line.heard();
  });
  const legOutcome = new LegOutcome(line, deps.reportOutcome);
  // In the background on a socket of its own: the first call of its kind fills the cache for the rest.
  void deps.lines?.prepare(
    { tenantId: line.tenantId, language: caller.language, format: ttsFormat },
    fixedLines(facts, caller.language),
    (l) => line.voice(caller.language, l.step),
    deps.tts,
    log,
  );

  const callerAudio = new CallerAudio(line, deps.bargeIn, () =>
    actor.send({ type: 'CALLER.SPEECH_STARTED', source: 'vad', heardText: line.heard() }),
  );
  const actor = createActor(
    callMachine.provide({
      actors: {
        audio: audioActor({
          line,
          callerAudio,
          routeCallerFrames: (route) => {
            onFrame = route;
            for (const frame of early.splice(0)) route(frame);
          },
          ...(deps.onBargeIn ? { onBargeIn: deps.onBargeIn } : {}),
          legOutcome,
        }),
        stt: sttActor({
          line,
          callerAudio,
          stt: deps.stt,
          options: deps.sttOptions,
          language: deps.sttLanguage,
          turnEnd: deps.turnEnd,
        }),
        tts: ttsActor(line),
        greeting: greetingActor({ line, greetings: deps.greetings, store: deps.store }),
        reply: replyActor({
          line,
          callerAudio,
          llm: deps.llm,
          llmOptions: deps.llmOptions,
          ...(deps.lines ? { lines: { cache: deps.lines, format: ttsFormat } } : {}),
          ...(deps.ttsWatchdogs ? { ttsWatchdogs: deps.ttsWatchdogs } : {}),
        }),
        saveBooking: saveBookingActor({ line, store: deps.store, journal: deps.journal }),
      },
      actions: {
        transferCall: () => {
          log.info('transferring to a person');
          if (caller.tenant.transferNumber) transport.transferOnHangup?.(caller.tenant.transferNumber);
          deps.onTransfer?.(callId, facts);
        },
      },
    }),
    { input: { callId, language: caller.language, facts }, inspect: deps.inspect?.(callId) },
  );
  actor.on('caller.turn', (e) => line.turns.callerFinal(e.text, line.finalVoicedAt));
  actor.on('speculation', (e) => {
    line.turns.speculation(e.result);
    line.observer.speculation(line.tenantId, e.result);
  });
  actor.on('agent.turn', (e) => {
    const record = line.turns.agentDone(e.text, e.interrupted, e.step);
    line.observer.turn(line.tenantId, record);
    deps.store.addTurn(record).catch((err) => log.error({ err }, 'could not store turn'));
  });
  const done = new Promise<void>((resolve) => actor.subscribe({ complete: resolve, error: () => resolve() }));
  const shutdown = () => actor.send({ type: 'SYSTEM.SHUTDOWN' });
  deps.shutdownSignal?.addEventListener('abort', shutdown, { once: true });

  actor.start();
  if (deps.shutdownSignal?.aborted) shutdown();
  await Promise.race([done, hungUpEarly]);
  deps.shutdownSignal?.removeEventListener('abort', shutdown);
  return endCall(line, actor, deps.store, legOutcome, heardAtHangup);
}
