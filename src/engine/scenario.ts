/**
 * Runs a timed scenario (src/topology/scenario.ts) on a fresh lab: continuous pings, runtime
 * changes (runtime-changes.ts), frames sent at given times, `check` steps, and the final
 * expectations — all on the virtual clock, so a run is deterministic. The result is a timeline
 * (changes, failovers, RARPs, beacon verdicts, lost probes, path changes of each ping) and every
 * expectation with its outcome. Used by `vswitch-lab run` and the engine tests.
 *
 * Expectations read the trace stream (O1 capture points and drops), the MAC tables (P1) and the
 * ping outcomes; nothing re-derives a forwarding decision.
 */
import { formatMac, l3Offset, parseIpv4, parseIpv6, parseMac } from '../wire/index.js';
import type { TopologyDoc } from '../topology/schema.js';
import { Scenario, timeNs, type ContinuousPingDoc, type ScenarioDoc, type ScenarioExpectDoc } from '../topology/scenario.js';
import { resolveFrameSpec } from './frame-spec.js';
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
  const off = l3Offset(frame);
  if (off < 14) return null;
  const r16 = (o: number) => (frame[o]! << 8) | frame[o + 1]!;
  if (frame[off - 2] === 0x86 && frame[off - 1] === 0xdd) {
    if (frame.length < off + 48 || frame[off]! >> 4 !== 6 || frame[off + 6] !== 58) return null;
    const t6 = frame[off + 40]!;
    if (t6 !== 128 && t6 !== 129) return null;
    const i = off + 40;
    return { type: t6 === 128 ? 8 : 0, src: addrKey(frame, off + 8, 16), dst: addrKey(frame, off + 24, 16), id: r16(i + 4), seq: r16(i + 6) };
  }
  if (frame.length < off + 28) return null;
  if (frame[off - 2] !== 0x08 || frame[off - 1] !== 0x00) return null;
  if ((frame[off]! >> 4) !== 4 || frame[off + 9] !== 1) return null;
  const ihl = (frame[off]! & 0x0f) * 4;
  if (frame.length < off + ihl + 8) return null;
  const t = frame[off + ihl]!;
  if (t !== 0 && t !== 8) return null;
  const i = off + ihl;
  return { type: t, src: addrKey(frame, off + 12, 4), dst: addrKey(frame, off + 16, 4), id: r16(i + 4), seq: r16(i + 6) };
}

