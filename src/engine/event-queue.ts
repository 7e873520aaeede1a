/**
 * The virtual clock's event queue: a binary min-heap ordered by (time, insertion sequence), so
 * that events at the same virtual time run in the order they were scheduled — the engine is
 * deterministic. Struct-of-arrays: an event is a slot in typed arrays plus one object reference
 * (the frame or a callback); scheduling and popping allocate nothing once the arrays have grown.
 *
 * Fast path: most events are scheduled in time order (frames sent "now", copies one link
 * latency later), so an event whose time is not earlier than the last one appended goes to a
 * FIFO ring instead of the heap; `pop` takes the smaller of the FIFO head and the heap top. The
 * order is the same (time, sequence) order either way.
 */

/** numbers per event slot in `rec` */
const REC = 8;

export class EventQueue {
  /** always a power of two: ring positions wrap with `& (cap - 1)` */
  private cap = 0;
  /**
   * The events' numbers, 8 per slot at `slot << 3`: time, insertion sequence, kind, interface,
   * frame id, copy id, parent copy id (one array: an event's fields share a cache line)
   */
  private rec = new Float64Array(0);
  private objs: unknown[] = [];
  /** heap of slot numbers */
  private heap = new Int32Array(0);
  private free = new Int32Array(0);
  private freeTop = 0;
  private n = 0;
  private nextSeq = 0;
  /** FIFO ring of slots in (time, seq) order */
  private fifo = new Int32Array(0);
  private fHead = 0;
  private fCount = 0;
  private fLastTime = -Infinity;

  constructor(initialCapacity = 1024) {
    let cap = 2;
    while (cap < initialCapacity) cap *= 2;
    this.grow(cap);
  }

  get size(): number {
    return this.n + this.fCount;
  }

  private grow(newCap: number): void {
    const old = this.cap;
    const rec = new Float64Array(newCap * REC);
    rec.set(this.rec);
    this.rec = rec;
    const heap = new Int32Array(newCap);
    heap.set(this.heap);
    this.heap = heap;
    const free = new Int32Array(newCap);
    free.set(this.free.subarray(0, this.freeTop));
    // new slots old..newCap-1 become free (pushed so that lower slots pop first)
    for (let s = newCap - 1; s >= old; s--) free[this.freeTop++] = s;
    this.free = free;
    const fifo = new Int32Array(newCap);
    for (let i = 0; i < this.fCount; i++) fifo[i] = this.fifo[(this.fHead + i) & (old - 1)]!;
    this.fifo = fifo;
    this.fHead = 0;
    this.objs.length = newCap;
    this.cap = newCap;
  }

  private less(a: number, b: number): boolean {
    const r = this.rec;
    const ta = r[a * REC]!;
    const tb = r[b * REC]!;
    return ta < tb || (ta === tb && r[a * REC + 1]! < r[b * REC + 1]!);
  }

  /** Schedules an event; returns its insertion sequence. */
  push(time: number, kind: number, iface: number, frameId: number, copyId: number, parentCopyId: number, obj: unknown): number {
    if (this.freeTop === 0) this.grow(this.cap * 2);
    const s = this.free[--this.freeTop]!;
    const seq = this.nextSeq++;
    const r = this.rec;
    const o = s * REC;
    r[o] = time;
    r[o + 1] = seq;
    r[o + 2] = kind;
    r[o + 3] = iface;
    r[o + 4] = frameId;
    r[o + 5] = copyId;
    r[o + 6] = parentCopyId;
    this.objs[s] = obj;
    if (this.fCount === 0 || time >= this.fLastTime) {
      this.fifo[(this.fHead + this.fCount) & (this.cap - 1)] = s;
      this.fCount++;
      this.fLastTime = time;
      return seq;
    }
    // sift up
    const h = this.heap;
    let i = this.n++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(s, h[p]!)) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = s;
    return seq;
  }

  /**
   * The clock's base moved forward by `deltaNs` (Fabric.rebase): every queued time becomes that
   * much smaller; the order does not change.
   */
  rebase(deltaNs: number): void {
    const r = this.rec;
    for (let o = 0; o < r.length; o += REC) r[o] = r[o]! - deltaNs;
    this.fLastTime -= deltaNs;
  }

  /** Time of the earliest event, or Infinity when empty. */
  peekTime(): number {
    const h = this.n === 0 ? Infinity : this.rec[this.heap[0]! * REC]!;
    const f = this.fCount === 0 ? Infinity : this.rec[this.fifo[this.fHead]! * REC]!;
    return h < f ? h : f;
  }

  /** Removes the earliest event and returns its slot; read it with the accessors, then `release(slot)`. -1 when empty. */
  pop(): number {
    if (this.fCount > 0) {
      const fs = this.fifo[this.fHead]!;
      if (this.n === 0 || this.less(fs, this.heap[0]!)) {
        this.fHead = (this.fHead + 1) & (this.cap - 1);
        this.fCount--;
        return fs;
      }
    }
    if (this.n === 0) return -1;
    const h = this.heap;
    const top = h[0]!;
    const last = h[--this.n]!;
    if (this.n > 0) {
      let i = 0;
      const n = this.n;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && this.less(h[r]!, h[l]!) ? r : l;
        if (!this.less(h[c]!, last)) break;
        h[i] = h[c]!;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }

  release(slot: number): void {
    this.objs[slot] = undefined;
    this.free[this.freeTop++] = slot;
  }

  timeOf(slot: number): number {
    return this.rec[slot * REC]!;
  }
  kindOf(slot: number): number {
    return this.rec[slot * REC + 2]!;
  }
  ifaceOf(slot: number): number {
    return this.rec[slot * REC + 3]!;
  }
  frameIdOf(slot: number): number {
    return this.rec[slot * REC + 4]!;
  }
  copyIdOf(slot: number): number {
    return this.rec[slot * REC + 5]!;
  }
  parentOf(slot: number): number {
    return this.rec[slot * REC + 6]!;
  }
  objOf(slot: number): unknown {
    return this.objs[slot];
  }

  /**
   * The queued events in the order they will run (time, then insertion sequence), without
   * removing any: for comparing two labs' states (snapshot.ts). A timer's `obj` is its callback.
   */
  pending(): { time: number; seq: number; kind: number; iface: number; frameId: number; copyId: number; parent: number; obj: unknown }[] {
    const slots: number[] = [];
    for (let i = 0; i < this.n; i++) slots.push(this.heap[i]!);
    for (let i = 0; i < this.fCount; i++) slots.push(this.fifo[(this.fHead + i) & (this.cap - 1)]!);
    slots.sort((a, b) => (this.less(a, b) ? -1 : this.less(b, a) ? 1 : 0));
    const r = this.rec;
    return slots.map((s) => ({
      time: r[s * REC]!,
      seq: r[s * REC + 1]!,
      kind: r[s * REC + 2]!,
      iface: r[s * REC + 3]!,
      frameId: r[s * REC + 4]!,
      copyId: r[s * REC + 5]!,
      parent: r[s * REC + 6]!,
      obj: this.objs[s],
    }));
  }
}
