/**
 * The lab runtime: a topology brought to life. `createLab(topology)` builds every interface,
 * vSwitch, port group, physical switch and endpoint stack; frames are injected at any
 * `node:interface` and the virtual clock runs them through the fabric.
 *
 * Time is virtual (ns, a plain number) and only moves when `run`/`step`/`ping` process events,
 * ordered by (time, insertion sequence): the same inputs always give the same outputs.
 *
 * Bad input (unknown interface, bad MAC or IP, a run that does not settle) throws `LabError`
 * with a clear message, and changes nothing.
 */
import { MAX_FRAME_LEN, formatMac, parseIpv4Cidr, parseIpv6Cidr } from '../wire/index.js';
import type { TopologyDoc } from '../topology/schema.js';
import { buildFabric } from './build.js';
import type { PortCounters } from './counters.js';
import type { EndpointArpEntry, EndpointNeighbourEntry, EndpointStack, EndpointStackFactory, PingOptions, PingResult } from './endpoint.js';
import { explainFrame, type ExplainResult } from './explain.js';
import { type Fabric } from './fabric.js';
import { copyFrame } from './frame-copy.js';
import { createIpStack } from './ip-stack.js';
import { DEFAULT_PING_SIZE, MAX_PING_SIZE } from './ping.js';
import { LabError, nearNames } from './lab-error.js';
import type { StormSummary } from './storm.js';
import type { MacTableRow } from './mac-table.js';
import { INTERFACE_KIND_WORDS, LB_IPHASH, LB_NAMES, MODE_ACCESS, type Iface, type InterfaceKind } from './model.js';
import { filterList } from './multicast-filter.js';
import { switchIngress } from './physical-switch.js';
import type { PointListener, TraceListener, TraceStream } from './trace.js';
import { History, type HistoryInfo, type JournalOp, type LabSnapshot } from './snapshot.js';
import { portIngress, uplinkIngress } from './vswitch.js';
import { RuntimeDynamics, type ChangeResult } from './runtime-changes.js';
import { portLabel } from './etherchannel.js';

export interface LabOptions {
  /** Makes the IP stack of each endpoint (vNIC, vmk, physical NIC). Default: `createIpStack`. */
  stackFactory?: EndpointStackFactory;
  /** Virtual time a frame takes over one link hop, ns. Default 1000. */
  linkLatencyNs?: number;
  /** Wall-clock time (ms since the epoch) that virtual time 0 stands for; used for capture timestamps. Default 0. */
  wallClockStartMs?: number;
  /** Default event cap of `run` and `ping`. Default 1,000,000. */
  maxEventsPerRun?: number;
  /**
   * Keep the journal that snapshots, `restore`, `redo` and going back need (snapshot.ts): the
   * server's labs (simulation mode) and scripts that go back in time. Default false: a lab that
   * never goes back (the CLI, tests, benches) records nothing but its position.
   */
  history?: boolean;
  /** Most bytes the history (snapshot.ts) may hold; past it, its oldest moments are dropped first. Default 64 MB. */
  historyLimitBytes?: number;
  /**
   * Frame ids start after this one (default 0: the first frame is 1). A partition of a
   * partitioned lab starts at its own base so that frame ids are unique across partitions
   * (src/attach/partition-plan.ts).
   */
  firstFrameId?: number;
  /**
   * The clock's base moves forward (Fabric.rebase) when the virtual clock reaches this many ns
   * past it, so that the clock, a double, stays exact to the nanosecond however long the lab
   * runs. Default DEFAULT_REBASE_AT_NS (2^52 ns, ~52 days); tests set it low to cross it.
   */
  rebaseAtNs?: number;
}

/** LabOptions.rebaseAtNs by default: 2^52 ns (~52 days), half of what a double counts exactly. */
export const DEFAULT_REBASE_AT_NS = 2 ** 52;

export interface RunOptions {
  /** Run only events up to now + forNs, then move the clock to exactly now + forNs. Default: until idle. */
  forNs?: number;
  /** Safety cap: throws LabError when more events than this would be needed. */
  maxEvents?: number;
}

export interface RunResult {
  /** events processed */
  events: number;
  /** virtual time afterwards, ns */
  now: number;
}

export interface InterfaceInfo {
  /** `node:interface` */
  id: string;
  node: string;
  name: string;
  kind: InterfaceKind;
  /** ESXi host (vNIC, vmk, uplink) */
  host?: string;
  /** vSwitch name (vNIC, vmk, uplink attached to one) */
  vswitch?: string;
  /** port group (vNIC, vmk) */
  portGroup?: string;
  /** port group VLAN ID (vNIC, vmk); access VLAN or native VLAN (switch port, null = none); NIC VLAN (physical NIC) */
  vlan?: number | null;
  /** switch port mode */
  mode?: 'access' | 'trunk';
  /** effective MAC (vNIC, vmk, uplink, physical NIC) */
  mac?: string;
  /** `node:interface` at the other end of its cable, or null */
  peer: string | null;
  /** cable present and up (vNIC/vmk: connected) */
  up: boolean;
  /** vNIC, vmk: the port group's load balancing (T2 srcid, T3 srcmac, T4 iphash, T5 failover) */
  loadBalancing?: (typeof LB_NAMES)[number];
  /**
   * vNIC, vmk: the uplink its frames leave by now, as teaming and failover chose it (T2, T3 by its
   * effective MAC, T5); null when no uplink is usable or the vSwitch has none; absent for IP hash
   * (T4 chooses per frame)
   */
  uplink?: string | null;
  /** vNIC, vmk: the multicast MACs in the port's filter (M1, basic multicast filtering), sorted */
  multicast?: string[];
}

