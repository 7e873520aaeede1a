/**
 * Live events for the UI over socket.io: topology loaded, clock and other state changes, trace
 * events, counters. Nothing is emitted from inside the engine's call stack: events go into a
 * bounded queue per client, and one timer flushes every `intervalMs` (default 50 ms), emitting at
 * most one `lab:update` per client per tick — at most ~20 emits per second per client.
 *
 * Heavy traffic: a batch lists at most `maxTracePerBatch` trace events (the most recent) and
 * counts the others by action and drop reason in `summary`. A slow or stalled client (its
 * socket still has unsent packets) is skipped until it drains; meanwhile its queue keeps at most
 * `maxQueue` trace events, dropping the oldest and counting them in `dropped`. Server memory per
 * client is therefore bounded, and the engine never waits for a client.
 */
import type { Server, Socket } from 'socket.io';
import type { ClockState, LiveHello, LiveUpdate, TopologyState, TraceEventJson } from './api-types.js';
import type { TraceEventLike } from './lab-contract.js';
import { traceToJson } from './trace-json.js';

/** What the broadcaster needs of a socket.io socket. */
export interface LiveSocket {
  id: string;
  emit(event: string, payload: unknown): unknown;
  /** engine.io connection: unsent packets (its private writeBuffer) mean the client is not keeping up */
  conn?: unknown;
}

export interface LiveEventsOptions {
  intervalMs?: number;
  /** trace events kept per client between flushes */
  maxQueue?: number;
  /** trace events listed per batch; the rest are summarised */
  maxTracePerBatch?: number;
  /** counters are sent at most this often, when events ran (default 500 ms) */
  countersIntervalMs?: number;
  /** the current topology and clock, for `lab:hello` */
  snapshot: () => LiveHello;
  /** counters snapshot (GET /api/counters) */
  counters?: () => unknown;
  /** frame bytes as hex in socket.io trace events (default false: length only) */
  frameHex?: boolean;
}

interface Summary {
  omitted: number;
  byAction: Record<string, number>;
  dropsByReason: Record<string, number>;
}

class ClientQueue {
  /** ring of trace events */
  private readonly ring: (TraceEventLike | undefined)[];
  private head = 0;
  size = 0;
  dropped = 0;
  droppedSummary: Summary | undefined;
  topology: TopologyState | undefined;
  clock: ClockState | undefined;
  state: Array<{ kind: string; [key: string]: unknown }> = [];
  counters = false;
  batch = 0;
  emits = 0;

  constructor(
    readonly socket: LiveSocket,
    capacity: number,
  ) {
    this.ring = new Array<TraceEventLike | undefined>(capacity);
  }

  get capacity(): number {
    return this.ring.length;
  }

  push(e: TraceEventLike): void {
    const cap = this.ring.length;
    if (this.size === cap) {
      const old = this.ring[this.head]!;
      this.dropped++;
      countInto((this.droppedSummary ??= emptySummary()), old);
      this.head = (this.head + 1) % cap;
      this.size--;
    }
    this.ring[(this.head + this.size) % cap] = e;
    this.size++;
  }

  /** Removes everything; returns the events oldest first. */
  drain(): TraceEventLike[] {
    const out: TraceEventLike[] = new Array(this.size);
    const cap = this.ring.length;
    for (let i = 0; i < this.size; i++) {
      const idx = (this.head + i) % cap;
      out[i] = this.ring[idx]!;
      this.ring[idx] = undefined;
    }
    this.head = 0;
    this.size = 0;
    return out;
  }

  get pending(): boolean {
    return this.size > 0 || this.dropped > 0 || this.topology !== undefined || this.clock !== undefined || this.state.length > 0 || this.counters;
  }
}

function emptySummary(): Summary {
  return { omitted: 0, byAction: {}, dropsByReason: {} };
}

function countInto(s: Summary, e: TraceEventLike): void {
  s.omitted++;
  s.byAction[e.action] = (s.byAction[e.action] ?? 0) + 1;
  if (e.reason !== undefined) s.dropsByReason[e.reason] = (s.dropsByReason[e.reason] ?? 0) + 1;
}

