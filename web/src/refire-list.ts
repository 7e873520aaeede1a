/**
 * Re-fire list (Packet Tracer's list of sent PDUs): every frame and ping sent from this page since
 * the lab loaded, kept in localStorage per topology (so it survives a reload), with its outcome
 * ✓/✕. Each can be sent again, edited (its request as JSON) and sent, deleted, or saved as a
 * test: the lab's current topology downloaded with the send added to its `tests` block and the
 * outcome it had as the expectation (`vswitch-lab test` runs it).
 * Sends are recorded where they leave the page (api.send / api.ping), whatever panel made them.
 */
import type { api as Api } from './api.js';
import { h, toast } from './dom.js';
import type { EventStore } from './event-store.js';
import { eventIface } from './player.js';
import type { PingRequest, SendFrameRequest, SendFrameResponse, TopologyState, TraceEventJson } from './model.js';

export interface SentFrame {
  id: number;
  kind: 'frame' | 'ping';
  request: SendFrameRequest | PingRequest;
  /** frame ids the last send got (frames) */
  frameIds: number[];
  /** frames: receiving interfaces and drops of the sent frame(s); pings: received of transmitted */
  delivered: string[];
  dropped: Array<{ at: string; reason: string; rule?: string }>;
  ping?: { transmitted: number; received: number };
  /** false while its events are still to come (simulation mode) */
  settled: boolean;
}

const MAX_ENTRIES = 100;

function outcomeOf(events: readonly TraceEventJson[], frameIds: readonly number[]): Pick<SentFrame, 'delivered' | 'dropped'> {
  const ids = new Set(frameIds);
  const delivered: string[] = [];
  const dropped: SentFrame['dropped'] = [];
  for (const e of events) {
    if (!ids.has(e.frameId)) continue;
    const at = eventIface(e);
    if (e.action === 'deliver' && !delivered.includes(at)) delivered.push(at);
    if (e.action === 'drop') dropped.push({ at, reason: e.reason ?? 'DROPPED', ...(e.rule ? { rule: e.rule } : {}) });
  }
  return { delivered, dropped };
}

export class RefireList {
  readonly root: HTMLElement;
  private readonly listEl: HTMLElement;
  private entries: SentFrame[] = [];
  private key = '';
  private nextId = 1;
  private topology: TopologyState | null = null;
  /** a send made by this list (re-send): recorded on its own entry */
  private resending: SentFrame | null = null;
  /** an entry was picked: draw its frame's path (path-overlay.ts) */
  onPick: (frameIds: number[]) => void = () => undefined;

  constructor(
    private readonly api: typeof Api,
    private readonly store: EventStore,
  ) {
    this.listEl = h('ul', { class: 'refire-list', id: 'refire-list', 'aria-label': 'Sent frames and pings' });
    this.root = h(
      'section',
      { class: 'refire', 'aria-label': 'Re-fire list' },
      h('h3', {}, 'Sent from this page', h('span', { class: 'muted' }, ' · re-send, edit, save as test')),
      this.listEl,
    );
    const send = api.send;
    api.send = async (req) => {
      const r = await send(req);
      this.recordFrame(req, r);
      return r;
    };
    const ping = api.ping;
    api.ping = async (req) => {
      const r = await ping(req);
      this.recordPing(req, 'received' in r ? { transmitted: r.transmitted, received: r.received } : undefined);
      return r;
    };
    store.onChange(() => this.settle());
  }

  /** A topology was loaded (another one, or this one again): its own list. */
  setTopology(s: TopologyState): void {
    const key = `vswitch-lab:refire:${s.topology.name}`;
    this.topology = s;
    if (key === this.key) return;
    this.key = key;
    try {
      const saved = JSON.parse(localStorage.getItem(key) ?? '[]') as SentFrame[];
      this.entries = Array.isArray(saved) ? saved.slice(-MAX_ENTRIES) : [];
    } catch {
      this.entries = [];
    }
    this.nextId = Math.max(0, ...this.entries.map((e) => e.id)) + 1;
    this.render();
  }

  /** The entries (tests). */
  get list(): readonly SentFrame[] {
    return this.entries;
  }

  private save(): void {
    if (this.key) localStorage.setItem(this.key, JSON.stringify(this.entries));
    this.render();
  }

