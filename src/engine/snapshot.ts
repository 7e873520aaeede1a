/**
 * Snapshots of a lab, for going back in time (simulation mode: Back, Reset, jump to an event).
 *
 * Design: the engine is deterministic — the same topology and the same inputs in the same order
 * give the same state, bit for bit — so a lab's history is its *journal of inputs* (frames
 * injected, pings started, runtime changes, clock runs and steps), not copies of its state. A
 * snapshot names a position in that journal; `lab.restore(snapshot)` builds the lab afresh from
 * its topology and re-runs the journal up to that position, silently (no trace subscriber, no
 * capture tap sees the replay), then hands the new fabric the lab's listeners. Every piece of
 * state — MAC tables, ARP caches, counters, uplinks in use and failover state, shaping queues,
 * link impairments' generators, the event queue with its timers, pings in flight, the clock,
 * frame/copy/trace numbering — is therefore restored without each module knowing how to copy
 * itself, including state added later.
 *
 * Positions: 0 is the lab as built; each input is one position, each processed event one more.
 * Going back leaves the journal's later part in place (the *undone future*): `redo` re-applies
 * it, a step re-takes the next recorded step, and any other input discards it (as an editor does).
 *
 * Bounded memory: the journal keeps the injected bytes (shared with the fabric, not copied),
 * ~20 bytes per processed event and ~100 per input. When it would exceed its limit (64 MB by
 * default, whatever the number of interfaces: the state itself is never copied) history is
 * switched off for that lab and `info().reason` says why; `restore` then refuses. Restore time
 * grows with the number of events re-run (see `npm run bench -- web`).
 */
/** One recorded input of a lab. */
export type JournalOp =
  | { k: 'inject'; iface: string; frame: Uint8Array; frameId?: number }
  | { k: 'injectLater'; delayNs: number; iface: string; frame: Uint8Array }
  | { k: 'startPing'; iface: string; dst: string; request: Record<string, unknown> }
  | { k: 'ping'; iface: string; dst: string; request: Record<string, unknown> }
  | { k: 'apply'; change: unknown }
  | { k: 'run'; forNs?: number; maxEvents?: number }
  | { k: 'steps'; n: number };

/** A moment of a lab's history: pass it to `lab.restore`. Plain data (JSON-safe). */
export interface LabSnapshot {
  /** which lab (history) it belongs to */
  readonly history: number;
  /** journal position: inputs and processed events since the lab was built */
  readonly position: number;
  /** virtual time at that moment, ns */
  readonly time: number;
  /** the last trace event's seq at that moment */
  readonly traceSeq: number;
  /** identifies the recorded step at `position` (a snapshot of a discarded future is refused) */
  readonly stamp: number;
}

/** What the history holds now. */
export interface HistoryInfo {
  /** false when history was switched off (too long); `reason` says why */
  enabled: boolean;
  reason?: string;
  /** the earliest position restore can go to (0: the lab as built) */
  oldest: number;
  /** virtual time of the oldest position, ns */
  oldestTime: number;
  /** where the lab is now */
  position: number;
  /** the end of the recorded journal (> position after going back: the undone future) */
  end: number;
  /** virtual time at the end of the recorded journal, ns */
  endTime: number;
  /** what the undone future holds next: a recorded step, an input (a send, a change), or nothing */
  next: 'step' | 'input' | null;
  /** bytes the journal holds (estimate) */
  bytes: number;
  /** the limit, bytes */
  limitBytes: number;
}

/** Default history limit, bytes. */
export const HISTORY_LIMIT_BYTES = 64 * 1024 * 1024;
const OP_BYTES = 96;
const POSITION_BYTES = 20;

let historyIds = 0;

interface Entry {
  op: JournalOp;
  /** position of the op's first unit (steps: the first step) */
  start: number;
}

/** Per-position facts, growable typed arrays (index = position). */
class PositionLog {
  time = new Float64Array(1024);
  seq = new Float64Array(1024);
  stamp = new Uint32Array(1024);

