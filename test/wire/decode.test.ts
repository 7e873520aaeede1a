import { describe, it, expect } from 'vitest';
import { buildCdp, buildIcmpEcho, buildLldp, buildNeighborSolicitation, buildUdp, decodeFrame, fromHex } from '../../src/wire/index.js';
import type { DecodedFrame } from '../../src/wire/index.js';

const fieldOf = (d: DecodedFrame, layer: string, name: string) => d.layers.find((l) => l.name === layer)?.fields.find((f) => f.name === name);

describe('decodeFrame', () => {
  it('gives one layer per header with offsets, QinQ included', () => {
    const f = buildIcmpEcho({ type: 'request', srcMac: '00:50:56:aa:00:21', dstMac: 'ff:ff:ff:ff:ff:ff', srcIp: '10.0.0.21', dstIp: '10.0.0.22', vlan: [100, 10], pcp: 3 });
    const d = decodeFrame(f);
    expect(d.layers.map((l) => [l.name, l.offset, l.length])).toEqual([
      ['Ethernet II', 0, 14],
      ['802.1ad', 14, 4],
      ['802.1Q', 18, 4],
      ['IPv4', 22, 20],
      ['ICMP', 42, 64],
    ]);
    expect(d.malformed).toBeUndefined();
    expect(d.summary).toBe('QinQ 100/10 · ICMP Echo (ping) request id=0x0001, seq=1, ttl=64 10.0.0.21 → 10.0.0.22');
    expect(fieldOf(d, 'Ethernet II', 'Destination')).toEqual({ name: 'Destination', value: 'ff:ff:ff:ff:ff:ff (broadcast)', offset: 0, length: 6 });
    expect(fieldOf(d, 'Ethernet II', 'Type')!.value).toBe('802.1ad (0x88a8)');
    expect(fieldOf(d, '802.1ad', 'ID')!.value).toBe('100');
    expect(fieldOf(d, '802.1ad', 'Priority (PCP)')!.value).toBe('3');
    expect(fieldOf(d, '802.1Q', 'Type')!.value).toBe('IPv4 (0x0800)');
    expect(fieldOf(d, 'IPv4', 'Header checksum')!.value).toMatch(/\[correct\]$/);
    expect(fieldOf(d, 'IPv4', 'Source address')).toEqual({ name: 'Source address', value: '10.0.0.21', offset: 34, length: 4 });
    expect(fieldOf(d, 'ICMP', 'Type')!.value).toBe('8 (Echo (ping) request)');
    expect(fieldOf(d, 'ICMP', 'Checksum')!.value).toMatch(/\[correct\]$/);
  });

  it('shows Ethernet padding and a bad checksum', () => {
    const f = buildUdp({ srcMac: '00:50:56:aa:00:21', dstMac: '00:50:56:aa:00:22', srcIp: '10.0.0.21', dstIp: '10.0.0.22', dstPort: 9, payload: new Uint8Array([1]) });
    f[42] = f[42]! ^ 0xff; // the payload byte
    const d = decodeFrame(f);
    expect(fieldOf(d, 'Ethernet II', 'Padding')).toEqual({ name: 'Padding', value: '17 bytes', offset: 43, length: 17 });
    expect(fieldOf(d, 'UDP', 'Checksum')!.value).toMatch(/\[incorrect\]$/);
    expect(d.malformed).toBeUndefined();
  });

  it('reports a truncated ARP with its layer and offset', () => {
    const d = decodeFrame(fromHex('ffffffffffff005056aa0001 8100 000a 0806 0001 0800 0604 0001 005056aa'));
    expect(d.malformed).toMatchObject({ layer: 'ARP', offset: 18 });
    expect(d.malformed!.message).toMatch(/truncated/);
    expect(d.layers.map((l) => l.name)).toEqual(['Ethernet II', '802.1Q', 'ARP']);
  });

  it('reports an IPv4 total length past the end, and a wrong version', () => {
    const f = buildIcmpEcho({ type: 'request', srcMac: '00:50:56:aa:00:21', dstMac: '00:50:56:aa:00:22', srcIp: '10.0.0.21', dstIp: '10.0.0.22' });
    expect(decodeFrame(f.subarray(0, 60)).malformed).toEqual({ layer: 'IPv4', offset: 14, message: 'total length 84 but only 46 bytes present' });
    const v5 = f.slice();
    v5[14] = 0x55;
    expect(decodeFrame(v5).malformed).toEqual({ layer: 'IPv4', offset: 14, message: 'version 5, expected 4' });
  });

  it('reports a runt frame in the Ethernet layer', () => {
    expect(decodeFrame(new Uint8Array(0)).malformed?.layer).toBe('Ethernet II');
    const d = decodeFrame(fromHex('ffffffffffff005056aa00'));
    expect(d.malformed?.layer).toBe('Ethernet II');
    expect(d.layers[0]!.fields.map((f) => f.name)).toEqual(['Destination']);
  });

  it('decodes ICMPv6 neighbour solicitation with its option', () => {
    const d = decodeFrame(buildNeighborSolicitation({ srcMac: '00:50:56:aa:00:21', srcIp: '2001:db8::21', targetIp: '2001:db8::22' }));
    expect(d.layers.map((l) => l.name)).toEqual(['Ethernet II', 'IPv6', 'ICMPv6']);
    expect(fieldOf(d, 'IPv6', 'Destination address')!.value).toBe('ff02::1:ff00:22');
    expect(fieldOf(d, 'ICMPv6', 'Target address')!.value).toBe('2001:db8::22');
    expect(fieldOf(d, 'ICMPv6', 'Source link-layer address')!.value).toBe('00:50:56:aa:00:21');
    expect(fieldOf(d, 'ICMPv6', 'Checksum')!.value).toMatch(/\[correct\]/);
  });

  it('decodes LLDP TLVs and CDP behind 802.3 + LLC/SNAP', () => {
    const l = decodeFrame(buildLldp({ srcMac: '00:50:56:aa:00:21', portId: 'vmnic0', systemName: 'esxi-01' }));
    expect(l.layers.map((x) => x.name)).toEqual(['Ethernet II', 'LLDP']);
    expect(l.layers[1]!.fields.map((f) => `${f.name}=${f.value}`)).toEqual([
      'Chassis Id=00:50:56:aa:00:21',
      'Port Id=vmnic0',
      'Time To Live=120 s',
      'System Name=esxi-01',
      'End of LLDPDU=0 bytes',
    ]);
    const c = decodeFrame(buildCdp({ srcMac: '00:50:56:aa:00:21', deviceId: 'esxi-01', portId: 'vmnic1' }));
    expect(c.layers.map((x) => x.name)).toEqual(['IEEE 802.3 Ethernet', 'LLC', 'CDP']);
    expect(fieldOf(c, 'LLC', 'Organization code')!.value).toBe('0x00000c (Cisco)');
    expect(fieldOf(c, 'CDP', 'Device ID')!.value).toBe('esxi-01');
    expect(fieldOf(c, 'CDP', 'Checksum')!.value).toMatch(/\[correct\]/);
  });

  it('reports an LLDP TLV that runs past the end', () => {
    const d = decodeFrame(fromHex('0180c200000e005056aa0021 88cc 0207 04005056'));
    expect(d.malformed).toMatchObject({ layer: 'LLDP', offset: 14 });
  });
});