  private entryFor(kind: SentFrame['kind'], request: SendFrameRequest | PingRequest): SentFrame {
    const again = this.resending;
    this.resending = null;
    if (again && again.kind === kind) {
      again.request = request;
      return again;
    }
    const e: SentFrame = { id: this.nextId++, kind, request, frameIds: [], delivered: [], dropped: [], settled: false };
    this.entries.push(e);
    if (this.entries.length > MAX_ENTRIES) this.entries.shift();
    return e;
  }

  private recordFrame(req: SendFrameRequest, r: SendFrameResponse): void {
    const e = this.entryFor('frame', req);
    e.frameIds = r.frameIds;
    Object.assign(e, outcomeOf(r.events, r.frameIds));
    e.settled = r.complete;
    if (!e.settled) this.settleOne(e);
    this.save();
  }

  private recordPing(req: PingRequest, result: { transmitted: number; received: number } | undefined): void {
    const e = this.entryFor('ping', req);
    e.frameIds = [];
    e.delivered = [];
    e.dropped = [];
    if (result) e.ping = result;
    else delete e.ping;
    e.settled = result !== undefined;
    this.save();
  }

  /** A ping that was pending ended (its live state entry). */
  pingFinished(from: string, to: string, result: { transmitted: number; received: number }): void {
    const e = [...this.entries].reverse().find((x) => x.kind === 'ping' && !x.settled && x.request.from === from && (x.request as PingRequest).to === to);
    if (!e) return;
    e.ping = { transmitted: result.transmitted, received: result.received };
    e.settled = true;
    this.save();
  }

  /** Frames sent in simulation mode get their outcome as their events arrive. */
  private settle(): void {
    let changed = false;
    for (const e of this.entries) if (e.kind === 'frame' && !e.settled && e.frameIds.length > 0) changed = this.settleOne(e) || changed;
    if (changed) this.save();
  }

  private settleOne(e: SentFrame): boolean {
    const events = e.frameIds.flatMap((id) => this.store.frameEvents(id));
    const o = outcomeOf(events, e.frameIds);
    const before = JSON.stringify([e.delivered, e.dropped]);
    Object.assign(e, o);
    return JSON.stringify([e.delivered, e.dropped]) !== before;
  }

  private describe(e: SentFrame): string {
    if (e.kind === 'ping') {
      const p = e.request as PingRequest;
      return `ping ${p.from} → ${p.to}${p.count ? ` ×${p.count}` : ''}${p.size !== undefined ? ` -s ${p.size}` : ''}${p.df ? ' -d' : ''}`;
    }
    const f = e.request as SendFrameRequest;
    const spec = f.frame as { kind?: string; dstIp?: string; targetIp?: string; dst?: string };
    return `${spec.kind ?? 'frame'} ${f.from} → ${spec.dstIp ?? spec.targetIp ?? spec.dst ?? ''}${f.count && f.count > 1 ? ` ×${f.count}` : ''}`;
  }

  private outcomeText(e: SentFrame): { ok: boolean | null; text: string } {
    if (e.kind === 'ping') {
      if (!e.ping) return { ok: null, text: 'waiting for the clock' };
      return { ok: e.ping.received > 0, text: `${e.ping.received}/${e.ping.transmitted} replies` };
    }
    if (e.delivered.length === 0 && e.dropped.length === 0) return { ok: null, text: e.settled ? 'nothing delivered or dropped' : 'waiting for the clock' };
    const parts = [];
    if (e.delivered.length) parts.push(`✓ ${e.delivered.join(', ')}`);
    for (const d of e.dropped) parts.push(`✕ ${d.at} ${d.reason}${d.rule ? ` (${d.rule})` : ''}`);
    return { ok: e.dropped.length === 0, text: parts.join(' · ') };
  }