  ensure(n: number): void {
    if (n <= this.time.length) return;
    let cap = this.time.length;
    while (cap < n) cap *= 2;
    const t = new Float64Array(cap);
    t.set(this.time);
    const s = new Float64Array(cap);
    s.set(this.seq);
    const st = new Uint32Array(cap);
    st.set(this.stamp);
    this.time = t;
    this.seq = s;
    this.stamp = st;
  }
}

/**
 * A lab's journal. The Lab calls `record*` after each successful input (unless it is replaying);
 * `restore` reads `opsUntil` to re-run.
 */
export class History {
  readonly id = ++historyIds;
  private entries: Entry[] = [];
  private log = new PositionLog();
  /** current position */
  position = 0;
  /** end of the journal */
  private endPos = 0;
  private nextStamp = 1;
  private bytes = 0;
  private disabledReason: string | undefined;
  /** true while the lab re-runs the journal or redoes an op (nothing is recorded) */
  replaying = false;
  /** true while `redo` applies the next future op */
  private redoing = false;

  constructor(readonly limitBytes = HISTORY_LIMIT_BYTES) {}

  get enabled(): boolean {
    return this.disabledReason === undefined;
  }

  /** Switches history off for good (a limit was passed, or state changed outside the journal). */
  disable(reason: string): void {
    if (this.disabledReason !== undefined) return;
    this.disabledReason = reason;
    this.entries = [];
    this.log = new PositionLog();
    this.bytes = 0;
    this.endPos = this.position;
  }

  info(): HistoryInfo {
    const on = this.enabled;
    const out: HistoryInfo = {
      enabled: on,
      oldest: on ? 0 : this.position,
      oldestTime: on ? this.log.time[0]! : this.timeNow,
      position: this.position,
      end: this.endPos,
      endTime: on ? this.log.time[this.endPos]! : this.timeNow,
      next: this.nextOp() === null ? null : this.nextOp()!.k === 'steps' ? 'step' : 'input',
      bytes: this.bytes,
      limitBytes: this.limitBytes,
    };
    if (!on) out.reason = this.disabledReason;
    return out;
  }

  /** the lab's clock, for info() when disabled (set by the lab on every record) */
  private timeNow = 0;

  /** The moment at `position` (default: now) as a snapshot; null when history cannot go there. */
  snapshotAt(position = this.position): LabSnapshot | null {
    if (!this.enabled || !Number.isInteger(position) || position < 0 || position > this.endPos) return null;
    return { history: this.id, position, time: this.log.time[position]!, traceSeq: this.log.seq[position]!, stamp: this.log.stamp[position]! };
  }

  /** Why `snap` cannot be restored, or null when it can. */
  refusal(snap: LabSnapshot): string | null {
    if (!this.enabled) return `history is off for this lab: ${this.disabledReason}`;
    if (snap === null || typeof snap !== 'object' || snap.history !== this.id) return 'the snapshot belongs to another lab';
    if (!Number.isInteger(snap.position) || snap.position < 0 || snap.position > this.endPos || this.log.stamp[snap.position] !== snap.stamp) {
      return 'the snapshot is of a future that was discarded (an input after going back replaces the undone future)';
    }
    return null;
  }

