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
import { formatMac, isMulticast, macToNumber } from '../wire/index.js';
import { CounterStore } from './counters.js';
import { EventQueue } from './event-queue.js';
import type { Iface, PhysSwitchRt, VSwitchRt } from './model.js';
import { exceedsMtu, payloadLength } from './mtu.js';
import { REASON_INDEX, REASONS, dropDetail, type ReasonCode } from './reasons.js';
import { TraceBus, type CapturePoint, type TraceAction, type TraceEvent } from './trace.js';
import { vlanName } from './vlan-classification.js';

/** Event kinds of the queue. */
export const EV_SEND = 0;
export const EV_ARRIVE = 1;
export const EV_TIMER = 2;

/** Everything of a trace event but its sequence number and time. */
export type EventBody = Omit<TraceEvent, 'seq' | 'time'>;

/** Forwarding handlers installed by the rule files (kept apart to avoid import cycles). */
export interface Handlers {
  portIngress(f: Fabric, p: Iface, frame: Uint8Array, fid: number, cid: number, parent: number): void;
  uplinkIngress(f: Fabric, u: Iface, frame: Uint8Array, fid: number, cid: number, parent: number): void;
  switchIngress(f: Fabric, p: Iface, frame: Uint8Array, fid: number, cid: number, parent: number): void;
}

export class Fabric {
  now = 0;
  /** true while somebody listens (or explain collects): guards every event construction */
  tracing = false;
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

  constructor(
    readonly ifaces: Iface[],
    readonly latencyNs: number,
    readonly handlers: Handlers,
  ) {
    this.counters = new CounterStore(ifaces.length);
    for (const i of ifaces) this.byId.set(i.id, i);
  }

  newCopy(): number {
    return ++this.copySeq;
  }

