/**
 * What the call runtime needs from a telephony transport (AudioSocket today, Twilio Media Streams next).
 * Audio crosses this boundary in the transport's own format, so slin stays slin and mu-law stays mu-law.
 */
export interface TransportAudioFormat {
  encoding: 'slin' | 'mulaw';
  sampleRate: number; // 8000, 16000, ...
  /** Bytes in one 20 ms frame of this format. */
  frameBytes: number;
}

export type HangupCause = 'caller' | 'agent' | 'protocol-error' | 'transport-error' | 'shutdown';

export interface TransportEvents {
  /** One caller frame (any length the peer chose: 10/20/30 ms). */
  audio: (frame: Buffer) => void;
  dtmf: (digit: string) => void;
  /** The agent audio queue ran dry after audio was queued (a reply finished playing). */
  playoutDone: () => void;
  /** The call is over; emitted once. */
  closed: (cause: HangupCause, detail?: string) => void;
}

export interface CallTransport {
  readonly callId: string;
  readonly format: TransportAudioFormat;
  on<E extends keyof TransportEvents>(event: E, listener: TransportEvents[E]): void;
  /** Queue agent audio. The first frame of a reply leaves at once; the rest are paced at 20 ms. */
  play(audio: Buffer): void;
  /** Drop all queued agent audio now (barge-in). Returns how many ms were dropped. */
  flush(): number;
  /** ms of agent audio queued and not yet sent. */
  queuedMs(): number;
  /** Total ms of agent audio (not silence fill) sent so far: what the caller has heard. */
  playedMs(): number;
  /** Max RMS of agent audio sent in the last `windowMs` (echo guard). */
  recentOutputRms(windowMs: number): number;
  /** Agent ends the call: let queued audio play if `afterPlayout`, then hang up. */
  hangup(opts?: { afterPlayout?: boolean }): void;
  readonly closed: boolean;
  /**
   * May caller speech interrupt the agent? Default true. False (Twilio Pro tier): caller audio is
   * ignored while the agent is audible, so the agent always finishes its sentence.
   */
  readonly bargeIn?: boolean;
  /**
   * Transports that can hand a live call to a person (Twilio): the agent's next hang-up, after its last
   * words have played, becomes a transfer to `to` instead.
   */
  transferOnHangup?(to: string): void;
}
