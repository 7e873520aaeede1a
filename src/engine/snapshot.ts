/**
 * Snapshots of a lab, for going back in time (simulation mode: Back, Reset, jump to an event).
 *
 * Design: the engine is deterministic — the same topology and the same inputs in the same order
 * give the same state, bit for bit — so a lab's history is its *journal of inputs* (frames
 * injected, pings started, runtime changes, clock runs and steps), not copies of its state. A
 * snapshot names a position in that journal; `lab.restore(snapshot)` re-runs the journal up to
 * that position on a lab built afresh from its topology, silently (no trace subscriber, no
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
 * Bounded memory, oldest dropped first: each reachable position costs 20 bytes (its virtual
 * time, trace seq and stamp) and each input ~100 bytes plus its frame (shared with the fabric,
 * not copied). When the journal passes its limit (64 MB by default, whatever the number of
 * interfaces: the state itself is never copied), the oldest positions are dropped until they
 * fill three quarters of the room the inputs leave: the *window* of reachable moments then
 * starts later (`info().oldest`, `oldestTime`, `oldestTraceSeq`), and restoring a moment before
 * it is refused with that reason.
 * The dropped part keeps only its inputs, compacted (~64 bytes an input plus its frame, 8 bytes a
 * run of steps), because the engine has no copy of a state to start from: they rebuild the
 * *base*, the lab at the window's start.
 * `lab.prepareRestore()` builds that base ahead of time (the server calls it when idle), so a
 * restore re-runs only the window. If the inputs alone pass 7/8 of the limit (hours of sends),
 * history is switched off for that lab and `info().reason` says why; `restore` then refuses.
 * Costs are measured by `npm run bench -- web`.
 */
/** One recorded input of a lab. */
export type JournalOp =
  | { k: 'inject'; iface: string; frame: Uint8Array; frameId?: number }
  | { k: 'injectLater'; delayNs: number; iface: string; frame: Uint8Array }
  | { k: 'startPing'; iface: string; dst: string; request: Record<string, unknown> }
  | { k: 'ping'; iface: string; dst: string; request: Record<string, unknown> }
  | { k: 'apply'; change: unknown }
  /** a program on the lab's clock (a timed scenario): `start` re-creates it on a re-run */
  | { k: 'program'; start: () => object }
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
  /** the earliest position restore can go to (0: the lab as built; later once the oldest were dropped) */
  oldest: number;
  /** virtual time of the oldest position, ns */
  oldestTime: number;
  /** the last trace event's seq at the oldest position (events after it can be jumped to) */
  oldestTraceSeq: number;
  /** positions dropped from the start to keep the history under its limit (0: it reaches the lab as built) */
  dropped: number;
  /** where the lab is now */
  position: number;
  /** the end of the recorded journal (> position after going back: the undone future) */
  end: number;
  /** virtual time at the end of the recorded journal, ns */
  endTime: number;
  /** what the undone future holds next: a recorded step, an input (a send, a change), or nothing */
  next: 'step' | 'input' | null;
  /** bytes the journal holds (estimate): reachable positions, and every input since the lab was built */
  bytes: number;
  /** the limit, bytes */
  limitBytes: number;
}

/** Default history limit, bytes. */
export const HISTORY_LIMIT_BYTES = 64 * 1024 * 1024;
const OP_BYTES = 96;
/** an input in the compact prefix: no wrapper with its position */
const PREFIX_OP_SAVING = 32;
/** a run of steps in the compact prefix: one number */
const PREFIX_STEPS_BYTES = 8;
const POSITION_BYTES = 20;

let historyIds = 0;

interface Entry {
  op: JournalOp;
  /** position of the op's first unit (steps: the first step) */
  start: number;
}

/** `64 MB`, `256 kB`: a size in words */
function sizeText(bytes: number): string {
  return bytes >= 1048576 ? `${+(bytes / 1048576).toFixed(1)} MB` : `${Math.round(bytes / 1024)} kB`;
}

