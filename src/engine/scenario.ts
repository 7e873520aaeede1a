/**
 * Runs a timed scenario (src/topology/scenario.ts): continuous pings, runtime changes
 * (runtime-changes.ts), frames sent at given times, `check` steps, and the final expectations —
 * all on the virtual clock, so a run is deterministic. The result is a timeline (changes,
 * failovers, RARPs, beacon verdicts, lost probes, path changes of each ping) and every
 * expectation with its outcome.
 *
 * `startScenario(lab, doc)` plays it on a lab that is already running (the server's: its steps
 * happen as that lab's clock reaches them, in real time or step by step, among any other
 * traffic): the start is one journaled input of the lab (`lab.startProgram`), whose timers make
 * the scenario's frames, pings and changes, so a restore (Back, Reset, a jump) re-creates the
 * run — its state and what it observed — exactly as far as the restored moment. Scenario times
 * count from the start. `runScenario(topology, doc)` does the same on a fresh lab and runs it to
 * the end at once (`vswitch-lab run`, `test`, the engine tests).
 *
 * Expectations read the trace stream (O1 capture points and drops), the MAC tables (P1) and the
 * ping outcomes; nothing re-derives a forwarding decision.
 */
import {
  DST_OFFSET,
  EtherType,
  ICMP_HEADER_LEN,
  ICMPV6_HEADER_LEN,
  IPV4_MIN_HEADER_LEN,
  IPV6_ADDR_LEN,
  IPV6_HEADER_LEN,
  IcmpType,
  Icmpv6Type,
  IpProtocol,
  Ipv4Field,
  Ipv6Field,
  SRC_OFFSET,
  formatMac,
  icmpEchoId,
  icmpEchoSeq,
  icmpType,
  icmpv6EchoId,
  icmpv6EchoSeq,
  icmpv6Type,
  innerEthertype,
  ipv4HeaderLength,
  ipv4Protocol,
  ipv4Version,
  ipv6NextHeader,
  ipv6Version,
  isIcmpEcho,
  isIcmpv6Echo,
  l3Offset,
  parseIpv4Cidr,
  parseIpv6Cidr,
  parseMac,
} from '../wire/index.js';
import { BEACON_ETHERTYPE } from './beacon-probing.js';
import type { TopologyDoc } from '../topology/schema.js';
import { Scenario, timeNs, type ContinuousPingDoc, type ScenarioDoc, type ScenarioExpectDoc } from '../topology/scenario.js';
import { resolveFrameSpec } from './frame-spec.js';
import { copyFrame } from './frame-copy.js';
import { createLab, type Lab, type LabOptions } from './lab.js';
import { LabError, nearNames } from './lab-error.js';
import type { TraceEvent } from './trace.js';

export type TimelineKind = 'start' | 'change' | 'refused' | 'failover' | 'notify' | 'beacon' | 'ping' | 'path' | 'send' | 'check' | 'shaping' | 'end';

export interface TimelineEntry {
  /** virtual ns */
  time: number;
  kind: TimelineKind;
  text: string;
  /** checks and expected refusals: passed or not */
  ok?: boolean;
}

export interface PingOutcome {
  name: string;
  from: string;
  to: string;
  count: number;
  transmitted: number;
  received: number;
  lost: number;
  /** ICMP sequence numbers (1-based) that got no reply */
  lostSeqs: number[];
}

export interface CheckOutcome {
  /** virtual ns the check ran */
  time: number;
  what: string;
  ok: boolean;
  detail: string;
  /** virtual ns: the stretch of the run the check looked at (its after/before, else start to `time`) */
  from: number;
  to: number;
  /** what the check is about (interfaces, MACs, ping names, drop reasons), to pick timeline lines */
  about: string[];
}

export interface ScenarioResult {
  name: string;
  passed: boolean;
  durationNs: number;
  timeline: TimelineEntry[];
  pings: PingOutcome[];
  checks: CheckOutcome[];
}

/** A scenario playing on a lab (startScenario), as far as the lab's clock has got. */
export interface ScenarioProgress extends ScenarioResult {
  /** the run's number among the programs of its lab (lab.programs()), the same after a restore */
  id: number;
  /** lab time the scenario started at, ns (its own times, in the timeline and checks, count from there) */
  startNs: number;
  /** scenario time reached, ns (0..durationNs) */
  elapsedNs: number;
  /** true once its end (durationNs) was reached and its final expectations checked; `passed` is final then */
  done: boolean;
}

