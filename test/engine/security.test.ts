import { describe, expect, it } from 'vitest';
import { BCAST, PH1, atPoint, frame, makeLab, standardTopology, vids, vm, vmMac } from './fixtures.js';

const sniff = (promiscuous: 'accept' | 'reject', vlan = 10) => ({
  extraPortGroups: [{ name: 'Sniff', vlan, policy: { security: { promiscuous } } }],
  extraVms: [vm('s', 'Sniff', vmMac(9))],
});

describe('security policy (S*)', () => {
  it('S1: Accept — a promiscuous port sees unicast between other ports of its VLAN', () => {
    const t = makeLab(standardTopology(sniff('accept')));
    t.send('a:eth0', frame(vmMac(1), vmMac(2)));
    expect(t.rec.receivers()).toEqual(['b:eth0', 's:eth0']);
    // and traffic from the uplink to a local port
    t.send('esxi-01:vmnic0', frame(PH1, vmMac(1), 10));
    expect(t.rec.frames('s:eth0')).toHaveLength(2);
    // but not other VLANs
    t.send('c:eth0', frame(vmMac(3), '00:50:56:ee:ee:01'));
    expect(t.rec.frames('s:eth0')).toHaveLength(2);
  });

  it('S1: Reject (default) — the port receives only its own MAC, broadcast and multicast', () => {
    const t = makeLab(standardTopology(sniff('reject')));
    t.send('a:eth0', frame(vmMac(1), vmMac(2)));
    t.send('esxi-01:vmnic0', frame(PH1, vmMac(1), 10));
    expect(t.rec.frames('s:eth0')).toHaveLength(0);
    t.send('a:eth0', frame(vmMac(1), BCAST));
    expect(t.rec.frames('s:eth0')).toHaveLength(1);
  });

  it('S1: a promiscuous VLAN 4095 port sees every VLAN, tagged', () => {
    const t = makeLab(standardTopology(sniff('accept', 4095)));
    t.send('a:eth0', frame(vmMac(1), vmMac(2)));
    t.send('c:eth0', frame(vmMac(3), '00:50:56:ee:ee:01'));
    expect(t.rec.frames('s:eth0').map(vids)).toEqual([[10], [20]]);
  });

  it('S2: Reject — frames to a changed effective MAC are dropped MAC_CHANGE_REJECTED', () => {
    const t = makeLab(standardTopology());
    const changed = '00:50:56:aa:0b:0b';
    t.lab.setEffectiveMac('b:eth0', changed);
    expect(t.lab.effectiveMac('b:eth0')).toBe(changed);
    t.send('a:eth0', frame(vmMac(1), changed));
    const d = t.drops('MAC_CHANGE_REJECTED');
    expect(d).toHaveLength(1);
    expect(d[0]!.port).toBe('b:eth0');
    expect(d[0]!.rule).toBe('S2');
    expect(t.rec.frames('b:eth0')).toHaveLength(0);
    // setting the initial MAC back undoes it
    t.lab.setEffectiveMac('b:eth0', vmMac(2));
    t.send('a:eth0', frame(vmMac(1), vmMac(2)));
    expect(t.rec.frames('b:eth0')).toHaveLength(1);
  });

  it('S2: Accept — frames to the effective MAC are delivered', () => {
    const t = makeLab(standardTopology({ policy: { security: { macChanges: 'accept' } } }));
    const changed = '00:50:56:aa:0b:0b';
    t.lab.setEffectiveMac('b:eth0', changed);
    t.send('a:eth0', frame(vmMac(1), changed));
    expect(t.rec.frames('b:eth0')).toHaveLength(1);
    expect(t.drops('MAC_CHANGE_REJECTED')).toHaveLength(0);
  });

  it('S3: Reject — a frame whose source is not the effective MAC is dropped FORGED_TRANSMIT', () => {
    const t = makeLab(standardTopology());
    t.send('a:eth0', frame('00:50:56:aa:00:99', vmMac(2)));
    const d = t.drops('FORGED_TRANSMIT');
    expect(d).toHaveLength(1);
    expect(d[0]!.port).toBe('a:eth0');
    expect(d[0]!.rule).toBe('S3');
    expect(d[0]!.detail).toBe('dropped FORGED_TRANSMIT (S3): source 00:50:56:aa:00:99 is not the effective MAC 00:50:56:aa:00:01');
    expect(t.rec.receivers()).toEqual([]);
    expect(atPoint(t.events, 'UplinkSnd')).toHaveLength(0);
    expect(t.lab.counters('a:eth0').drops).toEqual({ FORGED_TRANSMIT: 1 });
  });

  it('S3: Accept — no check', () => {
    const t = makeLab(standardTopology({ policy: { security: { forgedTransmits: 'accept' } } }));
    t.send('a:eth0', frame('00:50:56:aa:00:99', vmMac(2)));
    expect(t.rec.receivers()).toEqual(['b:eth0']);
  });

  it('S3: with MAC address changes Accept, the changed effective MAC is the one checked', () => {
    const t = makeLab(standardTopology({ policy: { security: { macChanges: 'accept' } } }));
    t.lab.setEffectiveMac('a:eth0', '00:50:56:aa:0a:0a');
    t.send('a:eth0', frame('00:50:56:aa:0a:0a', vmMac(2)));
    expect(t.rec.receivers()).toEqual(['b:eth0']);
    t.send('a:eth0', frame(vmMac(1), vmMac(2)));
    expect(t.drops('FORGED_TRANSMIT')).toHaveLength(1);
  });

  it('S2+S3: with MAC address changes Reject the refused MAC is not the effective one: frames from it are forged', () => {
    const t = makeLab(standardTopology());
    t.lab.setEffectiveMac('a:eth0', '00:50:56:aa:0a:0a');
    t.send('a:eth0', frame('00:50:56:aa:0a:0a', vmMac(2)));
    expect(t.rec.receivers()).toEqual([]);
    const d = t.drops('FORGED_TRANSMIT');
    expect(d).toHaveLength(1);
    expect(d[0]!.port).toBe('a:eth0');
    // the initial MAC is still the effective one the vSwitch honours: a frame from it passes
    t.send('a:eth0', frame(vmMac(1), vmMac(2)));
    expect(t.rec.receivers()).toEqual(['b:eth0']);
    // forged transmits Accept: the guest may send from the refused MAC (S2 blocks only what it receives)
    const u = makeLab(standardTopology({ policy: { security: { forgedTransmits: 'accept' } } }));
    u.lab.setEffectiveMac('a:eth0', '00:50:56:aa:0a:0a');
    u.send('a:eth0', frame('00:50:56:aa:0a:0a', vmMac(2)));
    expect(u.rec.receivers()).toEqual(['b:eth0']);
  });

  it('S2: Reject disables the port for inbound frames: broadcast, multicast it registered and promiscuous copies are dropped too, until the guest reverts', () => {
    const doc = standardTopology({ policy: { security: { promiscuous: 'accept' } } });
    doc.vms.find((v) => v.name === 'b')!.nics[0]!.multicast = ['01:00:5e:01:02:03'];
    const t = makeLab(doc);
    t.lab.setEffectiveMac('b:eth0', '00:50:56:aa:0b:0b');
    t.send('a:eth0', frame(vmMac(1), BCAST));
    t.send('a:eth0', frame(vmMac(1), '01:00:5e:01:02:03'));
    t.send('a:eth0', frame(vmMac(1), '00:50:56:ee:ee:01')); // unknown unicast: b would see it promiscuously (S1)
    t.send('esxi-01:vmnic0', frame(PH1, BCAST, 10));
    expect(t.rec.frames('b:eth0')).toHaveLength(0);
    const d = t.drops('MAC_CHANGE_REJECTED');
    expect(d.map((e) => e.port)).toEqual(['b:eth0', 'b:eth0', 'b:eth0', 'b:eth0']);
    expect(d[0]!.detail).toBe(
      'dropped MAC_CHANGE_REJECTED (S2): b:eth0 uses MAC 00:50:56:aa:0b:0b, not its initial 00:50:56:aa:00:02, and MAC address changes are Reject: the port receives no frame until the guest uses 00:50:56:aa:00:02 again',
    );
    // others are unaffected
    expect(t.rec.frames('t:eth0').length).toBeGreaterThan(0);
    // recovery: the guest reverts to its initial MAC
    t.lab.setEffectiveMac('b:eth0', vmMac(2));
    t.send('a:eth0', frame(vmMac(1), BCAST));
    expect(t.rec.frames('b:eth0')).toHaveLength(1);
  });
});
