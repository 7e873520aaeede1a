/**
 * Drives the lab's virtual clock from the server's event loop. The engine has no timers of its
 * own; this file decides *when* to let it process its queue:
 *  - `realtime`: the virtual clock follows the wall clock. Queued events run when their virtual
 *    time comes, through one `setTimeout` aimed at `lab.nextEventTime()`; events due within
 *    `slackNs` run at once, so a frame crossing the lab adds well under a millisecond. Never a
 *    busy loop: at most `maxEventsPerTick` events, and at most `sliceMs` of wall time, per turn,
 *    then `setImmediate` yields, so that HTTP requests and socket.io get the event loop between
 *    slices even while a storm (P5) or a flood keeps the queue full.
 *  - `paused`: nothing runs; injected frames wait in the queue.
 *  - `step`: like paused; each `step()` processes the next event(s).
 * If something runs the clock ahead of the wall clock (a synchronous ping fast-forwards), the
 * real-time anchor moves: virtual time then continues from there at wall-clock speed.
 */
import type { ClockMode, ClockState } from './api-types.js';
import type { Lab } from '../engine/index.js';

export type ClockLab = Pick<Lab, 'now' | 'nextEventTime' | 'step' | 'run'>;

export interface ClockDriverOptions {
  mode?: ClockMode;
  /** events due within this much of the wall clock run now (default 1 ms) */
  slackNs?: number;
  /** events processed per event-loop turn before yielding (default 5000) */
  maxEventsPerTick?: number;
  /** wall-clock ms one turn may spend processing events before yielding (default 10) */
  sliceMs?: number;
  /** monotonic ms for the slice budget (tests; default performance.now) */
  sliceClockMs?: () => number;
  /** wall clock in ns (tests) */
  hrtimeNs?: () => number;
  /** called after events ran (counters may have changed) */
  onAdvance?: (processed: number) => void;
  /** the lab threw while running on its own (real time): the clock is paused, here is why */
  onError?: (err: unknown) => void;
}

const hrNow = (): number => Number(process.hrtime.bigint());

/** A step request may run this many slices' worth of wall time (10 × 10 ms by default). */
const STEP_BUDGET_SLICES = 10;

export function nextTime(lab: Pick<Lab, 'nextEventTime'>): number | null {
  const t = lab.nextEventTime();
  return typeof t === 'number' && Number.isFinite(t) ? t : null;
}

export class ClockDriver {
  private lab: ClockLab;
  private modeValue: ClockMode;
  private readonly slackNs: number;
  private readonly maxEventsPerTick: number;
  private readonly sliceMs: number;
  private readonly sliceClock: () => number;
  private readonly hrtime: () => number;
  private readonly onAdvance: ((processed: number) => void) | undefined;
  private readonly onError: ((err: unknown) => void) | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private immediate: ReturnType<typeof setImmediate> | undefined;
  private wallAnchor = 0;
  private virtAnchor = 0;
  private disposed = false;
  /** events processed since the driver started (tests, status) */
  processed = 0;

  constructor(lab: ClockLab, options: ClockDriverOptions = {}) {
    this.lab = lab;
    this.modeValue = options.mode ?? 'realtime';
    this.slackNs = options.slackNs ?? 1_000_000;
    this.maxEventsPerTick = options.maxEventsPerTick ?? 5000;
    this.sliceMs = options.sliceMs ?? 10;
    this.sliceClock = options.sliceClockMs ?? (() => performance.now());
    this.hrtime = options.hrtimeNs ?? hrNow;
    this.onAdvance = options.onAdvance;
    this.onError = options.onError;
    this.reanchor();
    this.schedule();
  }

  get mode(): ClockMode {
    return this.modeValue;
  }

  state(): ClockState {
    return { mode: this.modeValue, now: this.lab.now, next: nextTime(this.lab) };
  }

  setMode(mode: ClockMode): void {
    if (mode === this.modeValue) return;
    this.modeValue = mode;
    this.cancel();
    if (mode === 'realtime') {
      this.reanchor();
      this.pump();
    }
  }

  /** A new lab (topology loaded): same mode, fresh anchor. */
  setLab(lab: ClockLab): void {
    this.cancel();
    this.lab = lab;
    this.reanchor();
    this.schedule();
  }

  /** Real-time mode: virtual time the wall clock says it is now. */
  target(): number {
    return this.virtAnchor + (this.hrtime() - this.wallAnchor);
  }

  /**
   * Before injecting in real-time mode: run what is due and bring the virtual clock up to the
   * wall clock, so the frame is stamped with the present. No-op in paused/step mode.
   */
  sync(): void {
    if (this.modeValue !== 'realtime' || this.disposed) return;
    this.pump();
    const gap = this.target() - this.lab.now;
    if (gap > 0 && (nextTime(this.lab) ?? Infinity) > this.lab.now + gap) this.lab.run({ forNs: gap });
  }

  /** Something was queued (frame injected, ping started): in real time, run what is due now. */
  kick(): void {
    if (this.modeValue !== 'realtime' || this.disposed) return;
    this.pump();
  }

  /**
   * Step mode: process up to `count` events, for at most STEP_BUDGET_SLICES slices of wall time
   * (a step of 100,000 events into a storm must not hold the event loop for seconds); returns how
   * many ran, which may be fewer than asked.
   */
  step(count = 1): number {
    let n = 0;
    const end = this.sliceClock() + this.sliceMs * STEP_BUDGET_SLICES;
    while (n < count && this.lab.step()) {
      n++;
      if ((n & 63) === 0 && this.sliceClock() >= end) break;
    }
    this.processed += n;
    if (n > 0) this.onAdvance?.(n);
    return n;
  }

  dispose(): void {
    this.disposed = true;
    this.cancel();
  }

  private reanchor(): void {
    this.wallAnchor = this.hrtime();
    this.virtAnchor = this.lab.now;
  }

  private cancel(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
  }

  private pump = (): void => {
    try {
      this.pumpOnce();
    } catch (err) {
      // Never let a timer callback throw out of the event loop: stop and say why.
      this.modeValue = 'paused';
      this.cancel();
      this.onError?.(err);
    }
  };

  private pumpOnce(): void {
    this.cancel();
    if (this.modeValue !== 'realtime' || this.disposed) return;
    let t = this.target();
    if (this.lab.now > t + this.slackNs) {
      // something ran the clock ahead (a synchronous ping): continue from there
      this.reanchor();
      t = this.lab.now;
    }
    const horizon = t + this.slackNs;
    const sliceEnd = this.sliceClock() + this.sliceMs;
    let n = 0;
    let outOfTime = false;
    let next = nextTime(this.lab);
    while (next !== null && next <= horizon && n < this.maxEventsPerTick) {
      if (!this.lab.step()) break;
      n++;
      next = nextTime(this.lab);
      // the wall clock is read every 64 events: cheap, and a slice overruns by 63 events at most
      if ((n & 63) === 0 && this.sliceClock() >= sliceEnd) {
        outOfTime = true;
        break;
      }
    }
    this.processed += n;
    if (n > 0) this.onAdvance?.(n);
    if ((n >= this.maxEventsPerTick || outOfTime) && next !== null && next <= horizon) {
      this.immediate = setImmediate(this.pump);
      return;
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.modeValue !== 'realtime' || this.disposed) return;
    const next = nextTime(this.lab);
    if (next === null) return;
    const delayMs = Math.max(0, (next - this.slackNs - this.target()) / 1e6);
    this.timer = setTimeout(this.pump, Math.min(delayMs, 2 ** 31 - 1));
    this.timer.unref?.();
  }
}