export interface PingRequest {
  /** probes; default 3 (like vmkping) */
  count?: number;
  /** ICMP data bytes (`-s`); default 56 */
  size?: number;
  /** don't fragment (`-d`); default false */
  df?: boolean;
  /** TTL of IPv4 probes, hop limit of IPv6 ones (`ping -t`, `vmkping -t`), 1..255; default 64 (the lab has no routers: it never expires) */
  ttl?: number;
  /** between probes; default 1000 */
  intervalMs?: number;
  /** per probe; default 1000 */
  timeoutMs?: number;
}

const handlers = { portIngress, uplinkIngress, switchIngress };

/** The op journaled for an input while history is off (History.recordOp keeps none then; it only counts the position). */
const UNKEPT_OP: JournalOp = { k: 'steps', n: 0 };

export class Lab {
  /** @internal the fabric; not part of the API (a restore replaces it) */
  fabric: Fabric;
  private readonly wallStartMs: number;
  private readonly maxEvents: number;
  /** LabOptions.rebaseAtNs */
  private readonly rebaseAt: number;
  private busy = false;
  /** runtime changes, beacon rounds (runtime-changes.ts) */
  private dyn: RuntimeDynamics;
  /** the journal of inputs that snapshots and restore use (snapshot.ts) */
  private readonly hist: History;
  private readonly options: LabOptions;
  /** the base kept for the next restore (prepareRestore): a lab at history position `at`, so that restore only re-runs from there */
  private spare: { fabric: Fabric; dyn: RuntimeDynamics; at: number; programs: object[] } | null = null;
  /** programs started on this lab (timed scenarios, scenario.ts), oldest first; a restore re-creates them */
  private programList: object[] = [];
  /** trace subscribers and capture taps: a restore moves them to the new fabric */
  private readonly subs = new Set<{ l: TraceListener; off: () => void }>();
  private readonly tapRegs = new Set<{ l: PointListener; off: () => void }>();

  /** The live trace stream: every decision of the fabric, as it happens. */
  readonly trace: TraceStream;

  constructor(
    /** the topology this lab was built from */
    readonly topology: TopologyDoc,
    options: LabOptions = {},
  ) {
    this.options = options;
    this.fabric = this.build();
    this.dyn = new RuntimeDynamics(this.fabric, topology);
    this.hist = new History(options.historyLimitBytes);
    if (options.history !== true) this.hist.disable('create the lab with { history: true } to go back in time (the server does, for simulation mode)');
    this.wallStartMs = options.wallClockStartMs ?? 0;
    this.maxEvents = options.maxEventsPerRun ?? 1_000_000;
    this.rebaseAt = options.rebaseAtNs ?? DEFAULT_REBASE_AT_NS;
    if (!(this.rebaseAt >= 1 && this.rebaseAt <= DEFAULT_REBASE_AT_NS)) throw new LabError(`rebaseAtNs must be between 1 and 2^52 ns, got ${this.rebaseAt}`);
    this.trace = {
      subscribe: (listener) => {
        const reg = { l: listener, off: this.fabric.bus.subscribe(listener) };
        this.subs.add(reg);
        this.fabric.listenersChanged();
        return () => {
          if (!this.subs.delete(reg)) return;
          reg.off();
          this.fabric.listenersChanged();
        };
      },
      tapPoints: (listener) => {
        const reg = { l: listener, off: this.fabric.addTap(listener) };
        this.tapRegs.add(reg);
        return () => {
          if (!this.tapRegs.delete(reg)) return;
          reg.off();
        };
      },
    };
  }

  /** The id the last frame got (frame ids of the next lab of a partition go on from here: LabOptions.firstFrameId). */
  get lastFrameId(): number {
    return this.fabric.frameSeq;
  }

  /**
   * Virtual time, ns since the lab started, as a number: exact below 2^53 ns (~104 days), the
   * nearest double past that. `nowNs()` is exact at any time.
   */
  get now(): number {
    const f = this.fabric;
    return f.rebased ? Number(f.baseNs) + f.now : f.now;
  }

  /** Virtual time, ns since the lab started, exact (the fabric's clock base plus its offset, rounded to the ns). */
  nowNs(): bigint {
    const f = this.fabric;
    return f.baseNs + BigInt(Math.round(f.now));
  }

  /**
   * The clock's base, ns since the lab started: trace events' and point taps' `time` count from
   * it (0 until the clock first reaches LabOptions.rebaseAtNs, ~52 days).
   */
  get clockBaseNs(): bigint {
    return this.fabric.baseNs;
  }

  private readonly rebaseListeners = new Set<(baseNs: bigint) => void>();

