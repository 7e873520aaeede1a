/** Activity Markdown as DOM (markdown.ts parses it): text nodes and a few elements, never parsed HTML. */
import { parseMarkdown, type Inline } from './markdown.js';

function inlineNodes(parts: Inline[]): Node[] {
  return parts.map((p) => {
    if (p.t === 'text') return document.createTextNode(p.text);
    const el = document.createElement(p.t);
    el.textContent = p.text;
    return el;
  });
}

/** The DOM of `md` (text nodes and a few elements; never parsed HTML). */
export function renderMarkdown(md: string): HTMLElement {
  const root = document.createElement('div');
  root.className = 'md';
  for (const b of parseMarkdown(md)) {
    if (b.t === 'p') {
      const p = document.createElement('p');
      p.append(...inlineNodes(b.inline));
      root.append(p);
    } else {
      const list = document.createElement(b.t);
      for (const item of b.items) {
        const li = document.createElement('li');
        li.append(...inlineNodes(item));
        list.append(li);
      }
      root.append(list);
    }
  }
  return root;
}
