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
};