function opBytes(op: JournalOp): number {
  if (op.k === 'inject' || op.k === 'injectLater') return OP_BYTES + op.frame.length;
  if (op.k === 'apply') return OP_BYTES + JSON.stringify(op.change ?? null).length;
  return OP_BYTES;
}

/** Per-position facts of the window, growable typed arrays (index = position - oldest). */
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

  /** Forgets the first `d` of `n` indexes (the rest move down); shrinks when mostly empty. */
  dropFront(d: number, n: number): void {
    this.time.copyWithin(0, d, n);
    this.seq.copyWithin(0, d, n);
    this.stamp.copyWithin(0, d, n);
    const keep = n - d;
    let cap = this.time.length;
    while (cap > 1024 && keep * 4 <= cap) cap >>= 1;
    if (cap < this.time.length) {
      this.time = this.time.slice(0, cap);
      this.seq = this.seq.slice(0, cap);
      this.stamp = this.stamp.slice(0, cap);
    }
  }
}

/**
 * A lab's journal. The Lab calls `record*` after each successful input (unless it is replaying);
 * `restore` reads `opsBetween` to re-run.
 */
export class History {
  readonly id = ++historyIds;
  /** every input since the lab was built (those before `oldest` rebuild the base) */
  private entries: Entry[] = [];
  /**
   * The inputs before the window (position 0 to `oldest`), compact: an op, or a number for that
   * many steps (no per-entry wrapper, no position: they are only ever re-run from the start).
   */
  private prefix: (JournalOp | number)[] = [];
  private log = new PositionLog();
  /** current position */
  position = 0;
  /** end of the journal */
  private endPos = 0;
  /** the earliest reachable position (the window's start; the log's index 0) */
  private oldestPos = 0;
  private nextStamp = 1;
  /** bytes of the entries (inputs), all of them */
  private inputBytes = 0;
  private disabledReason: string | undefined;
  /** true while the lab re-runs the journal or redoes an op (nothing is recorded) */
  replaying = false;
  /** true while `redo` applies the next future op */
  private redoing = false;

  constructor(readonly limitBytes = HISTORY_LIMIT_BYTES) {}

  get enabled(): boolean {
    return this.disabledReason === undefined;
  }

  /** the earliest reachable position */
  get oldest(): number {
    return this.enabled ? this.oldestPos : this.position;
  }

  /** bytes held: the window's positions and every input */
  get bytes(): number {
    return this.enabled ? this.inputBytes + (this.endPos - this.oldestPos) * POSITION_BYTES : 0;
  }

  /** Switches history off for good (a limit was passed, or state changed outside the journal). */
  disable(reason: string): void {
    if (this.disabledReason !== undefined) return;
    this.disabledReason = reason;
    this.entries = [];
    this.prefix = [];
    this.log = new PositionLog();
    this.inputBytes = 0;
    this.endPos = this.position;
    this.oldestPos = this.position;
  }

  info(): HistoryInfo {
    const on = this.enabled;
    const next = this.nextOp();
    const out: HistoryInfo = {
      enabled: on,
      oldest: this.oldest,
      oldestTime: on ? this.log.time[0]! : this.timeNow,
      oldestTraceSeq: on ? this.log.seq[0]! : this.seqNow,
      dropped: on ? this.oldestPos : 0,
      position: this.position,
      end: this.endPos,
      endTime: on ? this.log.time[this.endPos - this.oldestPos]! : this.timeNow,
      next: next === null ? null : next.k === 'steps' ? 'step' : 'input',
      bytes: this.bytes,
      limitBytes: this.limitBytes,
    };
    if (!on) out.reason = this.disabledReason;
    return out;
  }

  /** the lab's clock and trace seq, for info() when disabled (set by the lab on every record) */
  private timeNow = 0;
  private seqNow = 0;

