import { describe, expect, it } from 'vitest';
import { BCAST, PH1, atPoint, conservationViolations, frame, host, makeLab, standardTopology, topology, vids, vm, vmMac } from './fixtures.js';

const UNKNOWN = '00:50:56:ee:ee:ee';

describe('forwarding inside a vSwitch (F*)', () => {
  it('F1: the vSwitch knows its vNICs from configuration and learns nothing from uplink traffic', () => {
    const t = makeLab(standardTopology());
    // a frame to a from the uplink is delivered without any prior traffic from a
    t.send('esxi-01:vmnic0', frame(PH1, vmMac(1), 10));
    expect(t.rec.frames('a:eth0')).toHaveLength(1);
    // a source seen on the uplink is not learned: a frame to it from a VM is unknown unicast (F3)
    t.send('esxi-01:vmnic0', frame(UNKNOWN, vmMac(1), 10));
    t.events.length = 0;
    t.send('b:eth0', frame(vmMac(2), UNKNOWN));
    expect(atPoint(t.events, 'UplinkSnd')).toHaveLength(1);
    expect(t.delivers().filter((e) => e.node !== 'ph1')).toHaveLength(0);
  });

  it('F2: known unicast goes to that one port only', () => {
    const t = makeLab(standardTopology({ uplinks: 2 }));
    t.send('a:eth0', frame(vmMac(1), vmMac(2)));
    expect(t.rec.receivers()).toEqual(['b:eth0']);
    expect(atPoint(t.events, 'UplinkSnd')).toHaveLength(0);
    expect(t.delivers().map((e) => e.port)).toEqual(['b:eth0']);
    expect(t.drops()).toHaveLength(0);
  });

  it('F3: unknown unicast from a VM leaves by exactly one uplink and reaches no local port', () => {
    const t = makeLab(standardTopology({ uplinks: 2 }));
    t.send('a:eth0', frame(vmMac(1), UNKNOWN));
    const out = atPoint(t.events, 'UplinkSnd');
    expect(out).toHaveLength(1);
    expect(vids(out[0]!.frame!)).toEqual([10]);
    expect(t.rec.receivers()).toEqual([]);
    // the physical switch floods it back through the other uplink: our own frame, dropped there (F8)
    expect(t.drops('REFLECTION').map((e) => e.port)).toEqual(['esxi-01:vmnic1']);
    expect(t.drops('NOT_FOR_THIS_NIC').map((e) => e.port)).toEqual(['ph1:eth0']);
  });

  it('F3: no usable uplink -> NO_UPLINK', () => {
    const t = makeLab(standardTopology({ uplinks: 2 }));
    t.lab.setLinkState('esxi-01:vmnic0', false);
    t.lab.setLinkState('esxi-01:vmnic1', false);
    t.send('a:eth0', frame(vmMac(1), UNKNOWN));
    expect(t.drops('NO_UPLINK').map((e) => e.port)).toEqual(['a:eth0']);
    expect(t.drops('NO_UPLINK')[0]!.rule).toBe('F3');
    expect(t.lab.counters('a:eth0').drops.NO_UPLINK).toBe(1);
  });

  it('F4: unknown unicast from an uplink is dropped UNKNOWN_DST; a promiscuous port still gets a copy', () => {
    const t = makeLab(standardTopology());
    t.send('esxi-01:vmnic0', frame(PH1, UNKNOWN, 10));
    expect(t.drops('UNKNOWN_DST')).toHaveLength(1);
    expect(t.drops('UNKNOWN_DST')[0]!.rule).toBe('F4');
    expect(t.rec.receivers()).toEqual([]);

    const p = makeLab(
      standardTopology({
        extraPortGroups: [{ name: 'Sniff', vlan: 10, policy: { security: { promiscuous: 'accept' } } }],
        extraVms: [vm('s', 'Sniff', vmMac(9))],
      }),
    );
    p.send('esxi-01:vmnic0', frame(PH1, UNKNOWN, 10));
    expect(p.rec.receivers()).toEqual(['s:eth0']);
    expect(p.drops('UNKNOWN_DST')).toHaveLength(1);
  });

  it('F5: broadcast from a VM reaches every other port of its VLAN plus one uplink', () => {
    const t = makeLab(standardTopology({ uplinks: 2 }));
    t.send('a:eth0', frame(vmMac(1), BCAST));
    expect(t.rec.receivers()).toEqual(['b:eth0', 'ph1:eth0', 't:eth0']);
    const out = atPoint(t.events, 'UplinkSnd');
    expect(out).toHaveLength(1);
    expect(out[0]!.port).toBe('esxi-01:vmnic0');
    expect(t.rec.frames('a:eth0')).toHaveLength(0);
  });

  it('F5: multicast leaves by the uplink and reaches only local ports that registered it (M2)', () => {
    const t = makeLab(standardTopology());
    t.send('a:eth0', frame(vmMac(1), '01:00:5e:00:00:01'));
    expect(t.rec.receivers()).toEqual(['ph1:eth0']);
    expect(t.drops('MULTICAST_FILTERED').map((e) => e.port).sort()).toEqual(['b:eth0', 't:eth0']);
  });

  it('F6: broadcast from an uplink reaches the local ports of its VLAN', () => {
    const t = makeLab(standardTopology());
    t.send('esxi-01:vmnic0', frame(PH1, BCAST, 20));
    expect(t.rec.receivers()).toEqual(['c:eth0', 't:eth0']);
    expect(vids(t.rec.frames('c:eth0')[0]!)).toEqual([]);
    expect(vids(t.rec.frames('t:eth0')[0]!)).toEqual([20]);
  });

  it('F6: an uplink broadcast in a VLAN no local port carries is dropped NO_PORT_IN_VLAN (nothing vanishes)', () => {
    const t = makeLab(standardTopology());
    // VLAN 30: only the VGT port carries every VLAN -> remove it by disconnecting t
    t.lab.setConnected('t:eth0', false);
    t.send('esxi-01:vmnic0', frame(PH1, BCAST, 30));
    expect(t.drops('NO_PORT_IN_VLAN')).toHaveLength(1);
    expect(t.rec.receivers()).toEqual([]);
  });

  it('F7: a broadcast from an uplink never leaves by another uplink', () => {
    const t = makeLab(standardTopology({ uplinks: 3, policy: { teaming: { loadBalancing: 'iphash' } } }));
    t.send('esxi-01:vmnic0', frame(PH1, BCAST, 10));
    expect(atPoint(t.events, 'UplinkSnd')).toHaveLength(0);
    expect(t.rec.receivers()).toEqual(['a:eth0', 'b:eth0', 't:eth0']);
  });

  it('F8: a VM\'s own broadcast reflected back by the physical switch is dropped REFLECTION', () => {
    const t = makeLab(standardTopology({ uplinks: 2 }));
    t.send('a:eth0', frame(vmMac(1), BCAST));
    const refl = t.drops('REFLECTION');
    expect(refl).toHaveLength(1);
    expect(refl[0]!.port).toBe('esxi-01:vmnic1');
    expect(refl[0]!.rule).toBe('F8');
    // every local receiver got exactly one copy
    for (const id of ['b:eth0', 't:eth0']) expect(t.rec.frames(id)).toHaveLength(1);
    expect(t.rec.frames('a:eth0')).toHaveLength(0);
  });

  it('F8: REVERSE_PATH — a broadcast flooded to two uplinks on one physical switch is delivered once per port', () => {
    const t = makeLab(standardTopology({ uplinks: 2 }));
    t.send('ph1:eth0', frame(PH1, BCAST));
    for (const id of ['a:eth0', 'b:eth0', 't:eth0']) expect(t.rec.frames(id)).toHaveLength(1);
    // each of the three VLAN-10 ports is refused on the uplink it does not use
    expect(t.drops('REVERSE_PATH')).toHaveLength(3);
    for (const d of t.drops('REVERSE_PATH')) expect(d.rule).toBe('F8');
  });

  it('F8: promiscuous ports skip the reverse-path check (duplicates) unless reversePathFwdCheckPromisc', () => {
    const extra = { extraPortGroups: [{ name: 'Sniff', vlan: 10, policy: { security: { promiscuous: 'accept' as const } } }], extraVms: [vm('s', 'Sniff', vmMac(9))] };
    const dup = makeLab(standardTopology({ uplinks: 2, ...extra }));
    dup.send('ph1:eth0', frame(PH1, BCAST));
    expect(dup.rec.frames('s:eth0')).toHaveLength(2);
    const once = makeLab(standardTopology({ uplinks: 2, rpfPromisc: true, ...extra }));
    once.send('ph1:eth0', frame(PH1, BCAST));
    expect(once.rec.frames('s:eth0')).toHaveLength(1);
  });

  it('F8: under IP-hash teaming only the source-MAC check applies', () => {
    const t = makeLab(standardTopology({ uplinks: 2, policy: { teaming: { loadBalancing: 'iphash' } } }));
    t.send('ph1:eth0', frame(PH1, BCAST));
    expect(t.drops('REVERSE_PATH')).toHaveLength(0);
    expect(t.rec.frames('a:eth0')).toHaveLength(2);
  });

  it('F9: a payload over the vSwitch MTU is dropped at ingress; a smaller vNIC MTU drops on receive', () => {
    const t = makeLab(standardTopology());
    t.send('a:eth0', frame(vmMac(1), vmMac(2), undefined, 1501));
    expect(t.drops('MTU_EXCEEDED').map((e) => e.port)).toEqual(['a:eth0']);
    t.send('a:eth0', frame(vmMac(1), vmMac(2), undefined, 1500));
    expect(t.rec.frames('b:eth0')).toHaveLength(1);
    // from an uplink too
    t.send('esxi-01:vmnic0', frame(PH1, vmMac(1), 10, 1501));
    expect(t.drops('MTU_EXCEEDED').map((e) => e.port)).toEqual(['a:eth0', 'esxi-01:vmnic0']);

    const j = makeLab(standardTopology({ mtu: 9000 }));
    j.send('a:eth0', frame(vmMac(1), vmMac(2), undefined, 9000));
    const d = j.drops('MTU_EXCEEDED');
    expect(d.map((e) => e.port)).toEqual(['b:eth0']);
    expect(d[0]!.rule).toBe('F9');
    expect(j.rec.frames('b:eth0')).toHaveLength(0);
  });

  it('F10: every copy ends delivered or dropped, and the counters add up', () => {
    const t = makeLab(standardTopology({ uplinks: 2 }));
    t.send('a:eth0', frame(vmMac(1), BCAST));
    t.send('a:eth0', frame(vmMac(1), UNKNOWN));
    t.send('e:eth0', frame(vmMac(4), BCAST, 10));
    t.send('ph1:eth0', frame(PH1, BCAST));
    expect(conservationViolations(t.events)).toEqual([]);
    const all = Object.values(t.lab.allCounters());
    expect(all.reduce((n, c) => n + c.dropped, 0)).toBe(t.drops().length);
    expect(all.reduce((n, c) => n + c.rxFrames, 0)).toBe(t.events.filter((e) => e.action === 'deliver' || e.point === 'UplinkRcv' || e.point === 'PhysRx').length);
  });

  it('F5: a broadcast on an internal-only vSwitch with nobody else in the VLAN ends NO_OTHER_PORT', () => {
    const t = makeLab(topology({ hosts: [{ ...host({ uplinks: 0, portGroups: [{ name: 'Lonely', vlan: 7 }] }) }], vms: [vm('x', 'Lonely', vmMac(1))] }));
    t.send('x:eth0', frame(vmMac(1), BCAST));
    expect(t.drops('NO_OTHER_PORT')).toHaveLength(1);
    expect(conservationViolations(t.events)).toEqual([]);
  });
});
