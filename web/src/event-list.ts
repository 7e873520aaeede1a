/**
 * The event list (time, at, what, protocol, summary), virtualised: only the rows in view exist in
 * the DOM, and redraws are batched to one per animation frame however fast events arrive.
 * Filter by protocol, by text, drops only, my frames only (sent from this page, its pings'
 * frames), by frame id (`frame 12` or `#12` in the text filter). Keyboard: arrows, Home/End, Enter selects.
 */
import { formatTime, h } from './dom.js';
import type { EventStore } from './event-store.js';
import { FRAME_PROTOCOLS as PROTOCOLS } from '../../src/wire/frame-summary.js';
import type { TraceEventJson } from './model.js';
import { eventIface } from './player.js';

const ROW_H = 22;

export function eventWhat(e: TraceEventJson): string {
  const rule = e.rule ? ` ${e.rule}` : '';
  if (e.action === 'drop') return `drop${rule}`;
  return `${e.action}${rule}`;
}

export function eventSummary(e: TraceEventJson): string {
  const d = typeof e.detail === 'string' ? e.detail : e.detail === undefined ? '' : JSON.stringify(e.detail);
  if (e.action === 'drop' && e.reason && !d.includes(e.reason)) return `${e.reason}: ${d}`;
  return d || (e.reason ?? '');
}

export class EventList {
  readonly root: HTMLElement;
  private readonly viewport: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly rowsHost: HTMLElement;
  private readonly countEl: HTMLElement;
  private protoSummary!: HTMLElement;
  private visible: number[] = [];
  private visibleVersion = -1;
  private raf = 0;
  private selectedSeq: number | null = null;
  private cursorSeq: number | null = null;
  /** the rows in the DOM, by the event each shows */
  private rows = new Map<TraceEventJson, HTMLElement>();
  follow = true;
  readonly protocols = new Set<string>(PROTOCOLS);
  text = '';
  dropsOnly = false;
  ownOnly = false;
  /** `frame 12` / `#12` in the text filter: that frame only */
  private frameId: number | null = null;
  onSelect: (e: TraceEventJson) => void = () => undefined;
  onFilterChange: () => void = () => undefined;