  /** Calls `listener` with the new base each time the clock's base moves (see clockBaseNs); returns the function that stops it. */
  onClockRebase(listener: (baseNs: bigint) => void): () => void {
    const entry = (b: bigint): void => listener(b);
    this.rebaseListeners.add(entry);
    return () => void this.rebaseListeners.delete(entry);
  }

  /** Moves the clock's base forward by whole seconds (whole ns below one) when the clock reached rebaseAtNs; returns by how much (0: not yet). */
  private rebaseIfDue(): number {
    const f = this.fabric;
    if (f.now < this.rebaseAt) return 0;
    let delta = Math.floor(f.now / 1e9) * 1e9;
    if (delta === 0) delta = Math.floor(f.now);
    if (delta === 0) return 0;
    f.rebase(delta);
    for (const p of this.dyn.probers) p.rebase(delta);
    for (const l of [...this.rebaseListeners]) l(f.baseNs);
    return delta;
  }

  /** Wall-clock time of the virtual now, ns since the epoch (wallClockStartMs + now). */
  wallClockNs(): number {
    return this.wallStartMs * 1e6 + this.now;
  }

  /** the last interface looked up (scripts inject at one interface in a loop); byId never changes after build */
  private lastId = '';
  private lastIface: Iface | null = null;

  private iface(id: string): Iface {
    if (id === this.lastId && this.lastIface !== null) return this.lastIface;
    const i = this.fabric.byId.get(id);
    if (i) {
      this.lastId = id;
      this.lastIface = i;
      return i;
    }
    const near = nearNames(id, [...this.fabric.byId.keys()]);
    throw new LabError(`unknown interface "${id}"${near.length ? `; did you mean ${near.join(', ')}?` : ''} (interfaces are written node:interface)`, near);
  }

  private checkFrame(frame: Uint8Array): void {
    if (!(frame instanceof Uint8Array)) throw new LabError('a frame must be bytes (Uint8Array)');
    if (frame.length < 14) throw new LabError(`a ${frame.length}-byte frame has no complete Ethernet header (needs 14 bytes)`);
    if (frame.length > MAX_FRAME_LEN) throw new LabError(`a ${frame.length}-byte frame is longer than the ${MAX_FRAME_LEN}-byte maximum`);
  }

  private enter(what: string): void {
    if (this.busy) throw new LabError(`${what} was called while the lab is already processing (from a trace listener or a stack?)`);
    this.busy = true;
  }

  private schedule(f: Fabric, i: Iface, frame: Uint8Array): number {
    switch (i.kind) {
      case 'vmnic':
      case 'switch-port':
        return f.scheduleArrival(i, frame);
      case 'vnic':
      case 'vmk':
      case 'physical-nic':
        return f.scheduleSend(i, frame);
    }
  }

  /**
   * Puts a copy of `frame` on interface `iface` at the current virtual time; returns its frame id
   * (the `frameId` of its trace events). A vNIC or vmk: the guest/vmk sends it (ingress rules
   * apply). A physical host NIC: the host sends it. An uplink (`esxi-01:vmnic0`) or a physical
   * switch port (`tor-1:eth3`): it arrives from that interface's cable. Nothing moves until
   * `run`/`step`. Throws LabError for an unknown interface or a frame shorter than 14 bytes.
   */
  inject(iface: string, frame: Uint8Array, frameId?: number): number {
    return this.injectBytes(iface, frame, frameId, false);
  }

  /**
   * `inject` without the copy: the lab takes `frame` itself, for a caller that will not change
   * those bytes again (a frame built for this call, read from a file, or one kept read-only and
   * injected again and again — nothing in the lab writes into a frame's bytes). Stacks, trace
   * subscribers, captures and the history journal may read that array later, so changing it
   * after the call changes what they see: a caller that reuses its buffer calls `inject`, which
   * copies. Same checks, errors and result as `inject`.
   */
  injectOwned(iface: string, frame: Uint8Array): number {
    return this.injectBytes(iface, frame, undefined, true);
  }

  /** `inject` (`owned` false: a copy of `frame` is queued) and `injectOwned` (`frame` itself). */
  private injectBytes(iface: string, frame: Uint8Array, frameId: number | undefined, owned: boolean): number {
    const i = this.iface(iface);
    this.checkFrame(frame);
    const kind = i.kind;
    if (kind !== 'vmnic' && kind !== 'switch-port' && kind !== 'physical-nic' && i.vs === null) throw new LabError(`${iface} is not attached to a port group`);
    if (frameId !== undefined && !(Number.isSafeInteger(frameId) && frameId > 0)) throw new LabError(`a frame id is a whole number > 0 (got ${frameId})`);
    const bytes = owned ? frame : copyFrame(frame);
    const f = this.fabric;
    const fid = kind === 'vmnic' || kind === 'switch-port' ? f.scheduleArrival(i, bytes, frameId) : f.scheduleSend(i, bytes, frameId);
    // with history off the journal keeps no input: no op object is made for it (most labs, every frame)
    const h = this.hist;
    if (!h.enabled) h.recordOp(UNKEPT_OP, this.now, f.traceSeq);
    else this.record(frameId === undefined ? { k: 'inject', iface, frame: bytes } : { k: 'inject', iface, frame: bytes, frameId });
    return fid;
  }

