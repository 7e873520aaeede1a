/**
 * Exact nanosecond timestamps at any virtual time (issue 18 item 7):
 * - the lab's clock is a double counted from a base that moves forward (LabOptions.rebaseAtNs,
 *   ~52 days by default): a lab that moves its base every millisecond does what a lab that never
 *   moves it does, event for event, time for time, on every example topology;
 * - past 2^53 ns of virtual time (~104 days), frames 1 ns apart are captured 1 ns apart, in pcapng
 *   and pcap-ns (read by tshark), in their trace events, and by replay's `original` timing — a
 *   double would round them to 2 ns;
 * - packets years apart round-trip through our writers, our readers and tshark to the nanosecond,
 *   and replay shortens their gap to --max-gap exactly.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { CaptureSession } from '../../src/capture/capture-session.js';
import { PcapWriter } from '../../src/capture/pcap-writer.js';
import { PcapngWriter } from '../../src/capture/pcapng-writer.js';
import { readCapture } from '../../src/capture/read-capture.js';
import { replayCapture } from '../../src/capture/replay.js';
import { createLab, type Lab, type TraceEvent } from '../../src/engine/index.js';
import { buildEthernet } from '../../src/wire/index.js';
import { TOPOLOGIES, load, workload } from '../engine/workload.js';
import { A, B, vstLab } from './capture-lab.js';
import { memorySink, tempDir, tsharkFields } from './capture-tools.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

const DAY_NS = 86_400_000_000_000;
/** 110 days: past 2^53 ns (~104.2 days) */
const LONG_NS = 110n * BigInt(DAY_NS);

/** `ns` since the epoch as tshark prints frame.time_epoch: seconds.nanoseconds */
function epochText(ns: bigint): string {
  return `${ns / 1_000_000_000n}.${(ns % 1_000_000_000n).toString().padStart(9, '0')}`;
}

/** A trace event's exact virtual time, ns since the lab started (its time counts from the clock base once that moved). */
function exactTime(e: TraceEvent): bigint {
  return (e.timeBaseNs ?? 0n) + BigInt(Math.round(e.time));
}

/** A trace event as a comparable record: its exact time instead of the base-relative one, no bytes. */
function comparable(e: TraceEvent): Record<string, unknown> {
  const { frame, time, timeBaseNs, ...rest } = e;
  void time;
  void timeBaseNs;
  return { ...rest, at: exactTime(e), bytes: frame === undefined ? undefined : Buffer.from(frame).toString('hex') };
}

/** Runs the lab `ns` of virtual time (in day-long runs, as a server's clock would over months). */
function advance(lab: Lab, ns: bigint): void {
  let rest = ns;
  while (rest > 0n) {
    const step = rest > BigInt(DAY_NS) ? DAY_NS : Number(rest);
    lab.run({ forNs: step });
    rest -= BigInt(step);
  }
}

describe('the clock base moves without changing what the lab does', () => {
  for (const file of TOPOLOGIES) {
    it(`${file}: rebased every millisecond = never rebased (events, times, counters, MAC tables)`, () => {
      const doc = load(file);
      const run = (rebaseAtNs?: number) => {
        const lab = createLab(doc, rebaseAtNs === undefined ? {} : { rebaseAtNs });
        const events: unknown[] = [];
        lab.trace.subscribe((e) => events.push(comparable(e)));
        // time-limited runs (the rebase happens between events), then long gaps (ARP entries and MAC addresses age)
        const runAll = (l: Lab): void => {
          for (let i = 0; i < 30; i++) l.run({ forNs: 1_000_000 });
          l.run({ forNs: 400_000_000_000 });
          l.run();
        };
        workload(lab, doc, runAll);
        const counters = lab.interfaces().map((i) => lab.counters(i.id));
        return { lab, events, counters, now: lab.nowNs() };
      };
      const plain = run();
      const rebased = run(1_000_000);
      expect(plain.lab.clockBaseNs).toBe(0n);
      expect(rebased.lab.clockBaseNs).toBeGreaterThan(400_000_000_000n);
      expect(rebased.now).toBe(plain.now);
      expect(rebased.lab.now).toBe(plain.lab.now);
      expect(rebased.events.length).toBeGreaterThan(0);
      expect(rebased.events).toEqual(plain.events);
      expect(rebased.counters).toEqual(plain.counters);
    });
  }
});

