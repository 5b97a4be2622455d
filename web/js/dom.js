// Building DOM safely: every piece of text goes in through textContent or an attribute set
// with setAttribute, never through innerHTML, so names, commands and reasons that come from
// outside are shown as text whatever they contain.

// h('div', {class: 'x', onclick: fn}, 'text', child, ...) -> element.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2), value);
    } else if (name === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (name === 'value') {
      el.value = value;
    } else if (name === 'checked' || name === 'disabled' || name === 'selected') {
      el[name] = Boolean(value);
    } else {
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

// Appends children: elements as they are, anything else as text; arrays are flattened.
export function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
  return el;
}

// Replaces every child of `el` with `children`.
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

const SVG_NS = 'http://www.w3.org/2000/svg';

// An SVG element with attributes (numbers and strings only; no event handlers).
export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== undefined && value !== null) el.setAttribute(name, String(value));
  }
  for (const c of children) {
    if (c === undefined || c === null) continue;
    el.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function formatNumber(n) {
  if (n === undefined || n === null || Number.isNaN(n)) return '–';
  if (typeof n !== 'number') return String(n);
  if (Math.abs(n) >= 1e6) return (n / 1e6).toFixed(1) + 'M';
  if (Math.abs(n) >= 1e4) return (n / 1e3).toFixed(1) + 'k';
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
}

export function formatTime(ms) {
  if (!ms) return '–';
  const d = new Date(ms);
  return d
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
}

export function formatBytes(n) {
  if (typeof n !== 'number') return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return (i === 0 ? n : n.toFixed(1)) + ' ' + units[i];
}

// Guards a part of the page that live updates draw again against drawing over an edit the
// admin has not saved: it counts what is typed into it, and instead of such a draw offers the
// latest in a notice, keeping what was typed until the admin chooses.
//
//   const mark = guard.mark(live);       // before fetching what to draw
//   ... await the fetch ...
//   if (!guard.mayDraw(mark, () => load())) return;
//   replace(el, ...);
export class EditGuard {
  constructor(el) {
    this.el = el;
    this.edits = 0;
    this.editsAtDraw = 0;
    this.loads = 0;
    this.loadDrawn = 0;
    el.addEventListener('input', () => {
      this.edits++;
    });
  }

  // Where a load counts edits from, taken before it fetches: now, for a load the admin asked
  // for; the last draw, for a live one, which so gives way to anything typed and not saved.
  // Each mark also numbers its load, so that an answer overtaken by a later one is not drawn.
  mark(live = false) {
    return { edits: live ? this.editsAtDraw : this.edits, load: ++this.loads };
  }
  // Whether what a load fetched may be drawn now: not if a later load was drawn already; not
  // if typed into since `mark` or the last draw, when a notice offers `reload` instead. Call
  // just before drawing.
  mayDraw(mark, reload) {
    if (mark.load < this.loadDrawn) return false;
    if (this.edits > Math.max(mark.edits, this.editsAtDraw)) {
      this.offerLatest(reload);
      return false;
    }
    this.loadDrawn = mark.load;
    this.editsAtDraw = this.edits;
    return true;
  }
  // Prepends (once) "Changed elsewhere since shown" with a button that calls `showLatest`.
  offerLatest(showLatest) {
    if (this.el.querySelector(':scope > .changed-elsewhere')) return;
    const latest = h('button', { type: 'button' }, 'Show the latest');
    latest.addEventListener('click', showLatest);
    this.el.prepend(
      h(
        'p',
        { class: 'hint changed-elsewhere', role: 'status' },
        'Changed elsewhere since shown. ',
        latest,
      ),
    );
  }
}

// A notice shown for a few seconds in the corner.
export function toast(text, kind = 'info') {
  const box = document.getElementById('toasts');
  if (!box) return;
  const t = h(
    'div',
    { class: `toast toast-${kind}`, role: kind === 'error' ? 'alert' : 'status' },
    text,
  );
  box.appendChild(t);
  setTimeout(() => t.remove(), 5000);
}

// A labelled key figure: <div class="stat"><span>label</span><strong>value</strong></div>.
export function stat(label, value, id) {
  return h(
    'div',
    { class: 'stat' },
    h('span', { class: 'stat-label' }, label),
    h('strong', { class: 'stat-value', 'data-stat': id }, value),
  );
}
