/**
 * The fabric's core: the virtual clock, the event queue, counters, copy numbering and the trace
 * emitter, plus the primitives every rule file uses — deliver a copy to an endpoint, put a copy
 * on a cable, drop a copy with a reason. The forwarding rules themselves live in vswitch.ts and
 * physical-switch.ts.
 *
 * Dry mode (explain, O2): the same code runs with `dry` set — nothing is counted, nothing is
 * learned, no endpoint stack sees a frame, events go to a private queue and trace events to a
 * collector instead of the live subscribers.
 */
import { DST_OFFSET, formatMac, isMulticast, macToNumber } from '../wire/index.js';
import { CounterStore } from './counters.js';
import { EventQueue } from './event-queue.js';
import type { Iface, PhysSwitchRt, VSwitchRt } from './model.js';
import { exceedsMtu, payloadLength } from './mtu.js';
import { REASON_INDEX, REASONS, dropDetail, type ReasonCode } from './reasons.js';
import { PointDetails } from './point-details.js';
import { PortDecisions } from './port-decisions.js';
import { StormWatch, stormThreshold } from './storm.js';
import { TraceBus, capturePointCode, type CapturePoint, type PointEvent, type PointListener, type TraceAction, type TraceEvent } from './trace.js';
import type { RuleId } from './rules.js';
import { Xlate } from './xlate.js';

/** Event kinds of the queue. */
export const EV_SEND = 0;
export const EV_ARRIVE = 1;
export const EV_TIMER = 2;

/** Slots of the per-frame count of queued events (a power of two; see `queuedOfFrame`). */
const FRAME_SLOTS = 4096;

/** Everything of a trace event but its sequence number and time. */
export type EventBody = Omit<TraceEvent, 'seq' | 'time'>;

/** Forwarding handlers installed by the rule files (kept apart to avoid import cycles). */
export interface Handlers {
  portIngress(f: Fabric, p: Iface, frame: Uint8Array, fid: number, cid: number, parent: number): void;
  uplinkIngress(f: Fabric, u: Iface, frame: Uint8Array, fid: number, cid: number, parent: number): void;
  switchIngress(f: Fabric, p: Iface, frame: Uint8Array, fid: number, cid: number, parent: number): void;
}

export class Fabric {
  /** virtual ns since `baseNs`: a double, exact because `rebase` keeps it below 2^52 */
  now = 0;
  /** virtual time of `now = 0`, ns since the lab started (0 until the first rebase) */
  baseNs = 0n;
  /** true once `baseNs` is not 0: trace events then carry it (TraceEvent.timeBaseNs) */
  rebased = false;
  /** true while somebody listens (or explain collects): guards every event construction */
  tracing = false;
  /** true while capture-point taps listen (TraceStream.tapPoints) */
  tapping = false;
  /** tracing || tapping: the detail lines of capture-point events (drop parameters, cableTx details) are needed */
  detailed = false;
  dry = false;
  queue = new EventQueue(1024);
  readonly bus = new TraceBus();
  collector: TraceEvent[] | null = null;
  readonly counters: CounterStore;
  copySeq = 0;
  frameSeq = 0;
  traceSeq = 0;
  /** frame being delivered to a stack (endpoint notes refer to it) */
  curFrameId = 0;
  curCopyId = 0;
  readonly byId = new Map<string, Iface>();
  vswitches: VSwitchRt[] = [];
  switches: PhysSwitchRt[] = [];
  /** detail lines of the frequent capture-point events, per interface */
  readonly details: PointDetails;
  /** the plain local leg each port's last unicast frame took, while the configuration stays (port-decisions.ts) */
  readonly decisions: PortDecisions;
  /** per-lab scratch state of the forwarding code (xlate.ts) */
  readonly xlate: Xlate = new Xlate(this);
  private taps: PointListener[] = [];
  /** P5: cable crossings per frame, and the storms detected (storm.ts); explain swaps in its own */
  storm: StormWatch;
  /**
   * Queued events per frame id, at `fid & (FRAME_SLOTS - 1)` (timers are not counted). Frame ids
   * FRAME_SLOTS apart share a slot: their counts add up, so a frame may look busy longer, never
   * idle early. Not kept in dry mode (explain runs on a private queue).
   */
  private readonly frameQueued = new Int32Array(FRAME_SLOTS);
  /** Copies per frame id held outside the queue (a shaping queue, Q1), in the same slots. */
  private readonly frameHeld = new Int32Array(FRAME_SLOTS);
  /** the one record every tap call gets */
  private readonly pointRec: PointEvent = {
    time: 0,
    frameId: 0,
    copyId: 0,
    parentCopyId: 0,
    port: '',
    ifaceIndex: 0,
    point: 'Drop',
    pointCode: capturePointCode('Drop'),
    frame: new Uint8Array(0),
    vlan: undefined,
    rule: undefined,
    reason: undefined,
    detail: '',
  };

