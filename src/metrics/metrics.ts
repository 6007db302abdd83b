import client from 'prom-client';
import type { CallEnd, TurnRecord } from '../store/types.js';
import type { PacerCounters } from '../transports/audiosocket/pacer.js';
import { LabelGuard } from './label-guard.js';

/** Millisecond buckets from "a frame" (5 ms) to "the caller thinks we died" (5 s). */
export const LATENCY_BUCKETS_MS = [
  5, 10, 25, 50, 100, 150, 200, 250, 300, 400, 500, 750, 1000, 1500, 2000, 3000, 5000,
];

const PREFIX = 'callchart_';

const BREAKER_VALUE = { closed: 0, 'half-open': 1, open: 2 } as const;

export type TurnLatencies = Pick<
  TurnRecord,
  'sttFinalMs' | 'llmTtftMs' | 'ttsTtfbMs' | 'mouthToEarMs' | 'bargeInStopMs'
>;

/** What the AudioSocket pacers have written since start (the shape of `AudioSocketServer.stats()`). */
export type AudioOutputCounters = PacerCounters;

const AUDIO_OUTPUT_HELP: Record<keyof AudioOutputCounters, [name: string, help: string]> = {
  framesSent: ['audiosocket_frames_sent_total', 'Frames written to Asterisk, agent audio and silence fill'],
  agentFrames: ['audiosocket_agent_frames_total', 'Frames that carried agent audio'],
  underruns: [
    'audiosocket_underruns_total',
    'Agent audio ran dry inside a reply and resumed (a gap the caller heard)',
  ],
  lateFrames: ['audiosocket_late_frames_total', 'Frames sent more than 5 ms after their deadline'],
  resyncs: ['audiosocket_resyncs_total', 'Times a frame schedule fell too far behind and restarted from now'],
  droppedFrames: ['audiosocket_dropped_frames_total', 'Frames dropped because the peer was not reading'],
};

export interface MetricsOptions {
  /** Node process metrics (CPU, memory, GC, event-loop lag). Default true. */
  defaultMetrics?: boolean;
  buckets?: number[];
  /** Distinct values allowed per label before "other" (see LabelGuard). */
  maxLabelValues?: number;
}

/**
 * Every Prometheus metric callchart exports, on its own registry (never prom-client's global one, so two
 * instances, e.g. in tests, never collide). Labels are tenant, provider, outcome and error kind only:
 * never a call id, which would create one series per call and grow without bound.
 */
export class Metrics {
  readonly registry = new client.Registry();
  private readonly labels: LabelGuard;
  /** Calls in progress per tenant label; the gauge mirrors it and never goes below zero. */
  private readonly active = new Map<string, number>();

  private readonly sttFinal: client.Histogram<'tenant'>;
  private readonly llmTtft: client.Histogram<'tenant' | 'provider'>;
  private readonly ttsTtfb: client.Histogram<'tenant'>;
  private readonly mouthToEar: client.Histogram<'tenant'>;
  private readonly turnOverhead: client.Histogram<'tenant'>;
  private readonly answerToFirstAudioMs: client.Histogram<'tenant'>;
  private readonly bargeInStop: client.Histogram<'tenant'>;
  private readonly calls: client.Counter<'tenant' | 'outcome'>;
  private readonly bookings: client.Counter<'tenant'>;
  private readonly bargeIns: client.Counter<'tenant'>;
  private readonly speculations: client.Counter<'tenant' | 'outcome'>;
  private readonly providerErrors: client.Counter<'provider' | 'kind'>;
  private readonly fallbacks: client.Counter<'from' | 'to'>;
  private readonly recoveries: client.Counter<'provider' | 'action'>;
  private readonly activeCallsGauge: client.Gauge<'tenant'>;
  private readonly twilioRequests: client.Counter<'route' | 'result'>;

