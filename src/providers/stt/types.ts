import type { Logger } from '../../log.js';

/** Audio the STT session receives; follows the transport so nothing is transcoded on the hot path. */
export interface SttAudioFormat {
  encoding: 'linear16' | 'mulaw';
  sampleRate: 8000 | 16000;
}

export interface SttOptions extends SttAudioFormat {
  model: string; // nova-3
  language: string; // en-GB, es, multi
  interimResults: boolean;
  endpointingMs: number; // silence that closes an utterance (speech_final)
  utteranceEndMs: number; // UtteranceEnd after this word gap
  vadEvents: boolean; // SpeechStarted
  smartFormat: boolean;
  keyterms: string[]; // Nova-3 keyterm prompting
  /** Flux (model flux-general-en / flux-general-multi) end-of-turn settings; Nova ignores them. */
  flux?: FluxTurnOptions;
}

export interface FluxTurnOptions {
  /** 0.3-0.9; unset: no eager-end-of-turn / turn-resumed events. */
  eagerEotThreshold?: number;
  /** 0.5-1.0 (1 leaves only the timeout). */
  eotThreshold: number;
  /** Ends the turn this long after speech stops, whatever the confidence (500-60000). */
  eotTimeoutMs: number;
}

/** The `reconnecting` code of a socket given up because it answered nothing while the caller spoke. */
export const STT_SILENT_SOCKET_CODE = 4900;

export type SttEvent =
  | { type: 'speech-started'; audioSec: number }
  | { type: 'interim'; text: string }
  | {
      type: 'final';
      text: string;
      speechFinal: boolean;
      fromFinalize: boolean;
      startSec: number;
      durationSec: number;
    }
  | { type: 'utterance-end'; lastWordEndSec: number }
  /** Flux only (/v2/listen TurnInfo). StartOfTurn also emits `speech-started` (barge-in uses that). */
  | { type: 'turn-started' }
  /** Flux: the turn probably ended (eager_eot_threshold); a reply may start speculatively. */
  | { type: 'eager-end-of-turn'; text: string; confidence: number }
  /** Flux: the caller went on after an eager end of turn; drop what was started on it. */
  | { type: 'turn-resumed' }
  /** Flux: the turn is over (eot_threshold or eot_timeout_ms); `text` is the whole turn. */
  | { type: 'end-of-turn'; text: string; confidence: number }
  /**
   * The socket dropped (or went silent while the caller spoke: STT_SILENT_SOCKET_CODE) and the adapter is
   * redialling; caller audio meanwhile is kept, as far as the replay buffer reaches.
   */
  | { type: 'reconnecting'; attempt: number; code: number; reason: string }
  /** `replayedMs`: caller audio the lost socket had not finalised, sent again to the new one. */
  | { type: 'reconnected'; attempt: number; replayedMs: number }
  | { type: 'error'; error: Error; fatal: boolean }
  | { type: 'closed'; code: number; reason: string };

export interface SttSession {
  /**
   * Raw audio in the session's format; `voiced` when it carries the caller's voice. While the socket
   * is not open it is not queued, only kept (bounded) to be replayed after a redial.
   */
  sendAudio(chunk: Buffer, voiced?: boolean): void;
  /** Ask the service to finalise what it has buffered now. */
  finalize(): void;
  /** CloseStream, wait for Metadata/close (bounded), then stop timers. Idempotent. */
  close(): Promise<void>;
  readonly isOpen: boolean;
}

export interface SttProvider {
  readonly name: string;
  /** Opens and waits for the socket to be ready. Rejects if it cannot connect. */
  open(options: SttOptions, onEvent: (e: SttEvent) => void, log: Logger): Promise<SttSession>;
}
