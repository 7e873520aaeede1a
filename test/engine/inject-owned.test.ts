// Lab.injectOwned: the lab takes the caller's bytes as they are (no copy), with the same checks,
// trace and journal as Lab.inject, which copies.
import { describe, expect, it } from 'vitest';
import { createLab, LabError } from '../../src/engine/index.js';
import type { EndpointStackFactory } from '../../src/engine/endpoint.js';
import type { TraceEvent } from '../../src/engine/trace.js';
import { frame, topology, vm } from './fixtures.js';

const A = '00:50:56:00:00:01';
const B = '00:50:56:00:00:02';

function twoVms(history = false) {
  const received: Uint8Array[] = [];
  const factory: EndpointStackFactory = (config) => ({
    receive: (f) => {
      if (config.id === 'b:eth0') received.push(f);
    },
    ping: (_o, done) => done({ transmitted: 0, received: 0, replies: [], errors: [], done: true }),
    arpCache: () => [],
  });
  const doc = topology({
    hosts: [{ name: 'esxi-01', vswitches: [{ name: 'vSwitch0', portGroups: [{ name: 'VM-10', vlan: 10 }] }] }],
    vms: [vm('a', 'VM-10', A), vm('b', 'VM-10', B)],
  });
  const lab = createLab(doc, { stackFactory: factory, history });
  const events: TraceEvent[] = [];
  lab.trace.subscribe((e) => events.push(e));
  return { lab, received, events };
}

describe('injectOwned', () => {
  it('delivers the very array it was given; inject delivers a copy of it', () => {
    const { lab, received } = twoVms();
    const bytes = frame(A, B);
    lab.injectOwned('a:eth0', bytes);
    lab.inject('a:eth0', bytes);
    lab.run();
    expect(received).toHaveLength(2);
    expect(received[0]).toBe(bytes);
    expect(received[1]).not.toBe(bytes);
    expect([...received[1]!]).toEqual([...bytes]);
  });

  it('gives the same frame ids and trace events as inject', () => {
    const owned = twoVms();
    const copied = twoVms();
    const f1 = owned.lab.injectOwned('a:eth0', frame(A, B));
    const f2 = copied.lab.inject('a:eth0', frame(A, B));
    owned.lab.run();
    copied.lab.run();
    expect(f1).toBe(f2);
    const strip = (es: TraceEvent[]) => es.map((e) => ({ ...e, frame: e.frame ? [...e.frame] : undefined }));
    expect(strip(owned.events)).toEqual(strip(copied.events));
    expect(owned.events.length).toBeGreaterThan(0);
  });

  it('checks like inject: an unknown interface or a short frame throws LabError and queues nothing', () => {
    const { lab, received } = twoVms();
    expect(() => lab.injectOwned('a:eth9', frame(A, B))).toThrow(LabError);
    expect(() => lab.injectOwned('a:eth0', new Uint8Array(10))).toThrow(/no complete Ethernet header/);
    expect(lab.run().events).toBe(0);
    // the next inject copies again (taking ownership does not stick after a throw)
    const bytes = frame(A, B);
    lab.inject('a:eth0', bytes);
    expect(lab.run().events).toBe(1);
    expect(received).toHaveLength(1);
    expect(received[0]).not.toBe(bytes);
  });

  it('is journaled: a restore re-runs an owned inject like a copied one', () => {
    const { lab } = twoVms(true);
    const start = lab.snapshot();
    lab.injectOwned('a:eth0', frame(A, B));
    lab.run();
    const after = lab.snapshot();
    expect(lab.counters('b:eth0').rxFrames).toBe(1);
    lab.restore(start);
    expect(lab.counters('b:eth0').rxFrames).toBe(0);
    lab.restore(after);
    expect(lab.counters('b:eth0').rxFrames).toBe(1);
  });
});
