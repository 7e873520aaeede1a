/**
 * Live events for the UI over socket.io: topology loaded or changed, clock and other state
 * changes, trace events (with their frame bytes as hex unless `frameHex: false`), counters.
 * Nothing is emitted from inside the engine's call stack: events go into a bounded queue, and one
 * timer flushes every `intervalMs` (default 50 ms), emitting at most one `lab:update` per client
 * per tick — at most ~20 emits per second per client.
 *
 * Heavy traffic: a batch lists at most `maxTracePerBatch` trace events (the most recent) and
 * counts the others by action and drop reason in `summary`. A slow or stalled client (its
 * socket still has unsent packets) is skipped until it drains; meanwhile it keeps at most
 * `maxQueue` trace events, losing the oldest and counting them in `dropped`. Server memory is
 * therefore bounded, and the engine never waits for a client.
 *
 * Many clients: the queue is one ring shared by every client, each with a cursor into it, so a
 * trace event costs the same whatever the number of clients: what a lagging client loses is
 * worked out when it is next sent a batch (its cursor against the ring's tail, and running
 * per-action/per-reason totals against the totals at its cursor), never per event and client.
 * Each event becomes JSON (and hex) once. A batch depends only on the client's cursor (and on
 * pending state): clients with the same cursor get one `lab:update` that socket.io encodes once
 * for all of them, and at most `maxGroupsPerTick` distinct batches are encoded per tick (the
 * clients that waited longest first; the others wait for the next tick, where everyone served
 * together shares a cursor again). `batch` is the number of the tick: it grows from one batch of
 * a client to the next.
 *
 * A client's own frames are never summarised: the frames it sent (`keep`, POST /api/frames names
 * the client in its `x-vswitch-lab-live` header) and, while its ping runs (`watchPing`), the ARP,
 * ICMP and ICMPv6 frames seen at the ping's interface or to/from its MAC, and the later frames
 * of a flood it sent at a rate (`watchSent`: known by their bytes). Their events also go
 * to a queue of the client's own (bounded by `maxQueue`), so neither the listed-tail limit nor
 * the ring's overflow loses them: its batch lists them besides the most recent
 * `maxTracePerBatch` and names them in `own`; background traffic is what gets summarised or
 * lost. Such a client gets a batch of its own only when it has own events pending (one map
 * lookup per event while anybody keeps frames).
 */
import type { Server, Socket } from 'socket.io';
import type { TraceEvent } from '../engine/index.js';
import type { ClockState, LiveHello, LiveUpdate, TopologyState, TraceEventJson } from './api-types.js';
import { EtherType, IpProtocol, Ipv4Field, Ipv6Field, MAC_LEN, SRC_OFFSET, ethDstEquals, ethSrcEquals, innerEthertype, ipv4Protocol, ipv6NextHeader, l3Offset } from '../wire/index.js';
import { traceToJson } from './trace-json.js';

/** The request header a page names its socket.io client in (its sends are then its own frames). */
export const LIVE_CLIENT_HEADER = 'x-vswitch-lab-live';

/** What the broadcaster needs of a socket.io socket. */
export interface LiveSocket {
  id: string;
  emit(event: string, payload: unknown): unknown;
  /** engine.io connection: unsent packets (its private writeBuffer) mean the client is not keeping up */
  conn?: unknown;
}

export interface LiveEventsOptions {
  intervalMs?: number;
  /** trace events kept for a client between flushes */
  maxQueue?: number;
  /** trace events listed per batch; the rest are summarised */
  maxTracePerBatch?: number;
  /** distinct batches (socket.io encodings) per tick at most (default 4) */
  maxGroupsPerTick?: number;
  /** counters are sent at most this often, when events ran (default 500 ms) */
  countersIntervalMs?: number;
  /** the current topology and clock, for `lab:hello` */
  snapshot: () => LiveHello;
  /** counters snapshot (GET /api/counters) */
  counters?: () => unknown;
  /** frame bytes as hex in socket.io trace events (default true; false: length only) */
  frameHex?: boolean;
  /** frame ids kept from summarising for their clients, at most (default 20,000) */
  maxKeptFrames?: number;
}

