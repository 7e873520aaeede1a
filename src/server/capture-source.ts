/**
 * Capture points (O1) as the server needs them: list them, choose some, follow their packets
 * live, read back what was recorded, clear. `CaptureSource` is the contract; the implementation
 * below builds it from the trace stream (events that carry `point` and `frame`, see
 * src/engine/trace.ts), because the capture layer's own capture points are not written yet. When src/capture provides them, this
 * file becomes a thin adapter.
 *
 * Point ids: `node:interface:Point` (e.g. `esxi-01:vmnic0:UplinkRcv`) and `Drop` (every dropped
 * frame). Selectors accepted by `select`: a point id, an interface (`web-01:eth0`: all its
 * points), or `Drop`; point names are case-insensitive.
 */
import type { CaptureDirection } from '../capture/capture-file.js';
import type { TopologyDoc } from '../topology/schema.js';
import type { CapturePointInfo, CaptureStatus } from './api-types.js';
import { ApiError } from './errors.js';
import type { TraceEventLike } from './lab-contract.js';
import { eventInterface } from './trace-json.js';

export interface CapturedPacket {
  pointId: string;
  /** ns since the Unix epoch */
  timestampNs: bigint;
  data: Uint8Array;
  direction?: CaptureDirection;
  frameId: number;
  comment?: string;
}

export type CaptureListener = (packet: CapturedPacket) => void;

export interface CaptureSource {
  points(): CapturePointInfo[];
  /** Selectors -> points, in the order given, without duplicates; 400 ApiError naming unknown ones. */
  select(selectors: readonly string[]): CapturePointInfo[];
  subscribe(pointIds: ReadonlySet<string>, listener: CaptureListener): () => void;
  recorded(pointIds: ReadonlySet<string>): CapturedPacket[];
  clear(): void;
  status(): CaptureStatus;
}

const DIRECTION: Record<string, CaptureDirection | undefined> = {
  PortInput: 'inbound',
  PortOutput: 'outbound',
  UplinkRcv: 'inbound',
  UplinkSnd: 'outbound',
  PhysRx: 'inbound',
  PhysTx: 'outbound',
  HostRx: 'inbound',
  HostTx: 'outbound',
};

const DESCRIPTION: Record<string, string> = {
  PortInput: 'frames from the endpoint into the vSwitch port',
  PortOutput: 'frames from the vSwitch port out to the endpoint',
  UplinkRcv: 'frames received from the wire, as on the wire',
  UplinkSnd: 'frames sent to the wire, as on the wire',
  PhysRx: 'frames the physical switch port receives',
  PhysTx: 'frames the physical switch port sends',
  HostRx: 'frames the physical host NIC receives',
  HostTx: 'frames the physical host NIC sends',
  Drop: 'every dropped frame, with where and why',
};

export const DROP_POINT = 'Drop';

/** The capture points of a topology: pktcap-uw's for ESXi ports, PhysRx/PhysTx and HostRx/HostTx
 * for the physical side (the engine's CapturePoint names, src/engine/trace.ts). */
export function topologyPoints(doc: TopologyDoc): CapturePointInfo[] {
  const out: CapturePointInfo[] = [];
  const add = (iface: string, point: string): void => {
    out.push({ id: `${iface}:${point}`, iface, point, description: `${iface} ${point}: ${DESCRIPTION[point] ?? point}` });
  };
  for (const vm of doc.vms) for (const nic of vm.nics) for (const p of ['PortInput', 'PortOutput']) add(`${vm.name}:${nic.name}`, p);
  for (const h of doc.hosts) {
    for (const vmk of h.vmkernel) for (const p of ['PortInput', 'PortOutput']) add(`${h.name}:${vmk.name}`, p);
    const uplinks = new Set(h.vswitches.flatMap((v) => v.uplinks));
    for (const nic of h.nics) if (uplinks.has(nic.name)) for (const p of ['UplinkRcv', 'UplinkSnd']) add(`${h.name}:${nic.name}`, p);
  }
  for (const s of doc.physicalSwitches) for (const port of s.ports) for (const p of ['PhysRx', 'PhysTx']) add(`${s.name}:${port.name}`, p);
  for (const ph of doc.physicalHosts) for (const nic of ph.nics) for (const p of ['HostRx', 'HostTx']) add(`${ph.name}:${nic.name}`, p);
  out.push({ id: DROP_POINT, iface: null, point: DROP_POINT, description: `${DROP_POINT}: ${DESCRIPTION.Drop}` });
  return out;
}

export interface TraceCaptureOptions {
  /** packets kept for download at most (oldest overwritten) */
  maxPackets?: number;
  /** bytes of frame data kept at most */
  maxBytes?: number;
}

