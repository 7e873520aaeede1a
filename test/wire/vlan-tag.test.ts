import { describe, it, expect } from 'vitest';
import {
  ETH_HEADER_LEN,
  EtherType,
  FrameInputError,
  MAX_FRAME_LEN,
  MIN_FRAME_LEN,
  fromHex,
  innerEthertype,
  l3Offset,
  outerPcp,
  outerTpid,
  outerVid,
  popTag,
  pushTag,
  readTags,
  rewriteTag,
  tagCount,
} from '../../src/wire/index.js';

// Untagged ARP request, 60 bytes: dst broadcast, src 00:50:56:aa:00:01, type 0x0806, 28-byte ARP, 18 bytes padding.
const UNTAGGED = fromHex(
  'ffffffffffff 005056aa0001 0806' +
    '0001 0800 06 04 0001 005056aa0001 0a000a0b 000000000000 0a000a0c' +
    '00'.repeat(18),
);
// The same frame tagged VLAN 10, PCP 5: TCI = 101 0 000000001010 = 0xa00a.
const TAGGED = fromHex(
  'ffffffffffff 005056aa0001 8100 a00a 0806' + '0001 0800 06 04 0001 005056aa0001 0a000a0b 000000000000 0a000a0c' + '00'.repeat(18),
);
// QinQ: S-tag 0x88a8 VID 100 (0x064), C-tag 0x8100 VID 10.
const QINQ = fromHex('ffffffffffff 005056aa0001 88a8 0064 8100 000a 0800' + '00'.repeat(46));

describe('constants', () => {
  it('has the EtherTypes and frame sizes of the contract', () => {
    expect(EtherType).toEqual({ IPv4: 0x0800, ARP: 0x0806, RARP: 0x8035, VLAN: 0x8100, QinQ: 0x88a8, IPv6: 0x86dd, LLDP: 0x88cc });
    expect(ETH_HEADER_LEN).toBe(14);
    expect(MIN_FRAME_LEN).toBe(60);
    expect(MAX_FRAME_LEN).toBe(9022);
  });
});

describe('tag accessors', () => {
  it('read an untagged frame', () => {
    expect(tagCount(UNTAGGED)).toBe(0);
    expect(outerVid(UNTAGGED)).toBe(-1);
    expect(outerPcp(UNTAGGED)).toBe(-1);
    expect(outerTpid(UNTAGGED)).toBe(-1);
    expect(innerEthertype(UNTAGGED)).toBe(0x0806);
    expect(l3Offset(UNTAGGED)).toBe(14);
  });

  it('read a single 802.1Q tag', () => {
    expect(tagCount(TAGGED)).toBe(1);
    expect(outerVid(TAGGED)).toBe(10);
    expect(outerPcp(TAGGED)).toBe(5);
    expect(outerTpid(TAGGED)).toBe(0x8100);
    expect(innerEthertype(TAGGED)).toBe(0x0806);
    expect(l3Offset(TAGGED)).toBe(18);
  });

  it('read a QinQ stack, outer first', () => {
    expect(tagCount(QINQ)).toBe(2);
    expect(outerVid(QINQ)).toBe(100);
    expect(outerTpid(QINQ)).toBe(0x88a8);
    expect(innerEthertype(QINQ)).toBe(0x0800);
    expect(l3Offset(QINQ)).toBe(22);
    expect(readTags(QINQ)).toEqual([
      { tpid: 0x88a8, pcp: 0, dei: false, vid: 100 },
      { tpid: 0x8100, pcp: 0, dei: false, vid: 10 },
    ]);
  });

  it('count 0x9100 tags and read a priority tag as VID 0', () => {
    const f = fromHex('ffffffffffff 005056aa0001 9100 e000 0800' + '00'.repeat(42));
    expect(tagCount(f)).toBe(1);
    expect(outerVid(f)).toBe(0);
    expect(outerPcp(f)).toBe(7);
  });

  it('do not count a tag cut off by the end of the frame', () => {
    expect(tagCount(fromHex('ffffffffffff 005056aa0001 8100 000a'))).toBe(0);
    expect(outerVid(fromHex('ffffffffffff 005056aa0001 8100'))).toBe(-1);
    expect(innerEthertype(new Uint8Array(10))).toBe(-1);
  });
});