interface Summary {
  omitted: number;
  byAction: Record<string, number>;
  dropsByReason: Record<string, number>;
}

interface Client {
  socket: LiveSocket;
  /** index (in the shared ring's numbering) of the next trace event this client gets */
  cursor: number;
  /** the tick of its last batch; a unique negative number until its first */
  since: number;
  /** the running totals when its cursor was set (shared by clients that moved together) */
  base: Summary;
  topology: TopologyState | undefined;
  clock: ClockState | undefined;
  state: Array<{ kind: string; [key: string]: unknown }>;
  counters: boolean;
  emits: number;
  /** events of its own frames not sent yet, with their ring index (survive the ring's overflow) */
  ownQueue: Array<{ i: number; e: TraceEvent }>;
}

/** An ARP, ICMP or ICMPv6 frame (a ping's), VLAN tags skipped. */
export function isPingFrame(f: Uint8Array): boolean {
  const type = innerEthertype(f);
  const l3 = l3Offset(f);
  if (type === EtherType.ARP) return true;
  if (type === EtherType.IPv4) return f.length > l3 + Ipv4Field.PROTOCOL && ipv4Protocol(f, l3) === IpProtocol.ICMP;
  if (type === EtherType.IPv6) return f.length > l3 + Ipv6Field.NEXT_HEADER && ipv6NextHeader(f, l3) === IpProtocol.IPv6Icmp;
  return false;
}

/** Is `mac` the frame's destination or source? */
function macOf(f: Uint8Array, mac: Uint8Array | undefined): boolean {
  if (mac === undefined || f.length < SRC_OFFSET + MAC_LEN) return false;
  return ethDstEquals(f, mac) || ethSrcEquals(f, mac);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}

function addInto(a: Summary, b: Summary): Summary {
  const s = copySummary(a);
  s.omitted += b.omitted;
  for (const k in b.byAction) s.byAction[k] = (s.byAction[k] ?? 0) + b.byAction[k]!;
  for (const k in b.dropsByReason) s.dropsByReason[k] = (s.dropsByReason[k] ?? 0) + b.dropsByReason[k]!;
  return s;
}

function emptySummary(): Summary {
  return { omitted: 0, byAction: {}, dropsByReason: {} };
}

function countInto(s: Summary, e: TraceEvent): void {
  s.omitted++;
  s.byAction[e.action] = (s.byAction[e.action] ?? 0) + 1;
  if (e.reason !== undefined) s.dropsByReason[e.reason] = (s.dropsByReason[e.reason] ?? 0) + 1;
}

function copySummary(s: Summary): Summary {
  return { omitted: s.omitted, byAction: { ...s.byAction }, dropsByReason: { ...s.dropsByReason } };
}

function minus(a: Record<string, number>, b: Record<string, number>, c: Record<string, number> | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k in a) {
    const v = a[k]! - (b[k] ?? 0) - (c?.[k] ?? 0);
    if (v > 0) out[k] = v;
  }
  return out;
}

/** `total - base - recent`: what happened between two points of the stream. */
function between(total: Summary, base: Summary, recent: Summary | undefined): Summary {
  return {
    omitted: total.omitted - base.omitted - (recent?.omitted ?? 0),
    byAction: minus(total.byAction, base.byAction, recent?.byAction),
    dropsByReason: minus(total.dropsByReason, base.dropsByReason, recent?.dropsByReason),
  };
}

/** A client that has not sent what it was given yet. */
export function socketBusy(s: LiveSocket): boolean {
  const c = s.conn as { writeBuffer?: unknown[]; transport?: { writable?: boolean } } | undefined;
  if (!c) return false;
  return (c.writeBuffer?.length ?? 0) > 0 || c.transport?.writable === false;
}

function pending(c: Client, head: number): boolean {
  return c.cursor < head || c.topology !== undefined || c.clock !== undefined || c.state.length > 0 || c.counters;
}

