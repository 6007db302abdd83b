// Per-turn latency waterfall: end of speech (0) -> STT final -> LLM first token -> TTS first audio,
// then what callchart itself added (overhead) up to the first frame on the wire (mouth-to-ear).
import { el, fill, ms } from './dom.js';

const SEGMENTS = [
  ['stt', 'sttFinalMs', 'STT final'],
  ['llm', 'llmTtftMs', 'LLM first token'],
  ['tts', 'ttsTtfbMs', 'TTS first audio'],
];

function segments(turn) {
  const out = [];
  let at = 0;
  for (const [cls, key, label] of SEGMENTS) {
    const v = turn[key];
    if (typeof v !== 'number') continue;
    out.push({ cls, label, start: at, len: v });
    at += v;
  }
  const total = turn.mouthToEarMs;
  const overhead = typeof total === 'number' ? Math.max(0, total - at) : null;
  return { out, overhead, at, total };
}

export function renderWaterfall(container, turns) {
  const rows = turns.filter((t) => typeof t.mouthToEarMs === 'number');
  if (!rows.length) {
    fill(container, el('p', { class: 'muted' }, 'No answered turns yet.'));
    return;
  }
  const scale = Math.max(...rows.map((t) => t.mouthToEarMs)) * 1.05;
  const pct = (v) => `${((v / scale) * 100).toFixed(2)}%`;
  const legend = el(
    'div',
    { class: 'legend' },
    SEGMENTS.map(([cls, , label]) => el('span', { class: `key ${cls}` }, label)),
    el('span', { class: 'key overhead' }, 'overhead (callchart)'),
    el('span', { class: 'key wire-key' }, 'first frame on the wire'),
  );
  const table = el('div', { class: 'waterfall' });
  for (const t of rows) {
    const { out, overhead, at, total } = segments(t);
    const bar = el('div', { class: 'bar' });
    for (const s of out) {
      bar.append(
        el('div', {
          class: `seg ${s.cls}`,
          style: `left:${pct(s.start)};width:${pct(s.len)}`,
          title: `${s.label}: ${ms(s.len)}`,
        }),
      );
    }
    if (overhead !== null) {
      bar.append(
        el('div', {
          class: 'seg overhead',
          style: `left:${pct(at)};width:${pct(overhead)}`,
          title: `overhead: ${ms(overhead)}`,
        }),
      );
      bar.append(
        el('div', {
          class: 'wire',
          style: `left:${pct(total)}`,
          title: `first frame on the wire: ${ms(total)}`,
        }),
      );
    }
    table.append(
      el(
        'div',
        { class: `wf-row${t.bargeIn ? ' interrupted' : ''}`, 'data-turn': t.index },
        el('div', { class: 'wf-label' }, `#${t.index} ${t.step}`),
        bar,
        el(
          'div',
          { class: 'wf-total' },
          ms(total),
          el('span', { class: 'muted' }, ` · overhead ${ms(overhead)}`),
        ),
      ),
    );
  }
  fill(container, legend, table);
}
