// The dashboard page: live calls over Server-Sent Events, the statechart lit as it moves, the live
// transcript and latency waterfall, history, bookings, charts and the browser test call.
import { BrowserCall } from './browser-call.js';
import { el, fill, time } from './dom.js';
import { fillFilters, getJson, loadBookings, loadCalls, loadCharts } from './history.js';
import { lightChart, renderChart } from './statechart.js';
import { renderWaterfall } from './waterfall.js';

const $ = (sel) => document.querySelector(sel);
const calls = new Map();
const trails = new Map(); // callId -> workflow states in the order they were lit
const visited = new Map(); // callId -> Set of state ids ever active
let selected = null;
let rootId = 'call';
let config = { recordings: false };
let browserCall = null;

function workflowState(value) {
  const w = value?.active?.workflow;
  return typeof w === 'string' ? w : null;
}

function remember(call) {
  const step = workflowState(call.state);
  if (step) {
    const trail = trails.get(call.callId) ?? [];
    if (trail[trail.length - 1] !== step) trail.push(step);
    trails.set(call.callId, trail);
    const seen = visited.get(call.callId) ?? new Set();
    seen.add(`${rootId}.active.workflow.${step}`);
    visited.set(call.callId, seen);
  }
}

function onUpdate(u) {
  if (u.type === 'hello') {
    for (const c of u.calls) {
      calls.set(c.callId, c);
      remember(c);
    }
  } else if (u.type === 'call') {
    calls.set(u.call.callId, u.call);
    remember(u.call);
    if (!selected || (calls.get(selected)?.endedAt && !u.call.endedAt && !browserCall))
      selected = u.call.callId;
  } else if (u.type === 'event') {
    const feed = $('#events');
    if (u.callId === selected) {
      feed.prepend(el('li', {}, `${time(u.at)} ${u.event}`));
      while (feed.children.length > 40) feed.lastChild.remove();
    }
    return;
  } else if (u.type === 'ended') {
    refreshHistorySoon();
  }
  render();
}

function renderList() {
  const list = [...calls.values()].sort((a, b) => b.startedAt - a.startedAt);
  $('#live-count').textContent = String(list.filter((c) => !c.endedAt).length);
  fill(
    $('#live-list'),
    ...list.map((c) =>
      el(
        'li',
        {
          class: `call-card${c.callId === selected ? ' selected' : ''}${c.endedAt ? ' ended' : ''}`,
          'data-call': c.callId,
          'data-transport': c.transport,
          onclick: () => {
            selected = c.callId;
            render();
          },
        },
        el(
          'div',
          { class: 'card-top' },
          el('strong', {}, c.companyName ?? c.tenantId ?? '…'),
          el('span', { class: `badge ${c.transport}` }, c.transport),
        ),
        el(
          'div',
          { class: 'muted' },
          `${c.callerMasked || 'withheld'} · ${c.tier ?? '–'} · ${c.language ?? '–'}`,
        ),
        el(
          'div',
          {},
          c.endedAt
            ? el('span', { class: `outcome ${c.outcome}` }, c.outcome)
            : el('span', { class: 'step' }, c.step ?? 'connecting'),
        ),
      ),
    ),
  );
  if (!list.length)
    fill(
      $('#live-list'),
      el('li', { class: 'muted' }, 'No calls right now. Place one with “Call the agent”.'),
    );
}