  /** Journals one input that succeeded (snapshot.ts). */
  private record(op: JournalOp): void {
    const f = this.fabric;
    this.hist.recordOp(op, this.now, f.traceSeq);
  }

  /**
   * Schedules `frame` to be injected at `iface` `delayNs` from now on the virtual clock (a flood
   * of frames at a rate: the server's "N frames every X ms"). Checked now like `inject` (unknown
   * interface, bad frame: LabError, nothing scheduled); the frame gets its id when it is sent.
   */
  injectLater(delayNs: number, iface: string, frame: Uint8Array): void {
    const i = this.iface(iface);
    this.checkFrame(frame);
    if (!(delayNs >= 0) || !Number.isFinite(delayNs)) throw new LabError(`delayNs must be a number of nanoseconds >= 0, got ${delayNs}`);
    if (i.kind !== 'vmnic' && i.kind !== 'switch-port' && i.kind !== 'physical-nic' && i.vs === null) throw new LabError(`${iface} is not attached to a port group`);
    const bytes = copyFrame(frame);
    this.fabric.scheduleTimer(delayNs, () => {
      // a vNIC disconnected meanwhile sends nothing (as its guest could not)
      if (i.kind === 'vmnic' || i.kind === 'switch-port') this.fabric.scheduleArrival(i, bytes);
      else if (i.kind === 'physical-nic' || i.vs !== null) this.fabric.scheduleSend(i, bytes);
    });
    this.record({ k: 'injectLater', delayNs, iface, frame: bytes });
  }

  /**
   * Processes events in (time, sequence) order until none is left (default), or until
   * `forNs` of virtual time has passed (the clock then stands at exactly now + forNs).
   * Throws LabError after `maxEvents` (default: the lab's maxEventsPerRun) when events remain:
   * a forwarding loop between physical switches never settles.
   */
  run(options: RunOptions = {}): RunResult {
    const f = this.fabric;
    if (options.forNs !== undefined && (!(options.forNs >= 0) || !Number.isFinite(options.forNs))) throw new LabError(`forNs must be a number of nanoseconds >= 0, got ${options.forNs}`);
    const cap = options.maxEvents ?? this.maxEvents;
    this.enter('run');
    let n = 0;
    const dyn = this.dyn;
    try {
      this.rebaseIfDue();
      let until = options.forNs !== undefined ? f.now + options.forNs : Infinity;
      // The next periodic task (T6 beacon round) changes only when tasks run (runDueTasks) or the
      // configuration changes (apply, refused while running): read it once per round, not per event.
      let tp = dyn.nextTaskTime();
      for (;;) {
        if (f.now >= this.rebaseAt) {
          // the clock's base moves between two events; the run's limit and the next task with it
          until -= this.rebaseIfDue();
          tp = dyn.nextTaskTime();
        }
        if (tp === Infinity && until === Infinity) {
          // nothing periodic and no time limit (the common case): drain the queue in order
          n = f.drain(n, cap);
          if (f.queue.size > 0) throw this.unsettled(cap);
          break;
        }
        // periodic tasks run when the clock passes them, but never keep the lab busy
        const tq = f.queue.peekTime();
        if (tp <= tq && tp <= until && (tq !== Infinity || until !== Infinity)) {
          if (tp > f.now) f.now = tp;
          dyn.runDueTasks();
          tp = dyn.nextTaskTime();
          continue;
        }
        if (!(f.queue.size > 0 && tq <= until)) break;
        if (n >= cap) throw this.unsettled(cap);
        f.step();
        n++;
      }
      if (until !== Infinity && until > f.now) f.now = until;
      this.rebaseIfDue();
    } finally {
      this.busy = false;
      // recorded even when it threw (unsettled): the events it processed changed the state
      const op: JournalOp = { k: 'run' };
      if (options.forNs !== undefined) op.forNs = options.forNs;
      if (options.maxEvents !== undefined) op.maxEvents = options.maxEvents;
      this.record(op);
    }
    return { events: n, now: this.now };
  }

  private unsettled(cap: number): LabError {
    const f = this.fabric;
    return new LabError(
      `run stopped after ${cap} events at ${f.now} ns with ${f.queue.size} still queued: the fabric does not settle (a loop between physical switches?)`,
    );
  }

  /** Processes the single earliest event; returns false when there was none (idle). */
  step(): boolean {
    this.enter('step');
    try {
      this.rebaseIfDue();
      const done = this.stepOnce();
      if (done) this.hist.recordStep(this.now, this.fabric.traceSeq);
      return done;
    } finally {
      this.busy = false;
    }
  }

  /**
   * The earliest thing due: a periodic task (T6 beacon round) when it is not later than the next
   * queued event, else that event. False when the queue is empty (periodic tasks never keep a
   * lab busy).
   */
  private stepOnce(): boolean {
    const f = this.fabric;
    const tq = f.queue.peekTime();
    if (tq === Infinity) return false;
    const tp = this.dyn.nextTaskTime();
    if (tp <= tq) {
      if (tp > f.now) f.now = tp;
      this.dyn.runDueTasks();
      return true;
    }
    return f.step();
  }

