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

export class EventQueue {
  /** always a power of two: ring positions wrap with `& (cap - 1)` */
  private cap = 0;
  private time = new Float64Array(0);
  private seqs = new Float64Array(0);
  private kinds = new Int32Array(0);
  private ifaces = new Int32Array(0);
  private frameIds = new Float64Array(0);
  private copyIds = new Float64Array(0);
  private parents = new Float64Array(0);
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
    const f64 = (a: Float64Array) => {
      const b = new Float64Array(newCap);
      b.set(a);
      return b;
    };
    const i32 = (a: Int32Array) => {
      const b = new Int32Array(newCap);
      b.set(a);
      return b;
    };
    this.time = f64(this.time);
    this.seqs = f64(this.seqs);
    this.kinds = i32(this.kinds);
    this.ifaces = i32(this.ifaces);
    this.frameIds = f64(this.frameIds);
    this.copyIds = f64(this.copyIds);
    this.parents = f64(this.parents);
    this.heap = i32(this.heap);
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
    const ta = this.time[a]!;
    const tb = this.time[b]!;
    return ta < tb || (ta === tb && this.seqs[a]! < this.seqs[b]!);
  }

  /** Schedules an event; returns its insertion sequence. */
  push(time: number, kind: number, iface: number, frameId: number, copyId: number, parentCopyId: number, obj: unknown): number {
    if (this.freeTop === 0) this.grow(this.cap * 2);
    const s = this.free[--this.freeTop]!;
    this.time[s] = time;
    const seq = this.nextSeq++;
    this.seqs[s] = seq;
    this.kinds[s] = kind;
    this.ifaces[s] = iface;
    this.frameIds[s] = frameId;
    this.copyIds[s] = copyId;
    this.parents[s] = parentCopyId;
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
    const t = this.time;
    for (let s = 0; s < t.length; s++) t[s] = t[s]! - deltaNs;
    this.fLastTime -= deltaNs;
  }

  /** Time of the earliest event, or Infinity when empty. */
  peekTime(): number {
    const h = this.n === 0 ? Infinity : this.time[this.heap[0]!]!;
    const f = this.fCount === 0 ? Infinity : this.time[this.fifo[this.fHead]!]!;
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
    return this.time[slot]!;
  }
  kindOf(slot: number): number {
    return this.kinds[slot]!;
  }
  ifaceOf(slot: number): number {
    return this.ifaces[slot]!;
  }
  frameIdOf(slot: number): number {
    return this.frameIds[slot]!;
  }
  copyIdOf(slot: number): number {
    return this.copyIds[slot]!;
  }
  parentOf(slot: number): number {
    return this.parents[slot]!;
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
    return slots.map((s) => ({
      time: this.time[s]!,
      seq: this.seqs[s]!,
      kind: this.kinds[s]!,
      iface: this.ifaces[s]!,
      frameId: this.frameIds[s]!,
      copyId: this.copyIds[s]!,
      parent: this.parents[s]!,
      obj: this.objs[s],
    }));
  }
}
