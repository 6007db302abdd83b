// The call statechart drawn from the machine's own definition (GET /api/chart walks callMachine.root):
// nested boxes for compound states, side-by-side regions for parallel ones, each state's outgoing
// transitions listed under it. Active states are lit from the live snapshots.
import { el, fill } from './dom.js';

const shortTarget = (id) => id.split('.').slice(-1)[0];

function transitionList(node) {
  if (!node.transitions.length) return null;
  return el(
    'ul',
    { class: 'transitions' },
    node.transitions.map((t) =>
      el(
        'li',
        {},
        el('span', { class: 'ev' }, t.event),
        ' → ',
        t.targets.map(shortTarget).join(', '),
        t.guard ? el('span', { class: 'guard' }, ` [${t.guard}]`) : null,
      ),
    ),
  );
}

function renderNode(node, parentType) {
  const isLeaf = node.children.length === 0;
  const box = el('div', {
    class: `state ${node.type}${parentType === 'parallel' ? ' region' : ''}`,
    'data-state': node.id,
    title: node.id,
  });
  const head = el('div', { class: 'state-name' }, node.key, node.type === 'final' ? ' ◉' : '');
  box.append(head);
  if (isLeaf) {
    const list = transitionList(node);
    if (list) box.append(list);
    return box;
  }
  if (node.transitions.length) {
    box.append(
      el(
        'details',
        { class: 'own-transitions' },
        el('summary', {}, `${node.transitions.length} transitions`),
        transitionList(node),
      ),
    );
  }
  const kids = el('div', { class: `children ${node.type === 'parallel' ? 'parallel' : 'compound'}` });
  for (const child of node.children) {
    const childBox = renderNode(child, node.type);
    if (node.initial === child.id) childBox.classList.add('initial');
    kids.append(childBox);
  }
  box.append(kids);
  return box;
}

export function renderChart(container, definition) {
  fill(container, renderNode(definition, null));
}

/** The ids of every active state node for a snapshot's state value. */
export function activeIds(rootId, value) {
  const out = [rootId];
  const walk = (prefix, v) => {
    if (typeof v === 'string') out.push(`${prefix}.${v}`);
    else if (v && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        out.push(`${prefix}.${k}`);
        walk(`${prefix}.${k}`, child);
      }
    }
  };
  walk(rootId, value);
  return out;
}

export function lightChart(container, rootId, value, visited) {
  const active = new Set(value === undefined ? [] : activeIds(rootId, value));
  for (const node of container.querySelectorAll('[data-state]')) {
    const id = node.getAttribute('data-state');
    node.classList.toggle('active', active.has(id));
    node.classList.toggle('visited', visited?.has(id) ?? false);
  }
}
