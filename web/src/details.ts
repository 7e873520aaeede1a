/**
 * The details of one trace event: the explain trace of its frame (every step, rule ID, rule
 * title, the engine's sentence) and the frame's decoded layers as a tree (from the server's
 * decoder), with a hex dump.
 */
import { api, ApiFailure, type DecodedFrame } from './api.js';
import { clear, formatTime, h } from './dom.js';
import type { EventStore } from './event-store.js';
import { tagLabel } from '../../src/wire/frame-summary.js';
import { hexToBytes } from '../../src/wire/hex.js';
import type { TraceEventJson } from './model.js';
import { eventIface, frameRef } from './event-words.js';
import { ruleTitle } from '../../src/engine/rules.js';
import { branchMark, copyTree, copyTreeRows, withoutCitedRule } from '../../src/engine/copy-tree.js';
import { eventSummary } from './event-list.js';

function hexDump(hex: string): string {
  const clean = hex.replace(/[^0-9a-fA-F]/g, '').toLowerCase();
  const lines: string[] = [];
  for (let off = 0; off < clean.length / 2; off += 16) {
    const bytes: string[] = [];
    let ascii = '';
    for (let i = off; i < Math.min(off + 16, clean.length / 2); i++) {
      const b = clean.substr(i * 2, 2);
      bytes.push(b);
      const c = parseInt(b, 16);
      ascii += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '.';
    }
    lines.push(`${off.toString(16).padStart(4, '0')}  ${bytes.join(' ').padEnd(47)}  ${ascii}`);
  }
  return lines.join('\n');
}

export function decodedTree(d: DecodedFrame): HTMLElement {
  const root = h('ul', { class: 'tree', role: 'tree', 'aria-label': 'Decoded layers' });
  for (const l of d.layers) {
    const fields = h('ul', { role: 'group' });
    for (const f of l.fields) fields.append(h('li', { role: 'treeitem' }, h('span', { class: 'f-name' }, `${f.name}: `), h('span', { class: 'f-value' }, f.value)));
    const det = h('details', { open: true }, h('summary', {}, `${l.name}`, h('span', { class: 'muted' }, `  (${l.length} bytes at ${l.offset})`)), fields);
    root.append(h('li', { role: 'treeitem', 'aria-expanded': 'true' }, det));
  }
  if (d.malformed) root.append(h('li', { class: 'bad' }, `Malformed ${d.malformed.layer} at byte ${d.malformed.offset}: ${d.malformed.message}`));
  return root;
}

/** One row of a frame's trace as a tree: an event at its copy's depth, or the start of a copy. */
export type TreeRow = { kind: 'event'; e: TraceEventJson; depth: number } | { kind: 'copy'; copyId: number; at: string; depth: number; last: boolean };

/**
 * A frame's events grouped by copy, each copy after the step that made it and indented under its
 * parent (parent copy -> child copies, like Open vSwitch's ofproto/trace): the rows of
 * src/engine/copy-tree.ts, the walk the CLI's explain text draws too.
 */
export function traceTree(events: readonly TraceEventJson[]): TreeRow[] {
  return copyTreeRows(copyTree(events)).map((row) =>
    row.kind === 'step'
      ? { kind: 'event', e: events[row.index]!, depth: row.depth }
      : { kind: 'copy', copyId: row.node.copyId, at: eventIface(events[row.node.steps[0]!]!), depth: row.depth, last: row.last }
  );
}

export class DetailsPane {
  readonly root: HTMLElement;
  private current = -1;
  private decodeAvailable = true;
  onPick: (seq: number) => void = () => undefined;

  constructor(private readonly store: EventStore) {
    this.root = h('section', { class: 'details', 'aria-label': 'Event details', id: 'event-details' }, h('p', { class: 'muted' }, 'Click an event to see its explain trace and decoded layers.'));
  }

