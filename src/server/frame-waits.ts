/**
 * Requests waiting for injected frames to settle (POST /api/frames in real time). A wait collects
 * the trace events of its frame ids and ends when the engine says none of them has anything left
 * to happen (`lab.frameSettled`), checked right after injection and after every turn of the
 * clock driver — no polling. It also ends, incomplete, at its deadline, when the clock leaves
 * real time, or when another topology replaces the lab.
 *
 * Cost under load: one map lookup per trace event (whatever the number of waiting requests), and
 * waits that settle during the injecting call (the common case: a frame crosses the lab in
 * microseconds of virtual time) never arm a timer. Bounded: at most `maxEvents` events kept per
 * wait; a wait is forgotten as soon as it ends.
 */
import type { Lab, TraceEvent } from '../engine/index.js';

export type FrameLab = Pick<Lab, 'frameSettled'>;

export class FrameWait {
  events: TraceEvent[] = [];
  ids: readonly number[] = [];
  /** ids before this index are settled */
  private settledUpTo = 0;
  private done = false;
  private resolve: ((complete: boolean) => void) | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly owner: FrameWaits,
    readonly maxEvents: number,
  ) {}

  /** The frames were injected: from now on only their events are collected. */
  injected(ids: readonly number[]): void {
    this.ids = ids;
    this.owner.injected(this);
  }

  /** True when every frame of the wait has settled (remembers how far it got). */
  check(lab: FrameLab): boolean {
    const ids = this.ids;
    while (this.settledUpTo < ids.length && lab.frameSettled(ids[this.settledUpTo]!)) this.settledUpTo++;
    return this.settledUpTo === ids.length;
  }

  /**
   * Resolves true when the frames settle, false at the deadline or when the wait is cancelled.
   * Settled already: resolves at once, no timer.
   */
  settled(lab: FrameLab, deadlineMs: number): Promise<boolean> {
    if (this.done) return Promise.resolve(false);
    if (this.check(lab)) {
      this.end(true);
      return Promise.resolve(true);
    }
    return new Promise<boolean>((resolve) => {
      this.resolve = resolve;
      this.owner.pending.add(this);
      this.timer = setTimeout(() => this.end(false), deadlineMs);
    });
  }

  /** Stops collecting (idempotent); a pending `settled` resolves `complete`. */
  end(complete: boolean): void {
    if (this.done) return;
    this.done = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.owner.forget(this);
    const r = this.resolve;
    this.resolve = undefined;
    r?.(complete);
  }
}

export class FrameWaits {
  /** frame id -> its wait (a frame id belongs to one request) */
  private readonly byFrame = new Map<number, FrameWait>();
  /** waits not settled at injection, checked after each clock turn */
  readonly pending = new Set<FrameWait>();

  constructor(private readonly maxEvents = 10_000) {}

  /** the wait whose frames are being injected: it gets every event until `injected` */
  private injecting: FrameWait | undefined;

  /**
   * Starts a wait just before injecting (a lab may emit events while injecting): it collects
   * every event until its `injected(ids)`, then the events of those ids.
   */
  wait(): FrameWait {
    const w = new FrameWait(this, this.maxEvents);
    this.injecting = w;
    return w;
  }

  /** @internal */
  injected(w: FrameWait): void {
    if (this.injecting !== w) return;
    this.injecting = undefined;
    const ids = w.ids;
    if (w.events.length > 0) {
      const set = new Set(ids);
      w.events = w.events.filter((e) => set.has(e.frameId));
    }
    for (const id of ids) this.byFrame.set(id, w);
  }

  /** Every trace event of the lab passes here. */
  onTrace(e: TraceEvent): void {
    const inj = this.injecting;
    if (inj !== undefined) {
      if (inj.events.length < inj.maxEvents) inj.events.push(e);
      return;
    }
    if (this.byFrame.size === 0) return;
    const w = this.byFrame.get(e.frameId);
    if (w !== undefined && w.events.length < w.maxEvents) w.events.push(e);
  }

  /** Events ran: ends the pending waits whose frames settled. */
  advanced(lab: FrameLab): void {
    if (this.pending.size === 0) return;
    for (const w of this.pending) if (w.check(lab)) w.end(true);
  }

  /** The lab was replaced or the clock left real time: every wait ends, incomplete. */
  cancelAll(): void {
    for (const w of [...this.byFrame.values()]) w.end(false);
  }

  /** Waits collecting now (tests, status). */
  get size(): number {
    return new Set(this.byFrame.values()).size;
  }

  /** @internal */
  forget(w: FrameWait): void {
    if (this.injecting === w) this.injecting = undefined;
    for (const id of w.ids) if (this.byFrame.get(id) === w) this.byFrame.delete(id);
    this.pending.delete(w);
  }
}