  /** Position of the moment right after trace event `seq` was emitted (the first position whose seq >= it); null when unknown. */
  positionOfTraceSeq(seq: number): number | null {
    if (!this.enabled) return null;
    const s = this.log.seq;
    let lo = 0;
    let hi = this.endPos;
    if (!(s[hi]! >= seq)) return null;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (s[mid]! >= seq) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Virtual time and last trace seq at a position (for the API). */
  at(position: number): { time: number; traceSeq: number } | null {
    if (!this.enabled || position < 0 || position > this.endPos) return null;
    return { time: this.log.time[position]!, traceSeq: this.log.seq[position]! };
  }

  /** The recorded op that would come next (the undone future), or null. */
  nextOp(): JournalOp | null {
    if (!this.enabled || this.position >= this.endPos) return null;
    const e = this.entries[this.entryIndex(this.position)]!;
    return e.op;
  }

  /** Index of the entry holding the unit at `position` (position < end). */
  private entryIndex(position: number): number {
    const es = this.entries;
    let lo = 0;
    let hi = es.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (es[mid]!.start <= position) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The ops that rebuild position `p` from the lab as built, steps cut to length. */
  opsUntil(p: number): JournalOp[] {
    const out: JournalOp[] = [];
    for (const e of this.entries) {
      if (e.start >= p) break;
      if (e.op.k === 'steps') out.push({ k: 'steps', n: Math.min(e.op.n, p - e.start) });
      else out.push(e.op);
    }
    return out;
  }

  /** Runs `fn` as a redo of the next future op (recorded by advancing, not truncating). */
  asRedo<T>(fn: () => T): T {
    this.redoing = true;
    try {
      return fn();
    } finally {
      this.redoing = false;
    }
  }

  /** The lab was restored to `position` (time/seq as recorded). */
  movedTo(position: number): void {
    this.position = position;
  }

  /** Records that the lab processed one event (a step). */
  recordStep(time: number, seq: number): void {
    if (this.replaying) return;
    this.timeNow = time;
    if (!this.enabled) {
      this.position++;
      this.endPos = this.position;
      return;
    }
    if (this.position < this.endPos) {
      const e = this.entries[this.entryIndex(this.position)]!;
      if (e.op.k === 'steps') {
        // the deterministic engine re-takes the recorded step
        this.position++;
        return;
      }
      this.truncate();
    }
    const last = this.entries[this.entries.length - 1];
    if (last !== undefined && last.op.k === 'steps') last.op.n++;
    else this.push({ k: 'steps', n: 1 });
    this.advance(time, seq, POSITION_BYTES);
  }

  /** Records one input (after it succeeded). */
  recordOp(op: JournalOp, time: number, seq: number): void {
    if (this.replaying) return;
    this.timeNow = time;
    if (!this.enabled) {
      this.position++;
      this.endPos = this.position;
      return;
    }
    if (this.position < this.endPos) {
      if (this.redoing) {
        this.position++;
        return;
      }
      this.truncate();
    }
    this.push(op);
    const size = op.k === 'inject' || op.k === 'injectLater' ? op.frame.length : op.k === 'apply' ? JSON.stringify(op.change ?? null).length : 0;
    this.advance(time, seq, POSITION_BYTES + OP_BYTES + size);
  }

  private push(op: JournalOp): void {
    this.entries.push({ op, start: this.position });
  }

  private advance(time: number, seq: number, bytes: number): void {
    const p = ++this.position;
    this.endPos = p;
    this.log.ensure(p + 1);
    this.log.time[p] = time;
    this.log.seq[p] = seq;
    this.log.stamp[p] = this.nextStamp++;
    this.bytes += bytes;
    if (this.bytes > this.limitBytes) {
      this.disable(`the history passed its ${Math.round(this.limitBytes / 1048576)} MB limit at ${time} ns; load the topology again to start a new one`);
    }
  }

  /** Drops the undone future (from the current position on). */
  private truncate(): void {
    const p = this.position;
    const es = this.entries;
    while (es.length > 0) {
      const e = es[es.length - 1]!;
      if (e.start >= p) {
        es.pop();
        this.bytes -= OP_BYTES + (e.op.k === 'inject' || e.op.k === 'injectLater' ? e.op.frame.length : 0);
        continue;
      }
      if (e.op.k === 'steps' && e.start + e.op.n > p) e.op.n = p - e.start;
      break;
    }
    this.bytes -= (this.endPos - p) * POSITION_BYTES;
    if (this.bytes < 0) this.bytes = 0;
    this.endPos = p;
  }
}