describe('past 2^53 ns of virtual time', () => {
  it('frames 1 ns apart: pcapng and pcap-ns (tshark), the JSON of their events and the lab clock keep the nanosecond', async () => {
    const lab = createLab(vstLab(), { linkLatencyNs: 1 });
    const epochNs = 1_700_000_000_000_000_000n;
    const pcapng = tmp.file('long.pcapng');
    const pcapNs = tmp.file('long-ns.pcap');
    const a = new CaptureSession(lab, { file: pcapng, points: ['web-a:eth0:PortInput', 'web-b:eth0:PortOutput'], epochNs });
    const b = new CaptureSession(lab, { file: pcapNs, format: 'pcap-ns', points: ['web-a:eth0:PortInput'], epochNs });
    advance(lab, LONG_NS + 1n); // odd: a double cannot hold it past 2^53
    expect(lab.nowNs()).toBe(LONG_NS + 1n);
    expect(lab.clockBaseNs).toBeGreaterThan(0n);
    const events: TraceEvent[] = [];
    lab.trace.subscribe((e) => void (e.point === 'PortInput' && e.port === 'web-a:eth0' && events.push({ ...e })));
    const frame = buildEthernet({ src: A, dst: B, ethertype: 0x88b5, payload: new Uint8Array(46) });
    const sentAt: bigint[] = [];
    for (let i = 0; i < 3; i++) {
      sentAt.push(lab.nowNs());
      lab.inject('web-a:eth0', frame);
      lab.run({ forNs: 1 }); // the next frame 1 ns later
    }
    lab.run();
    a.stop();
    b.stop();
    expect(sentAt).toEqual([LONG_NS + 1n, LONG_NS + 2n, LONG_NS + 3n]);
    // the events: their exact time (base + time) to the ns
    expect(events.map(exactTime)).toEqual(sentAt);
    expect(events.every((e) => e.timeBaseNs !== undefined && e.time < 2 ** 53)).toBe(true);
    // pcapng: PortInput and PortOutput (a local delivery: no cable) at the send time; tshark agrees
    const rows = await tsharkFields(pcapng, ['frame.interface_name', 'frame.time_epoch']);
    expect(rows).toEqual(
      sentAt.flatMap((t) => [
        ['web-a:eth0 PortInput', epochText(epochNs + t)],
        ['web-b:eth0 PortOutput', epochText(epochNs + t)],
      ]),
    );
    const read = await readCapture(readFileSync(pcapng));
    expect(read.packets.map((p) => p.timestampNs)).toEqual(sentAt.flatMap((t) => [epochNs + t, epochNs + t]));
    expect((await tsharkFields(pcapNs, ['frame.time_epoch'])).map((r) => r[0])).toEqual(sentAt.map((t) => epochText(epochNs + t)));
  });

  it('replay --timing original past 2^53 ns: gaps of 1 ns, 3 ns and 1,000,000,007 ns enter exactly that far apart', async () => {
    const stamps = [1_000_000_000_000_000_001n, 1_000_000_000_000_000_002n, 1_000_000_000_000_000_005n, 1_000_000_001_000_000_012n];
    const m = memorySink();
    const w = new PcapngWriter({ sink: m.sink, interfaces: [{ name: 'in' }] });
    const frame = buildEthernet({ src: A, dst: B, ethertype: 0x88b5, payload: new Uint8Array(46) });
    for (const t of stamps) w.writePacket({ interface: 0, timestampNs: t, data: frame });
    w.end();
    const lab = createLab(vstLab(), { linkLatencyNs: 1 });
    advance(lab, LONG_NS);
    const epochNs = 1_600_000_000_000_000_000n;
    const session = new CaptureSession(lab, { points: ['web-a:eth0:PortInput'], record: true, epochNs });
    const summary = replayCapture(lab, await readCapture(m.bytes()), { into: 'web-a:eth0', timing: 'original' });
    session.stop();
    expect(summary.injected).toBe(4);
    expect(summary.gapsShortened).toBe(0);
    expect(summary.virtualNs).toBe(1_000_000_011);
    const got = session.recorded().map((p) => p.timestampNs);
    expect(got).toEqual(stamps.map((t) => epochNs + LONG_NS + (t - stamps[0]!)));
  });
});

