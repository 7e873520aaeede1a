// Per-port decisions cached between frames (port-decisions.ts): a vNIC's last plain local leg is
// reused for its next frame to the same MAC and VLAN while nobody traces. Every runtime change
// kind drops what was kept, and a frame after a change behaves as the new configuration says.
// The labs here have no trace subscriber: behaviour is read from the endpoints' received frames and
// the counters. A traced lab uses the same kept legs; port-decisions-traced.test.ts compares its
// whole trace with a lab that never keeps a decision.
import { describe, expect, it } from 'vitest';
import { createLab, type Lab } from '../../src/engine/index.js';
import type { TopologyDoc } from '../../src/topology/schema.js';
import type { TraceEvent } from '../../src/engine/trace.js';
import { PH1, access, frame, host, recorder, topology, trunk, vm, vmMac } from './fixtures.js';

/** esxi-01 (vSwitch0: vmnic0; VM-10, VM-10b, VM-20, Trunk 4095) and esxi-02 (Prod-like VM-10b) on tor-1; ph1 behind tor-1:eth9. */
function twoHosts(policy?: Record<string, unknown>): TopologyDoc {
  return topology({
    hosts: [
      host({ uplinks: 2, policy, portGroups: [{ name: 'VM-10', vlan: 10 }, { name: 'VM-10b', vlan: 10 }, { name: 'VM-20', vlan: 20 }, { name: 'Trunk', vlan: 4095 }] }, 1),
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

function untraced(doc: TopologyDoc) {
  const rec = recorder();
  const lab = createLab(doc, { stackFactory: rec.factory });
  const send = (iface: string, bytes: Uint8Array) => {
    lab.inject(iface, bytes);
    lab.run();
  };
  const a = lab.fabric.byId.get('a:eth0')!;
  return { lab, rec, send, kept: () => lab.fabric.decisions.holds(a) };
}

const uplinkTx = (lab: Lab) => lab.counters('esxi-01:vmnic0').txFrames + lab.counters('esxi-01:vmnic1').txFrames;

/** A frame a -> b that took the plain local leg and was kept. */
function warmed(doc = twoHosts()) {
  const t = untraced(doc);
  t.send('a:eth0', frame(vmMac(1), vmMac(2)));
  expect(t.rec.frames('b:eth0')).toHaveLength(1);
  expect(t.kept()).toBe(true);
  // the second frame takes the kept leg: same delivery
  t.send('a:eth0', frame(vmMac(1), vmMac(2)));
  expect(t.rec.frames('b:eth0')).toHaveLength(2);
  return t;
}

describe('per-port decisions (cached plain local legs)', () => {
  it('vnic-connect: a disconnected destination gets nothing; the frame leaves by an uplink (F3)', () => {
    const t = warmed();
    const up0 = uplinkTx(t.lab);
    expect(t.lab.apply({ kind: 'vnic-connect', iface: 'b:eth0', connected: false }).ok).toBe(true);
    expect(t.kept()).toBe(false);
    t.send('a:eth0', frame(vmMac(1), vmMac(2)));
    expect(t.rec.frames('b:eth0')).toHaveLength(2);
    expect(uplinkTx(t.lab)).toBe(up0 + 1);
  });

  it('effective-mac: frames to the old MAC are no longer local', () => {
    const t = warmed(twoHosts({ security: { macChanges: 'accept' } }));
    const up0 = uplinkTx(t.lab);
    expect(t.lab.apply({ kind: 'effective-mac', iface: 'b:eth0', mac: '00:50:56:aa:0b:0b' }).ok).toBe(true);
    expect(t.kept()).toBe(false);
    t.send('a:eth0', frame(vmMac(1), vmMac(2)));
    expect(t.rec.frames('b:eth0')).toHaveLength(2);
    expect(uplinkTx(t.lab)).toBe(up0 + 1);
  });

  it('portgroup VLAN: a destination moved to another VLAN is not reached from VLAN 10 (V5)', () => {
    const t = warmed();
    const up0 = uplinkTx(t.lab);
    expect(t.lab.apply({ kind: 'portgroup', host: 'esxi-01', portGroup: 'VM-10b', vlan: 30 }).ok).toBe(true);
    expect(t.kept()).toBe(false);
    t.send('a:eth0', frame(vmMac(1), vmMac(2)));
    expect(t.rec.frames('b:eth0')).toHaveLength(2);
    expect(uplinkTx(t.lab)).toBe(up0 + 1);
  });

  it('portgroup policy: a port group turned promiscuous gets its copy (S1) next to the delivery', () => {
    const t = warmed();
    expect(t.lab.apply({ kind: 'portgroup', host: 'esxi-01', portGroup: 'Trunk', policy: { security: { promiscuous: 'accept' } } }).ok).toBe(true);
    expect(t.kept()).toBe(false);
    t.send('a:eth0', frame(vmMac(1), vmMac(2)));
    expect(t.rec.frames('b:eth0')).toHaveLength(3);
    expect(t.rec.frames('t:eth0')).toHaveLength(1);
  });

  it('portgroup policy: MAC address changes Reject disables a destination whose MAC was changed (S2)', () => {
    const t = untraced(twoHosts({ security: { macChanges: 'accept' } }));
    const changed = '00:50:56:aa:0b:0b';
    t.lab.setEffectiveMac('b:eth0', changed);
    t.send('a:eth0', frame(vmMac(1), changed));
    t.send('a:eth0', frame(vmMac(1), changed));
    expect(t.rec.frames('b:eth0')).toHaveLength(2);
    expect(t.kept()).toBe(true);
    expect(t.lab.apply({ kind: 'portgroup', host: 'esxi-01', portGroup: 'VM-10b', policy: { security: { macChanges: 'reject' } } }).ok).toBe(true);
    expect(t.kept()).toBe(false);
    t.send('a:eth0', frame(vmMac(1), changed));
    expect(t.rec.frames('b:eth0')).toHaveLength(2);
    expect(t.lab.counters('b:eth0').drops.MAC_CHANGE_REJECTED).toBe(1);
  });

  it('vswitch-policy: a vSwitch turned promiscuous gives the trunk port its copy (S1)', () => {
    const t = warmed();
    expect(t.lab.apply({ kind: 'vswitch-policy', host: 'esxi-01', vswitch: 'vSwitch0', policy: { security: { promiscuous: 'accept' } } }).ok).toBe(true);
    expect(t.kept()).toBe(false);
    t.send('a:eth0', frame(vmMac(1), vmMac(2)));
    expect(t.rec.frames('b:eth0')).toHaveLength(3);
    expect(t.rec.frames('t:eth0')).toHaveLength(1);
  });

  it('migrate: a destination moved to another host is reached over the uplinks', () => {
    const t = warmed();
    expect(t.lab.apply({ kind: 'migrate', vm: 'b', toHost: 'esxi-02' }).ok).toBe(true);
    t.lab.run(); // the RARP announcing b (T7)
    expect(t.kept()).toBe(false);
    const up0 = uplinkTx(t.lab);
    t.send('a:eth0', frame(vmMac(1), vmMac(2)));
    expect(uplinkTx(t.lab)).toBe(up0 + 1);
    expect(t.rec.frames('b:eth0')).toHaveLength(3);
    expect(t.lab.counters('esxi-02:vmnic0').rxFrames).toBeGreaterThan(0);
  });

  it('link, link-impairments, multicast, uplink-add and uplink-remove drop the kept legs too; local delivery goes on', () => {
    const t = warmed();
    const changes = [
      { kind: 'link', iface: 'esxi-01:vmnic0', up: false },
      { kind: 'link-impairments', iface: 'esxi-01:vmnic1', impairments: { lossPercent: 10 } },
      { kind: 'multicast', iface: 'b:eth0', groups: ['01:00:5e:00:00:fb'] },
      { kind: 'uplink-remove', host: 'esxi-01', vswitch: 'vSwitch0', uplink: 'vmnic1' },
      { kind: 'uplink-add', host: 'esxi-01', vswitch: 'vSwitch0', uplink: 'vmnic1' },
    ];
    let n = 2;
    for (const c of changes) {
      const r = t.lab.apply(c);
      expect(r, JSON.stringify(c)).toMatchObject({ ok: true });
      t.lab.run();
      expect(t.kept(), c.kind).toBe(false);
      t.send('a:eth0', frame(vmMac(1), vmMac(2)));
      expect(t.rec.frames('b:eth0'), c.kind).toHaveLength(++n);
      expect(t.kept(), c.kind).toBe(true);
    }
  });

  it('a leg that needs a tag pushed or popped is never kept (VGT)', () => {
    const t = untraced(twoHosts());
    t.send('a:eth0', frame(vmMac(1), vmMac(5))); // to the trunk port: tag 10 pushed (V3)
    expect(t.kept()).toBe(false);
    expect(t.rec.frames('t:eth0')).toHaveLength(1);
    t.send('t:eth0', frame(vmMac(5), vmMac(1), 10)); // tagged 10 from the trunk port: popped for a
    expect(t.lab.fabric.decisions.holds(t.lab.fabric.byId.get('t:eth0')!)).toBe(false);
    expect(t.rec.frames('a:eth0')).toHaveLength(1);
  });

  it('a lab without a subscriber delivers, counts and drops exactly what a traced one does, over random frames and changes', () => {
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const doc = twoHosts({ security: { macChanges: 'accept' } });
    const plain = untraced(doc);
    const traced = untraced(doc);
    const events: TraceEvent[] = [];
    traced.lab.trace.subscribe((e) => events.push(e));
    const senders = ['a:eth0', 'b:eth0', 'c:eth0'];
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
    for (let step = 0; step < 300; step++) {
      if (rnd(6) === 0) {
        const c = changes[rnd(changes.length)];
        expect(plain.lab.apply(c)).toEqual(traced.lab.apply(c));
        plain.lab.run();
        traced.lab.run();
        continue;
      }
      const from = senders[rnd(senders.length)]!;
      const src = from === 'a:eth0' ? vmMac(1) : from === 'b:eth0' ? plain.lab.effectiveMac('b:eth0') : vmMac(3);
      const bytes = frame(src, macs[rnd(macs.length)]!);
      plain.send(from, bytes);
      traced.send(from, bytes);
    }
    for (const i of plain.lab.interfaces()) expect(plain.lab.counters(i.id), i.id).toEqual(traced.lab.counters(i.id));
    for (const id of ['a:eth0', 'b:eth0', 'c:eth0', 't:eth0', 'ph1:eth0']) {
      expect(plain.rec.frames(id).map((f) => [...f]), id).toEqual(traced.rec.frames(id).map((f) => [...f]));
    }
    expect(events.length).toBeGreaterThan(0);
  });
});
