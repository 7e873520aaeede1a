import { describe, it, expect } from 'vitest';
import {
  buildIcmpEcho,
  buildIcmpError,
  buildUdp,
  buildTcp,
  emitIpv4Header,
  fromHex,
  internetChecksum,
  parseIcmpv4,
  parseIpv4Header,
  parseIpv4Packet,
  parseTcp,
  parseUdp,
  toHex,
  udpChecksumOk4,
  FrameInputError,
  MAX_FRAME_LEN,
} from '../../src/wire/index.js';

// The textbook header-checksum example (e.g. Wikipedia "Internet checksum"): 192.168.0.1 -> 192.168.0.199,
// UDP, TTL 64, DF, total length 0x73; its checksum is 0xb861.
const WIKI_HEADER = fromHex('4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7');

describe('IPv4 header', () => {
  it('verifies the textbook checksum and reads every field', () => {
    const buf = new Uint8Array(0x73);
    buf.set(WIKI_HEADER);
    const ip = parseIpv4Header(buf, 0)!;
    expect(ip.checksumOk).toBe(true);
    expect(ip).toMatchObject({
      src: 0xc0a80001,
      dst: 0xc0a800c7,
      protocol: 17,
      ttl: 64,
      df: true,
      mf: false,
      fragmentOffset: 0,
      headerLength: 20,
      totalLength: 0x73,
      payloadLength: 0x73 - 20,
      payloadOffset: 20,
    });
  });

  it('emits the same header with checksum 0xb861', () => {
    const out = new Uint8Array(20);
    emitIpv4Header({ src: 0xc0a80001, dst: 0xc0a800c7, protocol: 17, ttl: 64, identification: 0, df: true, mf: false, fragmentOffset: 0, payloadLength: 0x73 - 20 }, out, 0);
    expect(toHex(out)).toBe(toHex(WIKI_HEADER));
  });

  it('flags a corrupted checksum and refuses bad version, IHL and truncation', () => {
    const buf = new Uint8Array(0x73);
    buf.set(WIKI_HEADER);
    buf[11] = 0x62;
    expect(parseIpv4Header(buf, 0)!.checksumOk).toBe(false);
    const v6 = buf.slice();
    v6[0] = 0x65;
    expect(parseIpv4Header(v6, 0)).toBeNull();
    const ihl4 = buf.slice();
    ihl4[0] = 0x44;
    expect(parseIpv4Header(ihl4, 0)).toBeNull();
    expect(parseIpv4Header(buf.subarray(0, 0x72), 0)).toBeNull(); // total length says 0x73
  });

  it('reads options length and fragment fields (offset in bytes)', () => {
    // IHL 6 (4 bytes of options: NOP NOP NOP EOL), MF set, fragment offset 185 units = 1480 bytes
    const h = fromHex('4600 0020 1234 20b9 4001 0000 0a000015 0a000016 01010100' + '00'.repeat(8));
    h[10] = internetChecksum(h, 0, 24) >>> 8;
    h[11] = internetChecksum(h, 0, 24) & 0xff;
    const ip = parseIpv4Header(h, 0)!;
    expect(ip).toMatchObject({ headerLength: 24, mf: true, df: false, fragmentOffset: 1480, identification: 0x1234, checksumOk: true, payloadLength: 8 });
  });
});