  constructor(
    readonly ifaces: Iface[],
    readonly latencyNs: number,
    readonly handlers: Handlers,
  ) {
    this.counters = new CounterStore(ifaces.length);
    this.details = new PointDetails(ifaces.length);
    this.decisions = new PortDecisions(ifaces.length);
    let cableEnds = 0;
    for (const i of ifaces) {
      this.byId.set(i.id, i);
      if (i.kind === 'vmnic' || i.kind === 'switch-port' || i.kind === 'physical-nic') cableEnds++;
    }
    this.storm = new StormWatch(stormThreshold(cableEnds), (fid) => this.queuedOfFrame(fid) > 0 || this.heldOfFrame(fid) > 0);
  }

  /** Recomputes `tracing`, `tapping` and `detailed` from the listeners (outside explain). */
  listenersChanged(): void {
    this.tracing = this.bus.active;
    this.tapping = this.taps.length > 0;
    this.detailed = this.tracing || this.tapping;
  }

  /** Adds a capture-point tap; returns the function that removes it. */
  addTap(listener: PointListener): () => void {
    this.taps = [...this.taps, listener];
    this.listenersChanged();
    let on = true;
    return () => {
      if (!on) return;
      on = false;
      this.taps = this.taps.filter((t) => t !== listener);
      this.listenersChanged();
    };
  }

  /**
   * Reports a capture-point event to the taps: called by the point sites when only taps listen
   * (not `tracing`), and by `emit` for events with a point when both listen.
   */
  tap(point: CapturePoint, at: Iface, frame: Uint8Array, fid: number, cid: number, parent: number, vlan: number | undefined, detail: string, rule?: RuleId, reason?: ReasonCode): void {
    if (this.dry) return;
    const r = this.pointRec;
    r.time = this.now;
    r.frameId = fid;
    r.copyId = cid;
    r.parentCopyId = parent;
    r.port = at.id;
    r.ifaceIndex = at.idx;
    r.point = point;
    r.pointCode = capturePointCode(point);
    r.frame = frame;
    r.vlan = vlan;
    r.rule = rule;
    r.reason = reason;
    r.detail = detail;
    const taps = this.taps;
    for (let i = 0; i < taps.length; i++) taps[i]!(r);
  }

  newCopy(): number {
    return ++this.copySeq;
  }

  /**
   * Moves the clock's base forward by `deltaNs` (a whole number, at most `now`): `now` and every
   * time the fabric keeps — queued events, MAC tables, link impairments, shapers, the endpoint
   * stacks — become that much smaller, so that `now` stays exact as a double however long the
   * lab runs. Lab.run calls it between events (Lab's rebaseAtNs); nothing else changes.
   */
  rebase(deltaNs: number): void {
    if (!(Number.isSafeInteger(deltaNs) && deltaNs > 0 && deltaNs <= this.now)) throw new RangeError(`clock rebase by ${deltaNs} ns at ${this.now}`);
    this.now -= deltaNs;
    this.baseNs += BigInt(deltaNs);
    this.rebased = true;
    this.queue.rebase(deltaNs);
    for (const i of this.ifaces) {
      i.impair?.rebase(deltaNs);
      i.shaper?.rebase(deltaNs);
      i.stack?.rebase?.(deltaNs);
    }
    for (const sw of this.switches) sw.table.rebase(deltaNs);
  }

  /** Publishes an event (call only when `tracing`); an event with a point goes to the taps too. */
  emit(body: EventBody): void {
    const ev = body as TraceEvent;
    ev.seq = ++this.traceSeq;
    ev.time = this.now;
    this.publish(ev);
  }

