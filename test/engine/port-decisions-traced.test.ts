// Traced frames use the per-port decisions too (port-decisions.ts): the lookup event of a kept
// plain leg is built from the kept target. So a traced lab must publish exactly the events a lab
// without any kept decision publishes: here the reference lab's vSwitches start a new
// configuration epoch before every frame (nothing kept is ever used), over random frames and
// runtime changes, and both labs' whole trace streams, deliveries and counters are compared.
import { describe, expect, it } from 'vitest';
import { createLab } from '../../src/engine/index.js';
import type { TopologyDoc } from '../../src/topology/schema.js';
import { traceToJson } from '../../src/server/trace-json.js';
import { PH1, access, frame, host, recorder, topology, trunk, vm, vmMac } from './fixtures.js';

function twoHosts(): TopologyDoc {
  return topology({
    hosts: [
      host({
        uplinks: 2,
        policy: { security: { macChanges: 'accept' } },
        portGroups: [{ name: 'VM-10', vlan: 10 }, { name: 'VM-10b', vlan: 10 }, { name: 'VM-20', vlan: 20 }, { name: 'Trunk', vlan: 4095 }],
      }, 1),
      host({ uplinks: 1, portGroups: [{ name: 'VM-10b', vlan: 10 }] }, 2),
    ],
    vms: [vm('a', 'VM-10', vmMac(1)), vm('b', 'VM-10b', vmMac(2)), vm('c', 'VM-20', vmMac(3)), vm('t', 'Trunk', vmMac(5))],
    physicalSwitches: [{ name: 'tor-1', ports: [trunk('eth0'), trunk('eth1'), trunk('eth2'), access('eth9', 10)] }],
    physicalHosts: [{ name: 'ph1', nics: [{ name: 'eth0', mac: PH1 }] }],
    links: [
      { a: 'esxi-01:vmnic0', b: 'tor-1:eth0' },
      { a: 'esxi-01:vmnic1', b: 'tor-1:eth1' },
      { a: 'esxi-02:vmnic0', b: 'tor-1:eth2' },
      { a: 'ph1:eth0', b: 'tor-1:eth9' },
    ],
  });
}

function traced(doc: TopologyDoc) {
  const rec = recorder();
  const lab = createLab(doc, { stackFactory: rec.factory });
  const events: string[] = [];
  lab.trace.subscribe((e) => events.push(JSON.stringify(traceToJson(e))));
  return { lab, rec, events };
}

describe('per-port decisions on the traced path', () => {
  it('a traced lab publishes exactly the events of one that never uses a kept decision, over random frames and changes', () => {
    let seed = 4242;
    const rnd = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const doc = twoHosts();
    const cached = traced(doc);
    const fresh = traced(doc);
    const senders = ['a:eth0', 'b:eth0', 'c:eth0', 't:eth0'];
    const macs = [vmMac(1), vmMac(2), vmMac(3), vmMac(5), '00:50:56:aa:0b:0b', PH1];
    const changes: unknown[] = [
      { kind: 'vnic-connect', iface: 'b:eth0', connected: false },
      { kind: 'vnic-connect', iface: 'b:eth0', connected: true },
      { kind: 'effective-mac', iface: 'b:eth0', mac: '00:50:56:aa:0b:0b' },
      { kind: 'effective-mac', iface: 'b:eth0', mac: vmMac(2) },
      { kind: 'portgroup', host: 'esxi-01', portGroup: 'VM-10b', vlan: 20 },
      { kind: 'portgroup', host: 'esxi-01', portGroup: 'VM-10b', vlan: 10 },
      { kind: 'portgroup', host: 'esxi-01', portGroup: 'VM-10b', policy: { security: { macChanges: 'reject' } } },
      { kind: 'portgroup', host: 'esxi-01', portGroup: 'VM-10b', policy: { security: { macChanges: null } } },
      { kind: 'portgroup', host: 'esxi-01', portGroup: 'Trunk', policy: { security: { promiscuous: 'accept' } } },
      { kind: 'portgroup', host: 'esxi-01', portGroup: 'Trunk', policy: { security: { promiscuous: null } } },
    ];
    const last = new Map<string, string>();
    let hits = 0;
    for (let step = 0; step < 400; step++) {
      if (rnd(25) === 0) {
        const c = changes[rnd(changes.length)];
        expect(cached.lab.apply(c)).toEqual(fresh.lab.apply(c));
        cached.lab.run();
        fresh.lab.run();
        continue;
      }
      const from = senders[rnd(senders.length)]!;
      const src = from === 'b:eth0' ? cached.lab.effectiveMac('b:eth0') : from === 'a:eth0' ? vmMac(1) : from === 'c:eth0' ? vmMac(3) : vmMac(5);
      // a guest sends mostly to the peer it sent to last (what a kept decision serves)
      const dst = last.get(from) !== undefined && rnd(3) !== 0 ? last.get(from)! : macs[rnd(macs.length)]!;
      last.set(from, dst);
      const bytes = frame(src, dst);
      if (cached.lab.fabric.decisions.holds(cached.lab.fabric.byId.get(from)!)) hits++;
      // the reference: a new configuration epoch on every vSwitch, so no kept decision applies
      for (const vs of fresh.lab.fabric.vswitches) vs.configEpoch++;
      cached.lab.inject(from, bytes);
      cached.lab.run();
      fresh.lab.inject(from, bytes);
      fresh.lab.run();
    }
    expect(hits, `${hits} frames with a kept decision`).toBeGreaterThan(30);
    expect(cached.events).toEqual(fresh.events);
    for (const i of cached.lab.interfaces()) expect(cached.lab.counters(i.id), i.id).toEqual(fresh.lab.counters(i.id));
    for (const id of ['a:eth0', 'b:eth0', 'c:eth0', 't:eth0', 'ph1:eth0']) {
      expect(cached.rec.frames(id).map((f) => [...f]), id).toEqual(fresh.rec.frames(id).map((f) => [...f]));
    }
  });
});
