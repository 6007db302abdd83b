import type { Metrics } from '../metrics/metrics.js';
import type { CallObserver } from './observer.js';

/** The runtime's CallObserver over the Prometheus metrics. */
export function metricsObserver(metrics: Metrics): CallObserver {
  return {
    callStarted: (tenant) => metrics.callStarted(tenant),
    callEnded: (tenant, end) => metrics.callEnded(tenant, end.outcome),
    turn: (tenant, turn) => metrics.observeTurn(turn, tenant, turn.llmProvider),
    answered: (tenant, ms) => metrics.answerToFirstAudio(tenant, ms),
    bargeIn: (tenant) => metrics.bargeIn(tenant),
    bookingMade: (tenant) => metrics.bookingMade(tenant),
    providerError: (provider, kind) => metrics.providerError(provider, kind),
    fallback: (from, to) => metrics.fallback(from, to),
    speculation: (tenant, result) => metrics.speculation(tenant, result),
    recovery: (provider, action) => metrics.recovery(provider, action),
  };
}
