import { describe, expect, it } from 'vitest';
import { TPID_CTAG, TPID_QINQ_OLD, TPID_STAG, outerTpid, pushTag } from '../../src/wire/index.js';
import { BCAST, PH1, frame, makeLab, standardTopology, vmMac } from './fixtures.js';

/** A broadcast from `src` with one outer tag of VID 20 and the given TPID. */
function tagged(src: string, tpid: number): Uint8Array {
  return pushTag(frame(src, BCAST), 20, 0, tpid);
}

const NAMES: Record<number, string> = { [TPID_CTAG]: '0x8100', [TPID_STAG]: '0x88a8', [TPID_QINQ_OLD]: '0x9100' };

describe('TPIDs the vSwitch recognises (V6): only 0x8100', () => {
  it('V6: at a VST port (VLAN 10), a guest 0x8100 tag is refused, 0x88a8/0x9100 frames are untagged frames of the port group', () => {
    const c = makeLab(standardTopology());
    c.send('a:eth0', tagged(vmMac(1), TPID_CTAG));
    expect(c.drops('VLAN_MISMATCH')).toHaveLength(1);
    expect(c.rec.receivers()).toEqual([]);
    for (const tpid of [TPID_STAG, TPID_QINQ_OLD]) {
      const t = makeLab(standardTopology());
      t.send('a:eth0', tagged(vmMac(1), tpid));
      expect(t.drops('VLAN_MISMATCH'), NAMES[tpid]).toHaveLength(0);
      // VLAN 10 ports receive it, its bytes unchanged (the S-tag is payload to them)
      expect(t.rec.receivers(), NAMES[tpid]).toEqual(['b:eth0', 'ph1:eth0', 't:eth0']);
      expect(outerTpid(t.rec.frames('b:eth0')[0]!)).toBe(tpid);
      // the VGT port and the uplink get it tagged VLAN 10 (0x8100) outside the foreign tag
      const toT = t.rec.frames('t:eth0')[0]!;
      expect(outerTpid(toT)).toBe(TPID_CTAG);
      expect(((toT[14]! & 0x0f) << 8) | toT[15]!).toBe(10);
      expect((toT[16]! << 8) | toT[17]!).toBe(tpid);
    }
  });

  it('V6: at a VGT port (4095), a guest 0x8100 tag is its VLAN; 0x88a8/0x9100 frames belong to the untagged domain', () => {
    const c = makeLab(standardTopology());
    c.send('t:eth0', tagged(vmMac(5), TPID_CTAG));
    expect(c.rec.receivers()).toEqual(['c:eth0']);
    for (const tpid of [TPID_STAG, TPID_QINQ_OLD]) {
      const t = makeLab(standardTopology());
      t.send('t:eth0', tagged(vmMac(5), tpid));
      expect(t.rec.receivers(), NAMES[tpid]).toEqual(['e:eth0']); // EST: the untagged domain
    }
  });

  it('V6: at uplink ingress, 0x8100 VID 20 is VLAN 20; 0x88a8/0x9100 frames are untagged', () => {
    const c = makeLab(standardTopology());
    c.send('esxi-01:vmnic0', tagged(PH1, TPID_CTAG));
    expect(c.rec.receivers()).toEqual(['c:eth0', 't:eth0']);
    for (const tpid of [TPID_STAG, TPID_QINQ_OLD]) {
      const t = makeLab(standardTopology());
      t.send('esxi-01:vmnic0', tagged(PH1, tpid));
      expect(t.rec.receivers(), NAMES[tpid]).toEqual(['e:eth0', 't:eth0']);
      expect(outerTpid(t.rec.frames('t:eth0')[0]!), NAMES[tpid]).toBe(tpid); // the untagged domain reaches a VGT port untagged (V3)
    }
  });

  it('V6/F9: an 0x88a8 "tag" counts as payload against the MTU', () => {
    const t = makeLab(standardTopology());
    // 1500 bytes after the S-tag: 1504 bytes of payload to the vSwitch -> over MTU 1500
    const f = pushTag(frame(PH1, BCAST, undefined, 1500 - 2), 20, 0, TPID_STAG);
    t.send('esxi-01:vmnic0', f);
    expect(t.drops('MTU_EXCEEDED')).toHaveLength(1);
    const ok = makeLab(standardTopology());
    ok.send('esxi-01:vmnic0', pushTag(frame(PH1, BCAST, undefined, 1500 - 2), 20, 0, TPID_CTAG));
    expect(ok.drops('MTU_EXCEEDED')).toHaveLength(0);
  });

  it('P2/V6: the physical switch (a C-VLAN bridge) admits an 0x88a8/0x9100 frame on an access port as untagged; a 0x8100 tag is refused', () => {
    const c = makeLab(standardTopology());
    c.send('ph1:eth0', tagged(PH1, TPID_CTAG));
    expect(c.drops('VLAN_NOT_ALLOWED')).toHaveLength(1);
    for (const tpid of [TPID_STAG, TPID_QINQ_OLD]) {
      const t = makeLab(standardTopology());
      t.send('ph1:eth0', tagged(PH1, tpid));
      expect(t.drops('VLAN_NOT_ALLOWED'), NAMES[tpid]).toHaveLength(0);
      // into access VLAN 10, up the trunk tagged 10, to the VLAN 10 ports
      expect(t.rec.receivers(), NAMES[tpid]).toEqual(['a:eth0', 'b:eth0', 't:eth0']);
    }
  });
});
