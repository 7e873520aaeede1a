import { describe, expect, it } from 'vitest';
import { createLab } from '../../src/engine/lab.js';
import { resolveFrameSpec } from '../../src/engine/frame-spec.js';
import { stormThreshold } from '../../src/engine/storm.js';
import type { TraceEvent } from '../../src/engine/trace.js';
import { Topology } from '../../src/topology/schema.js';
import { ring } from '../helpers/storm-ring.js';

function ringLab() {
  const lab = createLab(Topology.parse(ring()));
  const events: TraceEvent[] = [];
  lab.trace.subscribe((e) => events.push(e));
  const arp = resolveFrameSpec(lab, 'pc-1:eth0', { kind: 'arp-request', targetIp: '10.9.0.3' });
  return { lab, events, arp };
}

describe('P5 storms: a loop between physical switches', () => {
  it('one ARP broadcast into a ring of three switches: a storm is reported, its copies cut, and the lab settles', () => {
    const { lab, events, arp } = ringLab();
    const id = lab.inject('pc-1:eth0', arp);
    const r = lab.run(); // before P5: LabError "does not settle" after 10^6 events
    expect(lab.storms().count).toBeGreaterThanOrEqual(1);
    const report = lab.storms().reports[0]!;
    expect(report.frameId).toBe(id);
    expect(report.threshold).toBe(stormThreshold(12)); // 9 switch ports and 3 host NICs can hold a cable
    // one storm event for the frame, naming P5
    const storm = events.filter((e) => e.action === 'storm' && e.frameId === id);
    expect(storm).toHaveLength(1);
    expect(storm[0]!.rule).toBe('P5');
    // the copies cut are drops STORM_CUT (P5) and the frame crossed cables exactly threshold times
    const cut = events.filter((e) => e.action === 'drop' && e.reason === 'STORM_CUT' && e.frameId === id);
    expect(cut.length).toBeGreaterThan(0);
    expect(cut.every((e) => e.rule === 'P5' && e.detail.startsWith('dropped STORM_CUT (P5)'))).toBe(true);
    const crossings = events.filter((e) => e.frameId === id && e.action === 'tx' && (e.point === 'PhysTx' || e.point === 'HostTx' || e.point === 'UplinkSnd'));
    expect(crossings.length).toBe(report.threshold);
    // bounded: the whole run (answers to each copy included) is small
    expect(r.events).toBeLessThan(100_000);
    expect(lab.nextEventTime()).toBeNull();
    // the target answered (the replies are frames of their own, bounded the same way)
    expect(events.some((e) => e.port === 'pc-3:eth0' && e.action === 'deliver' && e.frameId === id)).toBe(true);
  });

  it('many storms at once (thousands of answers in flight): each frame is counted on its own and the run settles', () => {
    const { lab, arp } = ringLab();
    for (let i = 0; i < 300; i++) lab.inject('pc-1:eth0', arp);
    const r = lab.run();
    expect(lab.storms().count).toBe(300);
    expect(r.events).toBe(300 * 208); // each storm as long as one alone
    expect(lab.nextEventTime()).toBeNull();
    expect(lab.fabric.storm.tracked).toBeLessThan(20_000);
  });

  it('a loop-free flood is never cut: the same switches without the closing cable', () => {
    const doc = ring() as { links: Array<{ a: string; b: string }> };
    doc.links = doc.links.filter((l) => l.a !== 'sw-3:gi1');
    const lab = createLab(Topology.parse(doc));
    const events: TraceEvent[] = [];
    lab.trace.subscribe((e) => events.push(e));
    lab.inject('pc-1:eth0', resolveFrameSpec(lab, 'pc-1:eth0', { kind: 'arp-request', targetIp: '10.9.0.3' }));
    lab.run();
    expect(lab.storms()).toEqual({ count: 0, cut: 0, reports: [] });
    expect(events.some((e) => e.action === 'storm' || e.reason === 'STORM_CUT')).toBe(false);
  });

  it('explain (O2) reports the storm too, bounded, and changes nothing', () => {
    const { lab, arp } = ringLab();
    const x = lab.explain('pc-1:eth0', arp);
    expect(x.storm).toMatchObject({ frameId: expect.any(Number), at: expect.stringMatching(/^sw-|pc-/) });
    expect(x.truncated).toBe(false);
    expect(x.copies.some((c) => c.reason === 'STORM_CUT')).toBe(true);
    expect(x.steps.length).toBeLessThan(5000);
    expect(lab.storms().count).toBe(0); // a dry run reports nothing to the lab
    // and the live frame afterwards is counted from zero (explain's counts were its own)
    lab.inject('pc-1:eth0', arp);
    lab.run();
    expect(lab.storms().reports[0]!.threshold).toBe(x.storm!.threshold);
  });
});
