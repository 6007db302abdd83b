// History from the store: calls with filters and their turns, bookings with CSV export, and the
// last day's charts (uPlot, served by callchart from node_modules).
import { dateTime, el, fill, ms } from './dom.js';
import { renderWaterfall } from './waterfall.js';

const OUTCOMES = [
  'booked',
  'transferred',
  'caller-hangup',
  'declined',
  'abusive',
  'no-response',
  'booking-failed',
  'error',
];

async function getJson(url) {
  const res = await fetch(url, { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return res.json();
}

function filterQuery(form) {
  const q = new URLSearchParams();
  for (const [k, v] of new FormData(form)) if (v) q.set(k, String(v));
  return q.toString();
}

export function fillFilters(form, tenants, withOutcome) {
  const tenantSel = form.querySelector('select[name=tenant]');
  const ids = [...new Set(tenants.map((t) => t.id))];
  fill(
    tenantSel,
    el('option', { value: '' }, 'all tenants'),
    ids.map((id) => el('option', { value: id }, id)),
  );
  if (withOutcome) {
    form.querySelector('select[name=outcome]').replaceChildren(
      el('option', { value: '' }, 'all outcomes'),
      OUTCOMES.map((o) => el('option', { value: o }, o)),
    );
  }
}

export async function loadCalls(form, tableBody, detail, recordingsOn) {
  const calls = await getJson(`/api/calls?${filterQuery(form)}`);
  fill(
    tableBody,
    ...calls.map((c) =>
      el(
        'tr',
        { 'data-call': c.callId, onclick: () => showCall(c, detail, recordingsOn) },
        el('td', {}, dateTime(c.startedAt)),
        el('td', {}, c.tenantId),
        el('td', {}, c.callerMasked || 'withheld'),
        el('td', {}, el('span', { class: `outcome ${c.outcome ?? 'live'}` }, c.outcome ?? 'in progress')),
        el('td', { class: 'num' }, c.durationMs === null ? '–' : `${Math.round(c.durationMs / 1000)} s`),
        el('td', { class: 'num' }, c.turns ?? '–'),
        el('td', { class: 'num' }, c.bargeIns ?? '–'),
        el('td', { class: 'num' }, ms(c.answerToFirstAudioMs)),
        el('td', { class: `num${c.providerErrors ? ' warn' : ''}` }, c.providerErrors ?? '–'),
        el('td', { class: `num${c.fallbacks ? ' warn' : ''}` }, c.fallbacks ?? '–'),
      ),
    ),
  );
  if (!calls.length)
    fill(tableBody, el('tr', {}, el('td', { colspan: 10, class: 'muted' }, 'No calls match.')));
}

async function showCall(call, detail, recordingsOn) {
  const turns = await getJson(`/api/turns?callId=${encodeURIComponent(call.callId)}`);
  const waterfall = el('div', { class: 'waterfall-box' });
  renderWaterfall(waterfall, turns);
  fill(
    detail,
    el('h3', {}, `Call ${call.callId.slice(0, 8)} · ${call.tenantId} · ${call.outcome ?? 'in progress'}`),
    el(
      'p',
      { class: 'muted' },
      `provider errors ${call.providerErrors ?? 0} · fallbacks ${call.fallbacks ?? 0} · language ${call.language}`,
    ),
    recordingsOn
      ? el('audio', {
          controls: true,
          preload: 'none',
          src: `/api/recording?callId=${encodeURIComponent(call.callId)}`,
        })
      : null,
    el('h4', {}, 'Latency per turn'),
    waterfall,
    el('h4', {}, 'Turns'),
    el(
      'table',
      { class: 'grid' },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          ['#', 'step', 'caller', 'agent', 'stt', 'llm', 'tts', 'mouth-to-ear', 'provider'].map((h) =>
            el('th', {}, h),
          ),
        ),
      ),
      el(
        'tbody',
        {},
        turns.map((t) =>
          el(
            'tr',
            {},
            el('td', {}, t.index),
            el('td', {}, t.step),
            el('td', {}, t.callerText),
            el(
              'td',
              {},
              t.agentText,
              t.bargeIn ? el('span', { class: 'interrupted-mark' }, ' ⟂ interrupted') : null,
            ),
            el('td', { class: 'num' }, ms(t.sttFinalMs)),
            el('td', { class: 'num' }, ms(t.llmTtftMs)),
            el('td', { class: 'num' }, ms(t.ttsTtfbMs)),
            el('td', { class: 'num' }, ms(t.mouthToEarMs)),
            el('td', {}, t.llmProvider ?? ''),
          ),
        ),
      ),
    ),
  );
  detail.scrollIntoView({ block: 'nearest' });
}

export async function loadBookings(form, tableBody, csvLink) {
  const q = filterQuery(form);
  csvLink.href = `/api/bookings.csv?${q}`;
  const bookings = await getJson(`/api/bookings?${q}`);
  fill(
    tableBody,
    ...bookings.map((b) =>
      el(
        'tr',
        { 'data-booking': b.id },
        el('td', {}, b.id),
        el('td', {}, dateTime(b.createdAt)),
        el('td', {}, b.tenantId),
        el('td', {}, b.customerName),
        el('td', {}, b.postcode),
        el('td', {}, b.address),
        el('td', {}, b.problem),
        el('td', {}, b.callerMasked || 'withheld'),
      ),
    ),
  );
  if (!bookings.length)
    fill(tableBody, el('tr', {}, el('td', { colspan: 8, class: 'muted' }, 'No bookings yet.')));
}

const charts = [];

export async function loadCharts(m2eBox, callsBox) {
  const points = await getJson('/api/stats');
  const x = points.map((p) => p.hour / 1000);
  const width = Math.max(320, m2eBox.clientWidth || 600);
  for (const c of charts.splice(0)) c.destroy();
  const uPlot = window.uPlot;
  charts.push(
    new uPlot(
      {
        title: 'Mouth-to-ear per hour (ms), last 24 h',
        width,
        height: 220,
        series: [
          {},
          { label: 'p50', stroke: '#2563eb', width: 2, spanGaps: true },
          { label: 'p90', stroke: '#dc2626', width: 2, spanGaps: true },
        ],
      },
      [x, points.map((p) => p.p50), points.map((p) => p.p90)],
      m2eBox,
    ),
    new uPlot(
      {
        title: 'Calls per hour, last 24 h',
        width,
        height: 220,
        series: [
          {},
          {
            label: 'calls',
            stroke: '#059669',
            fill: 'rgba(5,150,105,0.15)',
            width: 2,
            paths: uPlot.paths.bars({ size: [0.8] }),
          },
        ],
      },
      [x, points.map((p) => p.calls)],
      callsBox,
    ),
  );
}

export { getJson };
