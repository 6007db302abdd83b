import type { CallFacts, Language, Step } from '../../machines/call.types.js';
import type { Logger } from '../log.js';
import type { TtsSession, TtsVoice } from '../providers/tts/types.js';
import type { CallerContext } from '../tenants/resolve-call-context.js';
import type { CallTransport, TransportAudioFormat } from '../transports/transport.js';
import type { CallObserver } from './observer.js';
import { TurnRecorder } from './turn-recorder.js';

/** Whoever is speaking to the caller now (the greeting or a reply). */
export interface Speaker {
  /** What the caller has heard of it so far (for barge-in truncation). */
  heard(): string;
  /** The transport's playout queue ran dry. */
  onPlayoutDrained(): void;
}

/** Emotion per step (Sonic-3): warm hello, sympathy while hearing the problem, thanks at the end. */
export const EMOTION: Partial<Record<Step, string>> = {
  greet: 'excited',
  understand: 'sympathetic',
  confirm: 'grateful',
  bookingFailed: 'apologetic',
};

/** Call figures the actors count and the summary reports. */
export interface CallStats {
  answeredMs: number | null;
  providerErrors: number;
  fallbacks: number;
}

/**
 * The data plane of one call, shared by its child actors: the transport, the TTS session, who is
 * speaking, and the per-turn figures. The actors talk to each other through this object (audio never
 * passes through the statechart); the chart only hears their milestones.
 */
export class CallLine {
  readonly bytesPerMs: number;
  readonly turns: TurnRecorder;
  readonly stats: CallStats = { answeredMs: null, providerErrors: 0, fallbacks: 0 };
  readonly observer: CallObserver;
  speaker: Speaker | undefined;
  /** When the caller's last voiced frame arrived, and the one that ended the turn being answered. */
  lastVoicedAt: number | null = null;
  finalVoicedAt: number | null = null;
  /** When the current barge-in was detected (VAD or STT), until the agent audio is stopped. */
  bargeInAt: number | null = null;
  /** Replies in a row the TTS failed before any audio (reset by any TTS audio). */
  ttsFailuresInARow = 0;
  /** Provider sockets being closed by stopped actors; the summary waits for them (bounded by each close). */
  readonly closing: Promise<unknown>[] = [];

  constructor(
    readonly transport: CallTransport,
    readonly format: TransportAudioFormat,
    readonly caller: CallerContext,
    readonly facts: CallFacts,
    readonly tts: Promise<TtsSession>,
    private readonly defaultVoices: Record<Language, string>,
    observer: CallObserver,
    readonly log: Logger,
    readonly now: () => number,
    readonly connectedAt: number,
  ) {
    this.bytesPerMs = format.frameBytes / 20;
    this.turns = new TurnRecorder(transport.callId, now);
    this.observer = countingObserver(observer, this.stats);
  }

  get callId(): string {
    return this.transport.callId;
  }

  get tenantId(): string {
    return this.caller.tenant.id;
  }

  heard(): string {
    return this.speaker?.heard() ?? '';
  }

  voice(language: Language, step: Step): TtsVoice {
    return {
      voiceId: this.caller.tenant.voiceIds[language] || this.defaultVoices[language],
      language,
      emotion: EMOTION[step] ?? 'calm',
    };
  }
}

/** The app-wide observer, plus this call's own error and fallback counts for its summary. */
function countingObserver(o: CallObserver, stats: CallStats): CallObserver {
  return {
    ...o,
    providerError: (provider, kind) => {
      stats.providerErrors++;
      o.providerError(provider, kind);
    },
    fallback: (from, to) => {
      stats.fallbacks++;
      o.fallback(from, to);
    },
  };
}
