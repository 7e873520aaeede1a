/**
 * The persistent path of a selected frame (from the event list or the re-fire list): every copy's
 * legs drawn on the graph with their tag stack, a ✓ where a copy was delivered and a ✕ with its
 * reason code and rule where one was dropped — one mark per leg, placed so that marks never
 * overlap each other or the nodes — until cleared. While a path is shown, clicking a node shows
 * what that node did with the frame (what came in, which rules decided, what went out by which
 * port with which tags), built from the same trace events.
 * Its own canvas over the graph (topology-view.ts draws the moving tokens and transient marks).
 */
import type { NodeSingular } from 'cytoscape';
import { h } from './dom.js';
import type { EventStore } from './event-store.js';
import { tagLabel } from '../../src/wire/frame-summary.js';
import { hexToBytes } from '../../src/wire/hex.js';
import type { TraceEventJson } from './model.js';
import { eventIface } from './player.js';
import type { TopologyView } from './topology-view.js';

interface Badge {
  x: number;
  y: number;
  w: number;
  h: number;
  text: string;
  ok: boolean;
}

export interface PathMark {
  kind: 'deliver' | 'drop';
  iface: string;
  text: string;
}

export class PathOverlay {
  private readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  readonly info: HTMLElement;
  private frameIds: number[] = [];
  private raf = 0;
  /** the canvas shows a path since its last clear */
  private drawn = false;

  constructor(
    private readonly view: TopologyView,
    private readonly store: EventStore,
    host: HTMLElement,
  ) {
    this.canvas = h('canvas', { class: 'path-overlay', 'aria-hidden': 'true' });
    this.canvas.style.cssText = 'position:absolute;inset:0;pointer-events:none;z-index:2';
    host.append(this.canvas);
    this.ctx = this.canvas.getContext('2d')!;
    this.info = h('div', { class: 'path-info', id: 'path-info', hidden: true, role: 'region', 'aria-label': 'Path of the selected frame' });
    this.info.style.cssText =
      'position:absolute;right:8px;bottom:8px;max-width:46%;max-height:45%;overflow:auto;background:rgba(255,255,255,0.96);border:1px solid #ced4da;border-radius:6px;padding:6px 8px;font-size:12px;z-index:3';
    host.append(this.info);
    view.cy.on('render viewport resize', () => this.request());
    view.cy.on('tap', 'node', (ev) => {
      if (this.frameIds.length > 0) this.device((ev.target as NodeSingular).id());
    });
    store.onChange(() => {
      if (this.frameIds.length > 0) this.render();
    });
  }

  get active(): boolean {
    return this.frameIds.length > 0;
  }

  /** Draws the path of these frames (all their copies) until `clear`. */
  show(frameIds: readonly number[]): void {
    this.frameIds = frameIds.filter((id) => id > 0);
    this.render();
  }

  clear(): void {
    this.frameIds = [];
    this.info.hidden = true;
    this.info.replaceChildren();
    this.request();
  }

  private events(): TraceEventJson[] {
    return this.frameIds.flatMap((id) => this.store.frameEvents(id)).sort((a, b) => a.seq - b.seq);
  }

  private nodeOf(e: TraceEventJson): string | undefined {
    const iface = eventIface(e);
    const idx = this.view.index;
    return this.view.nodeOfIface(iface) ?? idx?.placeNode.get(iface) ?? (e.node !== undefined ? idx?.placeNode.get(e.node) : undefined);
  }

  /** The marks of the path: one per delivered or dropped leg (tests read them). */
  marks(): PathMark[] {
    return this.events()
      .filter((e) => e.action === 'deliver' || e.action === 'drop')
      .map((e) => ({ kind: e.action as 'deliver' | 'drop', iface: eventIface(e), text: e.action === 'drop' ? `${e.reason ?? 'dropped'}${e.rule ? ` (${e.rule})` : ''}` : 'delivered' }));
  }

