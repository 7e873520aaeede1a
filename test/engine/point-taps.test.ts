/**
 * The fast paths of the hot path keep the trace exactly as it was:
 * - point taps (`lab.trace.tapPoints`) see the same capture-point events, in the same order and
 *   with the same fields and detail lines (and a point code that names the point), as a full
 *   trace subscriber sees — whether they listen
 *   alone (the fabric then builds no event objects) or next to a subscriber;
 * - `run` drains the queue in a loop of its own when nothing periodic is due: the same events in
 *   the same order as stepping one event at a time.
 * Workload: every example topology, with pings, broadcasts, forged and tagged frames, unknown
 * unicast, frames arriving on uplinks, a link going down and beacon rounds where configured.
 */
import { describe, expect, it } from 'vitest';
import { createLab, type Lab } from '../../src/engine/lab.js';
import { CAPTURE_POINTS, type PointEvent, type TraceEvent } from '../../src/engine/trace.js';
import { buildEthernet } from '../../src/wire/index.js';
import { TOPOLOGIES, load, viaRun, viaStep, workload } from './workload.js';

/** The fields a tap sees, from a trace event with a point (or from the tap's own event). */
function pointFields(e: TraceEvent | PointEvent): object {
  return {
    time: e.time,
    frameId: e.frameId,
    copyId: e.copyId,
    parentCopyId: e.parentCopyId,
    port: e.port,
    point: e.point,
    frame: Buffer.from(e.frame!).toString('hex'),
    vlan: e.vlan,
    rule: e.rule,
    reason: e.reason,
    detail: e.detail,
  };
}

function tapFields(e: PointEvent, lab: Lab): object {
  expect(lab.interfaces()[e.ifaceIndex]!.id).toBe(e.port);
  // the number a tap switches on names the same point (captures index their tables by it)
  expect(CAPTURE_POINTS[e.pointCode]).toBe(e.point);
  return pointFields(e);
}

describe('point taps and the run fast path keep the trace as it was', () => {
  for (const file of TOPOLOGIES) {
    it(`${file}: taps alone, taps next to a subscriber, and the full stream agree on every capture-point event`, () => {
      const doc = load(file);
      // reference: the full stream
      const full = createLab(doc);
      const events: TraceEvent[] = [];
      full.trace.subscribe((e) => void events.push(e));
      workload(full, doc, viaRun);
      const expected = events.filter((e) => e.point !== undefined).map(pointFields);
      expect(expected.length).toBeGreaterThan(0);
      expect(expected.some((e) => (e as { point: string }).point === 'Drop')).toBe(true);

      // taps alone
      const alone = createLab(doc);
      const seen: object[] = [];
      alone.trace.tapPoints((e) => void seen.push(tapFields(e, alone)));
      workload(alone, doc, viaRun);
      expect(seen).toEqual(expected);
      expect(alone.allCounters()).toEqual(full.allCounters());

      // taps next to a subscriber: the taps see the same, the subscriber the whole stream
      const both = createLab(doc);
      const seen2: object[] = [];
      const events2: TraceEvent[] = [];
      both.trace.subscribe((e) => void events2.push(e));
      both.trace.tapPoints((e) => void seen2.push(tapFields(e, both)));
      workload(both, doc, viaRun);
      expect(seen2).toEqual(expected);
      expect(events2.map((e) => ({ ...e, frame: e.frame && Buffer.from(e.frame).toString('hex') }))).toEqual(
        events.map((e) => ({ ...e, frame: e.frame && Buffer.from(e.frame).toString('hex') })),
      );
    });

    it(`${file}: run's drain loop and step-by-step give the same events in the same order`, () => {
      const doc = load(file);
      const record = (runAll: (lab: Lab) => void) => {
        const lab = createLab(doc);
        const out: string[] = [];
        lab.trace.subscribe((e) => void out.push(JSON.stringify({ ...e, frame: e.frame && Buffer.from(e.frame).toString('hex') })));
        workload(lab, doc, runAll);
        return { out, counters: lab.allCounters(), now: lab.now };
      };
      const a = record(viaRun);
      const b = record(viaStep);
      expect(a.out.length).toBeGreaterThan(0);
      expect(a.out).toEqual(b.out);
      expect(a.counters).toEqual(b.counters);
    });
  }

  it('a tap stops at unsubscribe (twice is harmless), sees nothing of explain, and the record is reused', () => {
    const doc = load('default.json');
    const lab = createLab(doc);
    const vnic = lab.interfaces().find((i) => i.kind === 'vnic' && i.portGroup !== undefined)!;
    const frame = buildEthernet({ src: vnic.mac!, dst: 'ff:ff:ff:ff:ff:ff', ethertype: 0x88b5, payload: new Uint8Array(46) });
    const records = new Set<PointEvent>();
    let n = 0;
    const off = lab.trace.tapPoints((e) => {
      records.add(e);
      n++;
    });
    lab.explain(vnic.id, frame);
    expect(n).toBe(0);
    lab.inject(vnic.id, frame);
    lab.run();
    expect(n).toBeGreaterThan(1);
    expect(records.size).toBe(1);
    off();
    off();
    const before = n;
    lab.inject(vnic.id, frame);
    lab.run();
    expect(n).toBe(before);
  });

  it('a tap added while another listens, and a subscriber leaving, keep the taps going', () => {
    const doc = load('default.json');
    const lab = createLab(doc);
    const vnic = lab.interfaces().find((i) => i.kind === 'vnic' && i.portGroup !== undefined)!;
    const frame = buildEthernet({ src: vnic.mac!, dst: 'ff:ff:ff:ff:ff:ff', ethertype: 0x88b5, payload: new Uint8Array(46) });
    const offSub = lab.trace.subscribe(() => {});
    let a = 0;
    lab.trace.tapPoints(() => void a++);
    lab.inject(vnic.id, frame);
    lab.run();
    const withSub = a;
    offSub();
    a = 0;
    lab.inject(vnic.id, frame);
    lab.run();
    expect(withSub).toBeGreaterThan(0);
    expect(a).toBe(withSub);
  });
});
