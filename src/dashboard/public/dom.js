// Tiny DOM helper: every piece of data goes in as text, never as HTML (transcripts are callers' words).
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'style') node.style.cssText = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

export const ms = (v) => (v === null || v === undefined ? '–' : `${Math.round(v)} ms`);
export const time = (t) => (t ? new Date(t).toLocaleTimeString() : '–');
export const dateTime = (t) => (t ? new Date(t).toLocaleString() : '–');

/** replaceChildren without the null/false placeholders of conditional pieces. */
export function fill(node, ...children) {
  node.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
}
