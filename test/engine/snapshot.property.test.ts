/**
 * Snapshots (snapshot.ts): for random example topologies and random input sequences, a lab
 * restored to the moment after input k has the state a fresh lab reaches by running the same
 * inputs to k (MAC tables, ARP caches, counters, uplinks in use, shaping queues, the event queue,
 * clock, next frame/copy/trace ids), and going back one step then stepping again emits the same
 * trace events byte for byte.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createLab, type Lab } from '../../src/engine/lab.js';
import type { TopologyDoc } from '../../src/topology/schema.js';
import type { TraceEvent } from '../../src/engine/trace.js';
import { buildEthernet } from '../../src/wire/index.js';
import { TOPOLOGIES, load } from './workload.js';

const docs = new Map<string, TopologyDoc>(TOPOLOGIES.map((f) => [f, load(f)]));

type Input =
  | { k: 'bcast'; from: number }
  | { k: 'unicast'; from: number; to: number; vlan: number | undefined }
  | { k: 'ping'; from: number; to: number }
  | { k: 'link'; iface: number; up: boolean }
  | { k: 'steps'; n: number }
  | { k: 'runFor'; ns: number };

const inputArb: fc.Arbitrary<Input> = fc.oneof(
  fc.record({ k: fc.constant('bcast' as const), from: fc.nat(99) }),
  fc.record({ k: fc.constant('unicast' as const), from: fc.nat(99), to: fc.nat(99), vlan: fc.constantFrom(undefined, 10, 20) }),
  fc.record({ k: fc.constant('ping' as const), from: fc.nat(99), to: fc.nat(99) }),
  fc.record({ k: fc.constant('link' as const), iface: fc.nat(99), up: fc.boolean() }),
  fc.record({ k: fc.constant('steps' as const), n: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ k: fc.constant('runFor' as const), ns: fc.integer({ min: 0, max: 3_000_000 }) }),
);

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function endpoints(doc: TopologyDoc): { id: string; ip: string }[] {
  return [
    ...doc.vms.flatMap((vm) => vm.nics.filter((n) => n.ipv4).map((n) => ({ id: `${vm.name}:${n.name}`, ip: n.ipv4!.split('/')[0]! }))),
    ...doc.physicalHosts.flatMap((h) => h.nics.filter((n) => n.ipv4).map((n) => ({ id: `${h.name}:${n.name}`, ip: n.ipv4!.split('/')[0]! }))),
  ];
}

/** Applies one input; errors of the lab (a refused change) are part of the behaviour. */
function apply(lab: Lab, doc: TopologyDoc, input: Input): void {
  const vnics = lab.interfaces().filter((i) => i.kind === 'vnic' && i.portGroup !== undefined);
  const cabled = lab.interfaces().filter((i) => i.peer !== null);
  const eps = endpoints(doc);
  const payload = new Uint8Array(46);
  switch (input.k) {
    case 'bcast': {
      const v = vnics[input.from % vnics.length];
      if (v) lab.inject(v.id, buildEthernet({ src: v.mac!, dst: 'ff:ff:ff:ff:ff:ff', ethertype: 0x88b5, payload }));
      return;
    }
    case 'unicast': {
      const v = vnics[input.from % vnics.length];
      const w = vnics[input.to % vnics.length];
      if (v && w) lab.inject(v.id, buildEthernet({ src: v.mac!, dst: w.mac!, ethertype: 0x88b5, payload, ...(input.vlan !== undefined ? { vlan: input.vlan } : {}) }));
      return;
    }
    case 'ping': {
      const a = eps[input.from % eps.length];
      const b = eps[input.to % eps.length];
      if (a && b) lab.startPing(a.id, b.ip, { count: 2, intervalMs: 1, timeoutMs: 2 }, () => {});
      return;
    }
    case 'link': {
      const c = cabled[input.iface % cabled.length];
      if (c) lab.apply({ kind: 'link', iface: c.id, up: input.up });
      return;
    }
    case 'steps':
      for (let k = 0; k < input.n; k++) lab.step();
      return;
    case 'runFor':
      lab.run({ forNs: input.ns });
      return;
  }
}

/** One input, then a ping stepped to its end: many events (positions) per input, so the window moves. */
function round(lab: Lab, doc: TopologyDoc, input: Input): void {
  apply(lab, doc, input);
  const eps = endpoints(doc);
  if (eps.length >= 2) lab.startPing(eps[0]!.id, eps[1]!.ip, { count: 6, intervalMs: 1, timeoutMs: 2 }, () => {});
  for (let n = 0; n < 400 && lab.step(); n++);
}

