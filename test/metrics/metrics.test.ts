import { describe, expect, it } from 'vitest';
import { LabelGuard, OVERFLOW_LABEL } from '../../src/metrics/label-guard.js';
import { LATENCY_BUCKETS_MS, Metrics } from '../../src/metrics/metrics.js';
import { parseExposition, sample } from './exposition.js';

const TURN = { sttFinalMs: 120, llmTtftMs: 210, ttsTtfbMs: 90, mouthToEarMs: 430, bargeInStopMs: null };

describe('Metrics', () => {
  it('observes turn latencies per tenant and provider, overhead included', async () => {
    const m = new Metrics({ defaultMetrics: false });
    m.observeTurn(TURN, 'quick-fix-plumbing', 'groq');
    m.observeTurn({ ...TURN, mouthToEarMs: 600, bargeInStopMs: 35 }, 'quick-fix-plumbing', 'cerebras');
    const e = parseExposition(await m.render());
    expect(sample(e, 'callchart_mouth_to_ear_ms_count', { tenant: 'quick-fix-plumbing' })).toBe(2);
    expect(sample(e, 'callchart_mouth_to_ear_ms_sum', { tenant: 'quick-fix-plumbing' })).toBe(1030);
    expect(sample(e, 'callchart_mouth_to_ear_ms_bucket', { tenant: 'quick-fix-plumbing', le: '500' })).toBe(
      1,
    );
    expect(sample(e, 'callchart_llm_ttft_ms_count', { provider: 'groq' })).toBe(1);
    expect(sample(e, 'callchart_llm_ttft_ms_count', { provider: 'cerebras' })).toBe(1);
    expect(sample(e, 'callchart_barge_in_stop_ms_count', { tenant: 'quick-fix-plumbing' })).toBe(1);
    // 430 - (120 + 210 + 90) = 10 ms and 600 - 420 = 180 ms of our own overhead
    expect(sample(e, 'callchart_turn_overhead_ms_sum')).toBe(190);
  });

  it('uses millisecond buckets', async () => {
    const m = new Metrics({ defaultMetrics: false });
    m.answerToFirstAudio('default', 180);
    const e = parseExposition(await m.render());
    const les = e.samples
      .filter((s) => s.name === 'callchart_answer_to_first_audio_ms_bucket')
      .map((s) => s.labels.le);
    expect(les).toEqual([...LATENCY_BUCKETS_MS.map(String), '+Inf']);
  });

  it('skips null, negative and NaN figures', async () => {
    const m = new Metrics({ defaultMetrics: false });
    m.observeTurn(
      { sttFinalMs: null, llmTtftMs: Number.NaN, ttsTtfbMs: -5, mouthToEarMs: null, bargeInStopMs: null },
      't',
    );
    m.answerToFirstAudio('t', Number.POSITIVE_INFINITY);
    const e = parseExposition(await m.render());
    expect(e.samples.filter((s) => s.name.endsWith('_count')).every((s) => s.value === 0)).toBe(true);
  });

  it('counts calls, bookings, barge-ins, provider errors and fallbacks; tracks active calls', async () => {
    const m = new Metrics({ defaultMetrics: false });
    m.callStarted('a');
    m.callStarted('a');
    m.callStarted('b');
    expect(m.activeCalls).toBe(3);
    m.callEnded('a', 'booked');
    m.callEnded('b', 'caller-hangup');
    m.callEnded('b', 'error'); // an end without a start must not go negative
    m.bookingMade('a');
    m.bargeIn('a');
    m.bargeIn('a');
    m.providerError('groq', 'http_429');
    m.fallback('groq', 'cerebras');
    expect(m.activeCalls).toBe(1);
    const e = parseExposition(await m.render());
    expect(sample(e, 'callchart_active_calls', { tenant: 'a' })).toBe(1);
    expect(sample(e, 'callchart_active_calls', { tenant: 'b' })).toBe(0);
    expect(sample(e, 'callchart_calls_total', { tenant: 'a', outcome: 'booked' })).toBe(1);
    expect(sample(e, 'callchart_calls_total', { tenant: 'b', outcome: 'error' })).toBe(1);
    expect(sample(e, 'callchart_bookings_total', { tenant: 'a' })).toBe(1);
    expect(sample(e, 'callchart_barge_ins_total', { tenant: 'a' })).toBe(2);
    expect(sample(e, 'callchart_provider_errors_total', { provider: 'groq', kind: 'http_429' })).toBe(1);
    expect(sample(e, 'callchart_llm_fallbacks_total', { from: 'groq', to: 'cerebras' })).toBe(1);
  });

  it('keeps two instances apart (own registry, not the global one)', async () => {
    const a = new Metrics({ defaultMetrics: false });
    const b = new Metrics({ defaultMetrics: false });
    a.bookingMade('x');
    expect(
      sample(parseExposition(await b.render()), 'callchart_bookings_total', { tenant: 'x' }),
    ).toBeUndefined();
  });
});

describe('LabelGuard', () => {
  it('cleans values and caps how many distinct values a label may take', () => {
    const g = new LabelGuard(2);
    expect(g.value('tenant', 'quick fix "plumbing"\n')).toBe('quick_fix__plumbing_');
    expect(g.value('tenant', '')).toBe('unknown');
    expect(g.value('tenant', 'third')).toBe(OVERFLOW_LABEL);
    expect(g.value('tenant', 'unknown')).toBe('unknown');
    expect(g.value('provider', 'groq')).toBe('groq');
    expect(g.value('tenant', 'x'.repeat(200))).toBe(OVERFLOW_LABEL);
  });
});