function renderSelected() {
  const c = selected ? calls.get(selected) : null;
  $('#call-detail').hidden = !c;
  if (!c) return;
  $('#call-title').textContent = `${c.companyName ?? c.tenantId ?? 'call'} · ${c.callId.slice(0, 8)}`;
  fill(
    $('#call-facts'),
    el('span', {}, `caller ${c.callerMasked || 'withheld'}`),
    el('span', {}, `transport ${c.transport}`),
    el('span', {}, `tier ${c.tier ?? '–'}`),
    el('span', {}, `language ${c.language ?? '–'}`),
    el('span', {}, `turn ${c.turn ?? 0}`),
    el('span', {}, c.endedAt ? `ended: ${c.outcome}` : `step ${c.step ?? '–'}`),
    c.providerErrors.length
      ? el(
          'span',
          { class: 'warn' },
          `provider errors: ${c.providerErrors.map((e) => `${e.provider}/${e.kind}`).join(', ')}`,
        )
      : null,
    c.fallbacks.length
      ? el('span', { class: 'warn' }, `fallbacks: ${c.fallbacks.map((f) => `${f.from}→${f.to}`).join(', ')}`)
      : null,
  );
  fill($('#step-trail'), ...(trails.get(c.callId) ?? []).map((s) => el('li', { 'data-step': s }, s)));
  lightChart($('#chart'), rootId, c.endedAt ? undefined : c.state, visited.get(c.callId));
  fill(
    $('#transcript'),
    ...c.transcript.map((line) =>
      el(
        'li',
        { class: `line ${line.role}${line.interrupted ? ' interrupted' : ''}` },
        el('span', { class: 'who' }, line.role),
        line.text || '…',
        line.interrupted ? el('span', { class: 'interrupted-mark' }, '⟂ interrupted') : null,
      ),
    ),
  );
  renderWaterfall($('#live-waterfall'), c.turns);
}

function render() {
  renderList();
  renderSelected();
}

function connectLive() {
  const source = new EventSource('/api/live');
  source.onmessage = (e) => onUpdate(JSON.parse(e.data));
  source.onopen = () => $('#conn').classList.add('up');
  source.onerror = () => $('#conn').classList.remove('up');
}

let historyTimer = null;
function refreshHistorySoon() {
  clearTimeout(historyTimer);
  historyTimer = setTimeout(() => {
    void refreshHistory();
  }, 500);
}

async function refreshHistory() {
  await Promise.allSettled([
    loadCalls($('#call-filters'), $('#calls-body'), $('#history-detail'), config.recordings),
    loadBookings($('#booking-filters'), $('#bookings-body'), $('#csv-link')),
    loadCharts($('#chart-m2e'), $('#chart-calls')),
  ]);
}

function showTab(name) {
  for (const b of document.querySelectorAll('nav button[data-tab]'))
    b.classList.toggle('on', b.dataset.tab === name);
  for (const s of document.querySelectorAll('section[data-panel]')) s.hidden = s.dataset.panel !== name;
  if (name === 'charts') void loadCharts($('#chart-m2e'), $('#chart-calls'));
}

async function placeCall() {
  if (browserCall) {
    browserCall.stop();
    return;
  }
  const button = $('#call-button');
  const status = $('#call-status');
  browserCall = new BrowserCall({
    tenant: $('#tenant-picker').value,
    onStatus: (s) => {
      status.textContent = s;
    },
    onReady: (callId) => {
      selected = callId;
      render();
    },
    onEnd: () => {
      browserCall = null;
      button.textContent = 'Call the agent';
    },
  });
  button.textContent = 'Hang up';
  try {
    await browserCall.start();
  } catch (err) {
    status.textContent = `could not start the call: ${err.message}`;
    browserCall?.stop(false);
  }
}

async function main() {
  for (const b of document.querySelectorAll('nav button[data-tab]'))
    b.addEventListener('click', () => showTab(b.dataset.tab));
  const [chart, cfg, tenants] = await Promise.all([
    getJson('/api/chart'),
    getJson('/api/config'),
    getJson('/api/tenants').catch(() => []),
  ]);
  config = cfg;
  rootId = chart.id;
  renderChart($('#chart'), chart);
  fill(
    $('#tenant-picker'),
    ...tenants.map((t) =>
      el(
        'option',
        { value: t.number === '*' ? '' : t.number },
        `${t.companyName} (${t.number === '*' ? 'default' : t.number})`,
      ),
    ),
  );
  fillFilters($('#call-filters'), tenants, true);
  fillFilters($('#booking-filters'), tenants, false);
  $('#call-filters').addEventListener('change', () => void refreshHistory());
  $('#booking-filters').addEventListener('change', () => void refreshHistory());
  $('#call-button').addEventListener('click', () => void placeCall());
  connectLive();
  render();
  await refreshHistory();
  document.body.dataset.ready = '1';
}

void main();
