/**
 * Runs a topology's `tests` block (or a scenario file's): each test sends frames and/or pings on
 * a fresh lab, watches the trace stream, and checks its `expect`.
 *
 * - Every test gets a **fresh lab** built from the topology: no ARP cache, MAC table or counter
 *   carries over from one test to the next, so tests can be read (and run) one by one.
 * - `send`: the frame spec is resolved for `from` (frame-spec.ts), injected `count` times (default
 *   1), and the lab runs until idle after each. The deliveries and drops checked are those of the
 *   sent frames only — copies of them at endpoints, and where and why copies were dropped — not
 *   the frames endpoints send in answer (an ARP reply, an echo reply).
 * - `ping`: `lab.ping` from `from` to `to` (ARP, echo requests and replies run on the virtual
 *   clock); deliveries and drops are those of every frame during the ping. When a test has both,
 *   the send runs first, then the ping.
 * - Deliveries are copies that reached an endpoint interface (VM vNIC, vmk, physical host NIC).
 * - On a failure the result carries the explain trace (O2) of the sent frame, or of the ping's
 *   first echo request, on another fresh lab.
 */
import { describe, readTags, toHex } from '../wire/index.js';
import type { FrameSpecDoc, TestCaseDoc, TestExpectDoc, TopologyDoc } from '../topology/schema.js';
import type { PingResult } from './endpoint.js';
import { resolveFrameSpec } from './frame-spec.js';
import { createLab, type Lab, type LabOptions } from './lab.js';
import { explainLines, isVmkInterface, pingOutput } from './trace-text.js';
import type { TraceEvent } from './trace.js';
import { stormLine } from './storm.js';

/** A copy of a frame that reached an endpoint interface. */
export interface ObservedDelivery {
  frameId: number;
  /** `node:interface` of the endpoint that received it */
  to: string;
  /** the bytes as received, hex */
  frame: string;
  /** one-line summary (Wireshark's Info column) */
  summary: string;
  /** outer 802.1Q VLAN ID of the copy as received, or 'untagged' */
  vlan: number | 'untagged';
  /** rule of the delivery decision */
  rule: string;
}

/** A copy that was dropped. */
export interface ObservedDrop {
  frameId: number;
  /** `node:interface` (or `host:vSwitch`) where it was dropped */
  at: string;
  /** drop reason code (reasons.ts) */
  reason: string;
  /** rule ID of the reason */
  rule: string;
  /** the sentence of the drop */
  detail: string;
}

export interface Observed {
  deliveries: ObservedDelivery[];
  drops: ObservedDrop[];
}

function delivery(e: TraceEvent): ObservedDelivery {
  const frame = e.frame ?? new Uint8Array(0);
  const tags = readTags(frame);
  return { frameId: e.frameId, to: e.port, frame: toHex(frame), summary: describe(frame), vlan: tags.length > 0 ? tags[0]!.vid : 'untagged', rule: e.rule ?? '' };
}

function dropOf(e: TraceEvent): ObservedDrop {
  return { frameId: e.frameId, at: e.port, reason: e.reason ?? 'UNKNOWN', rule: e.rule ?? '', detail: e.detail };
}

/**
 * Runs `fn` while listening to the lab's trace stream; returns the deliveries and drops seen
 * (of every frame, or of the frames `keep` accepts, by frame id).
 */
export function observe(lab: Lab, fn: () => void, keep?: (frameId: number) => boolean): Observed {
  const out: Observed = { deliveries: [], drops: [] };
  const events: TraceEvent[] = [];
  const off = lab.trace.subscribe((e) => {
    if (e.action === 'deliver' || e.action === 'drop') events.push(e);
  });
  try {
    fn();
  } finally {
    off();
  }
  for (const e of events) {
    if (keep && !keep(e.frameId)) continue;
    if (e.action === 'deliver') out.deliveries.push(delivery(e));
    else out.drops.push(dropOf(e));
  }
  return out;
}

