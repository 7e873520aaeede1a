/**
 * The Markdown of activity instructions, rendered safely: a small subset — paragraphs, numbered
 * and bulleted lists, **bold**, *italic*, `code` — parsed into a tree here (`parseMarkdown`, pure,
 * unit tested) and built with DOM nodes whose text is set as text (`renderMarkdown`,
 * markdown-view.ts). No HTML string is
 * ever parsed, so nothing an activity file says can become markup, a script or a link: safe by
 * construction, with no sanitiser to keep up to date (a full library such as marked would need
 * DOMPurify beside it for the same guarantee, for constructs instructions do not need). Anything
 * outside the subset shows as the text it is.
 */

export type Inline = { t: 'text' | 'strong' | 'em' | 'code'; text: string };
export type Block = { t: 'p'; inline: Inline[] } | { t: 'ol' | 'ul'; items: Inline[][] };

/** `**bold**`, `*italic*` / `_italic_`, `` `code` ``; everything else is text. */
export function parseInline(s: string): Inline[] {
  const out: Inline[] = [];
  const re = /`([^`]+)`|\*\*([^*]+)\*\*|\*([^*\s][^*]*)\*|_([^_\s][^_]*)_/g;
  let last = 0;
  for (let m = re.exec(s); m !== null; m = re.exec(s)) {
    if (m.index > last) out.push({ t: 'text', text: s.slice(last, m.index) });
    if (m[1] !== undefined) out.push({ t: 'code', text: m[1] });
    else if (m[2] !== undefined) out.push({ t: 'strong', text: m[2] });
    else out.push({ t: 'em', text: (m[3] ?? m[4])! });
    last = re.lastIndex;
  }
  if (last < s.length) out.push({ t: 'text', text: s.slice(last) });
  return out;
}

/** Blocks separated by blank lines; a block whose lines start `1.` or `-`/`*` is a list. */
export function parseMarkdown(md: string): Block[] {
  const blocks: Block[] = [];
  for (const chunk of md.replace(/\r\n?/g, '\n').split(/\n\s*\n/)) {
    const lines = chunk.split('\n').filter((l) => l.trim() !== '');
    if (lines.length === 0) continue;
    const ol = lines.every((l) => /^\s*\d+[.)]\s+/.test(l));
    const ul = !ol && lines.every((l) => /^\s*[-*+]\s+/.test(l));
    if (ol || ul) blocks.push({ t: ol ? 'ol' : 'ul', items: lines.map((l) => parseInline(l.replace(/^\s*(\d+[.)]|[-*+])\s+/, ''))) });
    else blocks.push({ t: 'p', inline: parseInline(lines.map((l) => l.trim()).join(' ')) });
  }
  return blocks;
}
