/**
 * Every trace event the UI has seen, in stream order (`seq`), without duplicates: an event can
 * arrive twice, once over socket.io (no frame bytes) and once in the HTTP answer of a send (with
 * them); the two are merged. Bounded: the oldest events are forgotten past `limit`.
 * Per frame, the protocol is remembered as soon as one of its events carries bytes.
 * The user's own frames (`markOwn`: what this page sent, its pings' frames) are never forgotten
 * for the limit: background events go first (`trimOldest`).
 */
import type { TraceEventJson } from './model.js';
import { frameProtocol, frameType } from '../../src/wire/frame-summary.js';
import { hexToBytes } from '../../src/wire/hex.js';

export class EventStore {
  private list: TraceEventJson[] = [];
  private readonly bySeq = new Map<number, TraceEventJson>();
  private readonly frameProto = new Map<number, string>();
  private readonly frameKind = new Map<number, string>();
  /** frame ids of the user's own frames */
  private readonly own = new Set<number>();
  /** events forgotten because of the limit, plus events the server summarised instead of sending */
  omitted = 0;
  /** index of list[0] in the whole stream as seen by this UI (list positions shift when trimmed) */
  base = 0;
  version = 0;
  /** bumps when events were removed or reordered (not when appended): incremental filters start over */
  structure = 0;
  private readonly listeners = new Set<() => void>();

  constructor(readonly limit = 50_000) {}

  get length(): number {
    return this.list.length;
  }

  at(i: number): TraceEventJson | undefined {
    return this.list[i];
  }

  bySeqGet(seq: number): TraceEventJson | undefined {
    return this.bySeq.get(seq);
  }

  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private changed(): void {
    this.version++;
    for (const l of this.listeners) l();
  }

  clear(): void {
    this.base += this.list.length;
    this.list = [];
    this.bySeq.clear();
    this.frameProto.clear();
    this.frameKind.clear();
    this.own.clear();
    this.omitted = 0;
    this.structure++;
    this.changed();
  }

  /** Adds events (any order); returns those that were new. */
  add(events: readonly TraceEventJson[]): TraceEventJson[] {
    const fresh: TraceEventJson[] = [];
    let unsorted = false;
    for (const e of events) {
      const old = this.bySeq.get(e.seq);
      if (e.frameHex && !this.frameProto.has(e.frameId)) {
        const bytes = hexToBytes(e.frameHex);
        this.frameProto.set(e.frameId, frameProtocol(bytes));
        const k = frameType(bytes);
        if (k) this.frameKind.set(e.frameId, k);
      }
      if (old) {
        if (e.frameHex && !old.frameHex) old.frameHex = e.frameHex;
        if (e.frameLength !== undefined && old.frameLength === undefined) old.frameLength = e.frameLength;
        continue;
      }
      const last = this.list[this.list.length - 1];
      if (last && e.seq < last.seq) unsorted = true;
      this.list.push(e);
      this.bySeq.set(e.seq, e);
      fresh.push(e);
    }
    if (unsorted) {
      this.list.sort((a, b) => a.seq - b.seq);
      this.structure++;
    }
    const trimmed = this.list.length > this.limit && this.trimOldest(this.list.length - this.limit + Math.floor(this.limit / 10));
    if (fresh.length > 0 || unsorted || trimmed) this.changed();
    return fresh;
  }

  /** Marks frames as the user's own (sent from this page): kept past the limit, "my frames only". */
  markOwn(frameIds: Iterable<number>): void {
    let n = 0;
    for (const f of frameIds) {
      if (!this.own.has(f)) n++;
      this.own.add(f);
    }
    // the filter of the list depends on it
    if (n > 0) {
      this.structure++;
      this.changed();
    }
  }

  isOwn(e: TraceEventJson): boolean {
    return this.own.has(e.frameId);
  }

  get ownFrames(): number {
    return this.own.size;
  }

  /**
   * Forgets the `cut` oldest events that are not the user's own (background noise first). A
   * prefix is cut when it holds none of theirs (list positions shift: `base`); otherwise the list
   * is rebuilt (`structure`). Own events alone past the limit stay. Returns whether any went.
   */
  private trimOldest(cut: number): boolean {
    let k = 0;
    while (k < this.list.length && k < cut && !this.own.has(this.list[k]!.frameId)) k++;
    if (k === cut) {
      for (let i = 0; i < cut; i++) this.bySeq.delete(this.list[i]!.seq);
      this.list = this.list.slice(cut);
      this.base += cut;
      this.omitted += cut;
      return cut > 0;
    }
    let removed = 0;
    const kept: TraceEventJson[] = [];
    for (const e of this.list) {
      if (removed < cut && !this.own.has(e.frameId)) {
        this.bySeq.delete(e.seq);
        removed++;
      } else kept.push(e);
    }
    this.list = kept;
    this.omitted += removed;
    this.structure++;
    return removed > 0;
  }

  /**
   * Forgets the events after `seq` (the lab went back in time, simulation mode: they are undone).
   * Returns how many were removed.
   */
  truncateAfter(seq: number): number {
    const i = this.indexAfterSeq(seq);
    const cut = this.list.length - i;
    if (cut <= 0) return 0;
    for (let j = i; j < this.list.length; j++) this.bySeq.delete(this.list[j]!.seq);
    this.list = this.list.slice(0, i);
    this.structure++;
    this.changed();
    return cut;
  }

  /** Index of the event with this seq in the current list, or -1. */
  indexOfSeq(seq: number): number {
    let lo = 0;
    let hi = this.list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = this.list[mid]!.seq;
      if (s === seq) return mid;
      if (s < seq) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** First index whose seq is greater than `seq`. */
  indexAfterSeq(seq: number): number {
    let lo = 0;
    let hi = this.list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.list[mid]!.seq <= seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  protocol(e: TraceEventJson): string {
    return this.frameProto.get(e.frameId) ?? (e.frameHex ? frameProtocol(hexToBytes(e.frameHex)) : '');
  }

  /** `ARP request 10.0.0.22?`, `ICMP echo reply`, ... once the frame's bytes were seen. */
  frameTypeOf(e: TraceEventJson): string {
    return this.frameKind.get(e.frameId) ?? '';
  }

  /** All events of one frame, in order. */
  frameEvents(frameId: number): TraceEventJson[] {
    return this.list.filter((e) => e.frameId === frameId);
  }

  /** Bytes of the frame at or nearest before this event (same copy or frame). */
  frameHexFor(e: TraceEventJson): string | undefined {
    if (e.frameHex) return e.frameHex;
    const i = this.indexOfSeq(e.seq);
    for (let j = i; j >= 0 && j > i - 2000; j--) {
      const x = this.list[j]!;
      if (x.frameId === e.frameId && x.frameHex && (x.copyId === e.copyId || x.copyId === e.parentCopyId)) return x.frameHex;
    }
    for (let j = i; j >= 0 && j > i - 2000; j--) {
      const x = this.list[j]!;
      if (x.frameId === e.frameId && x.frameHex) return x.frameHex;
    }
    return undefined;
  }
}