  /**
   * Publishes an event built whole by a frequent site: its literal ends with
   * `seq: ++f.traceSeq, time: f.now` (the keys `emit` appends, in the same order), so the object
   * is made in its final shape instead of growing two properties after it was made.
   */
  publish(ev: TraceEvent): void {
    if (this.rebased) ev.timeBaseNs = this.baseNs;
    if (this.collector !== null) this.collector.push(ev);
    else {
      this.bus.publish(ev);
      if (this.tapping && ev.point !== undefined && ev.frame !== undefined) {
        const at = this.byId.get(ev.port);
        if (at !== undefined) this.tap(ev.point, at, ev.frame, ev.frameId, ev.copyId, ev.parentCopyId, ev.vlan, ev.detail, ev.rule, ev.reason);
      }
    }
  }

  /** A copy ends here, dropped for `reason` at interface `at`. `params` fill the reason's sentence. */
  drop(
    at: Iface,
    reason: ReasonCode,
    fid: number,
    cid: number,
    parent: number,
    frame: Uint8Array,
    vlan: number | undefined,
    /** fill the reason's sentence; build it only when `tracing` (pass undefined otherwise) */
    params?: Record<string, string | number>,
  ): void {
    if (!this.dry) this.counters.drop(at.idx, REASON_INDEX[reason]);
    if (this.tracing) {
      this.publish({
        frameId: fid,
        copyId: cid,
        parentCopyId: parent,
        node: at.node,
        port: at.id,
        action: 'drop',
        rule: REASONS[reason].rule,
        reason,
        vlan,
        point: 'Drop',
        frame,
        detail: dropDetail(reason, params),
        seq: ++this.traceSeq,
        time: this.now,
      });
    } else if (this.tapping) {
      this.tap('Drop', at, frame, fid, cid, parent, vlan, dropDetail(reason, params), REASONS[reason].rule, reason);
    }
  }

  /** Schedules a frame sent by an endpoint (vNIC, vmk, physical NIC) at the current time; returns its frame id (`given`: a frame that keeps the id it had in another partition). */
  scheduleSend(iface: Iface, frame: Uint8Array, given?: number): number {
    const fid = given ?? ++this.frameSeq;
    this.pushFrame(this.now, EV_SEND, iface.idx, fid, this.newCopy(), 0, frame);
    return fid;
  }

  /** Schedules a frame arriving from the cable of `iface` at the current time (inject at an uplink or switch port). */
  scheduleArrival(iface: Iface, frame: Uint8Array, given?: number): number {
    const fid = given ?? ++this.frameSeq;
    this.pushFrame(this.now, EV_ARRIVE, iface.idx, fid, this.newCopy(), 0, frame);
    return fid;
  }

  /** Timers are no frame's events: not counted in `frameQueued`. */
  scheduleTimer(delayNs: number, fn: () => void): void {
    this.queue.push(this.now + Math.max(0, delayNs), EV_TIMER, -1, 0, 0, 0, fn);
  }

  /** Queues a copy of frame `fid` (EV_SEND / EV_ARRIVE), counted for `queuedOfFrame`. */
  private pushFrame(time: number, kind: number, idx: number, fid: number, cid: number, parent: number, frame: Uint8Array): void {
    if (!this.dry) this.frameQueued[fid & (FRAME_SLOTS - 1)]!++;
    this.queue.push(time, kind, idx, fid, cid, parent, frame);
  }

  /**
   * Processes events in (time, sequence) order while any is queued and fewer than `cap` were
   * processed, counting from `n`; returns the new count (`run` without a time limit).
   */
  drain(n: number, cap: number): number {
    const q = this.queue;
    while (n < cap && q.size > 0) {
      this.step();
      n++;
    }
    return n;
  }

  /**
   * Events of frame `fid` still queued (0: none of its copies is on the queue). An upper bound:
   * frames FRAME_SLOTS ids apart are counted together. Copies held outside the queue (a shaping
   * queue) are counted apart: `heldOfFrame`.
   */
  queuedOfFrame(fid: number): number {
    return this.frameQueued[fid & (FRAME_SLOTS - 1)]!;
  }

  /** A copy of frame `fid` waits outside the event queue (`+1`, a shaping queue took it) or leaves it (`-1`). */
  holdFrame(fid: number, delta: 1 | -1): void {
    if (!this.dry) this.frameHeld[fid & (FRAME_SLOTS - 1)]! += delta;
  }

  /** Copies of frame `fid` held outside the queue (an upper bound, like `queuedOfFrame`). */
  heldOfFrame(fid: number): number {
    return this.frameHeld[fid & (FRAME_SLOTS - 1)]!;
  }