/** Everything a learner or a test can observe of a lab's state, as plain data. */
function state(lab: Lab): unknown {
  const f = lab.fabric;
  return {
    now: f.now,
    frameSeq: f.frameSeq,
    copySeq: f.copySeq,
    traceSeq: f.traceSeq,
    next: lab.nextEventTime(),
    queue: f.queue.pending().map((e) => ({ ...e, obj: e.obj instanceof Uint8Array ? hex(e.obj) : typeof e.obj })),
    counters: lab.allCounters(),
    macTables: f.switches.map((s) => lab.macTable(s.name)),
    arp: lab.interfaces().filter((i) => f.byId.get(i.id)!.stack !== null).map((i) => [i.id, lab.arpCache(i.id)]),
    interfaces: lab.interfaces(),
    shapers: f.ifaces.map((i) => (i.shaper ? { queued: i.shaper.queued } : null)),
    topology: lab.currentTopology(),
  };
}

function eventBytes(events: TraceEvent[]): string {
  return JSON.stringify(events, (_k, v: unknown) => (v instanceof Uint8Array ? hex(v) : v));
}

describe('lab.snapshot / lab.restore', () => {
  it('a restored lab has the state a fresh lab reaches with the same inputs, and Back then Step repeats the same events', () => {
    fc.assert(
      fc.property(fc.constantFrom(...docs.keys()), fc.array(inputArb, { minLength: 1, maxLength: 14 }), fc.nat(), (file, inputs, kSeed) => {
        const doc = docs.get(file)!;
        const lab = createLab(doc, { history: true });
        const seen: TraceEvent[] = [];
        lab.trace.subscribe((e) => seen.push(e));
        const k = kSeed % (inputs.length + 1);
        let snapK = lab.snapshot();
        for (let i = 0; i < inputs.length; i++) {
          if (i === k) snapK = lab.snapshot();
          apply(lab, doc, inputs[i]!);
        }
        if (k === inputs.length) snapK = lab.snapshot();
        while (lab.step()); // more history, then go back
        const end = lab.snapshot();
        const endState = state(lab);

        // the reference: a fresh lab (no subscriber) that runs the first k inputs
        const fresh = createLab(doc, { history: true });
        for (let i = 0; i < k; i++) apply(fresh, doc, inputs[i]!);

        // (the first restore runs on a lab built ahead of time, as the server prepares one)
        lab.prepareRestore();
        lab.restore(snapK);
        const restored = state(lab) as { traceSeq: number };
        const reference = state(fresh) as { traceSeq: number };
        // the fresh lab had no subscriber, so it numbered no trace events
        expect({ ...restored, traceSeq: 0 }).toEqual({ ...reference, traceSeq: 0 });
        expect(restored.traceSeq).toBe(snapK.traceSeq);

        // forward again to the end of the undone future
        lab.restore(end);
        expect(state(lab)).toEqual(endState);

        // Back then Step: the step after a restored moment emits what it emitted the first time
        lab.restore(snapK);
        const a: TraceEvent[] = [];
        const off = lab.trace.subscribe((e) => a.push(e));
        const stepped = lab.step();
        off();
        lab.restore(snapK);
        const b: TraceEvent[] = [];
        const off2 = lab.trace.subscribe((e) => b.push(e));
        expect(lab.step()).toBe(stepped);
        off2();
        expect(eventBytes(b)).toBe(eventBytes(a));
        expect(seen.length).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 60 },
    );
  });

  it('going back and sending something else discards the undone future; its snapshots are refused', () => {
    const doc = docs.get('default.json')!;
    const lab = createLab(doc, { history: true });
    const v = lab.interfaces().find((i) => i.kind === 'vnic' && i.portGroup !== undefined)!;
    const start = lab.snapshot();
    lab.inject(v.id, buildEthernet({ src: v.mac!, dst: 'ff:ff:ff:ff:ff:ff', ethertype: 0x88b5, payload: new Uint8Array(46) }));
    lab.step();
    lab.step();
    const later = lab.snapshot();
    expect(later.position).toBe(3);
    lab.restore(start);
    expect(lab.history()).toMatchObject({ position: 0, end: 3, oldest: 0 });
    // redo re-applies the inject; a step re-takes the recorded step
    expect(lab.redo()).toBe(true);
    expect(lab.step()).toBe(true);
    expect(lab.history()).toMatchObject({ position: 2, end: 3 });
    lab.restore(start);
    lab.inject(v.id, buildEthernet({ src: v.mac!, dst: '02:00:00:00:00:77', ethertype: 0x88b5, payload: new Uint8Array(46) }));
    expect(lab.history()).toMatchObject({ position: 1, end: 1 });
    expect(() => lab.restore(later)).toThrow(/discarded/);
    expect(() => createLab(doc, { history: true }).restore(start)).toThrow(/another lab/);
  });

  it('past its limit the oldest moments are dropped first: the window still restores exactly, the base included, and older moments are refused', () => {
    fc.assert(
      fc.property(fc.constantFrom(...docs.keys()), fc.array(inputArb, { minLength: 8, maxLength: 16 }), fc.nat(), (file, inputs, kSeed) => {
        const doc = docs.get(file)!;
        // a few hundred positions (20 bytes each) besides the inputs: the workload passes it after a few rounds
        const lab = createLab(doc, { history: true, historyLimitBytes: 12_000 });
        const first = lab.snapshot();
        const snaps: { at: number; snap: ReturnType<Lab['snapshot']> }[] = [];
        for (let i = 0; i < inputs.length; i++) {
          snaps.push({ at: i, snap: lab.snapshot() });
          round(lab, doc, inputs[i]!);
          if (i % 5 === 4) lab.prepareRestore(); // a base built while the window moves, brought forward later
        }
        const h = lab.history();
        fc.pre(h.enabled && h.dropped > 0);
        expect(h.bytes).toBeLessThanOrEqual(h.limitBytes);
        expect(h.oldest).toBe(h.dropped);
        expect(lab.snapshotAt(h.oldest)).not.toBeNull();
        expect(lab.snapshotAt(h.oldest - 1)).toBeNull();
        // Back beyond the window: refused with the reason, nothing changed
        const before = state(lab);
        expect(() => lab.restore(first)).toThrow(/reaches back only to position \d+ .*dropped, oldest first/);
        expect(state(lab)).toEqual(before);
        expect(lab.snapshotAtTraceSeq(1)).toBeNull();

        const reachable = snaps.filter((s) => s.snap.position >= h.oldest);
        fc.pre(reachable.length > 0);
        const { at: k, snap } = reachable[kSeed % reachable.length]!;
        const fresh = createLab(doc, { history: true });
        for (let i = 0; i < k; i++) round(fresh, doc, inputs[i]!);
        const reference = state(fresh) as { traceSeq: number };
        // once on the base built ahead (re-runs the window only), once on a lab built now (re-runs every input)
        lab.prepareRestore();
        lab.restore(snap);
        expect({ ...(state(lab) as object), traceSeq: 0 }).toEqual({ ...reference, traceSeq: 0 });
        lab.restore(lab.snapshotAt(lab.history().end)!);
        lab.restore(snap);
        expect({ ...(state(lab) as object), traceSeq: 0 }).toEqual({ ...reference, traceSeq: 0 });
        // the oldest reachable moment itself, the base's own moment
        lab.prepareRestore();
        const oldest = lab.snapshotAt(lab.history().oldest)!;
        lab.restore(oldest);
        const atBase = state(lab);
        lab.restore(lab.snapshotAt(lab.history().end)!);
        lab.restore(oldest);
        expect(state(lab)).toEqual(atBase);
      }),
      { numRuns: 25 },
    );
  });

  it('history is switched off, saying why, only when its inputs alone pass 7/8 of the limit', () => {
    const doc = docs.get('default.json')!;
    const lab = createLab(doc, { history: true, historyLimitBytes: 20_000 });
    const v = lab.interfaces().find((i) => i.kind === 'vnic' && i.portGroup !== undefined)!;
    const start = lab.snapshot();
    for (let i = 0; i < 100; i++) {
      lab.inject(v.id, buildEthernet({ src: v.mac!, dst: 'ff:ff:ff:ff:ff:ff', ethertype: 0x88b5, payload: new Uint8Array(200) }));
      lab.run();
    }
    const h = lab.history();
    expect(h.enabled).toBe(false);
    expect(h.reason).toMatch(/inputs .* passed 7\/8 of its 20 kB limit/);
    expect(h.bytes).toBe(0);
    expect(() => lab.restore(start)).toThrow(/history is off/);
    expect(() => lab.snapshot()).toThrow(/history is off/);
  });
});