  show(e: TraceEventJson): void {
    this.current = e.seq;
    clear(this.root);
    const iface = eventIface(e);
    const head = h(
      'div',
      { class: 'd-head' },
      h('strong', {}, `${e.action}${e.reason ? ` ${e.reason}` : ''}`),
      ` at ${iface} · ${formatTime(e.time)}${frameRef(e)}`,
    );
    this.root.append(head);
    if (e.rule) {
      this.root.append(h('p', { class: 'rule-line' }, h('span', { class: `rule-chip ${e.action === 'drop' ? 'bad' : ''}` }, e.rule), ` ${ruleTitle(e.rule, e.reason)}`));
    }
    const sentence = eventSummary(e);
    if (sentence) this.root.append(h('p', { class: `sentence ${e.action === 'drop' ? 'bad' : ''}` }, sentence));
    if (e.action === 'change') {
      // a runtime change is no frame: what it set off (failover, RARPs of notify switches) follows it in the list
      this.root.append(h('p', { class: 'muted' }, 'A runtime change of the lab. The events after it show what it set off: failover of teams, RARPs of notify switches (T7).'));
      return;
    }

    // the frame's whole trace as a tree of copies, ofproto/trace style; each rule cited once (its chip)
    const steps = this.store.frameEvents(e.frameId);
    const ol = h('ol', { class: 'trace tree-trace', 'aria-label': `Explain trace of frame ${e.frameId}` });
    for (const row of traceTree(steps)) {
      const indent = `padding-left: ${row.depth * 16}px`;
      if (row.kind === 'copy') {
        ol.append(h('li', { class: 'copy-branch muted', style: indent, 'data-copy': row.copyId }, `${branchMark(row)} copy ${row.copyId} → ${row.at}`));
        continue;
      }
      const s = row.e;
      const li = h(
        'li',
        { class: `${s.seq === e.seq ? 'here ' : ''}a-${s.action}`, 'data-seq': s.seq, tabindex: 0, style: indent },
        s.rule ? h('span', { class: `rule-chip ${s.action === 'drop' ? 'bad' : ''}`, title: ruleTitle(s.rule, s.reason) }, s.rule) : h('span', { class: 'rule-chip none' }, '·'),
        h('span', { class: 'tr-at' }, eventIface(s)),
        h('span', { class: 'tr-what' }, s.action),
        h('span', { class: 'tr-sum' }, withoutCitedRule(eventSummary(s), s.rule) + (s.rule && ruleTitle(s.rule, s.reason) ? ` — ${ruleTitle(s.rule, s.reason)}` : '')),
      );
      li.addEventListener('click', () => this.onPick(s.seq));
      li.addEventListener('keydown', (ev) => {
        if (ev.key === 'Enter') this.onPick(s.seq);
      });
      ol.append(li);
    }
    this.root.append(h('h4', {}, `Explain trace · frame ${e.frameId} (${steps.length} steps)`), ol);

    // decoded layers
    const hex = this.store.frameHexFor(e);
    const decodedHost = h('div', { class: 'decoded' });
    this.root.append(h('h4', {}, 'Frame', hex ? h('span', { class: 'muted' }, ` · ${hex.length / 2} bytes · ${tagLabel(hexToBytes(hex)) ?? ''}`) : ''), decodedHost);
    if (!hex) {
      decodedHost.append(h('p', { class: 'muted' }, e.frameLength !== undefined ? `${e.frameLength} bytes; the live stream carries no frame bytes for this event.` : 'No frame bytes at this step.'));
      return;
    }
    const dump = h('pre', { class: 'hexdump' }, hexDump(hex));
    if (!this.decodeAvailable) {
      decodedHost.append(dump);
      return;
    }
    const seq = e.seq;
    decodedHost.append(h('p', { class: 'muted' }, 'decoding…'));
    api
      .decode(hex)
      .then((d) => {
        if (this.current !== seq) return;
        clear(decodedHost);
        decodedHost.append(h('p', { class: 'summary-line' }, d.summary), decodedTree(d), h('details', {}, h('summary', {}, 'Hex'), dump));
      })
      .catch((err: unknown) => {
        if (this.current !== seq) return;
        if (err instanceof ApiFailure && err.status === 404) this.decodeAvailable = false;
        clear(decodedHost);
        decodedHost.append(dump);
      });
  }
}