describe('tag operations', () => {
  it('pushTag inserts TPID and TCI after the source MAC and returns a new array', () => {
    const t = pushTag(UNTAGGED, 10, 5);
    expect(t).toEqual(new Uint8Array([...TAGGED]));
    expect(t.buffer).not.toBe(UNTAGGED.buffer);
    expect(UNTAGGED.length).toBe(60); // input untouched
  });

  it('pushTag with TPID 0x88a8 makes an S-tag over an existing C-tag', () => {
    const q = pushTag(pushTag(fromHex('ffffffffffff 005056aa0001 0800' + '00'.repeat(46)), 10), 100, 0, 0x88a8);
    expect(q).toEqual(QINQ);
  });

  it('popTag removes the outer tag and pads back to 60 bytes', () => {
    const p = popTag(TAGGED);
    expect(p.length).toBe(60);
    expect(p).toEqual(UNTAGGED);
    expect(popTag(QINQ).length).toBe(64); // 68 - 4, already over the minimum
    expect(outerVid(popTag(QINQ))).toBe(10);
  });

  it('popTag of an untagged frame is an unchanged copy', () => {
    const p = popTag(UNTAGGED);
    expect(p).toEqual(UNTAGGED);
    expect(p).not.toBe(UNTAGGED);
  });

  it('popTag keeps long frames at their length minus 4', () => {
    const big = pushTag(new Uint8Array(1514), 20);
    expect(popTag(big).length).toBe(1514);
  });

  it('rewriteTag changes the VID, keeps PCP unless given, and copies', () => {
    const r = rewriteTag(TAGGED, 20);
    expect(outerVid(r)).toBe(20);
    expect(outerPcp(r)).toBe(5);
    expect(outerVid(TAGGED)).toBe(10);
    expect(outerPcp(rewriteTag(TAGGED, 20, 1))).toBe(1);
    expect(outerVid(rewriteTag(UNTAGGED, 30))).toBe(30);
  });

  it('copies never share bytes: changing one leaves the other alone', () => {
    const a = pushTag(UNTAGGED, 10);
    const b = popTag(a);
    b[0] = 0x00;
    expect(a[0]).toBe(0xff);
    expect(UNTAGGED[0]).toBe(0xff);
  });

  it('reject bad VID, PCP, TPID and runt frames with FrameInputError', () => {
    expect(() => pushTag(UNTAGGED, 4096)).toThrow(FrameInputError);
    expect(() => pushTag(UNTAGGED, -1)).toThrow(/VLAN ID -1/);
    expect(() => pushTag(UNTAGGED, 1, 8)).toThrow(/PCP 8/);
    expect(() => pushTag(UNTAGGED, 1, 0, 0x0800)).toThrow(/TPID/);
    expect(() => pushTag(new Uint8Array(10), 1)).toThrow(FrameInputError);
    try {
      pushTag(UNTAGGED, 5000);
    } catch (e) {
      expect((e as FrameInputError).field).toBe('vid');
    }
  });
});

describe('C-tag readers (only TPID 0x8100, V6)', () => {
  const base = new Uint8Array(60).fill(0);
  base[12] = 0x08;
  it('read a 0x8100 tag and skip nothing else', async () => {
    const { cTagVid, cTagCount, cTagL3Offset, pushTag, TPID_STAG, TPID_QINQ_OLD, isCTagTpid, isTpid } = await import('../../src/wire/index.js');
    const c = pushTag(base, 20);
    expect([cTagVid(c), cTagCount(c), cTagL3Offset(c)]).toEqual([20, 1, 18]);
    for (const tpid of [TPID_STAG, TPID_QINQ_OLD]) {
      const s = pushTag(base, 20, 0, tpid);
      expect([cTagVid(s), cTagCount(s), cTagL3Offset(s)]).toEqual([-1, 0, 14]);
      expect([isTpid(tpid), isCTagTpid(tpid)]).toEqual([true, false]);
      // an 0x8100 tag outside an S-tag: one C-tag, the S-tag is payload
      expect([cTagVid(pushTag(s, 30)), cTagCount(pushTag(s, 30))]).toEqual([30, 1]);
    }
    expect(cTagCount(pushTag(c, 30))).toBe(2);
    expect(cTagVid(base)).toBe(-1);
  });
});
