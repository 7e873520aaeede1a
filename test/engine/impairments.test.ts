import { describe, expect, it } from 'vitest';
import { createLab } from '../../src/engine/lab.js';
import { createIpStack } from '../../src/engine/ip-stack.js';
import { runScenario } from '../../src/engine/scenario.js';
import { validateTopology } from '../../src/topology/load.js';
import type { LinkImpairmentsDoc } from '../../src/topology/schema.js';
import { PH1, conservationViolations, frame, host, makeLab, standardTopology, topology, trunk, vm, vmMac } from './fixtures.js';

const CABLE = 'esxi-01:vmnic0'; // <-> tor-1:eth0
const SINK = 'ph1:eth0';
const LATENCY = 1000; // the fabric's default hop latency, ns

type Impair = Partial<LinkImpairmentsDoc>;

/** The standard lab (VM a in VLAN 10, ph1 on an access port of VLAN 10) with its uplink's cable impaired. */
function impairedLab(impairments: Impair) {
  const doc = standardTopology();
  const link = doc.links.find((l) => l.a === CABLE)!;
  link.impairments = { lossPercent: 0, delayMs: 0, jitterMs: 0, duplicatePercent: 0, queueFrames: 1000, seed: 1, ...impairments };
  return makeLab(doc, { history: true });
}

/** Sends `n` frames a -> ph1, one every `gapNs`, then runs until idle; returns the frame ids. */
function stream(t: ReturnType<typeof impairedLab>, n: number, gapNs = 1_000_000, len = 64): number[] {
  const ids: number[] = [];
  for (let k = 0; k < n; k++) {
    ids.push(t.lab.inject('a:eth0', frame(vmMac(1), PH1, undefined, len - 14)));
    t.lab.run({ forNs: gapNs });
  }
  t.lab.run();
  return ids;
}

const arrivedIds = (t: ReturnType<typeof impairedLab>) => t.delivers().filter((e) => e.port === SINK).map((e) => e.frameId);