  constructor(opts: MetricsOptions = {}) {
    this.labels = new LabelGuard(opts.maxLabelValues);
    const registers = [this.registry];
    const buckets = opts.buckets ?? LATENCY_BUCKETS_MS;
    const histogram = <L extends string>(name: string, help: string, labelNames: L[]) =>
      new client.Histogram<L>({ name: PREFIX + name, help, labelNames, buckets, registers });
    const counter = <L extends string>(name: string, help: string, labelNames: L[]) =>
      new client.Counter<L>({ name: PREFIX + name, help, labelNames, registers });

    this.sttFinal = histogram('stt_final_ms', 'Caller stops speaking to final transcript, ms', ['tenant']);
    this.llmTtft = histogram('llm_ttft_ms', 'LLM request to first token, ms', ['tenant', 'provider']);
    this.ttsTtfb = histogram('tts_ttfb_ms', 'TTS request to first audio byte, ms', ['tenant']);
    this.mouthToEar = histogram(
      'mouth_to_ear_ms',
      "Caller's last voiced frame to the agent's first voiced frame, ms",
      ['tenant'],
    );
    this.turnOverhead = histogram(
      'turn_overhead_ms',
      'Mouth-to-ear minus STT, LLM and TTS time: what callchart itself adds, ms',
      ['tenant'],
    );
    this.answerToFirstAudioMs = histogram(
      'answer_to_first_audio_ms',
      'Call answered to first greeting audio sent, ms',
      ['tenant'],
    );
    this.bargeInStop = histogram('barge_in_stop_ms', 'Barge-in detected to last agent frame sent, ms', [
      'tenant',
    ]);
    this.calls = counter('calls_total', 'Calls ended, by outcome', ['tenant', 'outcome']);
    this.bookings = counter('bookings_total', 'Bookings stored', ['tenant']);
    this.bargeIns = counter('barge_ins_total', 'Caller interruptions that stopped the agent', ['tenant']);
    this.speculations = counter(
      'speculations_total',
      'Replies started on an early end-of-turn signal, by outcome: started, confirmed (kept) or cancelled',
      ['tenant', 'outcome'],
    );
    this.providerErrors = counter('provider_errors_total', 'Provider failures, by kind', [
      'provider',
      'kind',
    ]);
    this.fallbacks = counter('llm_fallbacks_total', 'LLM requests moved to the next provider', [
      'from',
      'to',
    ]);
    this.recoveries = counter(
      'provider_recoveries_total',
      'Provider faults a call recovered from, by action: respoken, apology, gave_up (tts); silent_socket, replayed (stt)',
      ['provider', 'action'],
    );
    this.twilioRequests = counter(
      'twilio_requests_total',
      'Twilio webhooks and stream upgrades by route and result (forbidden: bad or missing signature)',
      ['route', 'result'],
    );
    this.activeCallsGauge = new client.Gauge<'tenant'>({
      name: `${PREFIX}active_calls`,
      help: 'Calls in progress',
      labelNames: ['tenant'],
      registers,
    });
    if (opts.defaultMetrics ?? true) client.collectDefaultMetrics({ register: this.registry });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Calls in progress, all tenants. */
  get activeCalls(): number {
    let total = 0;
    for (const n of this.active.values()) total += n;
    return total;
  }

  /** Exposition text for GET /metrics. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  /** One finished turn's latencies (null figures are skipped). Barge-ins are counted by `bargeIn`. */
  observeTurn(turn: TurnLatencies, tenant: string, provider?: string | null): void {
    const t = { tenant: this.labels.value('tenant', tenant) };
    observe(this.sttFinal, t, turn.sttFinalMs);
    observe(this.llmTtft, { ...t, provider: this.labels.value('provider', provider) }, turn.llmTtftMs);
    observe(this.ttsTtfb, t, turn.ttsTtfbMs);
    observe(this.mouthToEar, t, turn.mouthToEarMs);
    observe(this.bargeInStop, t, turn.bargeInStopMs);
    const { mouthToEarMs: m2e, sttFinalMs: stt, llmTtftMs: llm, ttsTtfbMs: tts } = turn;
    if (m2e !== null && stt !== null && llm !== null && tts !== null) {
      // Clock skew between the pieces can make this slightly negative; clamp rather than drop.
      observe(this.turnOverhead, t, Math.max(0, m2e - stt - llm - tts));
    }
  }

  /**
   * Exports the pacers' counters, read only when /metrics is scraped: the audio path keeps plain
   * integers and pays nothing per frame for Prometheus. Call once (a second call would re-register).
   */
  trackAudioOutput(read: () => AudioOutputCounters): void {
    for (const [key, [name, help]] of Object.entries(AUDIO_OUTPUT_HELP)) {
      new client.Counter({
        name: PREFIX + name,
        help,
        registers: [this.registry],
        collect() {
          // The source is cumulative already; mirror it rather than accumulate.
          this.reset();
          this.inc(read()[key as keyof AudioOutputCounters]);
        },
      });
    }
  }

  /** Bookings kept in the journal and not yet in the store (read at each scrape; absent until known). */
  trackBookingJournal(pending: () => number | undefined): void {
    new client.Gauge({
      name: `${PREFIX}booking_journal_pending`,
      help: 'Bookings kept in the journal that have not reached the store yet',
      registers: [this.registry],
      collect() {
        const n = pending();
        if (n !== undefined) this.set(n);
      },
    });
  }

  /** Each LLM provider's circuit breaker, read at each scrape: 0 closed, 1 half-open, 2 open. */
  trackLlmBreakers(read: () => { provider: string; state: 'closed' | 'half-open' | 'open' }[]): void {
    const labels = this.labels;
    new client.Gauge<'provider'>({
      name: `${PREFIX}llm_breaker_state`,
      help: 'LLM provider circuit breaker: 0 closed (in use), 1 half-open (probing), 2 open (skipped)',
      labelNames: ['provider'],
      registers: [this.registry],
      collect() {
        for (const { provider, state } of read()) {
          this.set({ provider: labels.value('provider', provider) }, BREAKER_VALUE[state]);
        }
      },
    });
  }

  answerToFirstAudio(tenant: string, ms: number): void {
    observe(this.answerToFirstAudioMs, { tenant: this.labels.value('tenant', tenant) }, ms);
  }

  callStarted(tenant: string): void {
    this.setActive(this.labels.value('tenant', tenant), +1);
  }

  callEnded(tenant: string, outcome: CallEnd['outcome']): void {
    const t = this.labels.value('tenant', tenant);
    this.setActive(t, -1);
    this.calls.inc({ tenant: t, outcome: this.labels.value('outcome', outcome) });
  }

  bookingMade(tenant: string): void {
    this.bookings.inc({ tenant: this.labels.value('tenant', tenant) });
  }

  bargeIn(tenant: string): void {
    this.bargeIns.inc({ tenant: this.labels.value('tenant', tenant) });
  }
  /** A speculative reply started, was confirmed by the end of the turn, or was cancelled. */
  speculation(tenant: string, outcome: 'started' | 'confirmed' | 'cancelled'): void {
    this.speculations.inc({ tenant: this.labels.value('tenant', tenant), outcome });
  }

  /** `kind` is a short class such as 'timeout', 'http_429', 'stall', 'malformed', 'connect'. */
  providerError(provider: string, kind: string): void {
    this.providerErrors.inc({
      provider: this.labels.value('provider', provider),
      kind: this.labels.value('kind', kind),
    });
  }

  fallback(from: string, to: string): void {
    this.fallbacks.inc({ from: this.labels.value('provider', from), to: this.labels.value('provider', to) });
  }

  recovery(provider: string, action: string): void {
    this.recoveries.inc({
      provider: this.labels.value('provider', provider),
      action: this.labels.value('action', action),
    });
  }

  /** Route and result come from fixed lists in the Twilio server, so the series stay bounded. */
  twilioRequest(route: string, result: string): void {
    this.twilioRequests.inc({ route, result });
  }

  private setActive(tenant: string, delta: number): void {
    // An end without a start (a runtime bug) must not push the gauge negative.
    const n = Math.max(0, (this.active.get(tenant) ?? 0) + delta);
    this.active.set(tenant, n);
    this.activeCallsGauge.set({ tenant }, n);
  }
}

function observe<L extends string>(
  h: client.Histogram<L>,
  labels: Record<L, string>,
  ms: number | null,
): void {
  // A NaN or negative figure is a measuring bug upstream; it must not poison the histogram sums.
  if (ms === null || !Number.isFinite(ms) || ms < 0) return;
  h.observe(labels as client.LabelValues<L>, ms);
}