/** A scenario started on a lab (startScenario / currentScenario). */
export interface LiveScenario {
  readonly id: number;
  readonly name: string;
  readonly durationNs: number;
  readonly startNs: number;
  readonly done: boolean;
  /** grows whenever the timeline does (a change, a check, a lost probe...): compare to see news */
  readonly version: number;
  progress(): ScenarioProgress;
}

interface Seen {
  time: number;
  port: string;
  point: string;
  vlan: number | undefined;
  /** the first HEAD_BYTES of the frame, a copy (headers are all a check reads) */
  frame: Uint8Array;
  /** the frame's whole length */
  bytes: number;
}

/**
 * Bytes of each seen frame a run keeps: Ethernet, two tags, an IPv4 header with options and the
 * ICMP header fit. A copy, so a run holds neither whole frames nor bytes the engine may reuse.
 */
const HEAD_BYTES = 128;

interface PingState {
  doc: ContinuousPingDoc;
  name: string;
  /** the target as `echoOf` spells addresses (IPv4 or IPv6) */
  dst: string;
  count: number;
  startNs: number;
  id: number;
  tx: Set<number>;
  rx: Set<number>;
  lastVia: Map<string, string>;
}

/** An address of `echoOf`: hex of its bytes (4 for IPv4, 16 for IPv6), so both compare as strings. */
function addrKey(bytes: Uint8Array, off: number, len: number): string {
  let k = '';
  for (let i = off; i < off + len; i++) k += (bytes[i] ?? 0).toString(16).padStart(2, '0');
  return k;
}

/**
 * Parsed view of an ICMP echo inside a frame, or null: ICMPv4 (8 request, 0 reply) or, E4, ICMPv6
 * right after the IPv6 header (128 request, 129 reply; reported as 8 and 0 so both read alike).
 */
function echoOf(frame: Uint8Array): { type: number; src: string; dst: string; id: number; seq: number } | null {
  // read through src/wire's accessors with explicit length checks: `frame` is a head copy (HEAD_BYTES), so the parsers' whole-packet checks would refuse it
  const off = l3Offset(frame);
  const et = innerEthertype(frame);
  if (et === EtherType.IPv6) {
    const i = off + IPV6_HEADER_LEN;
    if (frame.length < i + ICMPV6_HEADER_LEN || ipv6Version(frame, off) !== 6 || ipv6NextHeader(frame, off) !== IpProtocol.IPv6Icmp) return null;
    const t6 = icmpv6Type(frame, i);
    if (!isIcmpv6Echo(t6)) return null;
    const type = t6 === Icmpv6Type.EchoRequest ? IcmpType.EchoRequest : IcmpType.EchoReply;
    return { type, src: addrKey(frame, off + Ipv6Field.SRC, IPV6_ADDR_LEN), dst: addrKey(frame, off + Ipv6Field.DST, IPV6_ADDR_LEN), id: icmpv6EchoId(frame, i), seq: icmpv6EchoSeq(frame, i) };
  }
  if (et !== EtherType.IPv4 || frame.length < off + IPV4_MIN_HEADER_LEN + ICMP_HEADER_LEN) return null;
  if (ipv4Version(frame, off) !== 4 || ipv4Protocol(frame, off) !== IpProtocol.ICMP) return null;
  const i = off + ipv4HeaderLength(frame, off);
  if (frame.length < i + ICMP_HEADER_LEN) return null;
  const t = icmpType(frame, i);
  if (!isIcmpEcho(t)) return null;
  return { type: t, src: addrKey(frame, off + Ipv4Field.SRC, 4), dst: addrKey(frame, off + Ipv4Field.DST, 4), id: icmpEchoId(frame, i), seq: icmpEchoSeq(frame, i) };
}

function secs(ns: number): string {
  return `${(ns / 1e9).toFixed(3)}s`;
}