  private render(): void {
    const evs = this.events();
    this.info.replaceChildren(
      h(
        'div',
        { class: 'path-head' },
        h('strong', {}, `Path of frame ${this.frameIds.join(', ')}`),
        ' ',
        h('button', { type: 'button', id: 'path-clear', class: 'linkish', onclick: () => this.clear() }, 'clear'),
      ),
      ...this.legs(evs).map((l) => h('div', { class: `path-leg ${l.cls}` }, l.text)),
      h('div', { class: 'muted' }, 'Click a node: what it did with this frame.'),
    );
    this.info.hidden = false;
    this.request();
  }

  /** One line per copy: where it went, its tags, how it ended. */
  private legs(evs: TraceEventJson[]): Array<{ text: string; cls: string }> {
    const byCopy = new Map<number, TraceEventJson[]>();
    for (const e of evs) {
      const k = e.copyId ?? 0;
      if (!byCopy.has(k)) byCopy.set(k, []);
      byCopy.get(k)!.push(e);
    }
    const out: Array<{ text: string; cls: string }> = [];
    for (const [cid, list] of byCopy) {
      const places = list.map((e) => eventIface(e)).filter((p, i, a) => p && a.indexOf(p) === i);
      const hex = list.find((e) => e.frameHex)?.frameHex ?? this.store.frameHexFor(list[0]!);
      const tags = (hex ? tagLabel(hexToBytes(hex)) : null) ?? '';
      const end = list.find((e) => e.action === 'deliver' || e.action === 'drop');
      const fate = !end ? '' : end.action === 'deliver' ? ' ✓' : ` ✕ ${end.reason ?? ''}${end.rule ? ` (${end.rule})` : ''}`;
      out.push({ text: `copy ${cid}: ${places.join(' → ')}${tags ? ` [${tags}]` : ''}${fate}`, cls: end?.action === 'drop' ? 'bad' : end?.action === 'deliver' ? 'ok' : '' });
    }
    return out;
  }

  /** What node `nodeId` did with the frame: in, rules, out (Packet Tracer's in/out layers). */
  private device(nodeId: string): void {
    const evs = this.events().filter((e) => this.nodeOf(e) === nodeId);
    const label = (this.view.cy.getElementById(nodeId).data('label') as string | undefined)?.split('\n')[0] ?? nodeId;
    const line = (e: TraceEventJson): string => {
      const tags = (e.frameHex ? tagLabel(hexToBytes(e.frameHex)) : null) ?? (e.vlan !== undefined && e.vlan !== null ? `VLAN ${e.vlan}` : '');
      return `${eventIface(e)} ${e.action}${e.rule ? ` [${e.rule}]` : ''}${e.reason ? ` ${e.reason}` : ''}${tags ? ` · ${tags}` : ''} — ${e.detail ?? ''}`;
    };
    const inn = evs.filter((e) => e.action === 'ingress');
    const out = evs.filter((e) => e.action === 'tx' || e.action === 'deliver' || e.action === 'drop');
    const rules = evs.filter((e) => !inn.includes(e) && !out.includes(e));
    const section = (title: string, list: TraceEventJson[]): HTMLElement =>
      h(
        'div',
        { class: 'dev-section' },
        h('strong', {}, title),
        ...(list.length ? list.map((e) => h('div', { class: `dev-line a-${e.action}` }, line(e))) : [h('div', { class: 'muted' }, 'nothing')]),
      );
    const box = h(
      'div',
      { class: 'device-view', id: 'device-view' },
      h('div', {}, h('strong', {}, `${label}: what it did with frame ${this.frameIds.join(', ')}`)),
      section('In', inn),
      section('Rules', rules),
      section('Out', out),
    );
    this.info.querySelector('#device-view')?.remove();
    this.info.append(box);
  }

  private request(): void {
    if (this.raf) return;
    this.raf = requestAnimationFrame(() => {
      this.raf = 0;
      this.draw();
    });
  }