describe('packets years apart', () => {
  // 1970 + 1 ns, 2023-11-14 .123456789, 2096 (past 2^62 ns), and one 2^64 - 1 ns would be 2554: pcapng's last
  const stamps = [1n, 1_700_000_000_123_456_789n, 4_000_000_000_987_654_321n];

  it('round-trip through pcapng and pcap-ns to the nanosecond: our readers and tshark', async () => {
    const frame = buildEthernet({ src: A, dst: B, ethertype: 0x88b5, payload: new Uint8Array(46) });
    const files: [string, Buffer][] = [];
    {
      const m = memorySink();
      const w = new PcapngWriter({ sink: m.sink, interfaces: [{ name: 'years' }] });
      for (const t of stamps) w.writePacket({ interface: 0, timestampNs: t, data: frame });
      w.end();
      files.push([tmp.file('years.pcapng'), m.bytes()]);
    }
    {
      const m = memorySink();
      const w = new PcapWriter({ sink: m.sink, resolution: 'ns' });
      for (const t of stamps) w.writePacket({ interface: 0, timestampNs: t, data: frame });
      w.end();
      files.push([tmp.file('years.pcap'), m.bytes()]);
    }
    for (const [path, bytes] of files) {
      const { writeFileSync } = await import('node:fs');
      writeFileSync(path, bytes);
      expect((await readCapture(bytes)).packets.map((p) => p.timestampNs)).toEqual(stamps);
      expect((await tsharkFields(path, ['frame.time_epoch'])).map((r) => r[0])).toEqual(stamps.map(epochText));
    }
  });

  it('replay --timing original shortens a gap of years to --max-gap exactly and keeps the nanoseconds of the others', async () => {
    const frame = buildEthernet({ src: A, dst: B, ethertype: 0x88b5, payload: new Uint8Array(46) });
    const m = memorySink();
    const w = new PcapngWriter({ sink: m.sink, interfaces: [{ name: 'years' }] });
    for (const t of [...stamps, stamps[2]! + 7n]) w.writePacket({ interface: 0, timestampNs: t, data: frame });
    w.end();
    const lab = createLab(vstLab());
    const session = new CaptureSession(lab, { points: ['web-a:eth0:PortInput'], record: true, epochNs: 0n });
    const maxGapNs = DAY_NS;
    const summary = replayCapture(lab, await readCapture(m.bytes()), { into: 'web-a:eth0', timing: 'original', maxGapNs });
    session.stop();
    expect(summary.gapsShortened).toBe(2);
    expect(session.recorded().map((p) => p.timestampNs)).toEqual([0n, BigInt(maxGapNs), 2n * BigInt(maxGapNs), 2n * BigInt(maxGapNs) + 7n]);
  });
});

describe('the lab clock as a number after a rebase', () => {
  it('now and nextEventTime stay in one frame (ns since the lab started): what a clock driver compares', () => {
    const lab = createLab(vstLab(), { rebaseAtNs: 1_000_000_000 });
    lab.run({ forNs: 5_500_000_000 });
    expect(lab.clockBaseNs).toBeGreaterThan(0n);
    expect(lab.now).toBe(5_500_000_000);
    expect(lab.nowNs()).toBe(5_500_000_000n);
    lab.injectLater(250, 'web-a:eth0', buildEthernet({ src: A, dst: B, ethertype: 0x88b5, payload: new Uint8Array(46) }));
    expect(lab.nextEventTime()).toBe(5_500_000_250);
    expect(lab.wallClockNs()).toBe(5_500_000_000);
  });
});