/** Sends `frame` from `from` (`count` times, running to idle after each); the outcome of those frames only. */
export function sendAndObserve(lab: Lab, from: string, frame: Uint8Array, count = 1): Observed & { frameIds: number[] } {
  const ids = new Set<number>();
  const obs = observe(
    lab,
    () => {
      for (let i = 0; i < count; i++) {
        ids.add(lab.inject(from, frame));
        lab.run();
      }
    },
    (id) => ids.has(id),
  );
  return { ...obs, frameIds: [...ids] };
}

export interface PingOutcome {
  result: PingResult;
  /** the printout, as ping / vmkping would show it */
  output: string[];
}

export interface TestResult {
  name: string;
  description?: string;
  passed: boolean;
  /** one line per unmet expectation (or the error that stopped the test) */
  failures: string[];
  deliveries: ObservedDelivery[];
  drops: ObservedDrop[];
  ping?: PingOutcome;
  /** explain trace lines (O2) of the sent frame or the first echo request; on failure only */
  explain?: string[];
}

export interface TestRunResult {
  passed: number;
  failed: number;
  results: TestResult[];
}

export interface RunTestsOptions {
  labOptions?: LabOptions;
  /** Makes each test's fresh lab (default createLab). */
  createLab?: (topology: TopologyDoc) => Lab;
}

const sorted = (xs: Iterable<string>) => [...new Set(xs)].sort();
const list = (xs: string[]) => (xs.length === 0 ? 'none' : xs.join(', '));