/** A client that has not sent what it was given yet. */
export function socketBusy(s: LiveSocket): boolean {
  const c = s.conn as { writeBuffer?: unknown[]; transport?: { writable?: boolean } } | undefined;
  if (!c) return false;
  return (c.writeBuffer?.length ?? 0) > 0 || c.transport?.writable === false;
}

export class LiveEvents {
  private readonly clients = new Map<string, ClientQueue>();
  private readonly intervalMs: number;
  private readonly maxQueue: number;
  private readonly maxTracePerBatch: number;
  private readonly countersIntervalMs: number;
  private readonly frameHex: boolean;
  private readonly options: LiveEventsOptions;
  private timer: ReturnType<typeof setInterval> | undefined;
  private countersDirty = false;
  private lastCountersAt = -Infinity;

  constructor(options: LiveEventsOptions) {
    this.options = options;
    this.intervalMs = options.intervalMs ?? 50;
    this.maxQueue = options.maxQueue ?? 2000;
    this.maxTracePerBatch = options.maxTracePerBatch ?? 200;
    this.countersIntervalMs = options.countersIntervalMs ?? 500;
    this.frameHex = options.frameHex ?? false;
  }

  /** Follows connections of a socket.io server (auth is checked by the server's middleware). */
  attach(io: Server): void {
    io.on('connection', (socket: Socket) => {
      this.addClient(socket);
      socket.on('disconnect', () => this.removeClient(socket.id));
    });
  }

  addClient(socket: LiveSocket): void {
    this.clients.set(socket.id, new ClientQueue(socket, this.maxQueue));
    socket.emit('lab:hello', this.options.snapshot());
    this.timer ??= setInterval(() => this.flush(), this.intervalMs);
    this.timer.unref?.();
  }

  removeClient(id: string): void {
    this.clients.delete(id);
    if (this.clients.size === 0 && this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** For tests and status: queue length, dropped and emit count of one client. */
  clientStats(id: string): { queued: number; capacity: number; dropped: number; emits: number } | undefined {
    const c = this.clients.get(id);
    return c && { queued: c.size, capacity: c.capacity, dropped: c.dropped, emits: c.emits };
  }

  /** True when somebody listens (the session subscribes to the trace only then, plus capture). */
  get active(): boolean {
    return this.clients.size > 0;
  }

  onTrace(e: TraceEventLike): void {
    for (const c of this.clients.values()) c.push(e);
  }

  topologyLoaded(state: TopologyState): void {
    for (const c of this.clients.values()) {
      c.topology = state;
      // events of the old lab are meaningless now
      c.drain();
    }
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

  /** One tick: at most one emit per client. Public for tests. */
  flush(): void {
    let counters: unknown;
    const now = performance.now();
    if (this.countersDirty && this.options.counters && now - this.lastCountersAt >= this.countersIntervalMs) {
      this.countersDirty = false;
      this.lastCountersAt = now;
      for (const c of this.clients.values()) c.counters = true;
    }
    for (const c of this.clients.values()) {
      if (!c.pending || socketBusy(c.socket)) continue;
      const update: LiveUpdate = { batch: ++c.batch };
      if (c.topology) update.topology = c.topology;
      if (c.clock) update.clock = c.clock;
      if (c.state.length > 0) update.state = c.state;
      if (c.counters) update.counters = counters ??= this.options.counters?.();
      const events = c.drain();
      let summary = c.droppedSummary;
      const keepFrom = Math.max(0, events.length - this.maxTracePerBatch);
      if (keepFrom > 0) {
        summary ??= emptySummary();
        for (let i = 0; i < keepFrom; i++) countInto(summary, events[i]!);
      }
      if (events.length > keepFrom) {
        const trace: TraceEventJson[] = new Array(events.length - keepFrom);
        for (let i = keepFrom; i < events.length; i++) trace[i - keepFrom] = traceToJson(events[i]!, this.frameHex);
        update.trace = trace;
      }
      if (summary) update.summary = summary;
      if (c.dropped > 0) update.dropped = c.dropped;
      c.topology = undefined;
      c.clock = undefined;
      c.state = [];
      c.counters = false;
      c.dropped = 0;
      c.droppedSummary = undefined;
      c.emits++;
      c.socket.emit('lab:update', update);
    }
  }

  close(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.clients.clear();
  }
}
