import { describe, expect, it } from 'vitest';
import { resolveFrameSpec, staticFrameSpecView, type FrameSpecView } from '../../src/engine/frame-spec.js';
import { Topology, type TopologyDoc } from '../../src/topology/schema.js';
import { FrameInputError, formatMac, ipv4ToString, parsePacket, readTags, toHex } from '../../src/wire/index.js';

const topology: TopologyDoc = Topology.parse({
  version: 1,
  name: 'frame-spec',
  hosts: [
    {
      name: 'esxi-01',
      nics: [{ name: 'vmnic0', mac: '00:1b:21:00:00:10' }],
      vswitches: [
        {
          name: 'vSwitch0',
          uplinks: ['vmnic0'],
          portGroups: [
            { name: 'Management Network', vlan: 0 },
            { name: 'VM Network', vlan: 0 },
            { name: 'Trunk', vlan: 4095 },
            { name: 'vMotion', vlan: 50 },
          ],
        },
      ],
      vmkernel: [
        { name: 'vmk0', portGroup: 'Management Network', mac: '00:1b:21:00:00:10', ipv4: '10.0.0.11/24', gateway: '10.0.0.1' },
        { name: 'vmk1', portGroup: 'vMotion', mac: '00:50:56:6b:00:01', ipv4: '192.168.50.11/24' },
        { name: 'vmk2', portGroup: 'vMotion', mac: '00:50:56:6b:00:02' },
      ],
    },
  ],
  vms: [
    { name: 'web-01', host: 'esxi-01', nics: [{ name: 'eth0', portGroup: 'VM Network', mac: '00:50:56:a1:00:01', ipv4: '10.0.0.21/24', gateway: '10.0.0.1' }] },
    { name: 'web-02', host: 'esxi-01', nics: [{ name: 'eth0', portGroup: 'VM Network', mac: '00:50:56:a1:00:02', ipv4: '10.0.0.22/24' }] },
    {
      name: 'router-vm',
      host: 'esxi-01',
      nics: [
        {
          name: 'eth0',
          portGroup: 'Trunk',
          mac: '00:50:56:a1:00:99',
          vlans: [
            { vlan: 10, ipv4: '10.0.10.5/24' },
            { vlan: 20, ipv4: '10.0.20.5/24' },
          ],
        },
      ],
    },
  ],
  physicalHosts: [
    { name: 'gw', nics: [{ name: 'eth0', mac: '3c:22:fb:00:00:01', ipv4: '10.0.0.1/24' }] },
    { name: 'db', nics: [{ name: 'eth0', mac: '3c:22:fb:00:00:20', ipv4: '10.0.20.9/24' }] },
    { name: 'tagged', nics: [{ name: 'eth0', mac: '3c:22:fb:00:00:30', ipv4: '10.0.30.7/24', vlan: 30 }] },
  ],
});

const view = staticFrameSpecView(topology);
const resolve = (from: string, spec: unknown, v: FrameSpecView = view) => resolveFrameSpec(v, from, spec);
const pkt = (f: Uint8Array) => {
  const p = parsePacket(f);
  if (!p) throw new Error(`not a valid frame: ${toHex(f)}`);
  return p;
};
const arpOf = (f: Uint8Array) => {
  const n = pkt(f).network;
  if (n.kind !== 'arp') throw new Error('not ARP');
  return n.arp;
};
const ipOf = (f: Uint8Array) => {
  const n = pkt(f).network;
  if (n.kind !== 'ipv4') throw new Error('not IPv4');
  return n;
};
const dstOf = (f: Uint8Array) => formatMac(f, 0);
const srcOf = (f: Uint8Array) => formatMac(f, 6);

function fieldError(fn: () => unknown): FrameInputError {
  try {
    fn();
  } catch (err) {
    if (err instanceof FrameInputError) return err;
    throw err;
  }
  throw new Error('expected a FrameInputError');
}