export class LiveEvents {
  private readonly clients = new Map<string, Client>();
  private readonly intervalMs: number;
  private readonly maxQueue: number;
  private readonly maxTracePerBatch: number;
  private readonly maxGroupsPerTick: number;
  private readonly countersIntervalMs: number;
  private readonly frameHex: boolean;
  private readonly options: LiveEventsOptions;
  private timer: ReturnType<typeof setInterval> | undefined;
  private countersDirty = false;
  private lastCountersAt = -Infinity;
  private io: Server | undefined;

  /** the shared ring: event `i` is at `ring[i % maxQueue]` while `head - maxQueue <= i < head` */
  private readonly ring: (TraceEvent | undefined)[];
  /** its JSON, made once when first sent; `jsonOf[slot]` is for event `jsonIndex[slot]` */
  private readonly jsonOf: (TraceEventJson | undefined)[];
  private readonly jsonIndex: Float64Array;
  private head = 0;
  /** running totals of every event that entered the ring (`omitted` counts them all) */
  private totals: Summary = emptySummary();
  /** a copy of `totals` as they were when `head` was `snapAt` (the shared base of clients moved there) */
  private snap: Summary = emptySummary();
  private snapAt = 0;
  /** ring slots below this index are released */
  private released = 0;
  private tick = 0;
  private joins = 0;
  /** frame id -> ids of the clients whose own frame it is (insertion order: the oldest first) */
  private readonly keepers = new Map<number, string[]>();
  /** pings running for clients: the interface they run from and its MAC */
  private pingWatch: Array<{ id: string; iface: string; mac: Uint8Array | undefined }> = [];
  /** floods at a rate sent by clients: frames with these bytes entering at `iface`, `left` more to come */
  private sentWatch: Array<{ id: string; iface: string; bytes: Uint8Array; left: number }> = [];
  /** kept frame ids at most (the oldest are forgotten) */
  private readonly maxKeptFrames: number;

  constructor(options: LiveEventsOptions) {
    this.options = options;
    this.intervalMs = options.intervalMs ?? 50;
    this.maxQueue = Math.max(1, options.maxQueue ?? 2000);
    this.maxTracePerBatch = options.maxTracePerBatch ?? 200;
    this.maxGroupsPerTick = Math.max(1, options.maxGroupsPerTick ?? 4);
    this.countersIntervalMs = options.countersIntervalMs ?? 500;
    this.frameHex = options.frameHex ?? true;
    this.maxKeptFrames = Math.max(1, options.maxKeptFrames ?? 20_000);
    this.ring = new Array<TraceEvent | undefined>(this.maxQueue);
    this.jsonOf = new Array<TraceEventJson | undefined>(this.maxQueue);
    this.jsonIndex = new Float64Array(this.maxQueue).fill(-1);
  }

  /** Follows connections of a socket.io server (auth is checked by the server's middleware). */
  attach(io: Server): void {
    this.io = io;
    io.on('connection', (socket: Socket) => {
      this.addClient(socket);
      socket.on('disconnect', () => this.removeClient(socket.id));
    });
  }

  addClient(socket: LiveSocket): void {
    this.clients.set(socket.id, {
      socket,
      cursor: this.head,
      since: -++this.joins,
      base: this.totalsNow(),
      topology: undefined,
      clock: undefined,
      state: [],
      counters: false,
      emits: 0,
      ownQueue: [],
    });
    socket.emit('lab:hello', this.options.snapshot());
    this.timer ??= setInterval(() => this.flush(), this.intervalMs);
    this.timer.unref?.();
  }

  removeClient(id: string): void {
    this.clients.delete(id);
    this.forgetKept(id);
    if (this.clients.size === 0) {
      if (this.timer !== undefined) clearInterval(this.timer);
      this.timer = undefined;
      this.release(this.head);
      // nobody counts on them: the totals start again with the next client
      this.totals = emptySummary();
      this.snap = emptySummary();
      this.snapAt = this.head;
    }
  }