/** CaptureSource fed by the trace stream. Call `onTrace` for every event, `reset` on a new lab. */
export class TraceCaptureSource implements CaptureSource {
  private pointList: CapturePointInfo[] = [];
  private byId = new Map<string, CapturePointInfo>();
  private byIface = new Map<string, CapturePointInfo[]>();
  private readonly listeners = new Set<{ ids: ReadonlySet<string>; fn: CaptureListener }>();
  /** recorded packets are `queue[start..]`: dropping the oldest moves `start`, compaction is amortised */
  private queue: CapturedPacket[] = [];
  private start = 0;
  private bytes = 0;
  private overwritten = 0;
  private epochNs = 0n;
  private readonly maxPackets: number;
  private readonly maxBytes: number;
  recording = true;

  constructor(options: TraceCaptureOptions = {}) {
    this.maxPackets = options.maxPackets ?? 100_000;
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  }

  /** A new lab: its points, the epoch its virtual time 0 maps to; the recording is cleared. */
  reset(doc: TopologyDoc, epochNs: bigint): void {
    this.pointList = topologyPoints(doc);
    this.byId = new Map(this.pointList.map((p) => [p.id.toLowerCase(), p]));
    this.byIface = new Map();
    for (const p of this.pointList) {
      if (p.iface === null) continue;
      const l = this.byIface.get(p.iface) ?? [];
      l.push(p);
      this.byIface.set(p.iface, l);
    }
    this.epochNs = epochNs;
    this.clear();
  }

  points(): CapturePointInfo[] {
    return this.pointList;
  }

  select(selectors: readonly string[]): CapturePointInfo[] {
    const out = new Map<string, CapturePointInfo>();
    const unknown: string[] = [];
    for (const raw of selectors) {
      const s = raw.trim();
      if (s === '') continue;
      const exact = this.byId.get(s.toLowerCase());
      if (exact) {
        out.set(exact.id, exact);
        continue;
      }
      const all = this.byIface.get(s);
      if (all) for (const p of all) out.set(p.id, p);
      else unknown.push(s);
    }
    if (unknown.length > 0) {
      throw new ApiError(400, `unknown capture point${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`, {
        unknown,
        hint: 'GET /api/capture/points lists them; use node:interface, node:interface:Point or Drop',
      });
    }
    if (out.size === 0) throw new ApiError(400, 'no capture point chosen', { hint: 'add ?points=node:interface[,…]' });
    return [...out.values()];
  }

  subscribe(pointIds: ReadonlySet<string>, fn: CaptureListener): () => void {
    const entry = { ids: pointIds, fn };
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }

  recorded(pointIds: ReadonlySet<string>): CapturedPacket[] {
    const out: CapturedPacket[] = [];
    for (let i = this.start; i < this.queue.length; i++) {
      const p = this.queue[i]!;
      if (pointIds.has(p.pointId)) out.push(p);
    }
    return out;
  }

  clear(): void {
    this.queue = [];
    this.start = 0;
    this.bytes = 0;
    this.overwritten = 0;
  }

  status(): CaptureStatus {
    return { points: this.pointList, recorded: this.queue.length - this.start, overwritten: this.overwritten, limit: this.maxPackets };
  }

  /** The capture point id an event is an observation at, or null. */
  pointOf(e: TraceEventLike): string | null {
    if (e.point === undefined || e.frame === undefined) return null;
    if (e.point.toLowerCase() === 'drop') return DROP_POINT;
    const iface = eventInterface(e);
    if (iface === null) return null;
    return this.byId.get(`${iface}:${e.point}`.toLowerCase())?.id ?? null;
  }

  onTrace(e: TraceEventLike): void {
    if (!this.recording && this.listeners.size === 0) return;
    const pointId = this.pointOf(e);
    if (pointId === null) return;
    const packet: CapturedPacket = {
      pointId,
      timestampNs: this.epochNs + BigInt(Math.round(e.time)),
      data: e.frame!.slice(),
      frameId: e.frameId,
    };
    const dir = DIRECTION[e.point!];
    if (dir) packet.direction = dir;
    if (pointId === DROP_POINT) {
      const where = eventInterface(e);
      packet.comment = `drop ${e.reason ?? ''}${e.rule ? ` (${e.rule})` : ''}${where ? ` at ${where}` : ''}`.replace(/\s+/g, ' ').trim();
    }
    if (this.recording) this.record(packet);
    for (const l of this.listeners) if (l.ids.has(pointId)) l.fn(packet);
  }

  private record(p: CapturedPacket): void {
    this.queue.push(p);
    this.bytes += p.data.length;
    while (this.queue.length - this.start > this.maxPackets || (this.bytes > this.maxBytes && this.queue.length - this.start > 1)) {
      this.bytes -= this.queue[this.start]!.data.length;
      this.start++;
      this.overwritten++;
    }
    if (this.start > 1024 && this.start * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.start);
      this.start = 0;
    }
  }
}
