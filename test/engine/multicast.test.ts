import { describe, expect, it } from 'vitest';
import { validateTopology } from '../../src/topology/load.js';
import { LabError } from '../../src/engine/index.js';
import { BCAST, PH1, atPoint, frame, makeLab, standardTopology, vm, vmMac } from './fixtures.js';

const GROUP = '01:00:5e:01:02:03'; // IPv4 239.1.2.3
const OTHER = '01:00:5e:09:09:09';

/** The standard topology with b:eth0 (VLAN 10) registered for GROUP, plus optional extras. */
function topo(extra: Parameters<typeof standardTopology>[0] = {}) {
  const doc = standardTopology(extra);
  doc.vms.find((v) => v.name === 'b')!.nics[0]!.multicast = [GROUP];
  return doc;
}

describe('basic multicast filtering (M*)', () => {
  it('M2: a multicast frame reaches the local ports that registered its MAC, and the uplink', () => {
    const t = makeLab(topo());
    t.send('a:eth0', frame(vmMac(1), GROUP));
    // b registered; t (VGT, carries VLAN 10) did not; ph1 is behind the uplink (F5) and the physical switch floods (P3)
    expect(t.rec.receivers()).toEqual(['b:eth0', 'ph1:eth0']);
    expect(atPoint(t.events, 'UplinkSnd').map((e) => e.port)).toEqual(['esxi-01:vmnic0']);
    const d = t.drops('MULTICAST_FILTERED');
    expect(d.map((e) => e.port)).toEqual(['t:eth0']);
    expect(d[0]!.rule).toBe('M2');
    expect(d[0]!.detail).toBe(`dropped MULTICAST_FILTERED (M2): t:eth0 has not registered multicast ${GROUP} in its filter (basic multicast filtering)`);
  });

  it('M2: a group nobody registered leaves by the uplink only; every local leg is dropped with a reason', () => {
    const t = makeLab(topo());
    t.send('a:eth0', frame(vmMac(1), OTHER));
    expect(t.rec.receivers()).toEqual(['ph1:eth0']);
    expect(t.drops('MULTICAST_FILTERED').map((e) => e.port).sort()).toEqual(['b:eth0', 't:eth0']);
  });

  it('M2: from an uplink, only registered ports receive it (never another uplink, F7)', () => {
    const t = makeLab(topo());
    t.send('esxi-01:vmnic0', frame(PH1, GROUP, 10));
    expect(t.rec.receivers()).toEqual(['b:eth0']);
    expect(t.drops('MULTICAST_FILTERED').map((e) => e.port).sort()).toEqual(['a:eth0', 't:eth0']);
    expect(atPoint(t.events, 'UplinkSnd')).toHaveLength(0);
  });

  it('M3: a promiscuous port receives multicast it did not register (S1)', () => {
    const t = makeLab(topo({
      extraPortGroups: [{ name: 'Sniff', vlan: 10, policy: { security: { promiscuous: 'accept' } } }],
      extraVms: [vm('s', 'Sniff', vmMac(9))],
    }));
    t.send('a:eth0', frame(vmMac(1), OTHER));
    expect(t.rec.receivers()).toEqual(['ph1:eth0', 's:eth0']);
    const toS = t.delivers().find((e) => e.port === 's:eth0')!;
    expect(toS.rule).toBe('S1');
  });

  it('broadcast is not filtered (F5)', () => {
    const t = makeLab(topo());
    t.send('a:eth0', frame(vmMac(1), BCAST));
    expect(t.rec.receivers()).toEqual(['b:eth0', 'ph1:eth0', 't:eth0']);
    expect(t.drops('MULTICAST_FILTERED')).toHaveLength(0);
  });

  it('M1: the guest sets its filter at run time (Lab.setMulticastFilter); interfaces() shows each port\'s filter', () => {
    const t = makeLab(topo());
    expect(t.lab.interfaces().find((i) => i.id === 'b:eth0')!.multicast).toEqual([GROUP]);
    expect(t.lab.interfaces().find((i) => i.id === 't:eth0')!.multicast).toEqual([]);
    t.lab.setMulticastFilter('t:eth0', [OTHER.toUpperCase(), GROUP]);
    expect(t.lab.interfaces().find((i) => i.id === 't:eth0')!.multicast).toEqual([GROUP, OTHER]);
    t.send('a:eth0', frame(vmMac(1), OTHER));
    expect(t.rec.receivers()).toEqual(['ph1:eth0', 't:eth0']);
    // leaving every group
    t.lab.setMulticastFilter('b:eth0', []);
    t.send('a:eth0', frame(vmMac(1), GROUP));
    expect(t.rec.frames('b:eth0')).toHaveLength(0);
    expect(t.lab.currentTopology().vms.find((v) => v.name === 'b')!.nics[0]!.multicast).toBeUndefined();
  });

  it('M1: a bad filter is refused whole (unicast or broadcast MAC, not a vNIC) and changes nothing', () => {
    const t = makeLab(topo());
    expect(() => t.lab.setMulticastFilter('b:eth0', [GROUP, '00:50:56:00:00:01'])).toThrow(LabError);
    expect(() => t.lab.setMulticastFilter('b:eth0', ['ff:ff:ff:ff:ff:ff'])).toThrow(/broadcast/);
    expect(() => t.lab.setMulticastFilter('esxi-01:vmnic0', [GROUP])).toThrow(/only a VM vNIC/);
    expect(t.lab.interfaces().find((i) => i.id === 'b:eth0')!.multicast).toEqual([GROUP]);
    const r = t.lab.apply({ kind: 'multicast', iface: 'b:eth0', groups: ['00:50:56:00:00:01'] });
    expect(r).toMatchObject({ ok: false });
    expect(!r.ok && r.reason).toContain('not a multicast MAC');
  });

  it('M1: the topology checks a vNIC\'s multicast list', () => {
    const doc = topo();
    doc.vms[0]!.nics[0]!.multicast = ['00:50:56:00:00:01'];
    const r = validateTopology(doc);
    expect(r.ok).toBe(false);
    expect(JSON.stringify(r)).toContain('not a multicast MAC');
  });

  it('M4: a port with more than 32 multicast MACs receives every multicast frame', () => {
    const t = makeLab(topo());
    const many = Array.from({ length: 33 }, (_, i) => `01:00:5e:00:01:${i.toString(16).padStart(2, '0')}`);
    t.lab.setMulticastFilter('t:eth0', many.slice(0, 32));
    t.send('a:eth0', frame(vmMac(1), OTHER));
    expect(t.rec.frames('t:eth0')).toHaveLength(0);
    t.lab.setMulticastFilter('t:eth0', many);
    t.send('a:eth0', frame(vmMac(1), OTHER));
    expect(t.rec.frames('t:eth0')).toHaveLength(1);
  });

  it('M5: the physical switch floods multicast to every port of the VLAN (P3; no IGMP snooping)', () => {
    const t = makeLab(topo({ uplinks: 2 }));
    t.send('ph1:eth0', frame(PH1, GROUP));
    // both uplinks' switch ports carry VLAN 10: the frame is flooded to both (P3)
    expect(atPoint(t.events, 'PhysTx').map((e) => e.port).sort()).toEqual(['tor-1:eth0', 'tor-1:eth1']);
  });
});

describe('the stack\'s own groups (M1, for IPv6 solicited-node groups)', () => {
  it('an endpoint stack registers groups through its port; the guest\'s list is kept apart', async () => {
    const { createLab } = await import('../../src/engine/index.js');
    const { recorder } = await import('./fixtures.js');
    const rec = recorder();
    const solicited = Uint8Array.from([0x33, 0x33, 0xff, 0x00, 0x00, 0x05]);
    const lab = createLab(topo(), {
      stackFactory: (config, port) => {
        const stack = rec.factory(config, port);
        if (config.id === 't:eth0') port.setMulticastGroups?.([solicited]);
        return stack;
      },
    });
    expect(lab.interfaces().find((i) => i.id === 't:eth0')!.multicast).toEqual(['33:33:ff:00:00:05']);
    lab.inject('a:eth0', frame(vmMac(1), '33:33:ff:00:00:05'));
    lab.run();
    expect(rec.receivers()).toEqual(['ph1:eth0', 't:eth0']);
    // the guest sets its own list: the stack's group stays
    lab.setMulticastFilter('t:eth0', [GROUP]);
    expect(lab.interfaces().find((i) => i.id === 't:eth0')!.multicast).toEqual([GROUP, '33:33:ff:00:00:05']);
  });
});
