import { describe, it, expect } from 'vitest';
import {
  buildCdp,
  buildIcmpv6Echo,
  buildLldp,
  buildNeighborAdvertisement,
  buildNeighborSolicitation,
  fromHex,
  ipv6ToString,
  parseCdp,
  parseEthernet,
  parseIcmpv6,
  parseIpv6Packet,
  parseLldp,
  parseLlc,
  toHex,
} from '../../src/wire/index.js';

describe('IPv6 / ICMPv6', () => {
  it('echo request: header fields and a verifying checksum', () => {
    const f = buildIcmpv6Echo({ type: 'request', srcMac: '00:50:56:aa:00:21', dstMac: '00:50:56:aa:00:22', srcIp: '2001:db8::21', dstIp: '2001:db8::22', id: 7, seq: 9, dataSize: 4 });
    expect(toHex(f.subarray(12, 22))).toBe('86dd' + '60000000' + '000c' + '3a' + '40'); // payload 8+4, next header 58, hop limit 64
    const ip = parseIpv6Packet(f)!;
    expect(ipv6ToString(ip.src)).toBe('2001:db8::21');
    const m = parseIcmpv6(f, ip)!;
    expect(m).toMatchObject({ type: 128, code: 0, id: 7, seq: 9, checksumOk: true });
    f[f.length - 1]! ^= 1;
    expect(parseIcmpv6(f, parseIpv6Packet(f)!)!.checksumOk).toBe(false);
  });

  it('neighbour solicitation goes to the solicited-node group and its 33:33 MAC, hop limit 255', () => {
    const f = buildNeighborSolicitation({ srcMac: '00:50:56:aa:00:21', srcIp: 'fe80::250:56ff:feaa:21', targetIp: '2001:db8::1:2:3' });
    expect(toHex(f.subarray(0, 6))).toBe('3333ff020003');
    const ip = parseIpv6Packet(f)!;
    expect(ipv6ToString(ip.dst)).toBe('ff02::1:ff02:3');
    expect(ip.hopLimit).toBe(255);
    const m = parseIcmpv6(f, ip)!;
    expect(m.type).toBe(135);
    expect(ipv6ToString(m.target!)).toBe('2001:db8::1:2:3');
    expect(toHex(m.linkLayerAddress!)).toBe('005056aa0021');
    expect(m.checksumOk).toBe(true);
  });

  it('neighbour advertisement flags and target link-layer address', () => {
    const f = buildNeighborAdvertisement({ srcMac: '00:50:56:aa:00:22', dstMac: '00:50:56:aa:00:21', srcIp: '2001:db8::22', dstIp: '2001:db8::21', router: true, override: false });
    const m = parseIcmpv6(f, parseIpv6Packet(f)!)!;
    expect(m).toMatchObject({ type: 136, router: true, solicited: true, override: false, checksumOk: true });
    expect(toHex(m.linkLayerAddress!)).toBe('005056aa0022');
  });

  it('walks extension headers to the upper protocol', () => {
    // hop-by-hop (next 58, len 0 => 8 bytes: PadN) then ICMPv6 4 bytes
    const f = fromHex('333300000001 005056aa0021 86dd 6000 0000 000c 00 01' + '00'.repeat(15) + '01' + 'ff02' + '00'.repeat(13) + '01' + '3a00 0104 0000 0000' + '8000 0000');
    const ip = parseIpv6Packet(f)!;
    expect(ip).toMatchObject({ nextHeader: 0, upperProtocol: 58, upperOffset: 14 + 48, upperLength: 4 });
  });

  it('returns null for truncated IPv6 and bad versions', () => {
    const f = buildIcmpv6Echo({ type: 'reply', srcMac: '00:50:56:aa:00:21', dstMac: '00:50:56:aa:00:22', srcIp: '::1', dstIp: '::2' });
    expect(parseIpv6Packet(f.subarray(0, f.length - 1))).toBeNull();
    const v4 = f.slice();
    v4[14] = 0x40;
    expect(parseIpv6Packet(v4)).toBeNull();
  });
});

describe('LLDP', () => {
  it('encodes chassis (MAC subtype 4), port (interface name subtype 5), TTL and End', () => {
    const f = buildLldp({ srcMac: '00:50:56:aa:00:21', portId: 'vmnic0', ttl: 120 });
    // 0x0207: type 1 length 7; 0x0407: type 2 length 7; 0x0602: type 3 length 2; 0x0000 End
    expect(toHex(f.subarray(0, 14 + 24))).toBe('0180c200000e005056aa0021' + '88cc' + '020704005056aa0021' + '040705766d6e696330' + '06020078' + '0000');
    const l = parseLldp(f, 14, f.length)!;
    expect(l).toMatchObject({ chassisIdSubtype: 4, chassisId: '00:50:56:aa:00:21', portIdSubtype: 5, portId: 'vmnic0', ttl: 120 });
  });
  it('needs Chassis ID, Port ID and TTL first', () => {
    expect(parseLldp(fromHex('06020078 0000'), 0, 6)).toBeNull();
  });
});

describe('CDP', () => {
  it('is an 802.3 frame with LLC/SNAP OUI 00:00:0c PID 0x2000 to 01:00:0c:cc:cc:cc', () => {
    const f = buildCdp({ srcMac: '00:50:56:aa:00:21', deviceId: 'esxi-01', portId: 'vmnic1' });
    const eth = parseEthernet(f)!;
    expect(toHex(eth.dst)).toBe('01000ccccccc');
    expect(eth.ethertype).toBeLessThanOrEqual(1500);
    const llc = parseLlc(f, 14, 14 + eth.ethertype)!;
    expect(llc).toMatchObject({ dsap: 0xaa, ssap: 0xaa, control: 3, oui: 0x00000c, pid: 0x2000 });
    const c = parseCdp(f, llc.payloadOffset, 14 + eth.ethertype)!;
    expect(c).toMatchObject({ version: 2, ttl: 180, deviceId: 'esxi-01', portId: 'vmnic1', platform: 'VMware ESX', checksumOk: true });
  });
  it('the checksum also verifies for an odd-length PDU (Cisco\'s odd-byte rule)', () => {
    const f = buildCdp({ srcMac: '00:50:56:aa:00:21', deviceId: 'esxi-01', portId: 'vmnic1' }); // 4 + (4+7) + (4+6) + (4+10) = 39 bytes
    const len = (f[12]! << 8) | f[13]!;
    expect((len - 8) % 2).toBe(1);
    expect(parseCdp(f, 22, 14 + len)!.checksumOk).toBe(true);
  });
});