  private reachable(position: number): boolean {
    return this.enabled && Number.isInteger(position) && position >= this.oldestPos && position <= this.endPos;
  }

  /** The moment at `position` (default: now) as a snapshot; null when history cannot go there. */
  snapshotAt(position = this.position): LabSnapshot | null {
    if (!this.reachable(position)) return null;
    const i = position - this.oldestPos;
    return { history: this.id, position, time: this.log.time[i]!, traceSeq: this.log.seq[i]!, stamp: this.log.stamp[i]! };
  }

  /** Why position `position` (or an earlier one) cannot be reached because the oldest were dropped; null when it can. */
  tooOld(position: number): string | null {
    if (!this.enabled || position >= this.oldestPos) return null;
    return (
      `the history reaches back only to position ${this.oldestPos} (virtual ${this.log.time[0]!} ns, after event #${this.log.seq[0]!}): ` +
      `the ${this.oldestPos} oldest positions were dropped, oldest first, to keep it under its ${sizeText(this.limitBytes)} limit`
    );
  }

  /** Why `snap` cannot be restored, or null when it can. */
  refusal(snap: LabSnapshot): string | null {
    if (!this.enabled) return `history is off for this lab: ${this.disabledReason}`;
    if (snap === null || typeof snap !== 'object' || snap.history !== this.id) return 'the snapshot belongs to another lab';
    if (Number.isInteger(snap.position) && snap.position >= 0 && snap.position < this.oldestPos) return this.tooOld(snap.position);
    if (!this.reachable(snap.position) || this.log.stamp[snap.position - this.oldestPos] !== snap.stamp) {
      return 'the snapshot is of a future that was discarded (an input after going back replaces the undone future)';
    }
    return null;
  }