function ethertypeOf(frame: Uint8Array): number {
  let o = 12;
  while (o + 1 < frame.length && ((frame[o] === 0x81 && frame[o + 1] === 0x00) || (frame[o] === 0x88 && frame[o + 1] === 0xa8))) o += 4;
  return ((frame[o] ?? 0) << 8) | (frame[o + 1] ?? 0);
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

/** Runs `scenario` (a document or untrusted JSON) on a new lab built from `topology`. Throws LabError for a bad scenario. */
export function runScenario(topology: TopologyDoc, scenario: unknown, options: ScenarioRunOptions = {}): ScenarioResult {
  const sc = parseScenario(scenario);
  const { createLab: make, ...labOptions } = options;
  const lab = make ? make(topology) : createLab(topology, labOptions);
  return new ScenarioRun(lab, sc).run();
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

class ScenarioRun {
  private readonly seen: Seen[] = [];
  private readonly drops: { time: number; port: string; reason: string }[] = [];
  private readonly timeline: TimelineEntry[] = [];
  private readonly checks: CheckOutcome[] = [];
  private readonly pings: PingState[] = [];
  private readonly durationNs: number;
  private shapingDrops = 0;

  constructor(
    private readonly lab: Lab,
    private readonly sc: ScenarioDoc,
  ) {
    this.durationNs = timeNs(sc.duration);
  }

  private note(time: number, kind: TimelineKind, text: string, ok?: boolean): void {
    const e: TimelineEntry = { time, kind, text };
    if (ok !== undefined) e.ok = ok;
    this.timeline.push(e);
  }

  private onEvent(e: TraceEvent): void {
    if (e.action === 'change') this.note(e.time, 'change', e.detail);
    else if (e.action === 'failover') this.note(e.time, 'failover', e.detail);
    else if (e.action === 'notify') this.note(e.time, 'notify', e.detail);
    else if (e.action === 'beacon' && e.copyId === 0) this.note(e.time, 'beacon', e.detail);
    if (e.action === 'drop') {
      this.drops.push({ time: e.time, port: e.port, reason: e.reason ?? '' });
      if (e.reason === 'SHAPING_QUEUE_FULL' && this.shapingDrops++ === 0) this.note(e.time, 'shaping', `first SHAPING_QUEUE_FULL drop at ${e.port} (Q1)`);
      return;
    }
    if (e.point === undefined || e.frame === undefined) return;
    const f = e.frame;
    this.seen.push({ time: e.time, port: e.port, point: e.point, vlan: e.vlan, frame: f.slice(0, HEAD_BYTES), bytes: f.length });
    if (this.pings.length > 0) this.trackPing(e);
  }

  private trackPing(e: TraceEvent): void {
    const echo = echoOf(e.frame!);
    if (!echo) return;
    for (const p of this.pings) {
      if (p.id < 0) {
        if (echo.type === 8 && echo.dst === p.dst && e.port === p.doc.from && (e.point === 'HostTx' || e.point === 'PortInput')) p.id = echo.id;
        else continue;
      }
      if (echo.id !== p.id || (echo.type === 8 ? echo.dst : echo.src) !== p.dst) continue;
      if (echo.type === 8 && e.port === p.doc.from && (e.point === 'HostTx' || e.point === 'PortInput')) p.tx.add(echo.seq);
      if (echo.type === 0 && e.port === p.doc.from && (e.point === 'HostRx' || e.point === 'PortOutput')) p.rx.add(echo.seq);
      if (e.point === 'UplinkSnd' || e.point === 'UplinkRcv') {
        const dir = `${echo.type === 8 ? 'requests' : 'replies'} ${e.point === 'UplinkSnd' ? 'leave by' : 'arrive on'}`;
        const node = e.port.split(':')[0]!;
        const key = `${dir}@${node}`;
        if (p.lastVia.get(key) !== e.port) {
          const was = p.lastVia.get(key);
          p.lastVia.set(key, e.port);
          this.note(e.time, 'path', `ping ${p.name}: ${dir} ${e.port}${was ? ` (was ${was})` : ''} from seq ${echo.seq}`);
        }
      }
    }
  }

  private startPing(doc: ContinuousPingDoc): void {
    const lab = this.lab;
    const iface = lab.fabric.byId.get(doc.from);
    if (!iface || iface.stack === null) {
      const endpoints = lab.fabric.ifaces.filter((i) => i.stack !== null).map((i) => i.id);
      const near = nearNames(doc.from, endpoints);
      throw new LabError(`ping from ${doc.from}: not an endpoint of this topology (a vNIC, vmk or physical host NIC)${near.length ? `; did you mean ${near.join(', ')}?` : ''}`);
    }
    // E4: an address with a colon is IPv6 (the schema checked it is one or the other)
    const dst4 = parseIpv4(doc.to);
    const dst6 = dst4 ? null : parseIpv6(doc.to);
    const dstBytes = dst4 ? new Uint8Array([dst4.address >>> 24, (dst4.address >>> 16) & 0xff, (dst4.address >>> 8) & 0xff, dst4.address & 0xff]) : dst6!.address;
    const startNs = timeNs(doc.start);
    const intervalNs = doc.intervalMs * 1e6;
    const untilNs = doc.until !== undefined ? timeNs(doc.until) : this.durationNs - doc.timeoutMs * 1e6;
    const count = doc.count ?? Math.max(1, Math.floor((untilNs - startNs) / intervalNs) + 1);
    const name = doc.name ?? `${doc.from}->${doc.to}`;
    const st: PingState = { doc, name, dst: addrKey(dstBytes, 0, dstBytes.length), count, startNs, id: -1, tx: new Set(), rx: new Set(), lastVia: new Map() };
    this.pings.push(st);
    this.note(lab.now, 'ping', `ping ${name}: ${count} probes every ${doc.intervalMs} ms from ${doc.from} to ${doc.to}`);
    iface.stack.ping({ dst: dst4 ? dst4.address >>> 0 : 0, ...(dst6 ? { dst6: dst6.address } : {}), count, size: doc.size, df: false, intervalNs, timeoutNs: doc.timeoutMs * 1e6 }, () => undefined);
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
    const now = lab.now;
    const out: CheckOutcome[] = [];
    const add = (what: string, ok: boolean, detail: string, about: string[], from = 0, to = now) =>
      out.push({ time: now, what: `${label}${what}`, ok, detail, from, to: Math.min(to, now), about });
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
      add(`ping ${p.name} loss`, bad.length === 0, `${o.received}/${o.count} answered, ${o.lost} lost${o.lostSeqs.length ? ` (seq ${o.lostSeqs.join(', ')})` : ''}${bad.length ? `: ${bad.join('; ')}` : ''}`, [`ping ${p.name}`], p.startNs);
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
        if (src !== undefined && formatMac(s.frame, 6) !== src) continue;
        if (dst !== undefined && formatMac(s.frame, 0) !== dst) continue;
        if (ping) {
          const e = echoOf(s.frame);
          if (!e || e.id !== ping.id || (e.type === 8 ? e.dst : e.src) !== ping.dst) continue;
        }
        n++;
      }
      const ok = n >= fe.min && (fe.max === undefined || n <= fe.max);
      const range = fe.max === undefined ? `>= ${fe.min}` : fe.min === fe.max ? `${fe.min}` : `${fe.min}..${fe.max}`;
      const when = `${a > 0 ? ` after ${secs(a)}` : ''}${b !== Infinity ? ` before ${secs(b)}` : ''}`;
      add(`${fe.kind === 'any' ? '' : `${fe.kind} `}frames${ping ? ` of ping ${ping.name}` : ''} at ${fe.at}${fe.point ? ` (${fe.point})` : ''}${when}`, ok, `${n} seen, expected ${range}`, [...ifaceWords(fe.at), ...(src !== undefined ? [src] : []), ...(ping ? [`ping ${ping.name}`] : [])], a, b);
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
      add(`MAC table ${me.switch}: ${mac}${me.vlan !== undefined ? ` VLAN ${me.vlan}` : ''}`, ok, `${hits.length ? hits.map((r) => `on ${r.port} (VLAN ${r.vlan})`).join(', ') : 'not in the table'}; expected ${me.port ?? 'absent'}`, [mac, ...ifaceWords(me.port ?? undefined)]);
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
        if (src !== undefined && formatMac(s.frame, 6) !== src) continue;
        bytes += s.bytes;
      }
      const bps = b > a ? (bytes * 8 * 1e9) / (b - a) : 0;
      const ok = Math.abs(bps - re.bps) <= re.tolerance * re.bps;
      add(`rate at ${re.at} ${secs(a)}..${secs(b)}`, ok, `${Math.round(bps)} bit/s, expected ${re.bps} bit/s ±${(re.tolerance * 100).toFixed(1)}%`, [...ifaceWords(re.at), ...(src !== undefined ? [src] : [])], a, b);
    }
    return out;
  }

  private kindMatches(kind: string, frame: Uint8Array): boolean {
    if (kind === 'any') return true;
    const et = ethertypeOf(frame);
    switch (kind) {
      case 'rarp':
        return et === 0x8035;
      case 'beacon':
        return et === 0x05ff;
      case 'arp':
        return et === 0x0806;
      case 'ipv4':
        return et === 0x0800;
      case 'icmp-echo-request':
        return echoOf(frame)?.type === 8;
      case 'icmp-echo-reply':
        return echoOf(frame)?.type === 0;
      default:
        return false;
    }
  }

  private outcome(p: PingState): PingOutcome {
    const lostSeqs: number[] = [];
    for (let s = 1; s <= p.count; s++) if (!p.rx.has(s)) lostSeqs.push(s);
    return { name: p.name, from: p.doc.from, to: p.doc.to, count: p.count, transmitted: p.tx.size, received: p.rx.size, lost: lostSeqs.length, lostSeqs };
  }

  run(): ScenarioResult {
    const lab = this.lab;
    const sc = this.sc;
    const off = lab.trace.subscribe((e) => this.onEvent(e));
    type Action = { t: number; order: number; run: () => void };
    const actions: Action[] = [];
    sc.pings.forEach((p, i) => actions.push({ t: timeNs(p.start), order: i, run: () => this.startPing(p) }));
    sc.steps.forEach((s, i) => {
      actions.push({
        t: timeNs(s.at),
        order: sc.pings.length + i,
        run: () => {
          if (s.change !== undefined) {
            const r = lab.apply(s.change);
            if (s.refused) {
              const ok = !r.ok;
              this.note(lab.now, 'refused', r.ok ? `expected a refusal, but the change was applied: ${JSON.stringify(s.change)}` : `refused as expected: ${r.reason}`, ok);
              this.checks.push({ time: lab.now, what: `step at ${secs(lab.now)}: ${s.change.kind} refused`, ok, detail: r.ok ? 'applied' : r.reason, from: lab.now, to: lab.now, about: [] });
            } else if (!r.ok) {
              this.note(lab.now, 'refused', `change refused: ${r.reason}`, false);
              this.checks.push({ time: lab.now, what: `step at ${secs(lab.now)}: ${s.change.kind}`, ok: false, detail: `refused: ${r.reason}`, from: lab.now, to: lab.now, about: [] });
            }
          } else if (s.send !== undefined) {
            const send = s.send;
            let bytes: Uint8Array;
            try {
              bytes = resolveFrameSpec(lab, send.from, send.frame);
            } catch (err) {
              throw new LabError(`step at ${secs(lab.now)}: ${err instanceof Error ? err.message : String(err)}`);
            }
            this.note(lab.now, 'send', `${send.count} × ${bytes.length}-byte ${send.frame.kind} frame${send.count === 1 ? '' : 's'} from ${send.from}${send.count > 1 && send.intervalMs > 0 ? ` every ${send.intervalMs} ms` : ''}`);
            lab.inject(send.from, bytes);
            for (let k = 1; k < send.count; k++) {
              if (send.intervalMs === 0) lab.inject(send.from, bytes);
              else lab.fabric.scheduleTimer(k * send.intervalMs * 1e6, () => lab.fabric.scheduleSend(lab.fabric.byId.get(send.from)!, bytes.slice()));
            }
          } else if (s.check !== undefined) {
            const res = this.evaluate(s.check, `at ${secs(lab.now)}: `);
            this.checks.push(...res);
            for (const c of res) this.note(lab.now, 'check', `${c.what}: ${c.detail}`, c.ok);
          }
        },
      });
    });
    actions.sort((a, b) => a.t - b.t || a.order - b.order);
    try {
      this.note(0, 'start', `scenario "${sc.name}" for ${secs(this.durationNs)}`);
      for (const a of actions) {
        if (a.t > this.durationNs) throw new LabError(`a step at ${secs(a.t)} is after the end of the scenario (${secs(this.durationNs)})`);
        lab.run({ forNs: Math.max(0, a.t - lab.now) });
        a.run();
      }
      lab.run({ forNs: Math.max(0, this.durationNs - lab.now) });
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
        this.note(lab.now, 'ping', `ping ${p.name}: ${o.received}/${o.count} answered, ${o.lost} lost${groups.length ? `: ${groups.join(', ')}` : ''}`);
      }
      if (sc.expect) {
        const res = this.evaluate(sc.expect, '');
        this.checks.push(...res);
        for (const c of res) this.note(lab.now, 'check', `${c.what}: ${c.detail}`, c.ok);
      }
    } finally {
      off();
    }
    const passed = this.checks.every((c) => c.ok);
    this.note(lab.now, 'end', `${passed ? 'PASS' : 'FAIL'}: ${this.checks.filter((c) => c.ok).length}/${this.checks.length} checks passed`);
    this.timeline.sort((a, b) => a.time - b.time);
    return { name: sc.name, passed, durationNs: this.durationNs, timeline: this.timeline, pings: this.pings.map((p) => this.outcome(p)), checks: this.checks };
  }
}