  /** P5: the storms detected so far (frames whose copies passed the threshold) and copies cut (storm.ts). */
  storms(): StormSummary {
    return this.fabric.storm.summary();
  }

  /** Virtual time of the next queued event (ns since the lab started, like `now`), or null when idle (periodic beacon rounds count only while events are queued). */
  nextEventTime(): number | null {
    const f = this.fabric;
    const t = f.queue.peekTime();
    if (t === Infinity) return null;
    const next = Math.min(t, this.dyn.nextTaskTime());
    return f.rebased ? Number(f.baseNs) + next : next;
  }

  /**
   * True when nothing of frame `frameId` (an id `inject` returned) is left to happen: no event of
   * it is queued and no shaping queue (Q1) holds a copy of it. Errs on "not yet", never early
   * (frame ids 4096 apart share a count): a caller waiting for a frame's trace can stop when this
   * turns true. Frames a stack sends in answer have ids of their own. Constant time, allocates
   * nothing.
   */
  frameSettled(frameId: number): boolean {
    const f = this.fabric;
    return f.queuedOfFrame(frameId) === 0 && f.heldOfFrame(frameId) === 0;
  }

  /** Counters of one interface: rx/tx frames and bytes from its own point of view, drops by reason. */
  counters(iface: string): PortCounters {
    return this.fabric.counters.read(this.iface(iface).idx);
  }

  /** Counters of every interface, keyed by `node:interface`. */
  allCounters(): Record<string, PortCounters> {
    const out: Record<string, PortCounters> = {};
    for (const i of this.fabric.ifaces) out[i.id] = this.fabric.counters.read(i.idx);
    return out;
  }

  /** MAC address table of a physical switch (P1), oldest entry first; aged entries left out. */
  macTable(switchName: string): MacTableRow[] {
    const sw = this.fabric.switches.find((s) => s.name === switchName);
    if (!sw) {
      const near = nearNames(switchName, this.fabric.switches.map((s) => s.name));
      throw new LabError(`unknown physical switch "${switchName}"${near.length ? `; did you mean ${near.join(', ')}?` : ''}`, near);
    }
    return sw.table.rows(this.fabric.now, (idx) => portLabel(this.fabric, idx));
  }

  private endpoint(iface: string): Iface {
    const i = this.iface(iface);
    if (i.stack === null) throw new LabError(`${iface} is ${INTERFACE_KIND_WORDS[i.kind]}, not an endpoint (a vNIC, vmk or physical host NIC)`);
    return i;
  }

  /** ARP cache of an endpoint's stack (vNIC, vmk, physical host NIC). */
  arpCache(iface: string): EndpointArpEntry[] {
    return this.endpoint(iface).stack!.arpCache();
  }

  /** E4: IPv6 neighbour cache of an endpoint's stack (empty when IPv6 is off there). */
  neighbours(iface: string): EndpointNeighbourEntry[] {
    return this.endpoint(iface).stack!.neighbours?.() ?? [];
  }

  /** E4: IPv6 addresses of an endpoint, per L3 interface, link-local first (empty when IPv6 is off). */
  ipv6Addresses(iface: string): { vlan?: number; addresses: string[] }[] {
    return this.endpoint(iface).stack!.ipv6Addresses?.() ?? [];
  }

  /** The MAC an interface currently uses (a vNIC's effective MAC, S2), colon notation. */
  effectiveMac(iface: string): string {
    const i = this.iface(iface);
    if (i.kind === 'switch-port') throw new LabError(`${iface} is a physical switch port; it has no MAC in this lab`);
    return formatMac(i.effMacBytes);
  }

  /**
   * Applies one runtime change (link, vNIC connect, effective MAC, port group or vSwitch policy,
   * uplink add/remove, vMotion), validated and atomic: `{ok:false, reason}` changes nothing.
   * `change` may be untrusted (an API body); it is checked against `RuntimeChange`
   * (src/topology/runtime-change.ts). Afterwards teaming re-pins (T2), notify switches sends
   * RARPs (T7), and the change is a `change` trace event.
   */
  apply(change: unknown): ChangeResult {
    this.enter('apply');
    try {
      const r = this.dyn.apply(change);
      if (r.ok) this.record({ k: 'apply', change: structuredClone(change) });
      return r;
    } finally {
      this.busy = false;
    }
  }

  /** The lab's current topology document, runtime changes included (a copy; save it to keep them). */
  currentTopology(): TopologyDoc {
    return this.dyn.currentTopology();
  }

  private applyOrThrow(change: unknown): void {
    const r = this.apply(change);
    if (!r.ok) throw new LabError(r.reason);
  }

  /**
   * Sets a vNIC's effective MAC, as a guest changing its address does (S2). The vSwitch then
   * knows the vNIC by the new MAC (F1); under MAC address changes Reject, frames to it are
   * dropped while it differs from the initial MAC. Setting the initial MAC back undoes it.
   * Throws LabError when refused (same as `apply({kind:'effective-mac', iface, mac})`).
   */
  setEffectiveMac(iface: string, mac: string): void {
    this.iface(iface);
    this.applyOrThrow({ kind: 'effective-mac', iface, mac });
  }