  private render(): void {
    this.listEl.replaceChildren(
      ...(this.entries.length === 0 ? [h('li', { class: 'muted' }, 'Frames and pings you send are listed here.')] : []),
      ...[...this.entries].reverse().map((e) => {
        const o = this.outcomeText(e);
        const row = h(
          'li',
          { class: `refire-row ${o.ok === true ? 'ok' : o.ok === false ? 'bad' : ''}`, 'data-id': e.id },
          h('button', { type: 'button', class: 'linkish refire-pick', title: 'Show its path on the graph' }, this.describe(e)),
          h('span', { class: 'refire-outcome' }, o.text),
          h(
            'span',
            { class: 'refire-actions' },
            h('button', { type: 'button', class: 'refire-send', title: 'Send it again' }, 'Re-send'),
            h('button', { type: 'button', class: 'refire-edit', title: 'Edit the request, then send' }, 'Edit'),
            h('button', { type: 'button', class: 'refire-test', title: 'Download the topology with this send as a test' }, 'Save as test'),
            h('button', { type: 'button', class: 'refire-delete', title: 'Remove from the list', 'aria-label': 'Delete' }, '✕'),
          ),
        );
        row.querySelector('.refire-pick')!.addEventListener('click', () => this.onPick(e.frameIds));
        row.querySelector('.refire-send')!.addEventListener('click', () => void this.resend(e, e.request));
        row.querySelector('.refire-edit')!.addEventListener('click', () => this.edit(row, e));
        row.querySelector('.refire-test')!.addEventListener('click', () => this.saveAsTest(e));
        row.querySelector('.refire-delete')!.addEventListener('click', () => {
          this.entries = this.entries.filter((x) => x !== e);
          this.save();
        });
        return row;
      }),
    );
  }

  private async resend(e: SentFrame, request: SendFrameRequest | PingRequest): Promise<void> {
    try {
      this.resending = e;
      e.settled = false;
      if (e.kind === 'frame') await this.api.send(request as SendFrameRequest);
      else await this.api.ping(request as PingRequest);
    } catch (err) {
      this.resending = null;
      toast(err instanceof Error ? err.message : String(err), 'error');
    }
  }

  private edit(row: HTMLElement, e: SentFrame): void {
    if (row.querySelector('textarea')) return;
    const ta = h('textarea', { class: 'refire-json', rows: 5, 'aria-label': 'Request (JSON)' }, JSON.stringify(e.request, null, 1));
    const go = h('button', { type: 'button', class: 'refire-edit-send' }, 'Send edited');
    go.addEventListener('click', () => {
      let req: SendFrameRequest | PingRequest;
      try {
        req = JSON.parse(ta.value) as SendFrameRequest | PingRequest;
      } catch (err) {
        toast(`not JSON: ${err instanceof Error ? err.message : String(err)}`, 'error');
        return;
      }
      void this.resend(e, req);
    });
    row.append(h('div', { class: 'refire-editor' }, ta, go));
  }

  /** The topology with this send as a test, its outcome as the expectation; a download. */
  testDocument(e: SentFrame): Record<string, unknown> | null {
    if (!this.topology) return null;
    const doc = structuredClone(this.topology.topology) as Record<string, unknown> & { tests?: unknown[] };
    const tests = Array.isArray(doc.tests) ? doc.tests : [];
    const name = `re-fire ${e.id}: ${this.describe(e)}`;
    if (e.kind === 'ping') {
      const p = e.request as PingRequest;
      tests.push({
        name,
        ping: { from: p.from, to: p.to, ...(p.count !== undefined ? { count: p.count } : {}), ...(p.size !== undefined ? { size: p.size } : {}), ...(p.df !== undefined ? { df: p.df } : {}) },
        expect: { pingSucceeds: (e.ping?.received ?? 0) > 0 },
      });
    } else {
      const f = e.request as SendFrameRequest;
      const expect: Record<string, unknown> = { deliveredTo: [...e.delivered].sort() };
      const d = e.dropped[0];
      if (d) expect.drop = { reason: d.reason, at: d.at };
      else expect.noDrops = true;
      tests.push({ name, send: { from: f.from, frame: f.frame, ...(f.count && f.count > 1 ? { count: f.count } : {}) }, expect });
    }
    doc.tests = tests;
    return doc;
  }

  private saveAsTest(e: SentFrame): void {
    const doc = this.testDocument(e);
    if (!doc) return;
    const blob = new Blob([JSON.stringify(doc, null, 2) + '\n'], { type: 'application/json' });
    const a = h('a', { href: URL.createObjectURL(blob), download: `${String(doc.name ?? 'topology')}-with-test.json` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  }
}