describe('resolveFrameSpec', () => {
  it('hex: the bytes as given, whatever the interface', () => {
    const f = resolve('web-01:eth0', { kind: 'hex', hex: 'ffffffffffff 005056a10001 0806 00' });
    expect(toHex(f)).toBe('ffffffffffff005056a10001080600');
  });

  it('arp-request: broadcast, source = effective MAC, sender IP = the interface address', () => {
    const f = resolve('web-01:eth0', { kind: 'arp-request', targetIp: '10.0.0.22' });
    expect(dstOf(f)).toBe('ff:ff:ff:ff:ff:ff');
    expect(srcOf(f)).toBe('00:50:56:a1:00:01');
    const a = arpOf(f);
    expect(a.op).toBe(1);
    expect(ipv4ToString(a.senderIp)).toBe('10.0.0.21');
    expect(ipv4ToString(a.targetIp)).toBe('10.0.0.22');
    expect(formatMac(a.senderMac)).toBe('00:50:56:a1:00:01');
    expect(readTags(f)).toHaveLength(0);
  });

  it('S2: the source MAC follows the effective MAC the lab reports, not the configured one', () => {
    const changed: FrameSpecView = { topology, effectiveMac: (i) => (i === 'web-01:eth0' ? '02:00:00:00:00:aa' : view.effectiveMac(i)) };
    const f = resolve('web-01:eth0', { kind: 'arp-request', targetIp: '10.0.0.22' }, changed);
    expect(srcOf(f)).toBe('02:00:00:00:00:aa');
    // and the destination MAC of an echo to web-01 is its effective MAC too
    const g = resolve('web-02:eth0', { kind: 'icmp-echo', dstIp: '10.0.0.21' }, changed);
    expect(dstOf(g)).toBe('02:00:00:00:00:aa');
  });

  it('explicit src, dst, vlan and pcp win over the defaults', () => {
    const f = resolve('web-01:eth0', { kind: 'arp-request', targetIp: '10.0.0.22', src: '00:50:56:ff:ff:01', dst: '00-50-56-a1-00-02', vlan: 0, pcp: 5, senderIp: '10.0.0.99' });
    expect(srcOf(f)).toBe('00:50:56:ff:ff:01');
    expect(dstOf(f)).toBe('00:50:56:a1:00:02');
    expect(readTags(f)).toEqual([{ tpid: 0x8100, pcp: 5, dei: false, vid: 0 }]);
    expect(ipv4ToString(arpOf(f).senderIp)).toBe('10.0.0.99');
  });

  it('icmp-echo on-link: destination MAC = the owner of dstIp (the lab knows the answer)', () => {
    const f = resolve('web-01:eth0', { kind: 'icmp-echo', dstIp: '10.0.0.22', size: 100, df: true, id: 7, seq: 3 });
    expect(dstOf(f)).toBe('00:50:56:a1:00:02');
    const n = ipOf(f);
    expect(ipv4ToString(n.ip.src)).toBe('10.0.0.21');
    expect(ipv4ToString(n.ip.dst)).toBe('10.0.0.22');
    expect(n.ip.df).toBe(true);
    expect(n.transport.kind).toBe('icmp');
    if (n.transport.kind !== 'icmp') return;
    expect(n.transport.type).toBe(8);
    expect(n.transport.rest).toBe((7 << 16) | 3);
    expect(n.transport.data.length).toBe(100);
  });

  it('icmp-echo off-link: destination MAC = the gateway owner; no gateway -> broadcast', () => {
    const viaGw = resolve('web-01:eth0', { kind: 'icmp-echo', dstIp: '8.8.8.8' });
    expect(dstOf(viaGw)).toBe('3c:22:fb:00:00:01');
    const noGw = resolve('web-02:eth0', { kind: 'icmp-echo', dstIp: '8.8.8.8' });
    expect(dstOf(noGw)).toBe('ff:ff:ff:ff:ff:ff');
    const nobodyOnLink = resolve('web-02:eth0', { kind: 'icmp-echo', dstIp: '10.0.0.200' });
    expect(dstOf(nobodyOnLink)).toBe('ff:ff:ff:ff:ff:ff');
  });

  it('udp: ports, payload and the on-link owner', () => {
    const f = resolve('esxi-01:vmk0', { kind: 'udp', dstIp: '10.0.0.21', dstPort: 514, srcPort: 5000, payloadHex: 'deadbeef' });
    expect(srcOf(f)).toBe('00:1b:21:00:00:10');
    expect(dstOf(f)).toBe('00:50:56:a1:00:01');
    const n = ipOf(f);
    expect(n.transport).toMatchObject({ kind: 'udp', srcPort: 5000, dstPort: 514 });
    if (n.transport.kind === 'udp') expect(toHex(n.transport.data)).toBe('deadbeef');
  });

  it('payloadLength fills the payload with a counting pattern; ttl, dscp and df set the IPv4 header', () => {
    const f = resolve('esxi-01:vmk0', { kind: 'udp', dstIp: '10.0.0.21', dstPort: 9, payloadLength: 1400, ttl: 3, dscp: 46, df: true });
    const n = ipOf(f);
    expect(n.ip).toMatchObject({ ttl: 3, tos: 46 << 2, df: true });
    if (n.transport.kind === 'udp') {
      expect(n.transport.data.length).toBe(1400);
      expect([...n.transport.data.slice(0, 3), n.transport.data[256]]).toEqual([0, 1, 2, 0]);
    } else throw new Error('not udp');
    const e = resolve('web-01:eth0', { kind: 'icmp-echo', dstIp: '10.0.0.22', size: 8972, df: true, ttl: 1 });
    expect(e.length).toBe(14 + 9000);
    expect(ipOf(e).ip).toMatchObject({ ttl: 1, df: true });
    const eth = resolve('web-01:eth0', { kind: 'ethernet', ethertype: 0x88b5, payloadLength: 100 });
    expect(eth.length).toBe(114);
    expect(fieldError(() => resolve('web-01:eth0', { kind: 'udp', dstIp: '10.0.0.22', dstPort: 9, payloadHex: '00', payloadLength: 4 })).field).toBe('payloadLength');
  });

  it('V3: a trunk guest sends out of the VLAN sub-interface on dstIp’s subnet, tagged', () => {
    const f = resolve('router-vm:eth0', { kind: 'icmp-echo', dstIp: '10.0.20.9' });
    expect(readTags(f).map((t) => t.vid)).toEqual([20]);
    expect(ipv4ToString(ipOf(f).ip.src)).toBe('10.0.20.5');
    expect(dstOf(f)).toBe('3c:22:fb:00:00:20');
  });

  it('V3: with vlan given, the sender IP is that sub-interface’s', () => {
    const f = resolve('router-vm:eth0', { kind: 'arp-request', targetIp: '10.0.10.1', vlan: 10 });
    expect(ipv4ToString(arpOf(f).senderIp)).toBe('10.0.10.5');
    expect(readTags(f).map((t) => t.vid)).toEqual([10]);
    const e = fieldError(() => resolve('router-vm:eth0', { kind: 'arp-request', targetIp: '10.0.30.1', vlan: 30 }));
    expect(e.field).toBe('senderIp');
    expect(e.message).toMatch(/^senderIp: router-vm:eth0 has no IPv4 address in VLAN 30/);
    // the message lists the sub-interfaces the guest does have
    expect(e.message).toContain('VLAN 10 10.0.10.5');
    // a QinQ stack is no sub-interface's VLAN: said so, not "no IPv4 address" alone
    const q = fieldError(() => resolve('router-vm:eth0', { kind: 'gratuitous-arp', vlan: [100, 10] }));
    expect(q.field).toBe('ip');
    expect(q.message).toMatch(/tag stack 100,10: a guest VLAN sub-interface carries one tag/);
  });

  it('a physical NIC configured with a VLAN tags its frames by default', () => {
    const f = resolve('tagged:eth0', { kind: 'gratuitous-arp' });
    expect(readTags(f).map((t) => t.vid)).toEqual([30]);
    const a = arpOf(f);
    expect(ipv4ToString(a.senderIp)).toBe('10.0.30.7');
    expect(ipv4ToString(a.targetIp)).toBe('10.0.30.7');
    const untagged = resolve('tagged:eth0', { kind: 'gratuitous-arp', vlan: 31 });
    expect(readTags(untagged).map((t) => t.vid)).toEqual([31]);
  });

  it('gratuitous-arp with an address; rarp from the vmk', () => {
    const g = arpOf(resolve('web-01:eth0', { kind: 'gratuitous-arp', ip: '10.0.0.77' }));
    expect(ipv4ToString(g.senderIp)).toBe('10.0.0.77');
    const r = resolve('esxi-01:vmk1', { kind: 'rarp' });
    expect(dstOf(r)).toBe('ff:ff:ff:ff:ff:ff');
    expect(arpOf(r)).toMatchObject({ op: 3, ethertype: 0x8035 });
    expect(formatMac(arpOf(r).targetMac)).toBe('00:50:56:6b:00:01');
  });

  it('arp-reply: addressed to the owner of targetIp unless dst/targetMac say otherwise', () => {
    const f = resolve('web-02:eth0', { kind: 'arp-reply', targetIp: '10.0.0.21' });
    expect(dstOf(f)).toBe('00:50:56:a1:00:01');
    expect(arpOf(f).op).toBe(2);
    const g = resolve('web-02:eth0', { kind: 'arp-reply', targetIp: '10.0.0.21', targetMac: '00:50:56:00:00:09' });
    expect(dstOf(g)).toBe('00:50:56:00:00:09');
    expect(fieldError(() => resolve('web-02:eth0', { kind: 'arp-reply', targetIp: '10.9.9.9' })).field).toBe('dst');
  });

  it('ethernet: broadcast by default, any EtherType, QinQ with an 802.1ad outer tag', () => {
    const f = resolve('web-01:eth0', { kind: 'ethernet', ethertype: 0x88b5, payloadHex: '0102', vlan: [100, 10] });
    expect(dstOf(f)).toBe('ff:ff:ff:ff:ff:ff');
    expect(readTags(f).map((t) => [t.tpid, t.vid])).toEqual([
      [0x88a8, 100],
      [0x8100, 10],
    ]);
    expect(toHex(f.subarray(20, 24))).toBe('88b50102');
    expect(f.length).toBe(60);
  });

  describe('bad input: FrameInputError naming the field', () => {
    it('a bad MAC', () => {
      const e = fieldError(() => resolve('web-01:eth0', { kind: 'arp-request', targetIp: '10.0.0.22', dst: 'zz:00' }));
      expect(e.field).toBe('dst');
      expect(e.message).toMatch(/^dst: .*not a MAC address/);
    });
    it('an unknown kind', () => {
      const e = fieldError(() => resolve('web-01:eth0', { kind: 'ipx' }));
      expect(e.message).toMatch(/^kind: /);
    });
    it('an address with a prefix', () => {
      expect(fieldError(() => resolve('web-01:eth0', { kind: 'icmp-echo', dstIp: '10.0.0.22/24' })).field).toBe('dstIp');
    });
    it('no sender address on the interface', () => {
      const e = fieldError(() => resolve('esxi-01:vmk2', { kind: 'icmp-echo', dstIp: '10.0.0.22' }));
      expect(e.field).toBe('srcIp');
      expect(e.message).toContain('esxi-01:vmk2 has no IPv4 address');
      // with srcIp given it resolves
      expect(ipv4ToString(ipOf(resolve('esxi-01:vmk2', { kind: 'icmp-echo', dstIp: '192.168.50.11', srcIp: '192.168.50.12' })).ip.src)).toBe('192.168.50.12');
    });
    it('an uplink is not an endpoint with an address', () => {
      const e = fieldError(() => resolve('esxi-01:vmnic0', { kind: 'arp-request', targetIp: '10.0.0.1' }));
      expect(e.message).toMatch(/^senderIp: esxi-01:vmnic0 is not an endpoint/);
    });
    it('a priority without a tag, and an oversize echo', () => {
      expect(fieldError(() => resolve('web-01:eth0', { kind: 'rarp', pcp: 3 })).field).toBe('pcp');
      expect(fieldError(() => resolve('web-01:eth0', { kind: 'icmp-echo', dstIp: '10.0.0.22', size: 9000 })).field).toBe('size');
    });
    it('bad payload hex names payloadHex', () => {
      const e = fieldError(() => resolve('web-01:eth0', { kind: 'udp', dstIp: '10.0.0.22', dstPort: 9, payloadHex: 'xyz' }));
      expect(e.field).toBe('payloadHex');
    });
    it('a physical switch port has no MAC: src must be given', () => {
      const t = Topology.parse({ version: 1, name: 'sw', physicalSwitches: [{ name: 'tor-1', ports: [{ name: 'eth1', mode: 'access' }] }] });
      const v = staticFrameSpecView(t);
      expect(fieldError(() => resolveFrameSpec(v, 'tor-1:eth1', { kind: 'rarp' })).message).toBe('src: tor-1:eth1 is a physical switch port and has no MAC of its own; give src (a MAC)');
      expect(srcOf(resolveFrameSpec(v, 'tor-1:eth1', { kind: 'rarp', src: '02:00:00:00:00:01' }))).toBe('02:00:00:00:00:01');
    });
    it('an unknown sending interface (static view)', () => {
      expect(fieldError(() => resolve('web-03:eth0', { kind: 'rarp' })).message).toContain('web-03:eth0');
    });
  });
});