  /**
   * Brings the cable of `iface` (an uplink, switch port or physical NIC) up or down — both ends.
   * Uplinks in use and pins are recomputed (T2, T5, T8), moved ports announced (T7); a physical
   * switch forgets the MACs it learned on a port whose link goes down (P1).
   */
  setLinkState(iface: string, up: boolean): void {
    this.iface(iface);
    this.applyOrThrow({ kind: 'link', iface, up });
  }

  /** Connects or disconnects a vNIC (a disconnected vNIC is not on its vSwitch; connecting notifies switches, T7). */
  setConnected(iface: string, connected: boolean): void {
    this.iface(iface);
    this.applyOrThrow({ kind: 'vnic-connect', iface, connected });
  }

  /**
   * The guest of vNIC `iface` sets its multicast filter (M1): the group MACs it joined, replacing
   * the list it had ([] leaves every group). The vSwitch then delivers multicast to that port
   * only for these MACs (M2). LabError for a bad interface or MAC.
   */
  setMulticastFilter(iface: string, groups: readonly string[]): void {
    this.iface(iface);
    this.applyOrThrow({ kind: 'multicast', iface, groups: [...groups] });
  }

  /** Every interface of the lab, in build order. */
  interfaces(): InterfaceInfo[] {
    return this.fabric.ifaces.map((i) => {
      const info: InterfaceInfo = {
        id: i.id,
        node: i.node,
        name: i.name,
        kind: i.kind,
        peer: i.peer?.id ?? null,
        up: i.kind === 'vnic' || i.kind === 'vmk' ? i.connected : i.peer !== null && i.linkUp,
      };
      if (i.host) info.host = i.host.name;
      if (i.vs) info.vswitch = i.vs.name;
      if (i.pg) {
        info.portGroup = i.pg.name;
        info.vlan = i.pg.vlan;
        const lb = i.pg.teaming.lb;
        info.loadBalancing = LB_NAMES[lb];
        if (lb !== LB_IPHASH) info.uplink = i.pinned?.name ?? null;
        info.multicast = filterList(i);
      }
      if (i.kind !== 'switch-port') info.mac = formatMac(i.effMacBytes);
      if (i.kind === 'switch-port') {
        info.mode = i.swMode === MODE_ACCESS ? 'access' : 'trunk';
        info.vlan = i.swVlan < 0 ? null : i.swVlan;
      }
      return info;
    });
  }

  /** Validates a ping request (LabError when bad); changes nothing. */
  private pingRequest(iface: string, dstIp: string, request: PingRequest): { stack: EndpointStack; options: PingOptions } {
    const i = this.endpoint(iface);
    const text = typeof dstIp === 'string' && !dstIp.includes('/') ? dstIp : null;
    const dst = text === null ? null : parseIpv4Cidr(text);
    // E4: an address with a colon is IPv6 (ping -6)
    const dst6 = text !== null && !dst && text.includes(':') ? parseIpv6Cidr(text) : null;
    if (!dst && !dst6) throw new LabError(`"${dstIp}" is not an IPv4 address (like 10.0.0.21) or an IPv6 address (like fe80::1)`);
    const count = request.count ?? 3;
    const size = request.size ?? DEFAULT_PING_SIZE;
    const intervalMs = request.intervalMs ?? 1000;
    const timeoutMs = request.timeoutMs ?? 1000;
    if (!Number.isInteger(count) || count < 1) throw new LabError(`count must be a whole number >= 1, got ${count}`);
    if (!Number.isInteger(size) || size < 0 || size > MAX_PING_SIZE) throw new LabError(`size must be 0..${MAX_PING_SIZE} bytes, got ${size}`);
    if (!(intervalMs >= 0) || !(timeoutMs > 0)) throw new LabError('intervalMs must be >= 0 and timeoutMs > 0');
    const ttl = request.ttl;
    if (ttl !== undefined && !(Number.isInteger(ttl) && ttl >= 1 && ttl <= 255)) throw new LabError(`ttl must be a whole number 1..255, got ${ttl}`);
    return {
      stack: i.stack!,
      options: {
        dst: dst ? dst.address : 0,
        ...(dst6 ? { dst6: dst6.address } : {}),
        count,
        size,
        df: request.df ?? false,
        ...(ttl !== undefined ? { ttl } : {}),
        intervalNs: intervalMs * 1e6,
        timeoutNs: timeoutMs * 1e6,
      },
    };
  }

  /**
   * Starts a ping from an endpoint without running the clock (the caller runs it: the server's
   * real-time clock driver, or `run`/`step`). Its first probe is queued at the current virtual
   * time; `onDone` is called on the virtual clock when every probe was answered or timed out.
   * Validation errors (unknown interface, not an endpoint, bad address or numbers) throw
   * LabError before anything changes; so does a call while the lab is processing.
   */
  startPing(iface: string, dstIp: string, request: PingRequest, onDone: (result: PingResult) => void): void {
    const { stack, options } = this.pingRequest(iface, dstIp, request);
    if (typeof onDone !== 'function') throw new LabError('startPing needs an onDone callback');
    if (this.busy) throw new LabError('startPing was called while the lab is already processing (from a trace listener or a stack?)');
    // not held busy: the stack only queues its probes and timers (onDone may run at once on a local error)
    stack.ping(options, onDone);
    this.record({ k: 'startPing', iface, dst: dstIp, request: { ...request } });
  }