describe('ICMP echo', () => {
  it('builds an echo request with no data byte for byte', () => {
    // ICMP: 08 00 cksum 0001 0001; checksum = ~(0x0800 + 0x0001 + 0x0001) = ~0x0802 = 0xf7fd.
    // IP: 45 00 001c 0001 0000 40 01 cksum 0a000015 0a000016; sum = 4500+001c+0001+4001+0a00+0015+0a00+0016
    //   (451c, 451d, 851e, 8f1e, 8f33, 9933, 9949) = 0x9949 -> checksum ~0x9949 = 0x66b6.
    const f = buildIcmpEcho({ type: 'request', srcMac: '00:50:56:aa:00:21', dstMac: '00:50:56:aa:00:22', srcIp: '10.0.0.21', dstIp: '10.0.0.22', dataSize: 0 });
    expect(toHex(f)).toBe('005056aa0022005056aa0021' + '0800' + '4500001c00010000' + '400166b6' + '0a0000150a000016' + '08' + '00' + 'f7fd' + '0001' + '0001' + '00'.repeat(18));
  });

  it('parses id, seq, data and checksum of a default ping (56 data bytes, 98-byte frame)', () => {
    const f = buildIcmpEcho({ type: 'reply', srcMac: '00:50:56:aa:00:22', dstMac: '00:50:56:aa:00:21', srcIp: '10.0.0.22', dstIp: '10.0.0.21', id: 0x1234, seq: 7, ttl: 128, vlan: 10 });
    expect(f.length).toBe(14 + 4 + 20 + 8 + 56);
    const ip = parseIpv4Packet(f)!;
    expect(ip).toMatchObject({ offset: 18, ttl: 128, protocol: 1, totalLength: 84, checksumOk: true, identification: 7 });
    const m = parseIcmpv4(f, ip)!;
    expect(m).toMatchObject({ type: 0, code: 0, id: 0x1234, seq: 7, dataOffset: 18 + 28, dataLength: 56, checksumOk: true });
    f[m.dataOffset] = f[m.dataOffset]! ^ 0xff;
    expect(parseIcmpv4(f, ip)!.checksumOk).toBe(false);
  });

  it('vmkping -d -s 8972 fills a 9000-byte IP packet; one byte more is refused', () => {
    const f = buildIcmpEcho({ type: 'request', srcMac: '00:50:56:aa:00:21', dstMac: '00:50:56:aa:00:22', srcIp: '10.0.0.21', dstIp: '10.0.0.22', dataSize: 8972, df: true, vlan: [1, 2] });
    expect(parseIpv4Packet(f)!.totalLength).toBe(9000);
    expect(f.length).toBe(MAX_FRAME_LEN);
    expect(() => buildIcmpEcho({ type: 'request', srcMac: '00:50:56:aa:00:21', dstMac: '00:50:56:aa:00:22', srcIp: '10.0.0.21', dstIp: '10.0.0.22', dataSize: 8973, vlan: [1, 2] })).toThrow(
      FrameInputError,
    );
    const big = buildIcmpEcho({ type: 'request', srcMac: '00:50:56:aa:00:21', dstMac: '00:50:56:aa:00:22', srcIp: '10.0.0.21', dstIp: '10.0.0.22', dataSize: 20000, oversize: true });
    expect(parseIpv4Packet(big)!.totalLength).toBe(20028);
  });

  it('parses fragmentation-needed with the next-hop MTU', () => {
    const orig = buildUdp({ srcMac: '00:50:56:aa:00:21', dstMac: '00:50:56:aa:00:22', srcIp: '10.0.0.21', dstIp: '10.0.0.22', dstPort: 9, payload: new Uint8Array(2000), df: true });
    const e = buildIcmpError({ type: 3, code: 4, nextHopMtu: 1500, srcMac: '00:50:56:aa:00:22', dstMac: '00:50:56:aa:00:21', srcIp: '10.0.0.1', dstIp: '10.0.0.21', original: orig.subarray(14) });
    const ip = parseIpv4Packet(e)!;
    const m = parseIcmpv4(e, ip)!;
    expect(m).toMatchObject({ type: 3, code: 4, nextHopMtu: 1500, dataLength: 28, checksumOk: true });
  });

  it('returns null for fragments and non-ICMP packets', () => {
    const u = buildUdp({ srcMac: '00:50:56:aa:00:21', dstMac: '00:50:56:aa:00:22', srcIp: '10.0.0.21', dstIp: '10.0.0.22', dstPort: 9 });
    expect(parseIcmpv4(u, parseIpv4Packet(u)!)).toBeNull();
  });

  it('rejects bad input with a message naming the field', () => {
    const base = { type: 'request' as const, srcMac: '00:50:56:aa:00:21', dstMac: '00:50:56:aa:00:22', srcIp: '10.0.0.21', dstIp: '10.0.0.22' };
    expect(() => buildIcmpEcho({ ...base, ttl: 256 })).toThrow(/ttl: 256 is out of range/);
    expect(() => buildIcmpEcho({ ...base, dataSize: -1 })).toThrow(/dataSize/);
    expect(() => buildIcmpEcho({ ...base, id: 70000 })).toThrow(/id/);
    expect(() => buildIcmpEcho({ ...base, dstIp: '10.0.0.0/24' })).toThrow(/dstIp/);
    expect(() => buildIcmpEcho({ ...base, vlan: 4096 })).toThrow(/vlan: 4096/);
    expect(() => buildIcmpEcho({ ...base, vlan: [1, 2, 3] })).toThrow(/at most two tags/);
    expect(() => buildIcmpEcho({ ...base, pcp: 3 })).toThrow(/pcp/);
  });
});

describe('UDP', () => {
  it('builds an empty datagram with the hand-computed checksum', () => {
    // pseudo-header 0a00+0001+0a00+0002+0011+0008 = 0x141c; header 03e8+07d0+0008 = 0x0bc0; total 0x1fdc -> ~ = 0xe023
    const f = buildUdp({ srcMac: '00:50:56:aa:00:01', dstMac: '00:50:56:aa:00:02', srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 1000, dstPort: 2000 });
    const ip = parseIpv4Packet(f)!;
    expect(toHex(f.subarray(ip.payloadOffset, ip.payloadOffset + 8))).toBe('03e807d00008e023');
    expect(udpChecksumOk4(f, ip.payloadOffset, 8, ip.src, ip.dst)).toBe(true);
  });

  it('parses ports, length and data; detects a corrupted byte', () => {
    const payload = new TextEncoder().encode('hello');
    const f = buildUdp({ srcMac: '00:50:56:aa:00:01', dstMac: '00:50:56:aa:00:02', srcIp: '10.0.0.1', dstIp: '10.0.0.2', dstPort: 53, payload });
    const ip = parseIpv4Packet(f)!;
    const u = parseUdp(f, ip.payloadOffset, ip.payloadLength)!;
    expect(u).toMatchObject({ srcPort: 49152, dstPort: 53, length: 13, dataLength: 5 });
    expect(new TextDecoder().decode(f.subarray(u.dataOffset, u.dataOffset + 5))).toBe('hello');
    f[u.dataOffset] = f[u.dataOffset]! ^ 1;
    expect(udpChecksumOk4(f, ip.payloadOffset, 13, ip.src, ip.dst)).toBe(false);
  });
});

describe('TCP (decode)', () => {
  it('reads ports, numbers, flags and window', () => {
    const f = buildTcp({
      srcMac: '00:50:56:aa:00:01',
      dstMac: '00:50:56:aa:00:02',
      srcIp: '10.0.0.1',
      dstIp: '10.0.0.2',
      srcPort: 443,
      dstPort: 51000,
      seq: 1000,
      ack: 2000,
      flags: 0x012,
      window: 512,
    });
    const ip = parseIpv4Packet(f)!;
    expect(parseTcp(f, ip.payloadOffset, ip.payloadLength)).toMatchObject({ srcPort: 443, dstPort: 51000, seq: 1000, ack: 2000, flags: 0x012, window: 512, headerLength: 20, payloadLength: 0 });
  });
});