describe('link impairments (L*)', () => {
  it('L1: with 100% loss every frame is lost on the cable: a LINK_LOSS drop at the sending end, after it was sent', () => {
    const t = impairedLab({ lossPercent: 100 });
    stream(t, 5);
    expect(arrivedIds(t)).toEqual([]);
    const drops = t.drops('LINK_LOSS');
    expect(drops).toHaveLength(5);
    expect(drops.every((d) => d.rule === 'L1' && d.port === CABLE && d.point === 'Drop')).toBe(true);
    expect(drops[0]!.detail).toContain('lost on the cable esxi-01:vmnic0 -> tor-1:eth0');
    expect(t.lab.counters(CABLE)).toMatchObject({ txFrames: 5 });
    expect(t.lab.counters('tor-1:eth0')).toMatchObject({ rxFrames: 0 });
    expect(conservationViolations(t.events)).toEqual([]);
  });

  it('L1: 30% loss loses about 30% of the frames; the same seed loses the same frames, another seed others', () => {
    const run = (seed: number) => {
      const t = impairedLab({ lossPercent: 30, seed });
      const ids = stream(t, 1000, 10_000);
      const got = new Set(arrivedIds(t));
      return ids.map((id) => (got.has(id) ? 1 : 0)).join('');
    };
    const a = run(7);
    const lost = [...a].filter((c) => c === '0').length;
    expect(lost).toBeGreaterThan(250);
    expect(lost).toBeLessThan(350);
    expect(run(7)).toBe(a);
    expect(run(8)).not.toBe(a);
  });

  it('L1: without impairments nothing is lost (0% is a perfect cable)', () => {
    const t = impairedLab({ lossPercent: 0 });
    stream(t, 50);
    expect(arrivedIds(t)).toHaveLength(50);
    expect(t.drops()).toEqual([]);
  });

  it('L2: a fixed delay adds exactly delayMs to the hop', () => {
    const t = impairedLab({ delayMs: 20 });
    t.send('a:eth0', frame(vmMac(1), PH1));
    const tx = t.events.find((e) => e.action === 'tx' && e.port === CABLE)!;
    const rx = t.events.find((e) => e.action === 'ingress' && e.port === 'tor-1:eth0')!;
    expect(rx.time - tx.time).toBe(20_000_000 + LATENCY);
    expect(t.events.some((e) => e.action === 'impair' && e.rule === 'L2' && e.detail.includes('delayed 20.000 ms'))).toBe(true);
  });

  it('L2: jitter spreads arrivals over delay ± jitter, reproducibly with the seed, and may reorder frames', () => {
    const hop = (seed: number) => {
      const t = impairedLab({ delayMs: 10, jitterMs: 5, seed });
      stream(t, 200, 100_000);
      const sent = new Map(t.events.filter((e) => e.action === 'tx' && e.port === CABLE).map((e) => [e.frameId, e.time]));
      const rx = t.events.filter((e) => e.action === 'ingress' && e.port === 'tor-1:eth0');
      return { delays: rx.map((e) => e.time - sent.get(e.frameId)! - LATENCY), order: rx.map((e) => e.frameId) };
    };
    const a = hop(3);
    expect(a.delays).toHaveLength(200);
    for (const d of a.delays) {
      expect(d).toBeGreaterThanOrEqual(5_000_000);
      expect(d).toBeLessThanOrEqual(15_000_000);
    }
    expect(new Set(a.delays).size).toBeGreaterThan(150);
    expect(Math.min(...a.delays)).toBeLessThan(6_000_000);
    expect(Math.max(...a.delays)).toBeGreaterThan(14_000_000);
    const sorted = [...a.order].sort((x, y) => x - y);
    expect(a.order).not.toEqual(sorted); // 0.1 ms apart with ±5 ms jitter: reordered
    expect(hop(3)).toEqual(a);
  });

  it('L3: 100% duplication delivers every frame twice, as two child copies of the copy that crossed', () => {
    const t = impairedLab({ duplicatePercent: 100 });
    const id = t.send('a:eth0', frame(vmMac(1), PH1));
    const got = t.delivers().filter((e) => e.port === SINK);
    expect(got.map((e) => e.frameId)).toEqual([id, id]);
    expect(got[0]!.copyId).not.toBe(got[1]!.copyId);
    const dup = t.events.find((e) => e.action === 'impair' && e.rule === 'L3')!;
    expect(dup.detail).toContain('receives it twice');
    expect(t.lab.counters('tor-1:eth0')).toMatchObject({ rxFrames: 2 });
    expect(conservationViolations(t.events)).toEqual([]);
  });

  it('L3: 25% duplication duplicates about a quarter of the frames', () => {
    const t = impairedLab({ duplicatePercent: 25, seed: 11 });
    stream(t, 800, 10_000);
    const extra = arrivedIds(t).length - 800;
    expect(extra).toBeGreaterThan(150);
    expect(extra).toBeLessThan(250);
  });

  it('L4: the line sends at bandwidthKbps: back-to-back frames arrive length·8/rate apart', () => {
    const t = impairedLab({ bandwidthKbps: 1000 });
    for (let k = 0; k < 5; k++) t.lab.inject('a:eth0', frame(vmMac(1), PH1, undefined, 1000 - 14));
    t.lab.run();
    const rx = t.events.filter((e) => e.action === 'ingress' && e.port === 'tor-1:eth0').map((e) => e.time);
    // a VLAN 10 tag is added on the uplink: 1004 bytes = 8032 bits at 1 Mbit/s = 8.032 ms each
    expect(rx).toHaveLength(5);
    expect(rx[0]).toBe(8_032_000 + LATENCY);
    for (let k = 1; k < 5; k++) expect(rx[k]! - rx[k - 1]!).toBe(8_032_000);
    expect(t.events.some((e) => e.action === 'impair' && e.rule === 'L4' && e.detail.includes('waits'))).toBe(true);
  });

  it('L4: beyond queueFrames waiting frames the cable drops LINK_QUEUE_FULL', () => {
    const t = impairedLab({ bandwidthKbps: 100, queueFrames: 3 });
    for (let k = 0; k < 10; k++) t.lab.inject('a:eth0', frame(vmMac(1), PH1));
    t.lab.run();
    // one on the line, three waiting: four arrive
    expect(arrivedIds(t)).toHaveLength(4);
    const drops = t.drops('LINK_QUEUE_FULL');
    expect(drops).toHaveLength(6);
    expect(drops[0]!.rule).toBe('L4');
    expect(drops[0]!.detail).toContain('limited to 100 kbit/s and 3 frames already wait');
    expect(conservationViolations(t.events)).toEqual([]);
  });

  it('each direction has its own state: the reverse direction of a lossy cable loses other frames', () => {
    const t = impairedLab({ lossPercent: 50, seed: 5 });
    const fwd = stream(t, 200, 10_000);
    const gotFwd = new Set(arrivedIds(t));
    const fwdPattern = fwd.map((id) => (gotFwd.has(id) ? 1 : 0)).join('');
    const before = t.events.length;
    const rev: number[] = [];
    for (let k = 0; k < 200; k++) {
      rev.push(t.lab.inject(SINK, frame(PH1, vmMac(1))));
      t.lab.run({ forNs: 10_000 });
    }
    t.lab.run();
    const gotRev = new Set(t.events.slice(before).filter((e) => e.action === 'deliver' && e.port === 'a:eth0').map((e) => e.frameId));
    const revPattern = rev.map((id) => (gotRev.has(id) ? 1 : 0)).join('');
    expect(revPattern).not.toBe(fwdPattern);
    expect(t.drops('LINK_LOSS').some((d) => d.port === 'tor-1:eth0')).toBe(true);
  });

  it('explain peeks at the draws without using them up: the live frame meets the fate explain showed', () => {
    const t = impairedLab({ lossPercent: 50, seed: 2 });
    const outcomes: boolean[] = [];
    for (let k = 0; k < 20; k++) {
      const f = frame(vmMac(1), PH1);
      const ex = t.lab.explain('a:eth0', f);
      const shownLost = ex.steps.some((e) => e.reason === 'LINK_LOSS');
      const before = t.drops('LINK_LOSS').length;
      t.send('a:eth0', f);
      expect(t.drops('LINK_LOSS').length - before).toBe(shownLost ? 1 : 0);
      outcomes.push(shownLost);
    }
    expect(outcomes.some((x) => x)).toBe(true);
    expect(outcomes.some((x) => !x)).toBe(true);
  });

  it('a runtime change sets, replaces and removes a cable\'s impairments; a vNIC has no cable to impair', () => {
    const t = makeLab(standardTopology());
    expect(t.lab.apply({ kind: 'link-impairments', iface: 'tor-1:eth0', impairments: { lossPercent: 100 } })).toMatchObject({ ok: true });
    expect(t.lab.currentTopology().links.find((l) => l.a === CABLE)!.impairments).toMatchObject({ lossPercent: 100, seed: 1 });
    const change = t.events.find((e) => e.action === 'change')!;
    expect(change.rule).toBe('L1');
    expect(change.detail).toContain('impaired: loss 100%, seed 1');
    t.send('a:eth0', frame(vmMac(1), PH1));
    expect(t.drops('LINK_LOSS')).toHaveLength(1);
    expect(t.lab.apply({ kind: 'link-impairments', iface: CABLE, impairments: null })).toMatchObject({ ok: true });
    expect(t.lab.currentTopology().links.find((l) => l.a === CABLE)!.impairments).toBeUndefined();
    t.send('a:eth0', frame(vmMac(1), PH1));
    expect(t.drops('LINK_LOSS')).toHaveLength(1);
    expect(t.delivers().filter((e) => e.port === SINK)).toHaveLength(1);
    const bad = t.lab.apply({ kind: 'link-impairments', iface: 'a:eth0', impairments: { lossPercent: 5 } });
    expect(bad).toEqual({ ok: false, reason: 'a:eth0 is a vNIC; it has no cable to impair' });
    const range = t.lab.apply({ kind: 'link-impairments', iface: CABLE, impairments: { lossPercent: 150 } });
    expect(range.ok).toBe(false);
    expect(!range.ok && range.reason).toMatch(/^impairments\.lossPercent: /);
  });

  it('snapshot and restore bring the impairments back to that moment: the same frames are lost again (the draws are part of the lab\'s state)', () => {
    const t = impairedLab({ lossPercent: 30, delayMs: 2, jitterMs: 1, seed: 9 });
    stream(t, 20, 10_000);
    // a frame still on the delayed cable when the snapshot is taken
    t.lab.inject('a:eth0', frame(vmMac(1), PH1));
    t.lab.run({ forNs: 5000 });
    const snap = t.lab.snapshot();
    const fate = () => {
      const from = t.events.length;
      stream(t, 50, 10_000);
      return t.events.slice(from).filter((e) => (e.action === 'deliver' && e.port === SINK) || e.reason === 'LINK_LOSS').map((e) => `${e.time} ${e.action} ${e.reason ?? ''}`);
    };
    const a = fate();
    t.lab.restore(snap);
    const b = fate();
    expect(a.length).toBeGreaterThan(40);
    expect(b).toEqual(a);
  });

  it('the topology file carries impairments on a link; a bad value is refused with its path', () => {
    const input = { version: 1, name: 'x', hosts: [host({ portGroups: [{ name: 'P', vlan: 0 }] })], physicalSwitches: [{ name: 'tor-1', ports: [trunk('eth0')] }] };
    const ok = validateTopology({
      ...input,
      links: [{ a: 'esxi-01:vmnic0', b: 'tor-1:eth0', impairments: { lossPercent: 2, delayMs: 30, jitterMs: 5, duplicatePercent: 1, bandwidthKbps: 512, seed: 42 } }],
    });
    expect(ok.ok).toBe(true);
    const bad = validateTopology({ ...input, links: [{ a: 'esxi-01:vmnic0', b: 'tor-1:eth0', impairments: { lossPercent: -1, color: 'red' } }] });
    expect(bad.ok).toBe(false);
    expect(bad.errors.map((e) => e.path)).toEqual(expect.arrayContaining(['links[0].impairments.lossPercent']));
  });
});