  /**
   * Pings `dstIp` from an endpoint (vNIC, vmk — vmkping — or physical NIC) and runs the clock
   * until the ping is done (every probe answered or timed out). Other queued traffic runs too.
   */
  ping(iface: string, dstIp: string, request: PingRequest = {}): PingResult {
    const { stack, options } = this.pingRequest(iface, dstIp, request);
    this.enter('ping');
    let result: PingResult | null = null;
    try {
      stack.ping(options, (r) => {
        result = r;
      });
      let n = 0;
      while (result === null && this.stepOnce()) {
        if (++n >= this.maxEvents) throw new LabError(`ping stopped after ${n} events: the fabric does not settle (a loop between physical switches?)`);
      }
    } finally {
      this.busy = false;
      this.record({ k: 'ping', iface, dst: dstIp, request: { ...request } });
    }
    return result ?? { transmitted: 0, received: 0, replies: [], errors: ['ping did not finish: the lab went idle first'], done: false };
  }

  private build(): Fabric {
    const f = buildFabric(this.topology, {
      stackFactory: this.options.stackFactory ?? createIpStack,
      latencyNs: this.options.linkLatencyNs ?? 1000,
      handlers,
    });
    f.frameSeq = this.options.firstFrameId ?? 0;
    return f;
  }

  /**
   * The lab's present moment, to come back to with `restore` (simulation mode's Reset, Back, and
   * jumps; scripts). Plain data. Throws LabError when history was switched off (see `history()`).
   */
  snapshot(): LabSnapshot {
    const s = this.hist.snapshotAt();
    if (s === null) throw new LabError(`history is off for this lab: ${this.hist.info().reason ?? 'unknown'}`);
    return s;
  }

  /** The moment at journal `position` (0 = the lab as built; each input and each processed event is one more); null when out of reach. */
  snapshotAt(position: number): LabSnapshot | null {
    return this.hist.snapshotAt(position);
  }

  /** The moment right after trace event `seq` was emitted, or null when history does not reach it. */
  snapshotAtTraceSeq(seq: number): LabSnapshot | null {
    const p = this.hist.positionOfTraceSeq(seq);
    return p === null ? null : this.hist.snapshotAt(p);
  }

  /** How far back (and forward, after going back) the history reaches, and what it costs. */
  history(): HistoryInfo {
    return this.hist.info();
  }

  /**
   * Brings the whole lab back (or forward, within an undone future) to `snapshot`'s moment: MAC
   * tables, ARP caches, counters, uplinks in use, shaping queues, the event queue, pings in
   * flight, the clock and frame/copy/trace numbering — by re-running its journal silently on the
   * base (snapshot.ts): the lab built ahead by `prepareRestore`, else one built now. Trace
   * subscribers and capture taps stay subscribed and see nothing of the re-run. The journal's
   * later part stays until an input other than a step replaces it. Throws LabError (and changes
   * nothing) for a snapshot of another lab, of a discarded future or older than the history's
   * window (`history().oldest`), or while the lab is processing.
   */
  restore(snapshot: LabSnapshot): void {
    if (this.busy) throw new LabError('restore was called while the lab is already processing (from a trace listener or a stack?)');
    const h = this.hist;
    const why = h.refusal(snapshot);
    if (why !== null) throw new LabError(`cannot restore: ${why}`);
    const old = { fabric: this.fabric, dyn: this.dyn };
    for (const r of this.subs) r.off();
    for (const r of this.tapRegs) r.off();
    old.fabric.listenersChanged();
    const spare = this.spare !== null && this.spare.at <= snapshot.position ? this.spare : null;
    if (spare !== null) this.spare = null;
    const oldPrograms = this.programList;
    try {
      const base = spare ?? { fabric: this.build(), dyn: null, at: 0, programs: [] };
      // the programs started before the base's moment, then those the re-run starts
      this.programList = [...base.programs];
      this.fabric = base.fabric;
      this.dyn = base.dyn ?? new RuntimeDynamics(base.fabric, this.topology);
      this.reRun(base.at, snapshot.position);
      this.fabric.traceSeq = snapshot.traceSeq;
    } catch (err) {
      this.fabric = old.fabric;
      this.dyn = old.dyn;
      this.programList = oldPrograms;
      throw err;
    } finally {
      this.lastId = '';
      this.lastIface = null;
      const f = this.fabric;
      for (const r of this.subs) r.off = f.bus.subscribe(r.l);
      for (const r of this.tapRegs) r.off = f.addTap(r.l);
      f.listenersChanged();
    }
    h.movedTo(snapshot.position);
  }

  /** Re-runs the journal from position `from` to `to` on the current fabric, silently (restore, prepareRestore). */
  private reRun(from: number, to: number): void {
    const h = this.hist;
    this.lastId = '';
    this.lastIface = null;
    h.replaying = true;
    try {
      for (const op of h.opsBetween(from, to)) this.replay(op);
    } finally {
      h.replaying = false;
      this.lastId = '';
      this.lastIface = null;
    }
  }

