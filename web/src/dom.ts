/** Tiny DOM helpers: the UI is plain TypeScript + DOM. */

type Attrs = Record<string, string | number | boolean | undefined | null | EventListener>;
type Child = Node | string | number | null | undefined | false;

/** `h('button', { class: 'x', onclick: fn }, 'text')` */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = String(v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, ...children);
  return el;
}

export function append(el: Element, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
}

/** Text for HTML (element content and quoted attribute values). */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * `<option>`s as one HTML string, `[value, text]` each (text: the value when left out): thousands
 * of options (a big lab's interfaces) are one parse instead of an element and attributes apiece.
 */
export function optionsHtml(items: Iterable<readonly [string, string?]>, groupLabel?: string): string {
  let out = '';
  for (const [value, text] of items) out += `<option value="${escapeHtml(value)}">${text === undefined ? '' : escapeHtml(text)}</option>`;
  return groupLabel === undefined ? out : `<optgroup label="${escapeHtml(groupLabel)}">${out}</optgroup>`;
}

export function clear(el: Element): void {
  el.replaceChildren();
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} missing from index.html`);
  return el as T;
}

/** Saves `text` as a file the browser downloads. */
export function downloadText(name: string, text: string, type = 'application/json'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** One short-lived message at the bottom of the page (role=status for screen readers). */
export function toast(text: string, kind: 'info' | 'error' | 'ok' = 'info'): void {
  const host = document.getElementById('toasts');
  if (!host) return;
  const t = h('div', { class: `toast toast-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
  host.append(t);
  while (host.childElementCount > 4) host.firstElementChild?.remove();
  setTimeout(() => t.remove(), kind === 'error' ? 8000 : 4000);
}

/** ns of virtual time -> `12.345 ms` */
export function formatTime(ns: number): string {
  if (!Number.isFinite(ns)) return '—';
  if (ns < 1_000) return `${ns.toFixed(0)} ns`;
  if (ns < 1_000_000) return `${(ns / 1_000).toFixed(3)} µs`;
  if (ns < 1_000_000_000) return `${(ns / 1_000_000).toFixed(3)} ms`;
  return `${(ns / 1_000_000_000).toFixed(3)} s`;
}