/** Validates a scenario document; throws LabError with every problem. */
export function parseScenario(input: unknown): ScenarioDoc {
  const r = Scenario.safeParse(input);
  if (r.success) return r.data;
  throw new LabError(`invalid scenario: ${r.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(top)'}: ${i.message}`).join('; ')}`);
}

export interface ScenarioRunOptions extends LabOptions {
  /** Makes the scenario's fresh lab (default createLab with these options); e.g. to capture it. */
  createLab?: (topology: TopologyDoc) => Lab;
}

/** Runs `scenario` (a document or untrusted JSON) on a new lab built from `topology`, to its end. Throws LabError for a bad scenario. */
export function runScenario(topology: TopologyDoc, scenario: unknown, options: ScenarioRunOptions = {}): ScenarioResult {
  const sc = parseScenario(scenario);
  const { createLab: make, ...labOptions } = options;
  const lab = make ? make(topology) : createLab(topology, labOptions);
  const run = startRun(lab, sc);
  lab.run({ forNs: run.durationNs });
  const { name, passed, durationNs, timeline, pings, checks } = run.progress();
  return { name, passed, durationNs, timeline, pings, checks };
}

/**
 * Starts `scenario` (a document or untrusted JSON) on `lab` now, as one journaled input
 * (lab.startProgram): nothing runs until the lab's clock does (run, step, the server's clock),
 * and its steps happen as the clock reaches them. Throws LabError, and starts nothing, for a bad
 * scenario (a step after its end, a ping from a non-endpoint, a frame that cannot be built) or
 * while the lab is processing.
 */
export function startScenario(lab: Lab, scenario: unknown): LiveScenario {
  return startRun(lab, parseScenario(scenario));
}

/** The scenario started last on `lab` (running or done), as the lab's history now has it; null when none. */
export function currentScenario(lab: Lab): LiveScenario | null {
  const ps = lab.programs();
  for (let i = ps.length - 1; i >= 0; i--) if (ps[i] instanceof ScenarioRun) return ps[i] as ScenarioRun;
  return null;
}

function startRun(lab: Lab, sc: ScenarioDoc): ScenarioRun {
  new ScenarioRun(lab, sc, -1).validate();
  // re-run by every restore past this point: a fresh run on the lab as it then is
  return lab.startProgram(() => new ScenarioRun(lab, sc, lab.programs().length).start());
}

/** Timeline entries that only frame the run (not worth repeating next to a check). */
const FRAMING: ReadonlySet<TimelineKind> = new Set(['start', 'end', 'check']);

/**
 * The part of a scenario's timeline a failed check is about: the entries in the check's stretch
 * of time (changes, failovers, RARPs, path changes, lost probes, ...). When there are more than
 * `max`, the changes and the entries naming what the check is about are kept first, then the
 * first and last of those; `omitted` says how many were left out.
 */
export function timelineExcerpt(result: ScenarioResult, check: CheckOutcome, max = 12): { entries: TimelineEntry[]; omitted: number } {
  const inWindow = result.timeline.filter((e) => !FRAMING.has(e.kind) && e.time >= check.from && e.time <= check.to);
  if (inWindow.length <= max) return { entries: inWindow, omitted: 0 };
  const about = check.about.filter((a) => a !== '');
  const relevant = inWindow.filter((e) => e.kind === 'change' || e.kind === 'refused' || about.some((a) => e.text.includes(a)));
  const pool = relevant.length > 0 ? relevant : inWindow;
  if (pool.length <= max) return { entries: pool, omitted: inWindow.length - pool.length };
  if (relevant.length > 0) {
    // too many: the changes, then the lines that name the most of what the check is about (its
    // MAC as well as its uplink, say: five RARPs per port out of one uplink, T7), in time order
    const score = (e: TimelineEntry) => (e.kind === 'change' || e.kind === 'refused' ? 1000 : 0) + about.filter((a) => e.text.includes(a)).length;
    const keep = new Set(pool.map((e, i) => ({ e, i, s: score(e) })).sort((a, b) => b.s - a.s || a.i - b.i).slice(0, max).map((x) => x.e));
    return { entries: pool.filter((e) => keep.has(e)), omitted: inWindow.length - max };
  }
  const head = Math.ceil(max / 2);
  return { entries: [...pool.slice(0, head), ...pool.slice(pool.length - (max - head))], omitted: inWindow.length - max };
}

/** `esxi-01:vmnic1` -> [`esxi-01:vmnic1`, `vmnic1`]: timeline texts name uplinks both ways. */
function ifaceWords(iface: string | undefined): string[] {
  if (iface === undefined) return [];
  const i = iface.indexOf(':');
  return i < 0 ? [iface] : [iface, iface.slice(i + 1)];
}

/** One timed thing of a scenario: a ping's start or a step, at scenario time `t` (ns). */
interface Action {
  t: number;
  order: number;
  ping?: ContinuousPingDoc;
  step?: ScenarioDoc['steps'][number];
}

class ScenarioRun implements LiveScenario {
  private readonly seen: Seen[] = [];
  private readonly drops: { time: number; port: string; reason: string }[] = [];
  private readonly timeline: TimelineEntry[] = [];
  private readonly checks: CheckOutcome[] = [];
  private readonly pings: PingState[] = [];
  readonly durationNs: number;
  readonly name: string;
  private shapingDrops = 0;
  /** lab time of the scenario's time 0 */
  startNs = 0;
  done = false;
  version = 0;
  private passedAtEnd = false;
  /** the pings and steps in the order they happen */
  private readonly actions: Action[];
  /** the next action to run */
  private next = 0;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly lab: Lab,
    private readonly sc: ScenarioDoc,
    readonly id: number,
  ) {
    this.durationNs = timeNs(sc.duration);
    this.name = sc.name;
    const actions: Action[] = [];
    sc.pings.forEach((p, i) => actions.push({ t: timeNs(p.start), order: i, ping: p }));
    sc.steps.forEach((s, i) => actions.push({ t: timeNs(s.at), order: sc.pings.length + i, step: s }));
    actions.sort((a, b) => a.t - b.t || a.order - b.order);
    this.actions = actions;
  }

  /** Scenario time now, ns. */
  private get now(): number {
    return this.lab.now - this.startNs;
  }

  private note(time: number, kind: TimelineKind, text: string, ok?: boolean): void {
    const e: TimelineEntry = { time, kind, text };
    if (ok !== undefined) e.ok = ok;
    this.timeline.push(e);
    this.version++;
  }

  /**
   * Throws LabError for what would fail once the run is under way: a step after the end, a ping
   * from something that is no endpoint, a frame that cannot be built. Changes nothing.
   */
  validate(): void {
    const lab = this.lab;
    for (const a of this.actions) {
      if (a.t > this.durationNs) throw new LabError(`a step at ${secs(a.t)} is after the end of the scenario (${secs(this.durationNs)})`);
      if (a.ping) this.pingTarget(a.ping);
      const send = a.step?.send;
      if (send) {
        try {
          resolveFrameSpec(lab, send.from, send.frame);
        } catch (err) {
          throw new LabError(`step at ${secs(a.t)}: ${err instanceof Error ? err.message : String(err)}`);
        }
        const i = lab.fabric.byId.get(send.from);
        if (i && i.kind !== 'vmnic' && i.kind !== 'switch-port' && i.kind !== 'physical-nic' && i.vs === null) throw new LabError(`step at ${secs(a.t)}: ${send.from} is not attached to a port group`);
      }
    }
  }

  /**
   * Starts the run on the lab as it is now (called by lab.startProgram, and again by a restore
   * that re-runs past the start): observes the lab's fabric and queues the first action.
   */
  start(): this {
    const f = this.lab.fabric;
    this.startNs = this.lab.now; // the lab's time (not the fabric's, which a clock rebase moves)
    this.unsubscribe = f.bus.subscribe((e) => this.onEvent(e));
    f.listenersChanged();
    this.note(0, 'start', `scenario "${this.sc.name}" for ${secs(this.durationNs)}`);
    this.armNext();
    return this;
  }

  /** Queues a timer for the next action (or the end) at its scenario time. */
  private armNext(): void {
    const a = this.actions[this.next];
    const t = a !== undefined ? a.t : this.durationNs;
    this.lab.fabric.scheduleTimer(this.startNs + t - this.lab.now, () => this.due(t, a === undefined));
  }

  /**
   * A timer of the run is due at scenario time `t`. As `lab.run` up to `t` would, what else is
   * queued for this same moment happens first (a probe sent at `t`, a frame arriving at `t`):
   * the timer waits behind it. Then the actions at `t` (or the end) run.
   */
  private due(t: number, end: boolean): void {
    const f = this.lab.fabric;
    if (f.queue.peekTime() <= f.now) {
      f.scheduleTimer(0, () => this.due(t, end));
      return;
    }
    if (end) {
      this.finish();
      return;
    }
    while (this.next < this.actions.length && this.actions[this.next]!.t === t) this.act(this.actions[this.next++]!);
    this.armNext();
  }

  private act(a: Action): void {
    if (a.ping) {
      this.startPing(a.ping);
      return;
    }
    const s = a.step!;
    const lab = this.lab;
    const now = this.now;
    if (s.change !== undefined) {
      const r = lab.applyInProgram(s.change);
      if (s.refused) {
        const ok = !r.ok;
        this.note(now, 'refused', r.ok ? `expected a refusal, but the change was applied: ${JSON.stringify(s.change)}` : `refused as expected: ${r.reason}`, ok);
        this.checks.push({ time: now, what: `step at ${secs(now)}: ${s.change.kind} refused`, ok, detail: r.ok ? 'applied' : r.reason, from: now, to: now, about: [] });
      } else if (!r.ok) {
        this.note(now, 'refused', `change refused: ${r.reason}`, false);
        this.checks.push({ time: now, what: `step at ${secs(now)}: ${s.change.kind}`, ok: false, detail: `refused: ${r.reason}`, from: now, to: now, about: [] });
      }
    } else if (s.send !== undefined) {
      const send = s.send;
      let bytes: Uint8Array;
      try {
        bytes = resolveFrameSpec(lab, send.from, send.frame);
      } catch (err) {
        // checked at the start; the lab changed meanwhile (an effective MAC...): a failed step, not a crash
        const why = err instanceof Error ? err.message : String(err);
        this.note(now, 'send', `cannot send from ${send.from}: ${why}`, false);
        this.checks.push({ time: now, what: `step at ${secs(now)}: send`, ok: false, detail: why, from: now, to: now, about: ifaceWords(send.from) });
        return;
      }
      this.note(
        now,
        'send',
        `${send.count} × ${bytes.length}-byte ${send.frame.kind} frame${send.count === 1 ? '' : 's'} from ${send.from}${send.count > 1 && send.intervalMs > 0 ? ` every ${send.intervalMs} ms` : ''}`,
      );
      const f = lab.fabric;
      const i = f.byId.get(send.from)!;
      const put = () => {
        // as lab.inject: an uplink or switch port receives it from its cable; a disconnected vNIC sends nothing
        if (i.kind === 'vmnic' || i.kind === 'switch-port') f.scheduleArrival(i, copyFrame(bytes));
        else if (i.kind === 'physical-nic' || i.vs !== null) f.scheduleSend(i, copyFrame(bytes));
      };
      put();
      for (let k = 1; k < send.count; k++) {
        if (send.intervalMs === 0) put();
        else f.scheduleTimer(k * send.intervalMs * 1e6, put);
      }
    } else if (s.check !== undefined) {
      const res = this.evaluate(s.check, `at ${secs(now)}: `);
      this.checks.push(...res);
      for (const c of res) this.note(now, 'check', `${c.what}: ${c.detail}`, c.ok);
    }
  }

  /** The end: every ping's losses, the final expectations, the verdict; stops observing. */
  private finish(): void {
    const now = this.now;
    for (const p of this.pings) {
      const o = this.outcome(p);
      const groups: string[] = [];
      let i = 0;
      while (i < o.lostSeqs.length) {
        let j = i;
        while (j + 1 < o.lostSeqs.length && o.lostSeqs[j + 1] === o.lostSeqs[j]! + 1) j++;
        const at = (s: number) => secs(p.startNs + (s - 1) * p.doc.intervalMs * 1e6);
        groups.push(i === j ? `seq ${o.lostSeqs[i]} (sent ${at(o.lostSeqs[i]!)})` : `seq ${o.lostSeqs[i]}-${o.lostSeqs[j]} (sent ${at(o.lostSeqs[i]!)}..${at(o.lostSeqs[j]!)})`);
        i = j + 1;
      }
      this.note(now, 'ping', `ping ${p.name}: ${o.received}/${o.count} answered, ${o.lost} lost${groups.length ? `: ${groups.join(', ')}` : ''}`);
    }
    if (this.sc.expect) {
      const res = this.evaluate(this.sc.expect, '');
      this.checks.push(...res);
      for (const c of res) this.note(now, 'check', `${c.what}: ${c.detail}`, c.ok);
    }
    this.passedAtEnd = this.checks.every((c) => c.ok);
    this.note(now, 'end', `${this.passedAtEnd ? 'PASS' : 'FAIL'}: ${this.checks.filter((c) => c.ok).length}/${this.checks.length} checks passed`);
    this.done = true;
    // nothing evaluates after the end: the frame heads and drops it kept go (a run stays in lab.programs())
    this.seen.length = 0;
    this.drops.length = 0;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.lab.fabric.listenersChanged();
  }

  /** The run so far (done: its result). Copies: the caller may keep them. */
  progress(): ScenarioProgress {
    const timeline = this.timeline.slice().sort((a, b) => a.time - b.time);
    return {
      id: this.id,
      name: this.sc.name,
      passed: this.done ? this.passedAtEnd : this.checks.every((c) => c.ok),
      durationNs: this.durationNs,
      timeline,
      pings: this.pings.map((p) => this.outcome(p)),
      checks: this.checks.slice(),
      startNs: this.startNs,
      elapsedNs: Math.min(this.durationNs, Math.max(0, this.now)),
      done: this.done,
    };
  }

  private onEvent(e: TraceEvent): void {
    const time = (e.timeBaseNs !== undefined ? Number(e.timeBaseNs) : 0) + e.time - this.startNs;
    if (e.action === 'change') this.note(time, 'change', e.detail);
    else if (e.action === 'failover') this.note(time, 'failover', e.detail);
    else if (e.action === 'notify') this.note(time, 'notify', e.detail);
    else if (e.action === 'beacon' && e.copyId === 0) this.note(time, 'beacon', e.detail);
    if (e.action === 'drop') {
      this.drops.push({ time, port: e.port, reason: e.reason ?? '' });
      if (e.reason === 'SHAPING_QUEUE_FULL' && this.shapingDrops++ === 0) this.note(time, 'shaping', `first SHAPING_QUEUE_FULL drop at ${e.port} (Q1)`);
      return;
    }
    if (e.point === undefined || e.frame === undefined) return;
    const f = e.frame;
    this.seen.push({ time, port: e.port, point: e.point, vlan: e.vlan, frame: f.slice(0, HEAD_BYTES), bytes: f.length });
    if (this.pings.length > 0) this.trackPing(e);
  }

  private trackPing(e: TraceEvent): void {
    const echo = echoOf(e.frame!);
    if (!echo) return;
    for (const p of this.pings) {
      if (p.id < 0) {
        if (echo.type === IcmpType.EchoRequest && echo.dst === p.dst && e.port === p.doc.from && (e.point === 'HostTx' || e.point === 'PortInput')) p.id = echo.id;
        else continue;
      }
      if (echo.id !== p.id || (echo.type === IcmpType.EchoRequest ? echo.dst : echo.src) !== p.dst) continue;
      if (echo.type === IcmpType.EchoRequest && e.port === p.doc.from && (e.point === 'HostTx' || e.point === 'PortInput')) p.tx.add(echo.seq);
      if (echo.type === 0 && e.port === p.doc.from && (e.point === 'HostRx' || e.point === 'PortOutput')) p.rx.add(echo.seq);
      if (e.point === 'UplinkSnd' || e.point === 'UplinkRcv') {
        const dir = `${echo.type === IcmpType.EchoRequest ? 'requests' : 'replies'} ${e.point === 'UplinkSnd' ? 'leave by' : 'arrive on'}`;
        const node = e.port.split(':')[0]!;
        const key = `${dir}@${node}`;
        if (p.lastVia.get(key) !== e.port) {
          const was = p.lastVia.get(key);
          p.lastVia.set(key, e.port);
          this.note(e.time - this.startNs, 'path', `ping ${p.name}: ${dir} ${e.port}${was ? ` (was ${was})` : ''} from seq ${echo.seq}`);
        }
      }
    }
  }

  /** The endpoint a continuous ping is sent from; LabError when `from` is none. */
  private pingTarget(doc: ContinuousPingDoc): NonNullable<ReturnType<Lab['fabric']['byId']['get']>> {
    const lab = this.lab;
    const iface = lab.fabric.byId.get(doc.from);
    if (!iface || iface.stack === null) {
      const endpoints = lab.fabric.ifaces.filter((i) => i.stack !== null).map((i) => i.id);
      const near = nearNames(doc.from, endpoints);
      throw new LabError(`ping from ${doc.from}: not an endpoint of this topology (a vNIC, vmk or physical host NIC)${near.length ? `; did you mean ${near.join(', ')}?` : ''}`);
    }
    return iface;
  }

  private startPing(doc: ContinuousPingDoc): void {
    const iface = this.pingTarget(doc);
    // E4: an address with a colon is IPv6 (the schema checked it is one or the other)
    const dst4 = parseIpv4Cidr(doc.to);
    const dst6 = dst4 ? null : parseIpv6Cidr(doc.to);
    const dstBytes = dst4 ? new Uint8Array([dst4.address >>> 24, (dst4.address >>> 16) & 0xff, (dst4.address >>> 8) & 0xff, dst4.address & 0xff]) : dst6!.address;
    const startNs = timeNs(doc.start);
    const intervalNs = doc.intervalMs * 1e6;
    const untilNs = doc.until !== undefined ? timeNs(doc.until) : this.durationNs - doc.timeoutMs * 1e6;
    const count = doc.count ?? Math.max(1, Math.floor((untilNs - startNs) / intervalNs) + 1);
    const name = doc.name ?? `${doc.from}->${doc.to}`;
    const st: PingState = { doc, name, dst: addrKey(dstBytes, 0, dstBytes.length), count, startNs, id: -1, tx: new Set(), rx: new Set(), lastVia: new Map() };
    this.pings.push(st);
    this.note(this.now, 'ping', `ping ${name}: ${count} probes every ${doc.intervalMs} ms from ${doc.from} to ${doc.to}`);
    iface.stack!.ping({ dst: dst4 ? dst4.address >>> 0 : 0, ...(dst6 ? { dst6: dst6.address } : {}), count, size: doc.size, df: false, intervalNs, timeoutNs: doc.timeoutMs * 1e6 }, () => undefined);
  }

  private macOf(text: string): string {
    const b = parseMac(text);
    return b ? formatMac(b) : this.lab.effectiveMac(text);
  }

  private window(after: number | string | undefined, before: number | string | undefined): [number, number] {
    return [after === undefined ? 0 : timeNs(after), before === undefined ? Infinity : timeNs(before)];
  }

  private evaluate(ex: ScenarioExpectDoc, label: string): CheckOutcome[] {
    const lab = this.lab;
    const now = this.now;
    const out: CheckOutcome[] = [];
    const add = (what: string, ok: boolean, detail: string, about: string[], from = 0, to = now) => out.push({ time: now, what: `${label}${what}`, ok, detail, from, to: Math.min(to, now), about });
    for (const pe of ex.pings ?? []) {
      const p = this.pings.find((x) => x.name === pe.ping);
      if (!p) {
        add(`ping ${pe.ping}`, false, `no continuous ping named "${pe.ping}" (pings: ${this.pings.map((x) => x.name).join(', ') || 'none'})`, [`ping ${pe.ping}`]);
        continue;
      }
      const o = this.outcome(p);
      const bad: string[] = [];
      if (pe.maxLost !== undefined && o.lost > pe.maxLost) bad.push(`lost ${o.lost} > ${pe.maxLost}`);
      if (pe.minLost !== undefined && o.lost < pe.minLost) bad.push(`lost ${o.lost} < ${pe.minLost}`);
      if (pe.minReceived !== undefined && o.received < pe.minReceived) bad.push(`received ${o.received} < ${pe.minReceived}`);
      add(
        `ping ${p.name} loss`,
        bad.length === 0,
        `${o.received}/${o.count} answered, ${o.lost} lost${o.lostSeqs.length ? ` (seq ${o.lostSeqs.join(', ')})` : ''}${bad.length ? `: ${bad.join('; ')}` : ''}`,
        [`ping ${p.name}`],
        p.startNs,
      );
    }
    for (const fe of ex.frames ?? []) {
      const [a, b] = this.window(fe.after, fe.before);
      const src = fe.src !== undefined ? this.macOf(fe.src) : undefined;
      const dst = fe.dst !== undefined ? this.macOf(fe.dst) : undefined;
      const ping = fe.ping !== undefined ? this.pings.find((x) => x.name === fe.ping) : undefined;
      if (fe.ping !== undefined && !ping) {
        add(`frames at ${fe.at}`, false, `no continuous ping named "${fe.ping}"`, [`ping ${fe.ping}`]);
        continue;
      }
      let n = 0;
      for (const s of this.seen) {
        if (s.port !== fe.at || s.time < a || s.time >= b || s.point === 'Drop') continue;
        if (fe.point !== undefined && s.point !== fe.point) continue;
        if (fe.vlan !== undefined && (s.vlan ?? 0) !== fe.vlan) continue;
        if (!this.kindMatches(fe.kind, s.frame)) continue;
        if (src !== undefined && formatMac(s.frame, SRC_OFFSET) !== src) continue;
        if (dst !== undefined && formatMac(s.frame, DST_OFFSET) !== dst) continue;
        if (ping) {
          const e = echoOf(s.frame);
          if (!e || e.id !== ping.id || (e.type === IcmpType.EchoRequest ? e.dst : e.src) !== ping.dst) continue;
        }
        n++;
      }
      const ok = n >= fe.min && (fe.max === undefined || n <= fe.max);
      const range = fe.max === undefined ? `>= ${fe.min}` : fe.min === fe.max ? `${fe.min}` : `${fe.min}..${fe.max}`;
      const when = `${a > 0 ? ` after ${secs(a)}` : ''}${b !== Infinity ? ` before ${secs(b)}` : ''}`;
      add(
        `${fe.kind === 'any' ? '' : `${fe.kind} `}frames${ping ? ` of ping ${ping.name}` : ''} at ${fe.at}${fe.point ? ` (${fe.point})` : ''}${when}`,
        ok,
        `${n} seen, expected ${range}`,
        [...ifaceWords(fe.at), ...(src !== undefined ? [src] : []), ...(ping ? [`ping ${ping.name}`] : [])],
        a,
        b,
      );
    }
    for (const me of ex.macTable ?? []) {
      let rows;
      try {
        rows = lab.macTable(me.switch);
      } catch (err) {
        add(`MAC table of ${me.switch}`, false, err instanceof Error ? err.message : String(err), [me.switch]);
        continue;
      }
      const mac = this.macOf(me.mac);
      const hits = rows.filter((r) => r.mac === mac && (me.vlan === undefined || r.vlan === me.vlan));
      const ok = me.port === null ? hits.length === 0 : hits.length > 0 && hits.every((r) => r.port === me.port);
      add(
        `MAC table ${me.switch}: ${mac}${me.vlan !== undefined ? ` VLAN ${me.vlan}` : ''}`,
        ok,
        `${hits.length ? hits.map((r) => `on ${r.port} (VLAN ${r.vlan})`).join(', ') : 'not in the table'}; expected ${me.port ?? 'absent'}`,
        [mac, ...ifaceWords(me.port ?? undefined)],
      );
    }
    for (const de of ex.drops ?? []) {
      const [a, b] = this.window(de.after, de.before);
      const n = this.drops.filter((d) => d.reason === de.reason && (de.at === undefined || d.port === de.at) && d.time >= a && d.time < b).length;
      const ok = n >= de.min && (de.max === undefined || n <= de.max);
      add(`drops ${de.reason}${de.at ? ` at ${de.at}` : ''}`, ok, `${n} dropped, expected ${de.max === undefined ? `>= ${de.min}` : `${de.min}..${de.max}`}`, [de.reason, ...ifaceWords(de.at)], a, b);
    }
    for (const re of ex.rates ?? []) {
      const a = timeNs(re.after);
      const b = timeNs(re.before);
      const src = re.src !== undefined ? this.macOf(re.src) : undefined;
      let bytes = 0;
      for (const s of this.seen) {
        if (s.port !== re.at || s.time < a || s.time >= b || s.point === 'Drop') continue;
        if (re.point !== undefined && s.point !== re.point) continue;
        if (src !== undefined && formatMac(s.frame, SRC_OFFSET) !== src) continue;
        bytes += s.bytes;
      }
      const bps = b > a ? (bytes * 8 * 1e9) / (b - a) : 0;
      const ok = Math.abs(bps - re.bps) <= re.tolerance * re.bps;
      add(
        `rate at ${re.at} ${secs(a)}..${secs(b)}`,
        ok,
        `${Math.round(bps)} bit/s, expected ${re.bps} bit/s ±${(re.tolerance * 100).toFixed(1)}%`,
        [...ifaceWords(re.at), ...(src !== undefined ? [src] : [])],
        a,
        b,
      );
    }
    return out;
  }

  private kindMatches(kind: string, frame: Uint8Array): boolean {
    if (kind === 'any') return true;
    const et = innerEthertype(frame); // after every VLAN tag (0x8100, 0x88a8, 0x9100)
    switch (kind) {
      case 'rarp':
        return et === EtherType.RARP;
      case 'beacon':
        return et === BEACON_ETHERTYPE;
      case 'arp':
        return et === EtherType.ARP;
      case 'ipv4':
        return et === EtherType.IPv4;
      case 'icmp-echo-request':
        return echoOf(frame)?.type === IcmpType.EchoRequest;
      case 'icmp-echo-reply':
        return echoOf(frame)?.type === IcmpType.EchoReply;
      default:
        return false;
    }
  }

  private outcome(p: PingState): PingOutcome {
    const lostSeqs: number[] = [];
    for (let s = 1; s <= p.count; s++) if (!p.rx.has(s)) lostSeqs.push(s);
    return { name: p.name, from: p.doc.from, to: p.doc.to, count: p.count, transmitted: p.tx.size, received: p.rx.size, lost: lostSeqs.length, lostSeqs };
  }
}