  /** Processes the earliest event; false when the queue is empty. */
  step(): boolean {
    const q = this.queue;
    const slot = q.pop();
    if (slot < 0) return false;
    const t = q.timeOf(slot);
    if (t > this.now) this.now = t;
    const kind = q.kindOf(slot);
    const idx = q.ifaceOf(slot);
    const fid = q.frameIdOf(slot);
    const cid = q.copyIdOf(slot);
    const parent = q.parentOf(slot);
    const obj = q.objOf(slot);
    q.release(slot);
    if (kind === EV_TIMER) {
      (obj as () => void)();
      return true;
    }
    if (!this.dry) this.frameQueued[fid & (FRAME_SLOTS - 1)]!--;
    const iface = this.ifaces[idx]!;
    const frame = obj as Uint8Array;
    if (kind === EV_SEND) this.endpointSend(iface, frame, fid, cid, parent);
    else this.cableArrive(iface, frame, fid, cid, parent);
    return true;
  }

  private endpointSend(iface: Iface, frame: Uint8Array, fid: number, cid: number, parent: number): void {
    if (iface.kind === 'physical-nic') {
      this.cableTx(iface, frame, fid, cid, parent, undefined, 'HostTx', this.detailed ? `${iface.id} transmits onto its cable` : '', true);
    } else {
      this.handlers.portIngress(this, iface, frame, fid, cid, parent);
    }
  }

  private cableArrive(iface: Iface, frame: Uint8Array, fid: number, cid: number, parent: number): void {
    switch (iface.kind) {
      case 'vmnic':
        this.handlers.uplinkIngress(this, iface, frame, fid, cid, parent);
        return;
      case 'switch-port':
        this.handlers.switchIngress(this, iface, frame, fid, cid, parent);
        return;
      case 'physical-nic':
        this.nicArrive(iface, frame, fid, cid, parent);
        return;
      case 'vnic':
      case 'vmk':
        // vNICs and vmks have no cable; a link naming one is refused by validation
        this.drop(iface, 'LINK_DOWN', fid, cid, parent, frame, undefined, this.detailed ? { where: iface.id, why: 'a vNIC or vmk has no cable' } : undefined);
    }
  }

  /**
   * A physical host's NIC receives from its cable: only its MAC, broadcast and multicast (E1) —
   * unless its stack takes every frame (a NIC standing for a real bridge or switch, src/attach).
   */
  private nicArrive(nic: Iface, frame: Uint8Array, fid: number, cid: number, parent: number): void {
    if (frame.length < 14) {
      this.drop(nic, 'MALFORMED_FRAME', fid, cid, parent, frame, undefined, this.detailed ? { length: frame.length } : undefined);
      return;
    }
    if (!isMulticast(frame, DST_OFFSET) && macToNumber(frame, DST_OFFSET) !== nic.effMac && nic.stack?.acceptsAllFrames !== true) {
      this.drop(nic, 'NOT_FOR_THIS_NIC', fid, cid, parent, frame, undefined, this.detailed ? { dst: formatMac(frame, DST_OFFSET), mac: formatMac(nic.effMacBytes) } : undefined);
      return;
    }
    this.deliver(nic, frame, fid, cid, parent, undefined, 'E1');
  }

  /**
   * A copy reaches an endpoint (vNIC, vmk, physical NIC): F9 receive MTU, count, trace, then the
   * endpoint's stack gets the bytes (not in dry mode).
   */
  deliver(port: Iface, frame: Uint8Array, fid: number, cid: number, parent: number, vlan: number | undefined, rule: RuleId): void {
    // (the payload is at most length - 14: most frames pass F9 without reading their tag)
    if (frame.length - 14 > port.mtu && exceedsMtu(frame, port.mtu)) {
      this.drop(port, 'MTU_EXCEEDED', fid, cid, parent, frame, vlan, this.detailed ? { payload: payloadLength(frame), mtu: port.mtu, where: port.id } : undefined);
      return;
    }
    const dry = this.dry;
    if (!dry) this.counters.rx(port.idx, frame.length);
    // the event is built out of line: this function stays small enough to be inlined per leg
    if (this.detailed) this.delivered(port, frame, fid, cid, parent, vlan, rule);
    const stack = port.stack;
    if (!dry && stack !== null) {
      const pf = this.curFrameId;
      const pc = this.curCopyId;
      this.curFrameId = fid;
      this.curCopyId = cid;
      try {
        stack.receive(frame);
      } finally {
        this.curFrameId = pf;
        this.curCopyId = pc;
      }
    }
  }

