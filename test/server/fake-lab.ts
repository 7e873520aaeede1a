/**
 * A scripted stand-in for the engine's Lab, so that the server's tests do not depend on the
 * engine's progress: every injected frame produces a PortInput event at injection time and, 
 * `hopNs` later, a deliver event with a PortOutput capture at `deliverTo` (or a drop when the
 * frame is shorter than 14 bytes). It keeps a real event queue, counters and a trace bus.
 */
import { LabError } from '../../src/engine/lab-error.js';
import type { ChangeOutcome, PingOptionsMs, RunOptions, ServerLab, TraceEventLike, TraceListener } from '../../src/server/lab-contract.js';
import type { RuntimeChangeDoc } from '../../src/topology/runtime-change.js';
import type { TopologyDoc } from '../../src/topology/schema.js';
import type { PingResult } from '../../src/engine/endpoint.js';
import type { CaptureInterfaceInfo } from '../../src/capture/capture-points.js';
import { interfaceNames } from '../../src/server/interface-names.js';

interface Queued {
  time: number;
  fn: () => void;
}

export class FakeLab implements ServerLab {
  now = 0;
  readonly ifaces: Set<string>;
  readonly listeners = new Set<TraceListener>();
  /** sorted by time (stable); `head` is the next one */
  private queue: Queued[] = [];
  private head = 0;
  private seq = 0;
  private nextFrameId = 1;
  private copy = 1;
  readonly counts = new Map<string, { rx: number; tx: number; drops: number }>();
  injected = 0;
  /** frames whose deliver/drop event is still queued */
  private readonly unsettled = new Set<number>();
  hopNs = 50_000;
  deliverTo: string;

  /** the document runtime changes edit (link and vnic-connect only; the rest is refused) */
  private doc: TopologyDoc;
  readonly applied: RuntimeChangeDoc[] = [];

  constructor(readonly topology: TopologyDoc) {
    this.doc = structuredClone(topology);
    this.ifaces = interfaceNames(topology);
    this.deliverTo = [...this.ifaces].find((i) => i.startsWith('web-02:')) ?? [...this.ifaces][0]!;
  }

  trace = {
    subscribe: (l: TraceListener): (() => void) => {
      this.listeners.add(l);
      return () => this.listeners.delete(l);
    },
  };

  private emit(e: Omit<TraceEventLike, 'seq' | 'time'>): void {
    if (this.listeners.size === 0) return;
    const ev: TraceEventLike = { seq: ++this.seq, time: this.now, ...e };
    for (const l of this.listeners) l(ev);
  }

  private schedule(time: number, fn: () => void): void {
    const q = this.queue;
    let i = q.length;
    while (i > this.head && q[i - 1]!.time > time) i--;
    q.splice(i, 0, { time, fn });
  }

  private count(iface: string): { rx: number; tx: number; drops: number } {
    let c = this.counts.get(iface);
    if (!c) this.counts.set(iface, (c = { rx: 0, tx: 0, drops: 0 }));
    return c;
  }

  inject(iface: string, frame: Uint8Array): number {
    if (!this.ifaces.has(iface)) throw new LabError(`unknown interface "${iface}"`, []);
    const frameId = this.nextFrameId++;
    const copyId = this.copy++;
    const [node] = iface.split(':');
    this.injected++;
    this.count(iface).tx++;
    this.emit({ frameId, copyId, parentCopyId: 0, node: node!, port: iface, action: 'ingress', point: 'PortInput', frame, detail: `from ${iface} into its port` });
    const bytes = frame.slice();
    this.unsettled.add(frameId);
    this.schedule(this.now + this.hopNs, () => {
      this.unsettled.delete(frameId);
      const to = this.deliverTo;
      const [toNode] = to.split(':');
      if (bytes.length < 14) {
        this.count(iface).drops++;
        this.emit({ frameId, copyId: this.copy++, parentCopyId: copyId, node: node!, port: iface, action: 'drop', reason: 'RUNT', rule: 'F9', point: 'Drop', frame: bytes, detail: `dropped RUNT (F9): a ${bytes.length}-byte frame` });
        return;
      }
      this.count(to).rx++;
      this.emit({ frameId, copyId: this.copy++, parentCopyId: copyId, node: toNode!, port: to, action: 'deliver', rule: 'F2', point: 'PortOutput', frame: bytes, detail: `delivered to ${to} (F2)` });
    });
    return frameId;
  }

  frameSettled(frameId: number): boolean {
    return !this.unsettled.has(frameId);
  }

