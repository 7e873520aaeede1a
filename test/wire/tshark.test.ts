/**
 * tshark as oracle: every builder's frames go into one classic pcap, read once by tshark 4.0
 * with checksum validation on; we assert tshark's own field values (checksum status 1 = good in
 * -T fields output) and that it finds nothing malformed and no expert warning or error.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writePcap } from '../helpers/pcap-file.js';
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
  fragmentIpv4,
  popTag,
  pushTag,
  rewriteTag,
} from '../../src/wire/index.js';

const TSHARK = '/usr/bin/tshark';
const hasTshark = existsSync(TSHARK);

const A = '00:50:56:aa:00:21';
const B = '00:50:56:aa:00:22';
const ip4 = { srcMac: A, dstMac: B, srcIp: '10.0.0.21', dstIp: '10.0.0.22' };

const FIELDS = [
  'frame.number',
  'eth.dst',
  'eth.src',
  'eth.type',
  'ieee8021ad.id',
  'vlan.id',
  'vlan.priority',
  'vlan.etype',
  'arp.opcode',
  'arp.src.hw_mac',
  'arp.src.proto_ipv4',
  'arp.dst.hw_mac',
  'arp.dst.proto_ipv4',
  'ip.src',
  'ip.dst',
  'ip.ttl',
  'ip.id',
  'ip.flags.df',
  'ip.flags.mf',
  'ip.frag_offset',
  'ip.checksum.status',
  'icmp.type',
  'icmp.code',
  'icmp.ident',
  'icmp.seq',
  'icmp.checksum.status',
  'icmp.mtu',
  'udp.srcport',
  'udp.dstport',
  'udp.length',
  'udp.checksum.status',
  'tcp.srcport',
  'tcp.dstport',
  'tcp.flags',
  'tcp.checksum.status',
  'ipv6.src',
  'ipv6.dst',
  'ipv6.hlim',
  'icmpv6.type',
  'icmpv6.checksum.status',
  'icmpv6.echo.identifier',
  'icmpv6.echo.sequence_number',
  'icmpv6.nd.ns.target_address',
  'icmpv6.nd.na.target_address',
  'icmpv6.nd.na.flag.s',
  'icmpv6.opt.linkaddr',
  'lldp.chassis.id.mac',
  'lldp.port.id',
  'lldp.time_to_live',
  'cdp.deviceid',
  'cdp.portid',
  'cdp.checksum.status',
  'llc.oui',
  'llc.cisco_pid',
  'data.len',
] as const;
type Field = (typeof FIELDS)[number];

const CHECKS = ['-o', 'ip.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE'];
const GOOD = '1'; // PROTO_CHECKSUM_E_GOOD as tshark 4.0 prints it in -T fields

// name -> frames (fragment sets give several)
const cases: Array<[string, Uint8Array[]]> = [];
const add = (name: string, ...frames: Uint8Array[]) => cases.push([name, frames]);

add('arp request vlan 10', buildArp({ op: 'request', srcMac: A, senderIp: '10.0.10.11', targetIp: '10.0.10.12', vlan: 10, pcp: 3 }));
add('arp reply', buildArp({ op: 'reply', srcMac: B, dstMac: A, senderIp: '10.0.0.22', targetIp: '10.0.0.21' }));
add('gratuitous arp', buildGratuitousArp({ srcMac: A, ip: '10.0.0.21' }));
add('rarp', buildRarp({ srcMac: '00:50:56:aa:00:01' }));
add('icmp echo qinq', buildIcmpEcho({ type: 'request', ...ip4, vlan: [100, 10], pcp: 5, id: 0x1234, seq: 42, ttl: 63, df: true }));
add('icmp echo reply', buildIcmpEcho({ type: 'reply', ...ip4, dataSize: 0, seq: 2 }));
add('icmp jumbo', buildIcmpEcho({ type: 'request', ...ip4, dataSize: 8972, df: true }));
add(
  'icmp frag needed',
  buildIcmpError({
    type: 3,
    code: 4,
    nextHopMtu: 1500,
    srcMac: B,
    dstMac: A,
    srcIp: '10.0.0.1',
    dstIp: '10.0.0.21',
    original: buildUdp({ ...ip4, dstPort: 33434, payload: new Uint8Array(2000), df: true }).subarray(14),
  }),
);
add('udp', buildUdp({ ...ip4, srcPort: 40000, dstPort: 33434, payload: new TextEncoder().encode('vswitch-lab!') }));
add('udp odd length', buildUdp({ ...ip4, srcPort: 40001, dstPort: 33434, payload: new Uint8Array([1, 2, 3]), vlan: 20 }));
add('tcp syn-ack', buildTcp({ ...ip4, srcPort: 443, dstPort: 51000, flags: 0x012, seq: 1, ack: 1 }));
add('fragments', ...fragmentIpv4(buildIcmpEcho({ type: 'request', ...ip4, dataSize: 4000, identification: 0x0bad, vlan: 30 }), 1500));
add('icmpv6 echo', buildIcmpv6Echo({ type: 'request', srcMac: A, dstMac: B, srcIp: '2001:db8::21', dstIp: '2001:db8::22', id: 5, seq: 6 }));
add('neighbor solicitation', buildNeighborSolicitation({ srcMac: A, srcIp: '2001:db8::21', targetIp: '2001:db8::22', vlan: 40 }));
add('neighbor advertisement', buildNeighborAdvertisement({ srcMac: B, dstMac: A, srcIp: '2001:db8::22', dstIp: '2001:db8::21' }));
add('lldp', buildLldp({ srcMac: A, portId: 'vmnic0', systemName: 'esxi-01' }));
add('cdp odd', buildCdp({ srcMac: A, deviceId: 'esxi-01', portId: 'vmnic1' }));
add('cdp even', buildCdp({ srcMac: A, deviceId: 'esxi-01', portId: 'vmnic10' }));
add('ethernet custom type', buildEthernet({ dst: B, src: A, ethertype: 0x88b5, payload: new Uint8Array(10), vlan: 7 }));
const base = buildIcmpEcho({ type: 'request', ...ip4 });
add('pushTag', pushTag(base, 77, 6));
add('rewriteTag', rewriteTag(pushTag(base, 77), 88, 2));
add('popTag', popTag(buildArp({ op: 'request', srcMac: A, senderIp: '10.0.0.21', targetIp: '10.0.0.22', vlan: 9 })));

type Row = Record<Field, string>;
const rowsByCase = new Map<string, Row[]>();
let problems = '';

beforeAll(() => {
  // never skipped: `npm test` installs tshark first (.ci/ensure-tools.sh); without it this fails loudly
  if (!hasTshark) throw new Error(`${TSHARK} is missing: run bash .ci/ensure-tools.sh (as root) or install tshark`);
  const dir = mkdtempSync(path.join(tmpdir(), 'wire-tshark-'));
  const file = path.join(dir, 'builders.pcap');
  const all = cases.flatMap(([, fs]) => fs);
  writePcap(file, all);
  const out = execFileSync(TSHARK, ['-n', '-r', file, ...CHECKS, '-T', 'fields', '-E', 'separator=|', '-E', 'occurrence=a', '-E', 'aggregator=,', ...FIELDS.flatMap((f) => ['-e', f])], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const rows = out.trimEnd().split('\n').map((line) => Object.fromEntries(line.split('|').map((v, i) => [FIELDS[i], v])) as Row);
  expect(rows).toHaveLength(all.length);
  let i = 0;
  for (const [name, fs] of cases) {
    rowsByCase.set(name, rows.slice(i, i + fs.length));
    i += fs.length;
  }
  problems = execFileSync(TSHARK, ['-n', '-r', file, ...CHECKS, '-Y', '_ws.malformed || _ws.expert.severity >= "Warning"'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
});

const row = (name: string, i = 0): Row => rowsByCase.get(name)![i]!;

describe('tshark 4.0 reads every builder\'s frames', () => {
  it('finds no malformed packet and no expert warning or error', () => {
    expect(problems.trim()).toBe('');
  });

  it('ARP request: Ethernet, 802.1Q VLAN 10 PCP 3, opcode and addresses', () => {
    expect(row('arp request vlan 10')).toMatchObject({
      'eth.dst': 'ff:ff:ff:ff:ff:ff',
      'eth.src': A,
      'eth.type': '0x8100',
      'vlan.id': '10',
      'vlan.priority': '3',
      'vlan.etype': '0x0806',
      'arp.opcode': '1',
      'arp.src.hw_mac': A,
      'arp.src.proto_ipv4': '10.0.10.11',
      'arp.dst.hw_mac': '00:00:00:00:00:00',
      'arp.dst.proto_ipv4': '10.0.10.12',
    });
  });

  it('ARP reply and gratuitous ARP', () => {
    expect(row('arp reply')).toMatchObject({ 'eth.dst': A, 'arp.opcode': '2', 'arp.src.hw_mac': B, 'arp.dst.hw_mac': A, 'arp.src.proto_ipv4': '10.0.0.22' });
    expect(row('gratuitous arp')).toMatchObject({ 'arp.opcode': '1', 'arp.src.proto_ipv4': '10.0.0.21', 'arp.dst.proto_ipv4': '10.0.0.21' });
  });

  it('T7: RARP notify — EtherType 0x8035, opcode 3, both hardware addresses the vNIC MAC', () => {
    expect(row('rarp')).toMatchObject({
      'eth.type': '0x8035',
      'eth.dst': 'ff:ff:ff:ff:ff:ff',
      'arp.opcode': '3',
      'arp.src.hw_mac': '00:50:56:aa:00:01',
      'arp.dst.hw_mac': '00:50:56:aa:00:01',
      'arp.src.proto_ipv4': '0.0.0.0',
    });
  });

  it('ICMP echo in QinQ: S-tag 100, C-tag 10, DF, TTL, id/seq, both checksums good', () => {
    expect(row('icmp echo qinq')).toMatchObject({
      'eth.type': '0x88a8',
      'ieee8021ad.id': '100',
      'vlan.id': '10',
      'vlan.etype': '0x0800',
      'ip.src': '10.0.0.21',
      'ip.dst': '10.0.0.22',
      'ip.ttl': '63',
      'ip.flags.df': '1',
      'ip.checksum.status': GOOD,
      'icmp.type': '8',
      'icmp.code': '0',
      'icmp.ident': '4660',
      'icmp.seq': '42',
      'icmp.checksum.status': GOOD,
    });
    expect(row('icmp echo reply')).toMatchObject({ 'icmp.type': '0', 'icmp.seq': '2', 'icmp.checksum.status': GOOD, 'ip.checksum.status': GOOD });
    expect(row('icmp jumbo')).toMatchObject({ 'icmp.checksum.status': GOOD, 'ip.checksum.status': GOOD, 'data.len': '8972' });
  });

  it('ICMP fragmentation needed carries the next-hop MTU', () => {
    expect(row('icmp frag needed')).toMatchObject({ 'icmp.type': '3', 'icmp.code': '4', 'icmp.mtu': '1500', 'icmp.checksum.status': GOOD });
  });

  it('UDP: ports, length, checksum good (even and odd lengths)', () => {
    expect(row('udp')).toMatchObject({ 'udp.srcport': '40000', 'udp.dstport': '33434', 'udp.length': '20', 'udp.checksum.status': GOOD, 'ip.checksum.status': GOOD });
    expect(row('udp odd length')).toMatchObject({ 'vlan.id': '20', 'udp.length': '11', 'udp.checksum.status': GOOD });
  });

  it('TCP header decode agrees', () => {
    expect(row('tcp syn-ack')).toMatchObject({ 'tcp.srcport': '443', 'tcp.dstport': '51000', 'tcp.flags': '0x0012', 'tcp.checksum.status': GOOD });
  });

  it('fragments: offsets, MF, good checksums, and tshark reassembles a good ICMP echo', () => {
    const rows = rowsByCase.get('fragments')!;
    // tshark 4.0 prints the fragment offset field in its 8-byte units: 1480 / 8 = 185
    expect(rows.map((r) => r['ip.frag_offset'])).toEqual(['0', '185', '370']);
    expect(rows.map((r) => r['ip.flags.mf'])).toEqual(['1', '1', '0']);
    expect(rows.every((r) => r['ip.checksum.status'] === GOOD && r['ip.id'] === '0x0bad' && r['vlan.id'] === '30')).toBe(true);
    expect(rows[2]).toMatchObject({ 'icmp.type': '8', 'icmp.checksum.status': GOOD });
  });

  it('ICMPv6 echo and neighbour discovery: addresses, hop limits, checksums good', () => {
    expect(row('icmpv6 echo')).toMatchObject({
      'ipv6.src': '2001:db8::21',
      'ipv6.dst': '2001:db8::22',
      'ipv6.hlim': '64',
      'icmpv6.type': '128',
      'icmpv6.echo.identifier': '0x0005',
      'icmpv6.echo.sequence_number': '6',
      'icmpv6.checksum.status': GOOD,
    });
    expect(row('neighbor solicitation')).toMatchObject({
      'eth.dst': '33:33:ff:00:00:22',
      'vlan.id': '40',
      'ipv6.dst': 'ff02::1:ff00:22',
      'ipv6.hlim': '255',
      'icmpv6.type': '135',
      'icmpv6.nd.ns.target_address': '2001:db8::22',
      'icmpv6.opt.linkaddr': A,
      'icmpv6.checksum.status': GOOD,
    });
    expect(row('neighbor advertisement')).toMatchObject({
      'icmpv6.type': '136',
      'icmpv6.nd.na.target_address': '2001:db8::22',
      'icmpv6.nd.na.flag.s': '1',
      'icmpv6.opt.linkaddr': B,
      'icmpv6.checksum.status': GOOD,
    });
  });

  it('LLDP and CDP are recognised with their IDs; CDP checksum good for odd and even lengths', () => {
    expect(row('lldp')).toMatchObject({ 'eth.dst': '01:80:c2:00:00:0e', 'lldp.chassis.id.mac': A, 'lldp.port.id': 'vmnic0', 'lldp.time_to_live': '120' });
    expect(row('cdp odd')).toMatchObject({
      'eth.dst': '01:00:0c:cc:cc:cc',
      'llc.oui': '12', /* 0x00000c, Cisco */
      'llc.cisco_pid': '0x2000',
      'cdp.deviceid': 'esxi-01',
      'cdp.portid': 'vmnic1',
      'cdp.checksum.status': GOOD,
    });
    expect(row('cdp even')).toMatchObject({ 'cdp.portid': 'vmnic10', 'cdp.checksum.status': GOOD });
  });

  it('tag operations give frames tshark reads as intended', () => {
    expect(row('ethernet custom type')).toMatchObject({ 'vlan.id': '7', 'vlan.etype': '0x88b5' });
    expect(row('pushTag')).toMatchObject({ 'vlan.id': '77', 'vlan.priority': '6', 'icmp.checksum.status': GOOD });
    expect(row('rewriteTag')).toMatchObject({ 'vlan.id': '88', 'vlan.priority': '2' });
    expect(row('popTag')).toMatchObject({ 'eth.type': '0x0806', 'vlan.id': '', 'arp.dst.proto_ipv4': '10.0.0.22' });
  });
});