  /** Publishes an event (call only when `tracing`). */
  emit(body: EventBody): void {
    const ev = body as TraceEvent;
    ev.seq = ++this.traceSeq;
    ev.time = this.now;
    if (this.collector !== null) this.collector.push(ev);
    else this.bus.publish(ev);
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
      this.emit({
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
      });
    }
  }

  /** Schedules a frame sent by an endpoint (vNIC, vmk, physical NIC) at the current time; returns its frame id. */
  scheduleSend(iface: Iface, frame: Uint8Array): number {
    const fid = ++this.frameSeq;
    this.queue.push(this.now, EV_SEND, iface.idx, fid, this.newCopy(), 0, frame);
    return fid;
  }

  /** Schedules a frame arriving from the cable of `iface` at the current time (inject at an uplink or switch port). */
  scheduleArrival(iface: Iface, frame: Uint8Array): number {
    const fid = ++this.frameSeq;
    this.queue.push(this.now, EV_ARRIVE, iface.idx, fid, this.newCopy(), 0, frame);
    return fid;
  }

  scheduleTimer(delayNs: number, fn: () => void): void {
    this.queue.push(this.now + Math.max(0, delayNs), EV_TIMER, -1, 0, 0, 0, fn);
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
    const iface = this.ifaces[idx]!;
    const frame = obj as Uint8Array;
    if (kind === EV_SEND) this.endpointSend(iface, frame, fid, cid, parent);
    else this.cableArrive(iface, frame, fid, cid, parent);
    return true;
  }

  private endpointSend(iface: Iface, frame: Uint8Array, fid: number, cid: number, parent: number): void {
    if (iface.kind === 'physical-nic') {
      this.cableTx(iface, frame, fid, cid, parent, undefined, 'HostTx', this.tracing ? `${iface.id} transmits onto its cable` : '', true);
    } else {
      this.handlers.portIngress(this, iface, frame, fid, cid, parent);
    }
  }

  private cableArrive(iface: Iface, frame: Uint8Array, fid: number, cid: number, parent: number): void {
    switch (iface.kind) {
      case 'uplink':
        this.handlers.uplinkIngress(this, iface, frame, fid, cid, parent);
        return;
      case 'switch-port':
        this.handlers.switchIngress(this, iface, frame, fid, cid, parent);
        return;
      case 'physical-nic':
        this.nicArrive(iface, frame, fid, cid, parent);
        return;
      default:
        // vNICs and vmks have no cable; a link naming one is refused by validation
        this.drop(iface, 'LINK_DOWN', fid, cid, parent, frame, undefined, this.tracing ? { where: iface.id, why: 'a vNIC or vmk has no cable' } : undefined);
    }
  }

  /** A physical host's NIC receives from its cable: only its MAC, broadcast and multicast (E1). */
  private nicArrive(nic: Iface, frame: Uint8Array, fid: number, cid: number, parent: number): void {
    if (frame.length < 14) {
      this.drop(nic, 'MALFORMED_FRAME', fid, cid, parent, frame, undefined, this.tracing ? { length: frame.length } : undefined);
      return;
    }
    if (!isMulticast(frame, 0) && macToNumber(frame, 0) !== nic.effMac) {
      this.drop(nic, 'NOT_FOR_THIS_NIC', fid, cid, parent, frame, undefined, this.tracing ? { dst: formatMac(frame, 0), mac: formatMac(nic.effMacBytes) } : undefined);
      return;
    }
    this.deliver(nic, frame, fid, cid, parent, undefined, 'E1');
  }

  /**
   * A copy reaches an endpoint (vNIC, vmk, physical NIC): F9 receive MTU, count, trace, then the
   * endpoint's stack gets the bytes (not in dry mode).
   */
  deliver(port: Iface, frame: Uint8Array, fid: number, cid: number, parent: number, vlan: number | undefined, rule: string): void {
    if (exceedsMtu(frame, port.mtu)) {
      this.drop(port, 'MTU_EXCEEDED', fid, cid, parent, frame, vlan, this.tracing ? { payload: payloadLength(frame), mtu: port.mtu, where: port.id } : undefined);
      return;
    }
    if (!this.dry) this.counters.rx(port.idx, frame.length);
    if (this.tracing) {
      this.emit({
        frameId: fid,
        copyId: cid,
        parentCopyId: parent,
        node: port.node,
        port: port.id,
        action: 'deliver',
        rule,
        vlan,
        point: port.kind === 'physical-nic' ? 'HostRx' : 'PortOutput',
        frame,
        detail: `delivered to ${port.id}${vlan !== undefined ? ` (${vlanName(vlan)})` : ''} (${rule})`,
      });
    }
    if (!this.dry && port.stack !== null) {
      const pf = this.curFrameId;
      const pc = this.curCopyId;
      this.curFrameId = fid;
      this.curCopyId = cid;
      try {
        port.stack.receive(frame);
      } finally {
        this.curFrameId = pf;
        this.curCopyId = pc;
      }
    }
  }

  /**
   * A copy leaves `iface` onto its cable and arrives at the far end after the link latency. No
   * cable or a down link: drop LINK_DOWN. `countTx` is false when the interface already counted
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
      this.drop(iface, 'LINK_DOWN', fid, cid, parent, frame, vlan, this.tracing ? { where: iface.id, why: peer === null ? 'no cable is attached' : 'the link is down' } : undefined);
      return;
    }
    if (countTx && !this.dry) this.counters.tx(iface.idx, frame.length);
    if (this.tracing) {
      this.emit({ frameId: fid, copyId: cid, parentCopyId: parent, node: iface.node, port: iface.id, action: 'tx', vlan, point, frame, detail });
    }
    this.queue.push(this.now + this.latencyNs, EV_ARRIVE, peer.idx, fid, cid, parent, frame);
  }

  /** Records an endpoint decision (EndpointPort.note). */
  note(iface: Iface, action: TraceAction, rule: string, detail: string): void {
    if (!this.tracing || this.dry) return;
    this.emit({ frameId: this.curFrameId, copyId: this.curCopyId, parentCopyId: 0, node: iface.node, port: iface.id, action, rule, detail });
  }
}
