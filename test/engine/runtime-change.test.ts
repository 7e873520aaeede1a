import { describe, expect, it } from 'vitest';
import { createLab, type Lab } from '../../src/engine/lab.js';
import { LabError } from '../../src/engine/lab-error.js';
import { BCAST, PH1, atPoint, frame, host, makeLab, standardTopology, topology, trunk, vm, vmMac } from './fixtures.js';

/** Everything a refused change must leave as it was. */
function state(lab: Lab, switches: string[]): string {
  return JSON.stringify({
    counters: lab.allCounters(),
    tables: switches.map((s) => lab.macTable(s)),
    config: lab.currentTopology(),
    interfaces: lab.interfaces(),
    now: lab.now,
    next: lab.nextEventTime(),
  });
}

function twoHosts() {
  return topology({
    hosts: [
      host({ uplinks: 2, portGroups: [{ name: 'VM-10', vlan: 10 }, { name: 'VM-20', vlan: 20 }] }, 1),
      host({ uplinks: 2, portGroups: [{ name: 'VM-10', vlan: 10 }, { name: 'VM-20', vlan: 21 }] }, 2),
    ],
    vms: [vm('a', 'VM-10', vmMac(1)), vm('c', 'VM-20', vmMac(3)), vm('b', 'VM-10', vmMac(2), 'esxi-02')],
    physicalSwitches: [{ name: 'tor-1', ports: [trunk('eth0'), trunk('eth1'), trunk('eth2'), trunk('eth3'), { name: 'eth9', mode: 'access', vlan: 10 }] }],
    physicalHosts: [{ name: 'ph1', nics: [{ name: 'eth0', mac: PH1 }] }],
    links: [
      { a: 'esxi-01:vmnic0', b: 'tor-1:eth0' },
      { a: 'esxi-01:vmnic1', b: 'tor-1:eth1' },
      { a: 'esxi-02:vmnic0', b: 'tor-1:eth2' },
      { a: 'esxi-02:vmnic1', b: 'tor-1:eth3' },
      { a: 'ph1:eth0', b: 'tor-1:eth9' },
    ],
  });
}

