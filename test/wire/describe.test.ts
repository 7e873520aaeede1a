import { describe as suite, it, expect } from 'vitest';
import {
  buildArp,
  buildCdp,
  buildEthernet,
  buildGratuitousArp,
  buildIcmpEcho,
  buildIcmpError,
  buildIcmpv6Echo,
  buildLldp,
  buildNeighborAdvertisement,
  buildNeighborSolicitation,
  buildRarp,
  buildTcp,
  buildUdp,
  describe,
  fragmentIpv4,
  fromHex,
  pushTag,
} from '../../src/wire/index.js';

const A = '00:50:56:aa:00:21';
const B = '00:50:56:aa:00:22';

suite('describe', () => {
  it('ARP request with the VLAN first', () => {
    expect(describe(buildArp({ op: 'request', srcMac: '00:50:56:aa:00:11', senderIp: '10.0.10.11', targetIp: '10.0.10.12', vlan: 10 }))).toBe(
      'VLAN 10 · ARP Who has 10.0.10.12? Tell 10.0.10.11',
    );
  });
  it('ARP reply, announcement and PCP', () => {
    expect(describe(buildArp({ op: 'reply', srcMac: B, dstMac: A, senderIp: '10.0.0.22', targetIp: '10.0.0.21' }))).toBe('ARP 10.0.0.22 is at 00:50:56:aa:00:22');
    expect(describe(buildGratuitousArp({ srcMac: A, ip: '10.0.0.21', vlan: 5, pcp: 6 }))).toBe('VLAN 5 PCP 6 · ARP Announcement for 10.0.0.21');
  });
  it('QinQ stack outer/inner', () => {
    expect(describe(buildArp({ op: 'request', srcMac: A, senderIp: '10.0.0.21', targetIp: '10.0.0.22', vlan: [100, 10] }))).toBe(
      'QinQ 100/10 · ARP Who has 10.0.0.22? Tell 10.0.0.21',
    );
  });
  it('RARP notify', () => {
    expect(describe(buildRarp({ srcMac: '00:50:56:aa:00:01' }))).toBe('RARP Who is 00:50:56:aa:00:01? Tell 00:50:56:aa:00:01');
  });
  it('ICMP echo', () => {
    expect(describe(buildIcmpEcho({ type: 'request', srcMac: A, dstMac: B, srcIp: '10.0.0.21', dstIp: '10.0.0.22' }))).toBe(
      'ICMP Echo (ping) request id=0x0001, seq=1, ttl=64 10.0.0.21 → 10.0.0.22',
    );
    expect(describe(buildIcmpEcho({ type: 'reply', srcMac: B, dstMac: A, srcIp: '10.0.0.22', dstIp: '10.0.0.21', seq: 3, ttl: 255 }))).toBe(
      'ICMP Echo (ping) reply id=0x0001, seq=3, ttl=255 10.0.0.22 → 10.0.0.21',
    );
  });
  it('fragmentation needed, fragments, UDP, TCP', () => {
    const orig = buildUdp({ srcMac: A, dstMac: B, srcIp: '10.0.0.21', dstIp: '10.0.0.22', dstPort: 9, df: true });
    expect(describe(buildIcmpError({ type: 3, code: 4, nextHopMtu: 1500, srcMac: B, dstMac: A, srcIp: '10.0.0.1', dstIp: '10.0.0.21', original: orig.subarray(14) }))).toBe(
      'ICMP Destination unreachable (Fragmentation needed) next-hop MTU=1500 10.0.0.1 → 10.0.0.21',
    );
    const frags = fragmentIpv4(buildIcmpEcho({ type: 'request', srcMac: A, dstMac: B, srcIp: '10.0.0.21', dstIp: '10.0.0.22', dataSize: 2000, identification: 0x1234 }), 1500);
    expect(describe(frags[1]!)).toBe('IPv4 Fragmented IP protocol (proto=ICMP 1, off=1480, ID=1234) 10.0.0.21 → 10.0.0.22');
    expect(describe(buildUdp({ srcMac: A, dstMac: B, srcIp: '10.0.0.21', dstIp: '10.0.0.22', srcPort: 5000, dstPort: 53, payload: new Uint8Array(12) }))).toBe(
      'UDP 10.0.0.21:5000 → 10.0.0.22:53 Len=12',
    );
    expect(describe(buildTcp({ srcMac: A, dstMac: B, srcIp: '10.0.0.21', dstIp: '10.0.0.22', srcPort: 51000, dstPort: 443, flags: 0x012, seq: 5, ack: 9, window: 100 }))).toBe(
      'TCP 10.0.0.21:51000 → 10.0.0.22:443 [SYN, ACK] Seq=5 Ack=9 Win=100 Len=0',
    );
  });
  it('IPv6 echo and neighbour discovery', () => {
    expect(describe(buildIcmpv6Echo({ type: 'request', srcMac: A, dstMac: B, srcIp: '2001:db8::21', dstIp: '2001:db8::22', seq: 2 }))).toBe(
      'ICMPv6 Echo (ping) request id=0x0001, seq=2, hlim=64 2001:db8::21 → 2001:db8::22',
    );
    expect(describe(buildNeighborSolicitation({ srcMac: A, srcIp: '2001:db8::21', targetIp: '2001:db8::22' }))).toBe(
      'ICMPv6 Neighbor Solicitation for 2001:db8::22 from 00:50:56:aa:00:21',
    );
    expect(describe(buildNeighborAdvertisement({ srcMac: B, dstMac: A, srcIp: '2001:db8::22', dstIp: '2001:db8::21' }))).toBe(
      'ICMPv6 Neighbor Advertisement 2001:db8::22 (sol, ovr) is at 00:50:56:aa:00:22',
    );
  });
  it('LLDP and CDP', () => {
    expect(describe(buildLldp({ srcMac: A, portId: 'vmnic0', systemName: 'esxi-01' }))).toBe('LLDP Chassis Id = 00:50:56:aa:00:21  Port Id = vmnic0  TTL = 120  System Name = esxi-01');
    expect(describe(buildCdp({ srcMac: A, deviceId: 'esxi-01', portId: 'vmnic1' }))).toBe('CDP Device ID: esxi-01  Port ID: vmnic1');
  });
  it('unknown EtherType, runt, truncated and damaged frames never throw', () => {
    expect(describe(buildEthernet({ dst: B, src: A, ethertype: 0x88b5, payload: new Uint8Array(4) }))).toBe(
      'Ethernet II 00:50:56:aa:00:21 → 00:50:56:aa:00:22 type 0x88b5 (46 bytes)',
    );
    expect(describe(new Uint8Array(5))).toBe('Runt frame (5 bytes, no Ethernet header)');
    expect(describe(fromHex('ffffffffffff005056aa0001 0806 0001'))).toBe('ARP [malformed]');
    expect(describe(fromHex('ffffffffffff005056aa0001 8100'))).toBe('[malformed] truncated 802.1Q tag');
    const bad = buildIcmpEcho({ type: 'request', srcMac: A, dstMac: B, srcIp: '10.0.0.21', dstIp: '10.0.0.22' });
    bad[24] = bad[24]! ^ 0xff;
    expect(describe(bad)).toMatch(/\[bad IP checksum\]$/);
    expect(describe(pushTag(new Uint8Array(14), 0, 3))).toMatch(/^VLAN 0 PCP 3 · /);
  });
});