  /**
   * Builds, ahead of time, the base the next `restore` re-runs the journal on — the lab as it was
   * at the history's oldest reachable moment (snapshot.ts) — so that the restore itself only
   * re-runs the window (building a 10,000-interface lab takes most of a restore's time, and once
   * the oldest moments were dropped, so does re-running the inputs before them). Call when idle
   * (the server does after answering); it holds a second copy of the lab's structures until then.
   * A base built earlier is brought forward to the window's new start. No effect when history is
   * off.
   */
  prepareRestore(): void {
    const h = this.hist;
    if (!h.enabled || this.busy) return;
    const to = h.oldest;
    if (this.spare !== null && this.spare.at === to) return;
    const spare = this.spare ?? { fabric: this.build(), dyn: null as RuntimeDynamics | null, at: 0, programs: [] as object[] };
    this.spare = null;
    const live = { fabric: this.fabric, dyn: this.dyn, programs: this.programList };
    try {
      // the journal's ops are the lab's own methods: they run on the base while it stands in
      this.fabric = spare.fabric;
      this.dyn = spare.dyn ?? new RuntimeDynamics(spare.fabric, this.topology);
      this.programList = spare.programs;
      this.reRun(spare.at, to);
      this.spare = { fabric: this.fabric, dyn: this.dyn, at: to, programs: this.programList };
    } finally {
      this.fabric = live.fabric;
      this.dyn = live.dyn;
      this.programList = live.programs;
      this.lastId = '';
      this.lastIface = null;
    }
  }

  /**
   * After going back: re-applies the next recorded input or step of the undone future (false
   * when there is none). A step re-takes the recorded step by itself; this also redoes inputs.
   */
  redo(): boolean {
    const op = this.hist.nextOp();
    if (op === null) return false;
    if (op.k === 'steps') return this.step();
    this.hist.asRedo(() => this.replay(op));
    return true;
  }

  /** Re-applies one journal op (restore's re-run, redo). */
  private replay(op: JournalOp): void {
    switch (op.k) {
      case 'inject':
        this.inject(op.iface, op.frame, op.frameId);
        return;
      case 'injectLater':
        this.injectLater(op.delayNs, op.iface, op.frame);
        return;
      case 'startPing':
        this.startPing(op.iface, op.dst, op.request, () => {});
        return;
      case 'ping':
        this.ping(op.iface, op.dst, op.request);
        return;
      case 'apply':
        this.apply(op.change);
        return;
      case 'program':
        this.startProgram(op.start);
        return;
      case 'run':
        try {
          this.run({ ...(op.forNs !== undefined ? { forNs: op.forNs } : {}), ...(op.maxEvents !== undefined ? { maxEvents: op.maxEvents } : {}) });
        } catch (err) {
          // it threw the first time too (unsettled): same events, same state
          if (!(err instanceof LabError)) throw err;
        }
        return;
      case 'steps':
        for (let k = 0; k < op.n; k++) this.step();
        return;
    }
  }

  /**
   * Starts a program on the lab's clock — a timed scenario (scenario.ts) — as one journaled
   * input: `start` runs now and again whenever a restore or redo re-runs the journal past this
   * point, on the lab as it then is, so whatever it schedules (timers, and the frames, pings and
   * changes they make) and observes (it may subscribe to `fabric.bus`) is rebuilt with the lab:
   * Back, Reset and jumps stay exact. `start` must check its input before it schedules anything
   * (a throw records nothing). Returns what `start` returned; `programs()` lists them.
   */
  startProgram<T extends object>(start: () => T): T {
    if (this.busy) throw new LabError('startProgram was called while the lab is already processing (from a trace listener or a stack?)');
    const p = start();
    this.programList.push(p);
    this.record({ k: 'program', start });
    return p;
  }

  /** The programs started on this lab (`startProgram`), oldest first, as the lab's history now has them. */
  programs(): readonly object[] {
    return this.programList;
  }

  /**
   * @internal A program's runtime change, made from its timer while the lab processes: applied
   * like `apply` but not journaled (the program's own journal entry re-makes it on a restore).
   */
  applyInProgram(change: unknown): ChangeResult {
    return this.dyn.apply(change);
  }

  /**
   * O2: what would happen to `frame` injected at `iface` now — every decision with its rule, and
   * where each copy ends — without changing anything (no learning, counters, endpoint reactions;
   * the clock and the queue stay as they are). Same interface semantics as `inject`.
   */
  explain(iface: string, frame: Uint8Array): ExplainResult {
    const i = this.iface(iface);
    this.checkFrame(frame);
    if ((i.kind === 'vnic' || i.kind === 'vmk') && i.vs === null) throw new LabError(`${iface} is not attached to a port group`);
    this.enter('explain');
    try {
      return explainFrame(this.fabric, i, copyFrame(frame), (f, at, bytes) => {
        this.schedule(f, at, bytes);
      });
    } finally {
      this.busy = false;
    }
  }
}

/** Builds a lab from a validated topology (the loader's output). */
export function createLab(topology: TopologyDoc, options: LabOptions = {}): Lab {
  return new Lab(topology, options);
}