  /** Queues `n` frames' worth of events without injecting (floods for throttling tests). */
  flood(n: number, frameBytes = 0): void {
    const frame = frameBytes > 0 ? new Uint8Array(frameBytes) : undefined;
    for (let i = 0; i < n; i++) this.emit({ frameId: 0, copyId: 0, parentCopyId: 0, node: 'x', port: 'x:y', action: i % 3 === 0 ? 'drop' : 'deliver', reason: i % 3 === 0 ? 'VLAN_MISMATCH' : undefined, frame, detail: '' } as TraceEventLike);
  }

  run(options: RunOptions = {}): unknown {
    const until = options.forNs === undefined ? Infinity : this.now + options.forNs;
    let n = 0;
    while (this.head < this.queue.length && this.queue[this.head]!.time <= until && n < (options.maxEvents ?? Infinity)) {
      this.step();
      n++;
    }
    if (Number.isFinite(until) && until > this.now) this.now = until;
    return { events: n };
  }

  step(): boolean {
    const q = this.queue[this.head];
    if (!q) return false;
    this.queue[this.head++] = undefined as unknown as Queued;
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.now = Math.max(this.now, q.time);
    q.fn();
    return true;
  }

  nextEventTime(): number | null {
    return this.queue[this.head]?.time ?? null;
  }

  counters(iface: string): unknown {
    if (!this.ifaces.has(iface)) throw new LabError(`unknown interface "${iface}"`);
    return this.count(iface);
  }

  allCounters(): unknown {
    return Object.fromEntries(this.counts);
  }

  macTable(sw: string): unknown {
    return [{ switch: sw, mac: '00:50:56:a1:00:01', vlan: 1, port: `${sw}:eth1` }];
  }

  arpCache(iface: string): unknown {
    return [{ iface, ip: '10.0.0.1', mac: '00:00:5e:00:01:01' }];
  }

  effectiveMac(iface: string): string {
    if (!this.ifaces.has(iface)) throw new LabError(`unknown interface "${iface}"`);
    return '00:50:56:a1:00:01';
  }

  interfaces(): CaptureInterfaceInfo[] {
    const t = this.topology;
    const out: CaptureInterfaceInfo[] = [];
    for (const vm of t.vms) for (const n of vm.nics) out.push({ id: `${vm.name}:${n.name}`, kind: 'vnic' });
    for (const h of t.hosts) {
      for (const k of h.vmkernel) out.push({ id: `${h.name}:${k.name}`, kind: 'vmk' });
      for (const n of h.nics) out.push({ id: `${h.name}:${n.name}`, kind: 'uplink' });
    }
    for (const sw of t.physicalSwitches) for (const p of sw.ports) out.push({ id: `${sw.name}:${p.name}`, kind: 'switch-port' });
    for (const ph of t.physicalHosts) for (const n of ph.nics) out.push({ id: `${ph.name}:${n.name}`, kind: 'physical-nic' });
    return out;
  }

  ping(iface: string, dstIp: string, options: PingOptionsMs): unknown {
    this.now += 1_000_000 * (options.count ?? 1);
    return { from: iface, to: dstIp, transmitted: options.count ?? 1, received: options.count ?? 1, replies: [], errors: [] };
  }

  apply(change: RuntimeChangeDoc): ChangeOutcome {
    const doc = structuredClone(this.doc);
    if (change.kind === 'link') {
      const l = doc.links.find((x) => x.a === change.iface || x.b === change.iface);
      if (!l) return { ok: false, reason: `${change.iface} has no cable` };
      l.up = change.up;
    } else if (change.kind === 'vnic-connect') {
      const [vm, nic] = change.iface.split(':');
      const n = doc.vms.find((v) => v.name === vm)?.nics.find((x) => x.name === nic);
      if (!n) return { ok: false, reason: `${change.iface} is not a VM vNIC` };
      n.connected = change.connected;
    } else {
      return { ok: false, reason: `the fake lab does not script ${change.kind}` };
    }
    this.doc = doc;
    this.applied.push(change);
    this.emit({ frameId: 0, copyId: 0, parentCopyId: 0, node: 'lab', port: '', action: 'change', detail: change.kind });
    return { ok: true, rarps: 0 };
  }

  currentTopology(): TopologyDoc {
    return structuredClone(this.doc);
  }

  /** Ends after `count` ms of virtual time, every probe answered. */
  startPing(iface: string, _dstIp: string, options: PingOptionsMs, onDone: (result: PingResult) => void): void {
    if (!this.ifaces.has(iface)) throw new LabError(`unknown interface "${iface}"`);
    const count = options.count ?? 1;
    this.schedule(this.now + 1_000_000 * count, () => onDone({ transmitted: count, received: count, replies: [], errors: [], done: true }));
  }

  explain(iface: string, frame: Uint8Array): unknown {
    return { from: iface, length: frame.length, steps: [{ action: 'ingress', rule: 'F1' }] };
  }
}