  /** The running totals now, as a copy shared until the next event. */
  private totalsNow(): Summary {
    if (this.snapAt !== this.head) {
      this.snap = copySummary(this.totals);
      this.snapAt = this.head;
    }
    return this.snap;
  }

  /** Events a client at `cursor` lost: they left the ring before it was sent them. */
  private lost(cursor: number): number {
    return Math.max(0, this.head - this.maxQueue - cursor);
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** For tests and status: queue length, dropped and emit count of one client. */
  clientStats(id: string): { queued: number; capacity: number; dropped: number; emits: number } | undefined {
    const c = this.clients.get(id);
    if (!c) return undefined;
    const dropped = this.lost(c.cursor);
    return { queued: this.head - c.cursor - dropped, capacity: this.maxQueue, dropped, emits: c.emits };
  }

  /** True when somebody listens. */
  get active(): boolean {
    return this.clients.size > 0;
  }

  onTrace(e: TraceEvent): void {
    if (this.clients.size === 0) return;
    const i = this.head;
    // the oldest event leaves the ring (clients that had not had it find out at their next batch)
    this.ring[i % this.maxQueue] = e;
    this.head = i + 1;
    countInto(this.totals, e);
    if (this.pingWatch.length > 0 && e.frame !== undefined) {
      for (const w of this.pingWatch) {
        if ((e.port === w.iface || macOf(e.frame, w.mac)) && isPingFrame(e.frame) && !this.isKeptFor(e.frameId, w.id)) this.keep(w.id, [e.frameId], i);
      }
    }
    if (this.sentWatch.length > 0 && e.frame !== undefined && e.action === 'ingress') {
      for (const w of this.sentWatch) {
        if (e.port === w.iface && sameBytes(e.frame, w.bytes) && !this.isKeptFor(e.frameId, w.id)) {
          this.keep(w.id, [e.frameId], i, false);
          w.left--;
        }
      }
      if (this.sentWatch.some((w) => w.left <= 0)) this.sentWatch = this.sentWatch.filter((w) => w.left > 0);
    }
    if (this.keepers.size > 0) {
      const k = this.keepers.get(e.frameId);
      if (k !== undefined) {
        for (const id of k) {
          const c = this.clients.get(id);
          if (c !== undefined) this.pushOwn(c, i, e);
        }
      }
    }
  }

  private pushOwn(c: Client, i: number, e: TraceEvent): void {
    // bounded like the ring: the oldest go (and are counted as lost)
    if (c.ownQueue.length >= this.maxQueue) c.ownQueue.splice(0, c.ownQueue.length - this.maxQueue + 1);
    c.ownQueue.push({ i, e });
  }

  /**
   * Frames of client `id` (a socket id): their events are never summarised for it. Unknown
   * clients are ignored (a request from a script without a page).
   */
  keep(id: string, frameIds: readonly number[], upTo = this.head, scan = true): void {
    const c = this.clients.get(id);
    if (c === undefined) return;
    const fresh = new Set<number>();
    for (const f of frameIds) {
      const k = this.keepers.get(f);
      if (k === undefined) this.keepers.set(f, [id]);
      else if (k.includes(id)) continue;
      else k.push(id);
      fresh.add(f);
    }
    // their events already in the ring and not yet sent to it
    if (fresh.size > 0 && scan) {
      const start = Math.max(c.cursor, this.head - this.maxQueue);
      const found: Array<{ i: number; e: TraceEvent }> = [];
      for (let i = start; i < upTo; i++) {
        const e = this.ring[i % this.maxQueue]!;
        if (fresh.has(e.frameId)) found.push({ i, e });
      }
      if (found.length > 0) {
        for (const x of found) this.pushOwn(c, x.i, x.e);
        c.ownQueue.sort((a, b) => a.i - b.i);
      }
    }
    if (this.keepers.size > this.maxKeptFrames) {
      let over = this.keepers.size - this.maxKeptFrames;
      for (const f of this.keepers.keys()) {
        if (over-- <= 0) break;
        this.keepers.delete(f);
      }
    }
  }

  /**
   * While a ping of client `id` runs from `iface`: the ARP/ICMP/ICMPv6 frames seen at `iface` are
   * that client's own (its probes, the replies, the ARP). Returns the function that ends it.
   */
  watchPing(id: string, iface: string, mac?: Uint8Array): () => void {
    if (!this.clients.has(id)) return () => undefined;
    const w = { id, iface, mac: mac?.length === 6 ? mac : undefined };
    this.pingWatch.push(w);
    return () => {
      this.pingWatch = this.pingWatch.filter((x) => x !== w);
    };
  }

  /**
   * A flood at a rate sent by client `id`: its `count` frames still to come (injected later on
   * the lab clock, ids unknown yet) are known by their bytes entering at `iface`.
   */
  watchSent(id: string, iface: string, bytes: Uint8Array, count: number): void {
    if (!this.clients.has(id) || count <= 0) return;
    this.sentWatch.push({ id, iface, bytes, left: count });
  }

  private forgetKept(id: string): void {
    this.sentWatch = this.sentWatch.filter((w) => w.id !== id);
    for (const [f, k] of this.keepers) {
      const j = k.indexOf(id);
      if (j < 0) continue;
      if (k.length === 1) this.keepers.delete(f);
      else k.splice(j, 1);
    }
    this.pingWatch = this.pingWatch.filter((w) => w.id !== id);
  }

  private isKeptFor(frameId: number, id: string): boolean {
    return this.keepers.get(frameId)?.includes(id) === true;
  }

  topologyLoaded(state: TopologyState): void {
    const base = this.totalsNow();
    // another lab numbers its frames afresh
    this.keepers.clear();
    this.pingWatch = [];
    this.sentWatch = [];
    for (const c of this.clients.values()) {
      c.topology = state;
      // events of the old lab are meaningless now
      c.cursor = this.head;
      c.base = base;
      c.ownQueue = [];
    }
  }

  /** The same lab's topology changed (a runtime change): the new state, queued events kept. */
  topologyChanged(state: TopologyState): void {
    for (const c of this.clients.values()) c.topology = state;
  }

  clockChanged(state: ClockState): void {
    for (const c of this.clients.values()) c.clock = state;
  }

  stateChanged(change: { kind: string; [key: string]: unknown }): void {
    for (const c of this.clients.values()) if (c.state.length < 100) c.state.push(change);
  }

  /** Events ran: counters may have changed. */
  advanced(): void {
    this.countersDirty = true;
  }

  private json(i: number): TraceEventJson {
    const slot = i % this.maxQueue;
    if (this.jsonIndex[slot] !== i) {
      this.jsonOf[slot] = traceToJson(this.ring[slot]!, this.frameHex);
      this.jsonIndex[slot] = i;
    }
    return this.jsonOf[slot]!;
  }

  /** Counts of the events `[from, head)` (still in the ring). */
  private recentCounts(from: number): Summary {
    const s = emptySummary();
    for (let i = from; i < this.head; i++) countInto(s, this.ring[i % this.maxQueue]!);
    return s;
  }

  /** The next batch of a client at `cursor` with `c`'s pending state (not yet sent; nothing changed). */
  private build(c: Client, batch: number, counters: () => unknown, recent: (from: number) => Summary): LiveUpdate {
    const update: LiveUpdate = { batch };
    if (c.topology) update.topology = c.topology;
    if (c.clock) update.clock = c.clock;
    if (c.state.length > 0) update.state = c.state;
    if (c.counters) update.counters = counters();
    const dropped = this.lost(c.cursor);
    const from = c.cursor + dropped;
    const keepFrom = from + Math.max(0, this.head - from - this.maxTracePerBatch);
    const own = new Set<number>();
    let kept: Summary | undefined;
    let lostOwn = 0;
    const trace: TraceEventJson[] = [];
    // its own frames' events before the listed tail (even those the ring lost): listed, not summarised
    for (const { i, e } of c.ownQueue) {
      if (i < c.cursor) continue;
      own.add(e.frameId);
      if (i >= keepFrom) continue;
      trace.push(i >= from ? this.json(i) : traceToJson(e, this.frameHex));
      countInto(kept ??= emptySummary(), e);
      if (i < from) lostOwn++;
    }
    for (let i = keepFrom; i < this.head; i++) trace.push(this.json(i));
    if (trace.length > 0) update.trace = trace;
    if (own.size > 0) update.own = [...own];
    // lost or not listed: counted (running totals now, less those at its cursor and those listed)
    if (keepFrom > c.cursor) {
      const tail = this.head > keepFrom ? recent(keepFrom) : undefined;
      update.summary = between(this.totals, c.base, kept === undefined ? tail : tail === undefined ? kept : addInto(tail, kept));
    }
    if (dropped - lostOwn > 0) update.dropped = dropped - lostOwn;
    return update;
  }

  /** One tick: at most one emit per client; clients with the same batch share one. Public for tests. */
  flush(): void {
    const tick = ++this.tick;
    const now = performance.now();
    if (this.countersDirty && this.options.counters && now - this.lastCountersAt >= this.countersIntervalMs) {
      this.countersDirty = false;
      this.lastCountersAt = now;
      for (const c of this.clients.values()) c.counters = true;
    }
    let countersValue: unknown;
    let countersDone = false;
    const counters = (): unknown => {
      if (!countersDone) {
        countersValue = this.options.counters?.();
        countersDone = true;
      }
      return countersValue;
    };
    // counts of the listed tail of a window, by where it starts (the same for most clients)
    const recents = new Map<number, Summary>();
    const recent = (from: number): Summary => {
      let r = recents.get(from);
      if (r === undefined) recents.set(from, r = this.recentCounts(from));
      return r;
    };
    // clients with the same cursor and no state of their own get the same batch
    const groups = new Map<string | number, { since: number; members: Client[] }>();
    for (const c of this.clients.values()) {
      if (!pending(c, this.head) || socketBusy(c.socket)) continue;
      const own = c.topology !== undefined || c.clock !== undefined || c.state.length > 0;
      // own events pending: a batch of its own (they are listed for it alone)
      const mine = c.ownQueue.length > 0;
      const key = mine ? `k:${c.socket.id}` : own ? `${c.cursor}:${c.since}:${c.counters}` : c.counters ? `${c.cursor}:c` : c.cursor;
      let g = groups.get(key);
      if (g === undefined) groups.set(key, g = { since: c.since, members: [] });
      else if (c.since < g.since) g.since = c.since;
      g.members.push(c);
    }
    let chosen = [...groups.values()];
    if (chosen.length > this.maxGroupsPerTick) chosen = chosen.sort((a, b) => a.since - b.since).slice(0, this.maxGroupsPerTick);
    const base = chosen.length > 0 ? this.totalsNow() : undefined;
    for (const g of chosen) {
      const update = this.build(g.members[0]!, tick, counters, recent);
      for (const c of g.members) {
        c.cursor = this.head;
        c.since = tick;
        c.base = base!;
        c.topology = undefined;
        c.clock = undefined;
        c.state = [];
        c.counters = false;
        c.ownQueue = [];
        c.emits++;
      }
      if (g.members.length > 1 && this.io !== undefined) {
        this.io.to(g.members.map((c) => c.socket.id)).emit('lab:update', update);
      } else {
        for (const c of g.members) c.socket.emit('lab:update', update);
      }
    }
    let min = this.head;
    for (const c of this.clients.values()) if (c.cursor < min) min = c.cursor;
    this.release(Math.max(min, this.head - this.maxQueue));
  }

  /** Forgets ring slots below `index` (every client has had them). */
  private release(index: number): void {
    const cap = this.maxQueue;
    // only slots still holding an event below `index` (older ones hold newer events now)
    const from = Math.max(this.released, index - cap, this.head - cap);
    for (let i = from; i < index; i++) {
      const slot = i % cap;
      this.ring[slot] = undefined;
      this.jsonOf[slot] = undefined;
      this.jsonIndex[slot] = -1;
    }
    if (index > this.released) this.released = index;
  }

  close(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.clients.clear();
    this.release(this.head);
  }
}