describe('runtime changes: lab.apply', () => {
  it('applies each kind, updates the current topology and emits a change event', () => {
    const t = makeLab(twoHosts());
    const lab = t.lab;
    const ok = (c: unknown) => expect(lab.apply(c)).toMatchObject({ ok: true });
    ok({ kind: 'link', iface: 'esxi-01:vmnic0', up: false });
    expect(lab.currentTopology().links[0]!.up).toBe(false);
    expect(lab.interfaces().find((i) => i.id === 'tor-1:eth0')!.up).toBe(false);
    ok({ kind: 'vnic-connect', iface: 'a:eth0', connected: false });
    expect(lab.currentTopology().vms[0]!.nics[0]!.connected).toBe(false);
    ok({ kind: 'effective-mac', iface: 'c:eth0', mac: '00:50:56:aa:99:99' });
    expect(lab.effectiveMac('c:eth0')).toBe('00:50:56:aa:99:99');
    ok({ kind: 'portgroup', host: 'esxi-01', portGroup: 'VM-20', vlan: 21, policy: { security: { promiscuous: 'accept' } } });
    const pg = lab.currentTopology().hosts[0]!.vswitches[0]!.portGroups[1]!;
    expect(pg).toMatchObject({ vlan: 21, policy: { security: { promiscuous: 'accept' } } });
    ok({ kind: 'portgroup', host: 'esxi-01', portGroup: 'VM-20', policy: { security: { promiscuous: null } } });
    expect(lab.currentTopology().hosts[0]!.vswitches[0]!.portGroups[1]!.policy).toBeUndefined();
    ok({ kind: 'vswitch-policy', host: 'esxi-01', vswitch: 'vSwitch0', policy: { teaming: { failback: false } } });
    expect(lab.currentTopology().hosts[0]!.vswitches[0]!.policy).toEqual({ teaming: { failback: false } });
    ok({ kind: 'uplink-remove', host: 'esxi-01', vswitch: 'vSwitch0', uplink: 'vmnic1' });
    expect(lab.currentTopology().hosts[0]!.vswitches[0]!.uplinks).toEqual(['vmnic0']);
    ok({ kind: 'uplink-add', host: 'esxi-01', vswitch: 'vSwitch0', uplink: 'vmnic1' });
    expect(lab.currentTopology().hosts[0]!.vswitches[0]!.uplinks).toEqual(['vmnic0', 'vmnic1']);
    ok({ kind: 'migrate', vm: 'a', toHost: 'esxi-02' });
    expect(lab.currentTopology().vms[0]!.host).toBe('esxi-02');
    expect(lab.interfaces().find((i) => i.id === 'a:eth0')).toMatchObject({ host: 'esxi-02', portGroup: 'VM-10' });
    ok({ kind: 'portgroup', host: 'esxi-01', portGroup: 'VM-20', policy: { security: { forgedTransmits: 'reject' } } });
    ok({ kind: 'vswitch-policy', host: 'esxi-01', vswitch: 'vSwitch0', policy: { shaping: { enabled: false } } });
    const changes = t.events.filter((e) => e.action === 'change');
    // each change cites the rule it is about: a security edit its S rule, shaping Q1, teaming T1
    expect(changes.map((e) => e.rule)).toEqual(['T6', 'T7', 'S2', 'V2', 'S1', 'T1', 'T1', 'T1', 'E3', 'S3', 'Q1']);
    // the original topology object is untouched
    expect(lab.topology.vms[0]!.host).toBe('esxi-01');
  });

  it('a port group VLAN edit moves the port to the new VLAN at once (V2)', () => {
    const t = makeLab(standardTopology());
    t.send('a:eth0', frame(vmMac(1), BCAST));
    expect(t.rec.receivers()).toContain('b:eth0'); // VLAN 10 neighbour
    t.rec.clear();
    expect(t.lab.apply({ kind: 'portgroup', host: 'esxi-01', portGroup: 'VM-10b', vlan: 20 }).ok).toBe(true);
    t.send('a:eth0', frame(vmMac(1), BCAST));
    expect(t.rec.receivers()).not.toContain('b:eth0');
    t.rec.clear();
    t.send('c:eth0', frame(vmMac(3), BCAST));
    expect(t.rec.receivers()).toContain('b:eth0');
  });

  it('every refused change leaves counters, MAC tables, interfaces and config byte-for-byte unchanged, with a reason', () => {
    const t = makeLab(twoHosts());
    const lab = t.lab;
    // some traffic first, so counters and tables are not empty
    t.send('ph1:eth0', frame(PH1, BCAST));
    t.send('a:eth0', frame(vmMac(1), PH1));
    lab.inject('b:eth0', frame(vmMac(2), PH1)); // leave an event queued
    const bad: [unknown, RegExp][] = [
      [{ kind: 'nope' }, /kind/],
      [null, /./],
      [{ kind: 'link', iface: 'nowhere:eth0', up: false }, /unknown interface/],
      [{ kind: 'link', iface: 'a:eth0', up: false }, /no cable/],
      [{ kind: 'link', iface: 'esxi-01:vmnic0' }, /up/],
      [{ kind: 'vnic-connect', iface: 'esxi-01:vmnic0', connected: false }, /only a VM vNIC/],
      [{ kind: 'effective-mac', iface: 'a:eth0', mac: 'zz' }, /mac/i],
      [{ kind: 'effective-mac', iface: 'a:eth0', mac: '01:00:5e:00:00:01' }, /multicast/],
      [{ kind: 'effective-mac', iface: 'esxi-01:vmnic0', mac: vmMac(9) }, /only a VM vNIC/],
      [{ kind: 'portgroup', host: 'esxi-01', portGroup: 'Nope', vlan: 3 }, /no port group "Nope"/],
      [{ kind: 'portgroup', host: 'esxi-09', portGroup: 'VM-10', vlan: 3 }, /no ESXi host/],
      [{ kind: 'portgroup', host: 'esxi-01', portGroup: 'VM-10', vlan: 5000 }, /VLAN ID must be 0..4095/],
      [{ kind: 'portgroup', host: 'esxi-01', portGroup: 'VM-10' }, /vlan, policy or both/],
      [{ kind: 'portgroup', host: 'esxi-01', portGroup: 'VM-10', policy: { teaming: { active: ['vmnic7'] } } }, /vmnic7/],
      [{ kind: 'portgroup', host: 'esxi-01', portGroup: 'VM-10', policy: { shaping: { averageBps: -1 } } }, /./],
      [{ kind: 'vswitch-policy', host: 'esxi-01', vswitch: 'vSwitch9', policy: {} }, /no vSwitch/],
      [{ kind: 'uplink-add', host: 'esxi-01', vswitch: 'vSwitch0', uplink: 'vmnic0' }, /already an uplink/],
      [{ kind: 'uplink-add', host: 'esxi-01', vswitch: 'vSwitch0', uplink: 'vmnic5' }, /no physical NIC/],
      [{ kind: 'uplink-remove', host: 'esxi-01', vswitch: 'vSwitch0', uplink: 'vmnic5' }, /not an uplink/],
      [{ kind: 'migrate', vm: 'zz', toHost: 'esxi-02' }, /no VM/],
      [{ kind: 'migrate', vm: 'a', toHost: 'esxi-01' }, /already runs/],
      [{ kind: 'migrate', vm: 'a', toHost: 'tor-1' }, /no ESXi host/],
      [{ kind: 'migrate', vm: 'c', toHost: 'esxi-02' }, /E3.*VLAN 20.*VLAN 21/],
    ];
    const before = state(lab, ['tor-1']);
    const traced = t.events.length;
    for (const [change, reason] of bad) {
      const r = lab.apply(change);
      expect(r.ok, JSON.stringify(change)).toBe(false);
      if (!r.ok) expect(r.reason, JSON.stringify(change)).toMatch(reason);
      expect(state(lab, ['tor-1']), JSON.stringify(change)).toBe(before);
    }
    expect(t.events.length).toBe(traced); // a refused change emits nothing
  });

  it('E3: migration is refused when the destination lacks the port group', () => {
    const topo = twoHosts();
    topo.hosts[1]!.vswitches[0]!.portGroups = topo.hosts[1]!.vswitches[0]!.portGroups.filter((g) => g.name !== 'VM-20');
    const lab = createLab(topo);
    const r = lab.apply({ kind: 'migrate', vm: 'c', toHost: 'esxi-02' });
    expect(r).toEqual({ ok: false, reason: expect.stringMatching(/E3.*esxi-02 has no port group "VM-20"/) });
  });

  it('the old setters are thin wrappers: they throw LabError when refused and change nothing', () => {
    const t = makeLab(twoHosts());
    const before = state(t.lab, ['tor-1']);
    expect(() => t.lab.setLinkState('a:eth0', false)).toThrow(LabError);
    expect(() => t.lab.setConnected('esxi-01:vmnic0', false)).toThrow(LabError);
    expect(() => t.lab.setEffectiveMac('a:eth0', 'bad')).toThrow(LabError);
    expect(() => t.lab.setLinkState('zz:eth0', false)).toThrow(/unknown interface/);
    expect(state(t.lab, ['tor-1'])).toBe(before);
    t.lab.setLinkState('esxi-01:vmnic0', false);
    t.send('a:eth0', frame(vmMac(1), '00:50:56:ee:ee:ee'));
    expect(atPoint(t.events, 'UplinkSnd').map((e) => e.port)).toContain('esxi-01:vmnic1');
  });
  it('a refusal for a name the lab lacks names the near ones, and only those in a big lab', () => {
    const lab = makeLab(twoHosts()).lab;
    const badIface = lab.apply({ kind: 'link', iface: 'esxi-01:vmnic9', up: false });
    expect(badIface.ok).toBe(false);
    if (!badIface.ok) expect(badIface.reason).toMatch(/^unknown interface "esxi-01:vmnic9".*\(there: esxi-01:vmnic0\b/);
    const vms = Array.from({ length: 40 }, (_, i) => vm(`web-${String(i).padStart(2, '0')}`, 'VM-10', vmMac(10 + i)));
    const big = makeLab(topology({ hosts: [host({ uplinks: 1, portGroups: [{ name: 'VM-10', vlan: 10 }] }, 1), host({ uplinks: 1, portGroups: [{ name: 'VM-10', vlan: 10 }] }, 2)], vms })).lab;
    const out = big.apply({ kind: 'migrate', vm: 'web-1O', toHost: 'esxi-02' });
    expect(out.ok).toBe(false);
    if (out.ok) return;
    const listed = /\(there: (.*)\)$/.exec(out.reason)![1]!.split(', ');
    expect(listed[0]).toBe('web-10'); // a typo (letter O for zero): the nearest first
    expect(listed).toContain('…');
    expect(listed.length).toBeLessThanOrEqual(6);
    expect(listed.filter((n) => n !== '…').every((n) => /^web-\d\d$/.test(n))).toBe(true);
  });
});