  /** The `deliver` event (PortOutput / HostRx): to the stream, or to the point taps. */
  private delivered(port: Iface, frame: Uint8Array, fid: number, cid: number, parent: number, vlan: number | undefined, rule: RuleId): void {
    const point = port.kind === 'physical-nic' ? 'HostRx' : 'PortOutput';
    if (this.tracing) {
      this.publish({
        frameId: fid,
        copyId: cid,
        parentCopyId: parent,
        node: port.node,
        port: port.id,
        action: 'deliver',
        rule,
        vlan,
        point,
        frame,
        detail: this.details.delivered(port, vlan, rule),
        seq: ++this.traceSeq,
        time: this.now,
      });
    } else if (this.tapping) {
      this.tap(point, port, frame, fid, cid, parent, vlan, this.details.delivered(port, vlan, rule), rule);
    }
  }

  /**
   * A copy leaves `iface` onto its cable and arrives at the far end after the link latency (and
   * what the cable's impairments do, L*: link-impairments.ts). No cable or a down link: drop LINK_DOWN. `countTx` is false when the interface already counted
   * the frame as sent.
   */
  cableTx(
    iface: Iface,
    frame: Uint8Array,
    fid: number,
    cid: number,
    parent: number,
    vlan: number | undefined,
    point: CapturePoint,
    detail: string,
    countTx = true,
  ): void {
    const peer = iface.peer;
    if (peer === null || !iface.linkUp) {
      this.drop(iface, 'LINK_DOWN', fid, cid, parent, frame, vlan, this.detailed ? { where: iface.id, why: peer === null ? 'no cable is attached' : 'the link is down' } : undefined);
      return;
    }
    const storm = this.storm.cross(fid);
    if (storm !== 0) {
      this.stormCut(iface, frame, fid, cid, parent, vlan, storm === 1);
      return;
    }
    if (countTx && !this.dry) this.counters.tx(iface.idx, frame.length);
    if (this.tracing) {
      this.publish({ frameId: fid, copyId: cid, parentCopyId: parent, node: iface.node, port: iface.id, action: 'tx', vlan, point, frame, detail, seq: ++this.traceSeq, time: this.now });
    } else if (this.tapping) {
      this.tap(point, iface, frame, fid, cid, parent, vlan, detail);
    }
    const imp = iface.impair;
    if (imp !== null) imp.cross(this, iface, peer, frame, fid, cid, parent, vlan);
    else this.pushFrame(this.now + this.latencyNs, EV_ARRIVE, peer.idx, fid, cid, parent, frame);
  }

  /** P5: a copy of a storming frame is not put on the cable; the first one reports the storm. */
  private stormCut(iface: Iface, frame: Uint8Array, fid: number, cid: number, parent: number, vlan: number | undefined, first: boolean): void {
    const threshold = this.storm.threshold;
    if (first) {
      this.storm.report({ frameId: fid, time: this.now, at: iface.id, threshold });
      if (this.tracing) {
        this.emit({
          frameId: fid,
          copyId: cid,
          parentCopyId: parent,
          node: iface.node,
          port: iface.id,
          action: 'storm',
          rule: 'P5',
          vlan,
          detail: `storm: frame ${fid}'s copies crossed cables ${threshold} times (a loop between physical switches without STP?); every further copy is dropped STORM_CUT`,
        });
      }
    }
    this.drop(iface, 'STORM_CUT', fid, cid, parent, frame, vlan, this.detailed ? { frame: fid, threshold } : undefined);
  }

  /** A copy arrives from its cable at `iface` at virtual time `at` (a link impairment delayed or duplicated it). */
  arriveAt(at: number, iface: Iface, fid: number, cid: number, parent: number, frame: Uint8Array): void {
    this.pushFrame(at, EV_ARRIVE, iface.idx, fid, cid, parent, frame);
  }

  /** Records an endpoint decision (EndpointPort.note). */
  note(iface: Iface, action: TraceAction, rule: RuleId, detail: string): void {
    if (!this.tracing || this.dry) return;
    this.emit({ frameId: this.curFrameId, copyId: this.curCopyId, parentCopyId: 0, node: iface.node, port: iface.id, action, rule, detail });
  }
}
