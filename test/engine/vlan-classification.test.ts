import { describe, expect, it } from 'vitest';
import { BCAST, PH1, atPoint, frame, makeLab, standardTopology, vids, vmMac } from './fixtures.js';

describe('VLANs (V*)', () => {
  it('V1: an EST port group gets untagged and priority-tagged uplink frames, with the priority tag removed', () => {
    const t = makeLab(standardTopology());
    t.send('esxi-01:vmnic0', frame(PH1, vmMac(4)));
    t.send('esxi-01:vmnic0', frame(PH1, vmMac(4), 0, 46, 5));
    const got = t.rec.frames('e:eth0');
    expect(got).toHaveLength(2);
    expect(vids(got[0]!)).toEqual([]);
    expect(vids(got[1]!)).toEqual([]);
    expect(t.events.some((e) => e.action === 'tag-pop' && e.rule === 'V1')).toBe(true);
  });

  it('V1: a guest-sent tagged frame on an EST or VST port group is dropped VLAN_MISMATCH', () => {
    const t = makeLab(standardTopology());
    t.send('e:eth0', frame(vmMac(4), BCAST, 10));
    t.send('a:eth0', frame(vmMac(1), BCAST, 20));
    const d = t.drops('VLAN_MISMATCH');
    expect(d.map((e) => e.port)).toEqual(['e:eth0', 'a:eth0']);
    expect(d[0]!.rule).toBe('V1');
    expect(t.rec.receivers()).toEqual([]);
    expect(atPoint(t.events, 'UplinkSnd')).toHaveLength(0);
  });

  it('V1: EST guest frames are sent untagged (uplink copy untagged)', () => {
    const t = makeLab(standardTopology());
    t.send('e:eth0', frame(vmMac(4), BCAST));
    const out = atPoint(t.events, 'UplinkSnd');
    expect(out).toHaveLength(1);
    expect(vids(out[0]!.frame!)).toEqual([]);
    expect(t.rec.receivers()).toEqual(['t:eth0']);
    expect(vids(t.rec.frames('t:eth0')[0]!)).toEqual([]);
  });

  it('V2: a VST-10 VM sends untagged: uplink copy tagged 10, VGT port tagged 10, other VST-10 VM untagged', () => {
    const t = makeLab(standardTopology());
    t.send('a:eth0', frame(vmMac(1), BCAST));
    const out = atPoint(t.events, 'UplinkSnd');
    expect(out).toHaveLength(1);
    expect(vids(out[0]!.frame!)).toEqual([10]);
    expect(out[0]!.frame![14]! >> 5).toBe(0); // PCP 0
    expect(vids(t.rec.frames('t:eth0')[0]!)).toEqual([10]);
    expect(vids(t.rec.frames('b:eth0')[0]!)).toEqual([]);
    expect(t.rec.frames('c:eth0')).toHaveLength(0);
    expect(t.rec.frames('e:eth0')).toHaveLength(0);
  });

  it('V2: frames tagged N from an uplink reach VST-N ports untagged; untagged uplink frames never reach VST', () => {
    const t = makeLab(standardTopology());
    t.send('esxi-01:vmnic0', frame(PH1, vmMac(1), 10));
    expect(vids(t.rec.frames('a:eth0')[0]!)).toEqual([]);
    t.rec.clear();
    t.send('esxi-01:vmnic0', frame(PH1, BCAST));
    t.send('esxi-01:vmnic0', frame(PH1, vmMac(1)));
    expect(t.rec.frames('a:eth0')).toHaveLength(0);
    expect(t.rec.frames('b:eth0')).toHaveLength(0);
    expect(t.rec.frames('c:eth0')).toHaveLength(0);
    expect(t.rec.receivers()).toEqual(['e:eth0', 't:eth0']);
  });

  it('V3: a VGT guest tags: tagged frames keep their VLAN, untagged ones belong to the untagged domain', () => {
    const t = makeLab(standardTopology());
    t.send('t:eth0', frame(vmMac(5), BCAST, 20));
    expect(t.rec.receivers()).toEqual(['c:eth0']);
    expect(vids(t.rec.frames('c:eth0')[0]!)).toEqual([]);
    expect(vids(atPoint(t.events, 'UplinkSnd')[0]!.frame!)).toEqual([20]);
    t.rec.clear();
    t.events.length = 0;
    t.send('t:eth0', frame(vmMac(5), BCAST));
    expect(t.rec.receivers()).toEqual(['e:eth0']);
    expect(vids(atPoint(t.events, 'UplinkSnd')[0]!.frame!)).toEqual([]);
  });

  it('V3: a VGT port receives every VLAN with its tag, and untagged-domain frames untagged', () => {
    const t = makeLab(standardTopology());
    t.send('esxi-01:vmnic0', frame(PH1, BCAST, 10));
    t.send('esxi-01:vmnic0', frame(PH1, BCAST, 3999));
    t.send('esxi-01:vmnic0', frame(PH1, BCAST));
    expect(t.rec.frames('t:eth0').map(vids)).toEqual([[10], [3999], []]);
  });

  it('V3: VLAN ID 4095 never appears on a wire (RESERVED_VLAN)', () => {
    const t = makeLab(standardTopology());
    t.send('t:eth0', frame(vmMac(5), BCAST, 4095));
    t.send('esxi-01:vmnic0', frame(PH1, BCAST, 4095));
    expect(t.drops('RESERVED_VLAN')).toHaveLength(2);
  });

  it('V4: uplinks carry VLANs 1..4094 tagged and the untagged domain untagged', () => {
    const t = makeLab(standardTopology());
    t.send('c:eth0', frame(vmMac(3), '00:50:56:ee:ee:01'));
    t.send('e:eth0', frame(vmMac(4), '00:50:56:ee:ee:02'));
    const out = atPoint(t.events, 'UplinkSnd').map((e) => vids(e.frame!));
    expect(out).toEqual([[20], []]);
  });

  it('V5: same VLAN, different port groups are one L2 domain inside the host', () => {
    const t = makeLab(standardTopology());
    t.send('a:eth0', frame(vmMac(1), vmMac(2)));
    expect(t.rec.receivers()).toEqual(['b:eth0']);
    t.rec.clear();
    // a different VLAN is not: a -> c is unknown in VLAN 10 and leaves by the uplink
    t.send('a:eth0', frame(vmMac(1), vmMac(3)));
    expect(t.rec.frames('c:eth0')).toHaveLength(0);
  });
});
