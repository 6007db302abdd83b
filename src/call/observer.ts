import type { CallEnd, TurnRecord } from '../store/types.js';

/** What a call reports for metrics; implemented over prom-client in src/metrics, a no-op in tests. */
export interface CallObserver {
  callStarted(tenantId: string): void;
  callEnded(tenantId: string, end: CallEnd): void;
  turn(tenantId: string, turn: TurnRecord): void;
  answered(tenantId: string, answerToFirstAudioMs: number): void;
  bargeIn(tenantId: string): void;
  bookingMade(tenantId: string): void;
  providerError(provider: string, kind: string): void;
  fallback(from: string, to: string): void;
  /** A reply started before the caller's turn was confirmed, and whether it was kept. */
  speculation(tenantId: string, result: 'started' | 'confirmed' | 'cancelled'): void;
  /**
   * A provider fault the call recovered from, by what was done: `respoken` (a TTS context said again
   * on a fresh one), `apology` (the cached apology instead), `gave_up`, `silent_socket` (an STT
   * socket that stopped answering, redialled), `replayed` (caller audio sent again after a redial).
   */
  recovery?(provider: 'tts' | 'stt', action: string): void;
}

export const nullObserver: CallObserver = {
  callStarted() {},
  callEnded() {},
  turn() {},
  answered() {},
  bargeIn() {},
  bookingMade() {},
  providerError() {},
  fallback() {},
  speculation() {},
  recovery() {},
};