  private draw(): void {
    // no path shown and none left on the canvas: a pan or a graph render costs no canvas work
    if (this.frameIds.length === 0 && !this.drawn) return;
    this.drawn = this.frameIds.length > 0;
    const c = this.canvas;
    const host = c.parentElement!;
    const dpr = window.devicePixelRatio || 1;
    const w = host.clientWidth;
    const hgt = host.clientHeight;
    if (c.width !== Math.round(w * dpr) || c.height !== Math.round(hgt * dpr)) {
      c.width = Math.round(w * dpr);
      c.height = Math.round(hgt * dpr);
      c.style.width = `${w}px`;
      c.style.height = `${hgt}px`;
    }
    const ctx = this.ctx;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, hgt);
    if (this.frameIds.length === 0) return;
    const cy = this.view.cy;
    const pos = (id: string): { x: number; y: number } | null => {
      const n = cy.getElementById(id) as NodeSingular;
      return n.empty() ? null : n.renderedPosition();
    };
    const evs = this.events();
    // legs: each copy from the node it was at to the next node it reached
    const last = new Map<number, string>();
    ctx.lineWidth = 4;
    ctx.strokeStyle = 'rgba(28,126,214,0.55)';
    for (const e of evs) {
      const node = this.nodeOf(e);
      if (!node) continue;
      const cid = e.copyId ?? 0;
      const prev = last.get(cid) ?? (e.parentCopyId ? last.get(e.parentCopyId) : undefined);
      if (prev && prev !== node) {
        const a = pos(prev);
        const b = pos(node);
        if (a && b) {
          ctx.beginPath();
          ctx.moveTo(a.x, a.y);
          ctx.lineTo(b.x, b.y);
          ctx.stroke();
        }
      }
      last.set(cid, node);
    }
    // marks: one per delivered/dropped leg, stacked so that none overlaps another or a node
    const placed: Badge[] = [];
    const nodeBoxes = cy
      .nodes()
      .filter((n) => n.visible())
      .map((n) => n.renderedBoundingBox({ includeLabels: true }))
      .filter((b) => b.x2 >= 0 && b.y2 >= 0 && b.x1 <= w && b.y1 <= hgt);
    const hits = (b: Badge): boolean =>
      placed.some((p) => b.x < p.x + p.w && b.x + b.w > p.x && b.y < p.y + p.h && b.y + b.h > p.y) ||
      nodeBoxes.some((n) => b.x < n.x2 && b.x + b.w > n.x1 && b.y < n.y2 && b.y + b.h > n.y1);
    ctx.font = '600 11px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    for (const e of evs) {
      if (e.action !== 'deliver' && e.action !== 'drop') continue;
      const node = this.nodeOf(e);
      const p = node ? pos(node) : null;
      if (!p) continue;
      const ok = e.action === 'deliver';
      const text = ok ? `✓ ${eventIface(e)}` : `✕ ${e.reason ?? 'dropped'}${e.rule ? ` (${e.rule})` : ''}`;
      const bw = ctx.measureText(text).width + 10;
      const badge: Badge = { x: p.x - bw / 2, y: p.y - 40, w: bw, h: 18, text, ok };
      // upward, then alternately to the sides, until the badge touches nothing
      for (let k = 0; k < 40 && hits(badge); k++) {
        if (k % 3 === 0) badge.y -= 20;
        else badge.x = p.x - bw / 2 + (k % 3 === 1 ? -1 : 1) * (bw / 2 + 6) * Math.ceil(k / 3);
      }
      placed.push(badge);
      ctx.fillStyle = ok ? '#2f9e44' : '#e03131';
      ctx.beginPath();
      ctx.roundRect(badge.x, badge.y, badge.w, badge.h, 4);
      ctx.fill();
      ctx.fillStyle = '#fff';
      ctx.textAlign = 'center';
      ctx.fillText(text, badge.x + badge.w / 2, badge.y + badge.h / 2);
    }
    this.lastBadges = placed;
  }

  private lastBadges: Badge[] = [];

  /** Where the marks were drawn last (tests: none overlaps another). */
  badges(): Badge[] {
    return this.lastBadges;
  }
}