/** Checks `expect` against what happened; one line per unmet expectation. */
export function checkExpect(expect: TestExpectDoc, obs: Observed, ping: PingOutcome | undefined): string[] {
  const fails: string[] = [];
  const got = sorted(obs.deliveries.map((d) => d.to));
  if (expect.deliveredTo) {
    const want = sorted(expect.deliveredTo);
    const missing = want.filter((w) => !got.includes(w));
    const extra = got.filter((g) => !want.includes(g));
    if (missing.length || extra.length) {
      fails.push(
        `deliveredTo: expected exactly [${want.join(', ')}], got [${got.join(', ')}]${missing.length ? `; missing ${missing.join(', ')}` : ''}${
          extra.length ? `; unexpected ${extra.join(', ')}` : ''
        }`,
      );
    }
  }
  if (expect.alsoDeliveredTo) {
    const missing = expect.alsoDeliveredTo.filter((w) => !got.includes(w));
    if (missing.length) fails.push(`alsoDeliveredTo: no copy reached ${missing.join(', ')} (delivered to: ${list(got)})`);
  }
  if (expect.notDeliveredTo) {
    const hit = expect.notDeliveredTo.filter((w) => got.includes(w));
    if (hit.length) fails.push(`notDeliveredTo: a copy reached ${hit.join(', ')}`);
  }
  const dropsText = () => list(obs.drops.map((d) => `${d.reason} at ${d.at}`));
  if (expect.drop) {
    const { reason, at } = expect.drop;
    const ok = obs.drops.some((d) => d.reason === reason && (at === undefined || d.at === at || d.at.split(':')[0] === at));
    if (!ok) fails.push(`drop: expected ${reason}${at ? ` at ${at}` : ''}; drops: ${dropsText()}`);
  }
  if (expect.noDrops && obs.drops.length > 0) fails.push(`noDrops: ${obs.drops.length} dropped: ${dropsText()}`);
  if (expect.deliveredVlan) {
    for (const [iface, want] of Object.entries(expect.deliveredVlan)) {
      const copies = obs.deliveries.filter((d) => d.to === iface);
      if (copies.length === 0) fails.push(`deliveredVlan: no copy reached ${iface}`);
      else {
        const bad = copies.filter((c) => c.vlan !== want);
        if (bad.length)
          fails.push(
            `deliveredVlan: ${iface} received ${bad.map((c) => (c.vlan === 'untagged' ? 'untagged' : `VLAN ${c.vlan}`)).join(', ')}, expected ${want === 'untagged' ? 'untagged' : `VLAN ${want}`}`,
          );
      }
    }
  }
  if (expect.pingSucceeds !== undefined || expect.pingMessage !== undefined) {
    if (!ping) fails.push('pingSucceeds/pingMessage: the test has no ping');
    else {
      const r = ping.result;
      if (expect.pingSucceeds === true && r.received === 0) fails.push(`pingSucceeds: no reply (${r.transmitted} transmitted, 0 received${r.errors.length ? `; ${r.errors.join('; ')}` : ''})`);
      if (expect.pingSucceeds === false && r.received > 0) fails.push(`pingSucceeds: expected failure, got ${r.received} of ${r.transmitted} replies`);
      if (expect.pingMessage !== undefined && !ping.output.some((l) => l.includes(expect.pingMessage!))) {
        fails.push(`pingMessage: the output does not contain "${expect.pingMessage}"`);
      }
    }
  }
  return fails;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function explainFor(topology: TopologyDoc, make: (t: TopologyDoc) => Lab, test: TestCaseDoc, ping: PingOutcome | undefined): string[] {
  let from: string;
  let spec: FrameSpecDoc;
  let header: string;
  if (test.send) {
    from = test.send.from;
    spec = test.send.frame;
    header = `explain: the sent frame from ${from}`;
  } else if (test.ping) {
    if (ping && ping.result.errors.length > 0 && ping.result.transmitted === 0) return [`explain: nothing was sent (${ping.result.errors.join('; ')})`];
    from = test.ping.from;
    spec = { kind: 'icmp-echo', dstIp: test.ping.to, size: test.ping.size, df: test.ping.df };
    header = `explain: the first echo request from ${from} (destination MAC as ARP would resolve it)`;
  } else return [];
  try {
    const lab = make(topology);
    return [header, ...explainLines(lab.explain(from, resolveFrameSpec(lab, from, spec)))];
  } catch (err) {
    return [`explain: not available (${errorText(err)})`];
  }
}

/** Runs one test on a fresh lab. Never throws: an error (unknown interface, bad frame) is a failure. */
export function runTest(topology: TopologyDoc, test: TestCaseDoc, options: RunTestsOptions = {}): TestResult {
  const make = options.createLab ?? ((t: TopologyDoc) => createLab(t, options.labOptions));
  const result: TestResult = { name: test.name, passed: false, failures: [], deliveries: [], drops: [] };
  if (test.description !== undefined) result.description = test.description;
  let ping: PingOutcome | undefined;
  try {
    if (!test.send && !test.ping) throw new Error('the test has neither send nor ping');
    const lab = make(topology);
    if (test.send) {
      const frame = resolveFrameSpec(lab, test.send.from, test.send.frame);
      const obs = sendAndObserve(lab, test.send.from, frame, test.send.count ?? 1);
      result.deliveries.push(...obs.deliveries);
      result.drops.push(...obs.drops);
    }
    if (test.ping) {
      const p = test.ping;
      let r: PingResult | undefined;
      const obs = observe(lab, () => {
        r = lab.ping(p.from, p.to, { count: p.count, size: p.size, df: p.df });
      });
      ping = { result: r!, output: pingOutput(r!, { from: p.from, dstIp: p.to, size: p.size, vmkping: isVmkInterface(p.from), ipv6: p.to.includes(':') }) };
      result.ping = ping;
      result.deliveries.push(...obs.deliveries);
      result.drops.push(...obs.drops);
    }
    result.failures = checkExpect(test.expect, result, ping);
    // P5: a storm is an outcome of its own, never a pass (the expectations may still have held)
    const storms = lab.storms();
    if (storms.reports[0] !== undefined) result.failures.push(stormLine(storms.reports[0], storms.cut));
  } catch (err) {
    result.failures = [`error: ${errorText(err)}`];
  }
  result.passed = result.failures.length === 0;
  if (!result.passed) result.explain = explainFor(topology, make, test, ping);
  return result;
}

/** Runs every test, each on its own fresh lab. */
export function runTests(topology: TopologyDoc, tests: readonly TestCaseDoc[], options: RunTestsOptions = {}): TestRunResult {
  const results = tests.map((t) => runTest(topology, t, options));
  const passed = results.filter((r) => r.passed).length;
  return { passed, failed: results.length - passed, results };
}