  /**
   * Position of the moment right after trace event `seq` was emitted (the first position whose
   * seq >= it); null when unknown (later than the journal's end). An event older than the window
   * gives a position before `oldest` (refused by `snapshotAt`; `tooOld` says why).
   */
  positionOfTraceSeq(seq: number): number | null {
    if (!this.enabled) return null;
    const s = this.log.seq;
    let lo = 0;
    let hi = this.endPos - this.oldestPos;
    if (!(s[hi]! >= seq)) return null;
    if (this.oldestPos > 0 && seq <= s[0]!) return seq === s[0]! ? this.oldestPos : this.oldestPos - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (s[mid]! >= seq) hi = mid;
      else lo = mid + 1;
    }
    return lo + this.oldestPos;
  }

  /** Virtual time and last trace seq at a position (for the API). */
  at(position: number): { time: number; traceSeq: number } | null {
    if (!this.reachable(position)) return null;
    const i = position - this.oldestPos;
    return { time: this.log.time[i]!, traceSeq: this.log.seq[i]! };
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

  /** The ops that take a lab from position `from` to position `to` (from <= to), steps cut to length. */
  opsBetween(from: number, to: number): JournalOp[] {
    const out: JournalOp[] = [];
    const es = this.entries;
    if (from >= to) return out;
    if (from < this.oldestPos) {
      // the dropped part, from its start: each op is one position, a number that many steps
      let p = 0;
      for (const x of this.prefix) {
        if (p >= to) break;
        if (typeof x === 'number') {
          const a = Math.max(p, from);
          const b = Math.min(p + x, to);
          if (b > a) out.push({ k: 'steps', n: b - a });
          p += x;
        } else {
          if (p >= from) out.push(x);
          p++;
        }
      }
      from = this.oldestPos;
      if (from >= to) return out;
    }
    if (es.length === 0) return out;
    for (let i = this.entryIndex(from); i < es.length; i++) {
      const e = es[i]!;
      if (e.start >= to) break;
      if (e.op.k === 'steps') {
        const a = Math.max(e.start, from);
        const b = Math.min(e.start + e.op.n, to);
        if (b > a) out.push({ k: 'steps', n: b - a });
      } else if (e.start >= from) out.push(e.op);
    }
    return out;
  }

  /** The ops that rebuild position `p` from the lab as built. */
  opsUntil(p: number): JournalOp[] {
    return this.opsBetween(0, p);
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
    this.seqNow = seq;
    if (!this.enabled) {
      this.position++;
      this.endPos = this.position;
      this.oldestPos = this.position;
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
    this.advance(time, seq);
  }

  /** Records one input (after it succeeded). */
  recordOp(op: JournalOp, time: number, seq: number): void {
    if (this.replaying) return;
    this.timeNow = time;
    this.seqNow = seq;
    if (!this.enabled) {
      this.position++;
      this.endPos = this.position;
      this.oldestPos = this.position;
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
    this.advance(time, seq);
  }

  private push(op: JournalOp): void {
    this.entries.push({ op, start: this.position });
    this.inputBytes += opBytes(op);
  }

  private advance(time: number, seq: number): void {
    const p = ++this.position;
    this.endPos = p;
    const i = p - this.oldestPos;
    this.log.ensure(i + 1);
    this.log.time[i] = time;
    this.log.seq[i] = seq;
    this.log.stamp[i] = this.nextStamp++;
    if (this.bytes > this.limitBytes) this.dropOldest(time);
  }

  /**
   * Over the limit: the oldest positions go first, until they fill three quarters of the room the
   * inputs leave (so that drops are rare, each a copy of the window). The present stays
   * reachable. When the inputs alone (which rebuild the base and cannot be dropped) pass seven
   * eighths of the limit, history is switched off instead.
   */
  private dropOldest(time: number): void {
    const room = this.limitBytes - this.inputBytes;
    const keep = Math.floor((room * 3) / 4 / POSITION_BYTES);
    const d = Math.min(this.position - this.oldestPos, this.endPos - this.oldestPos - keep);
    if (d > 0) {
      this.log.dropFront(d, this.endPos - this.oldestPos + 1);
      this.oldestPos += d;
      this.compactUntil(this.oldestPos);
    }
    if (this.inputBytes > (this.limitBytes * 7) / 8) {
      this.disable(
        `its inputs (sends, changes, clock runs: ${this.entries.length + this.prefix.length}, ${sizeText(this.inputBytes)}) passed 7/8 of its ${sizeText(this.limitBytes)} limit at ${time} ns, ` +
          'and going back needs every input since the lab was built; load the topology again to start a new history',
      );
    }
  }

  /** Moves the entries before position `p` (the window's new start) to the compact prefix, splitting a run of steps across it. */
  private compactUntil(p: number): void {
    const es = this.entries;
    const pre = this.prefix;
    let k = 0;
    for (; k < es.length; k++) {
      const e = es[k]!;
      if (e.start >= p) break;
      if (e.op.k === 'steps') {
        const n = Math.min(e.op.n, p - e.start);
        const last = pre[pre.length - 1];
        if (typeof last === 'number') pre[pre.length - 1] = last + n;
        else {
          pre.push(n);
          this.inputBytes += PREFIX_STEPS_BYTES;
        }
        if (n < e.op.n) {
          // the rest of the run stays in the window, from p
          e.op.n -= n;
          e.start = p;
          break;
        }
        this.inputBytes -= opBytes(e.op);
      } else {
        pre.push(e.op);
        this.inputBytes -= PREFIX_OP_SAVING;
      }
    }
    if (k > 0) es.splice(0, k);
  }

  /** Drops the undone future (from the current position on). */
  private truncate(): void {
    const p = this.position;
    const es = this.entries;
    while (es.length > 0) {
      const e = es[es.length - 1]!;
      if (e.start >= p) {
        es.pop();
        this.inputBytes -= opBytes(e.op);
        continue;
      }
      if (e.op.k === 'steps' && e.start + e.op.n > p) e.op.n = p - e.start;
      break;
    }
    if (this.inputBytes < 0) this.inputBytes = 0;
    this.endPos = p;
  }
}