describe('pings see the impairments (L1, L2)', () => {
  /** a (esxi-01) pings b (esxi-02) across tor-1; esxi-01's uplink cable is impaired. */
  function pingLab(impairments: Impair) {
    const doc = topology({
      hosts: [host({ portGroups: [{ name: 'VM-10', vlan: 10 }] }, 1), host({ portGroups: [{ name: 'VM-10', vlan: 10 }] }, 2)],
      vms: [vm('a', 'VM-10', vmMac(1), 'esxi-01', { ipv4: '10.0.10.1/24' }), vm('b', 'VM-10', vmMac(2), 'esxi-02', { ipv4: '10.0.10.2/24' })],
      physicalSwitches: [{ name: 'tor-1', ports: [trunk('eth0'), trunk('eth1')] }],
      links: [
        { a: 'esxi-01:vmnic0', b: 'tor-1:eth0', impairments },
        { a: 'esxi-02:vmnic0', b: 'tor-1:eth1' },
      ],
    });
    return createLab(doc, { stackFactory: createIpStack, history: true });
  }

  it('L2: a 25 ms delay each way adds 50 ms to every round trip', () => {
    const plain = pingLab({}).ping('a:eth0', '10.0.10.2', { count: 3, intervalMs: 200 });
    const slow = pingLab({ delayMs: 25 }).ping('a:eth0', '10.0.10.2', { count: 3, intervalMs: 200 });
    expect(slow.received).toBe(3);
    // the first probe waits for ARP too, which crosses the same cable twice
    for (let k = 1; k < 3; k++) expect(slow.replies[k]!.rttNs - plain.replies[k]!.rttNs).toBe(50_000_000);
  });

  it('L1, L2: a timed scenario impairs the cable under a continuous ping: probes are lost only while it is lossy, the same ones every run', () => {
    const topo = pingLab({}).topology;
    const scenario = {
      name: 'a bad cable for 4 s',
      duration: '8s',
      pings: [{ name: 'p', from: 'a:eth0', to: '10.0.10.2', intervalMs: 50 }],
      steps: [
        { at: '2s', change: { kind: 'link-impairments', iface: 'esxi-01:vmnic0', impairments: { lossPercent: 20, delayMs: 30, seed: 3 } } },
        { at: '6s', change: { kind: 'link-impairments', iface: 'tor-1:eth0', impairments: null } },
      ],
      expect: { pings: [{ ping: 'p', minLost: 5 }] },
    };
    const r = runScenario(topo, scenario);
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
    const o = r.pings[0]!;
    // seq n is sent at (n - 1) * 50 ms: lost probes fall in the lossy window (its last ones answered late or not at all)
    for (const seq of o.lostSeqs) {
      expect((seq - 1) * 50).toBeGreaterThanOrEqual(1950);
      expect((seq - 1) * 50).toBeLessThan(6000);
    }
    expect(runScenario(topo, scenario).pings[0]!.lostSeqs).toEqual(o.lostSeqs);
    expect(r.timeline.some((e) => e.text.includes('impaired: loss 20%, delay 30 ms, seed 3'))).toBe(true);
  });

  it('L1: a 2% loss changes ping results reproducibly: same seed, same lost probes', () => {
    const run = (seed: number) => {
      const r = pingLab({ lossPercent: 2, seed }).ping('a:eth0', '10.0.10.2', { count: 200, intervalMs: 10, timeoutMs: 500 });
      return { received: r.received, seqs: r.replies.map((x) => x.seq) };
    };
    const a = run(1);
    expect(a.received).toBeLessThan(200);
    expect(a.received).toBeGreaterThan(185);
    expect(run(1)).toEqual(a);
    expect(run(99)).not.toEqual(a);
  });
});
