import type { Logger } from '../../log.js';

export interface TtsAudioFormat {
  encoding: 'pcm_s16le' | 'pcm_mulaw';
  sampleRate: number; // 8000 or 16000 on phone lines
}

export interface TtsSessionOptions extends TtsAudioFormat {
  modelId: string; // sonic-3
  /** Ask for word `timestamps` events (e.g. to know how much of a reply was heard before barge-in). */
  wordTimestamps?: boolean;
}

export interface TtsVoice {
  voiceId: string;
  language: 'en' | 'es';
  speed?: number; // 0.6 .. 1.5
  emotion?: string; // Sonic-3 generation_config.emotion, e.g. 'calm'
}

export type TtsEvent =
  | { type: 'audio'; audio: Buffer }
  | { type: 'first-audio'; ttfbMs: number }
  | { type: 'timestamps'; words: string[]; start: number[]; end: number[] }
  /** All audio of the context has arrived. */
  | { type: 'done' }
  | { type: 'error'; error: Error; status?: number };

/** One reply. Text pushed with continue; finished with no_more_inputs; cancelled on barge-in. */
export interface TtsContext {
  readonly id: string;
  /** Sends text verbatim (the caller keeps the spaces between pieces). */
  push(text: string): void;
  /** No more text; the service renders the rest then sends done. */
  finish(): void;
  /** Drops the context locally at once and tells the service; no event follows. */
  cancel(): void;
}

/** One WebSocket per call; one context per reply. */
export interface TtsSession {
  context(voice: TtsVoice, onEvent: (e: TtsEvent) => void): TtsContext;
  /** Renders a whole text and resolves with its audio (greeting cache). */
  synthesize(text: string, voice: TtsVoice): Promise<Buffer>;
  close(): Promise<void>;
  /**
   * A context on this socket stalled (open, but no audio): drop the socket, so the next context is
   * served on a fresh one rather than on a connection that may have died without closing.
   */
  recycle(reason: string): void;
  readonly isOpen: boolean;
}

export interface TtsProvider {
  readonly name: string;
  open(options: TtsSessionOptions, log: Logger): Promise<TtsSession>;
}