  constructor(private readonly store: EventStore) {
    this.countEl = h('span', { class: 'count', 'aria-live': 'polite' });
    this.spacer = h('div', { class: 'spacer' });
    this.rowsHost = h('div', { class: 'rows' });
    this.viewport = h(
      'div',
      { class: 'viewport', tabindex: 0, role: 'listbox', 'aria-label': 'Trace events', id: 'event-viewport' },
      this.spacer,
      this.rowsHost,
    );
    const filterChips = PROTOCOLS.map((p) => {
      const box = h('input', { type: 'checkbox', checked: true, 'data-proto': p });
      box.addEventListener('change', () => {
        if (box.checked) this.protocols.add(p);
        else this.protocols.delete(p);
        this.filterChanged();
      });
      return h('label', { class: 'chip' }, box, p);
    });
    this.protoSummary = h('summary', { 'aria-label': 'Protocol filter' }, 'Protocols: all');
    const protoMenu = h('details', { class: 'proto-menu' }, this.protoSummary, h('div', { class: 'menu', role: 'group', 'aria-label': 'Protocols shown' }, ...filterChips));
    const search = h('input', { type: 'search', placeholder: 'filter: text, port, reason  ( / )', id: 'event-filter', 'aria-label': 'Filter events by text' });
    search.addEventListener('input', () => {
      this.text = search.value.trim().toLowerCase();
      const m = /^(?:frame\s*|#)(\d+)$/.exec(this.text);
      this.frameId = m ? Number(m[1]) : null;
      this.filterChanged();
    });
    const drops = h('input', { type: 'checkbox', id: 'drops-only' });
    drops.addEventListener('change', () => {
      this.dropsOnly = drops.checked;
      this.filterChanged();
    });
    const mine = h('input', { type: 'checkbox', id: 'own-only' });
    mine.addEventListener('change', () => {
      this.ownOnly = mine.checked;
      this.filterChanged();
    });
    this.root = h(
      'div',
      { class: 'event-list' },
      h(
        'div',
        { class: 'filters', role: 'group', 'aria-label': 'Event filter' },
        search,
        protoMenu,
        h('label', { class: 'chip drop-chip' }, drops, 'drops only'),
        h('label', { class: 'chip own-chip', title: 'the frames sent from this page (Send tab, re-fire list) and its pings’ frames' }, mine, 'my frames'),
        this.countEl,
      ),
      h(
        'div',
        { class: 'row head', 'aria-hidden': 'true' },
        h('span', { class: 'c-time' }, 'Time'),
        h('span', { class: 'c-at' }, 'At'),
        h('span', { class: 'c-what' }, 'What'),
        h('span', { class: 'c-proto' }, 'Type'),
        h('span', { class: 'c-sum' }, 'Summary'),
      ),
      this.viewport,
    );
    this.viewport.addEventListener('scroll', () => {
      const atBottom = this.viewport.scrollTop + this.viewport.clientHeight >= this.viewport.scrollHeight - ROW_H * 1.5;
      this.follow = atBottom;
      this.schedule();
    });
    this.viewport.addEventListener('click', (ev) => {
      const row = (ev.target as HTMLElement).closest<HTMLElement>('[data-seq]');
      if (row) this.select(Number(row.dataset.seq));
    });
    this.viewport.addEventListener('keydown', (ev) => this.onKey(ev));
    store.onChange(() => this.schedule());
    new ResizeObserver(() => this.schedule()).observe(this.viewport);
  }

  /** Does an event pass the filter? */
  accepts = (e: TraceEventJson): boolean => {
    if (this.dropsOnly && e.action !== 'drop') return false;
    if (this.ownOnly && !this.store.isOwn(e)) return false;
    if (this.frameId !== null) return e.frameId === this.frameId;
    const p = this.store.protocol(e);
    if (p !== '' && !this.protocols.has(p)) return false;
    if (p === '' && this.protocols.size < PROTOCOLS.length && !this.protocols.has('other')) return false;
    if (this.text !== '') {
      const hay = `${eventIface(e)} ${e.action} ${e.rule ?? ''} ${e.reason ?? ''} ${eventSummary(e)} ${p} ${this.store.frameTypeOf(e)}`.toLowerCase();
      if (!hay.includes(this.text)) return false;
    }
    return true;
  };

  private filterChanged(): void {
    const shown = PROTOCOLS.filter((p) => this.protocols.has(p));
    this.protoSummary.textContent = shown.length === PROTOCOLS.length ? 'Protocols: all' : shown.length === 0 ? 'Protocols: none' : `Protocols: ${shown.join(', ')}`;
    this.visibleVersion = -1;
    this.schedule();
    this.onFilterChange();
  }

  setCursor(seq: number | null): void {
    this.cursorSeq = seq;
    this.schedule();
  }

  select(seq: number): void {
    const e = this.store.bySeqGet(seq);
    if (!e) return;
    this.selectedSeq = seq;
    this.follow = false;
    this.viewport.setAttribute('aria-activedescendant', `ev-${seq}`);
    this.scrollTo(seq);
    this.schedule();
    this.onSelect(e);
  }

  get selected(): number | null {
    return this.selectedSeq;
  }

  /** Rows matching the filter (for tests and the count). */
  visibleEvents(): TraceEventJson[] {
    this.refilter();
    return this.visible.map((i) => this.store.at(i)!);
  }

  private scrollTo(seq: number): void {
    this.refilter();
    const idx = this.store.indexOfSeq(seq);
    const pos = this.visible.indexOf(idx);
    if (pos < 0) return;
    const top = pos * ROW_H;
    if (top < this.viewport.scrollTop) this.viewport.scrollTop = top;
    else if (top + ROW_H > this.viewport.scrollTop + this.viewport.clientHeight) this.viewport.scrollTop = top + ROW_H - this.viewport.clientHeight;
  }

  private onKey(ev: KeyboardEvent): void {
    this.refilter();
    if (this.visible.length === 0) return;
    const cur = this.selectedSeq === null ? -1 : this.visible.indexOf(this.store.indexOfSeq(this.selectedSeq));
    let next = cur;
    const page = Math.max(1, Math.floor(this.viewport.clientHeight / ROW_H) - 1);
    if (ev.key === 'ArrowDown') next = Math.min(this.visible.length - 1, cur + 1);
    else if (ev.key === 'ArrowUp') next = Math.max(0, cur < 0 ? this.visible.length - 1 : cur - 1);
    else if (ev.key === 'PageDown') next = Math.min(this.visible.length - 1, cur + page);
    else if (ev.key === 'PageUp') next = Math.max(0, cur - page);
    else if (ev.key === 'Home') next = 0;
    else if (ev.key === 'End') next = this.visible.length - 1;
    else return;
    ev.preventDefault();
    this.select(this.store.at(this.visible[next]!)!.seq);
  }

  /** Filtered row indices; incremental while events are only appended (or the oldest trimmed). */
  private refilter(): void {
    if (this.visibleVersion === this.store.version) return;
    let from = 0;
    if (this.visibleVersion !== -1 && this.filteredStructure === this.store.structure) {
      const shift = this.store.base - this.filteredBase;
      if (shift > 0) {
        let k = 0;
        while (k < this.visible.length && this.visible[k]! < shift) k++;
        this.visible = this.visible.slice(k);
        for (let j = 0; j < this.visible.length; j++) this.visible[j]! -= shift;
      }
      from = Math.max(0, this.filteredEnd - shift);
    } else {
      this.visible = [];
    }
    for (let i = from; i < this.store.length; i++) if (this.accepts(this.store.at(i)!)) this.visible.push(i);
    this.visibleVersion = this.store.version;
    this.filteredStructure = this.store.structure;
    this.filteredBase = this.store.base;
    this.filteredEnd = this.store.length;
  }
  private filteredStructure = -1;
  private filteredBase = 0;
  private filteredEnd = 0;

  /** True when no redraw is pending: the rows on screen follow the current filter and store (tests wait on it). */
  get drawn(): boolean {
    return this.raf === 0;
  }

  private schedule(): void {
    if (this.raf === 0) this.raf = requestAnimationFrame(() => this.render());
  }

  private render(): void {
    this.raf = 0;
    this.refilter();
    const n = this.visible.length;
    this.spacer.style.height = `${n * ROW_H}px`;
    const vh = this.viewport.clientHeight;
    if (this.follow) this.viewport.scrollTop = Math.max(0, n * ROW_H - vh);
    const first = Math.max(0, Math.floor(this.viewport.scrollTop / ROW_H) - 5);
    const last = Math.min(n, Math.ceil((this.viewport.scrollTop + vh) / ROW_H) + 5);
    // Rows are kept across redraws (keyed by the event itself): a redraw that only moves the
    // cursor or the selection changes classes, so the row under the pointer stays the same element
    // between a press and its release and the click lands (a row rebuilt in between loses it).
    const rows = new Map<TraceEventJson, HTMLElement>();
    let before: ChildNode | null = this.rowsHost.firstChild;
    for (let k = first; k < last; k++) {
      const e = this.store.at(this.visible[k]!)!;
      const cls = `row a-${e.action}${e.seq === this.selectedSeq ? ' selected' : ''}${e.seq === this.cursorSeq ? ' cursor' : ''}`;
      const selected = e.seq === this.selectedSeq ? 'true' : 'false';
      const top = `${k * ROW_H}px`;
      let row = this.rows.get(e);
      if (row) {
        if (row.className !== cls) row.className = cls;
        if (row.getAttribute('aria-selected') !== selected) row.setAttribute('aria-selected', selected);
        if (row.style.top !== top) row.style.top = top;
      } else {
        row = h(
          'div',
          { class: cls, 'data-seq': e.seq, id: `ev-${e.seq}`, role: 'option', 'aria-selected': selected, style: `top:${top}` },
          h('span', { class: 'c-time' }, formatTime(e.time)),
          h('span', { class: 'c-at' }, eventIface(e)),
          h('span', { class: 'c-what' }, eventWhat(e)),
          h('span', { class: 'c-proto', title: this.store.frameTypeOf(e) }, this.store.frameTypeOf(e) || this.store.protocol(e)),
          h('span', { class: 'c-sum', title: eventSummary(e) }, eventSummary(e)),
        );
      }
      rows.set(e, row);
      // in list order; a kept row already in place is not moved
      if (row === before) before = row.nextSibling;
      else this.rowsHost.insertBefore(row, before);
    }
    while (before) {
      const next = before.nextSibling;
      before.remove();
      before = next;
    }
    this.rows = rows;
    const omitted = this.store.omitted;
    this.countEl.textContent = `${n} of ${this.store.length} events${omitted ? ` · ${omitted} not listed` : ''}`;
  }
}
