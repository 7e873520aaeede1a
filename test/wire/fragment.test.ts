import { describe, it, expect } from 'vitest';
import { buildIcmpEcho, buildUdp, fragmentIpv4, internetChecksum, Ipv4Reassembler, parseIcmpv4, parseIpv4Packet, reassembleIpv4, FrameInputError, write16 } from '../../src/wire/index.js';

const ping = (dataSize: number, df = false, vlan?: number) =>
  buildIcmpEcho({ type: 'request', srcMac: '00:50:56:aa:00:21', dstMac: '00:50:56:aa:00:22', srcIp: '10.0.0.21', dstIp: '10.0.0.22', dataSize, df, identification: 0x4242, vlan });

describe('fragmentIpv4', () => {
  it('E2: vmkping -s 8972 without -d over a 1500 path: seven fragments of 1480 data bytes (8-byte units), last 100', () => {
    const frags = fragmentIpv4(ping(8972), 1500);
    // 8980 bytes of IP payload (8 ICMP + 8972) = 6 x 1480 + 100
    const ips = frags.map((f) => parseIpv4Packet(f)!);
    expect(ips.map((i) => i.payloadLength)).toEqual([1480, 1480, 1480, 1480, 1480, 1480, 100]);
    expect(ips.map((i) => i.fragmentOffset)).toEqual([0, 1480, 2960, 4440, 5920, 7400, 8880]);
    expect(ips.map((i) => i.mf)).toEqual([true, true, true, true, true, true, false]);
    for (const i of ips) {
      expect(i.checksumOk).toBe(true);
      expect(i.totalLength).toBeLessThanOrEqual(1500);
      expect(i.fragmentOffset % 8).toBe(0);
      expect(i.identification).toBe(0x4242);
    }
  });

  it('repeats the VLAN tag in every fragment', () => {
    const frags = fragmentIpv4(ping(3000, false, 10), 1500);
    for (const f of frags) expect((f[14]! << 8) | f[15]!).toBe(10);
  });

  it('an odd MTU still gives 8-byte aligned offsets', () => {
    const ips = fragmentIpv4(ping(1000), 577).map((f) => parseIpv4Packet(f)!);
    expect(ips[0]!.payloadLength).toBe(552); // floor((577-20)/8)*8
    for (const i of ips) expect(i.fragmentOffset % 8).toBe(0);
  });

  it('a packet that fits comes back as one copy', () => {
    const f = ping(100);
    const out = fragmentIpv4(f, 1500);
    expect(out).toHaveLength(1);
    expect(out[0]).toEqual(f);
    expect(out[0]).not.toBe(f);
  });

  it('E2: DF set and too big: Message too long', () => {
    expect(() => fragmentIpv4(ping(8972, true), 1500)).toThrow(FrameInputError);
    expect(() => fragmentIpv4(ping(8972, true), 1500)).toThrow(/Message too long.*9000-byte.*1500/);
  });

  it('refuses non-IPv4 frames and impossible MTUs', () => {
    expect(() => fragmentIpv4(new Uint8Array(60), 1500)).toThrow(/not a complete IPv4/);
    expect(() => fragmentIpv4(ping(100), 60)).toThrow(/mtu/);
  });

  it('copies only options with the "copied" flag into later fragments', () => {
    // Build a UDP packet, then give it 8 bytes of options: a copied option (type 0x94, router alert,
    // length 4) and a non-copied one (type 0x07-like, here 0x44 timestamp-ish, length 4).
    const u = buildUdp({ srcMac: '00:50:56:aa:00:21', dstMac: '00:50:56:aa:00:22', srcIp: '10.0.0.21', dstIp: '10.0.0.22', dstPort: 9, payload: new Uint8Array(3000) });
    const withOpts = new Uint8Array(u.length + 8);
    withOpts.set(u.subarray(0, 34));
    withOpts.set([0x94, 0x04, 0x00, 0x00, 0x44, 0x04, 0x05, 0x00], 34);
    withOpts.set(u.subarray(34), 42);
    withOpts[14] = 0x47;
    write16(withOpts, 16, ((u[16]! << 8) | u[17]!) + 8);
    write16(withOpts, 24, 0);
    write16(withOpts, 24, internetChecksum(withOpts, 14, 28));
    const ips = fragmentIpv4(withOpts, 1500).map((f) => parseIpv4Packet(f)!);
    expect(ips[0]!.headerLength).toBe(28);
    expect(ips[1]!.headerLength).toBe(24);
    expect(ips.every((i) => i.checksumOk)).toBe(true);
  });
});

describe('reassembly', () => {
  it('gives back the original frame from fragments in any order', () => {
    const f = ping(8972);
    const frags = fragmentIpv4(f, 1500);
    const shuffled = [frags[3]!, frags[6]!, frags[0]!, frags[5]!, frags[1]!, frags[4]!, frags[2]!];
    expect(reassembleIpv4(shuffled)).toEqual(f);
    const ip = parseIpv4Packet(reassembleIpv4(frags)!)!;
    expect(parseIcmpv4(reassembleIpv4(frags)!, ip)!.checksumOk).toBe(true);
  });

  it('returns null until the last piece arrives and keeps packets apart by id', () => {
    const r = new Ipv4Reassembler();
    const a = fragmentIpv4(ping(3000), 1500);
    const b = fragmentIpv4(
      buildIcmpEcho({ type: 'request', srcMac: '00:50:56:aa:00:21', dstMac: '00:50:56:aa:00:22', srcIp: '10.0.0.21', dstIp: '10.0.0.22', dataSize: 3000, identification: 7 }),
      1500,
    );
    expect(r.push(a[0]!)).toBeNull();
    expect(r.push(b[0]!)).toBeNull();
    expect(r.push(a[2]!)).toBeNull();
    expect(r.size).toBe(2);
    expect(r.push(b[1]!)).toBeNull();
    expect(parseIpv4Packet(r.push(a[1]!)!)!.identification).toBe(0x4242);
    expect(parseIpv4Packet(r.push(b[2]!)!)!.identification).toBe(7);
    expect(r.size).toBe(0);
  });

  it('passes unfragmented frames through and forgets stale pieces', () => {
    const r = new Ipv4Reassembler({ timeout: 1000 });
    const whole = ping(10);
    expect(r.push(whole)).toBe(whole);
    const a = fragmentIpv4(ping(3000), 1500);
    r.push(a[0]!, 0);
    expect(r.expire(2000)).toBe(1);
    expect(r.push(a[1]!, 2000)).toBeNull();
    expect(r.push(a[2]!, 2000)).toBeNull(); // first piece was forgotten
  });
});
