/**
 * E4: IPv6 endpoints — addresses (EUI-64 link-local), neighbour discovery through the vSwitch's
 * multicast filter (M1/M2), the neighbour cache, ICMPv6 echo and ping -6, on one VLAN, across
 * VLANs and through the physical switch. The frames the stacks build are checked by tshark.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLab } from '../../src/engine/index.js';
import type { TraceEvent } from '../../src/engine/trace.js';
import { pingOutput } from '../../src/engine/trace-text.js';
import { ipv6ToString, linkLocalFromMac, parseMac, read16 } from '../../src/wire/index.js';
import { PH1, standardTopology, vm, vmMac } from './fixtures.js';
import { writePcap } from '../helpers/pcap-file.js';

const LL_A = 'fe80::250:56ff:feaa:1';
const LL_B = 'fe80::250:56ff:feaa:2';

/** The standard lab with IPv6 on a (VLAN 10), b (VLAN 10), c (VLAN 20), ph1 (VLAN 10 behind tor-1), and d (VLAN 10, IPv6 on, other address). */
function v6Lab(extra: { noIpv6Vm?: boolean } = {}) {
  const doc = standardTopology({ extraVms: [vm('d', 'VM-10', vmMac(6)), ...(extra.noIpv6Vm ? [vm('x', 'VM-10', vmMac(7))] : [])] });
  const nic = (name: string) => doc.vms.find((v) => v.name === name)!.nics[0]!;
  nic('a').ipv6 = ['2001:db8:10::1/64'];
  nic('b').ipv6 = ['2001:db8:10::2/64'];
  nic('c').ipv6 = ['2001:db8:20::3/64'];
  nic('d').ipv6 = ['2001:db8:10::4/64'];
  doc.physicalHosts[0]!.nics[0]!.ipv6 = ['2001:db8:10::99/64'];
  const lab = createLab(doc);
  const events: TraceEvent[] = [];
  lab.trace.subscribe((e) => events.push(e));
  return { lab, events };
}

const isIpv6 = (f: Uint8Array | undefined): f is Uint8Array => f !== undefined && read16(f, 12) === 0x86dd;
/** ICMPv6 type of an untagged IPv6 frame */
const icmpType = (f: Uint8Array) => f[54];

describe('IPv6 endpoints (E4)', () => {
  it('E4: the link-local address is fe80::/64 with the MAC-derived modified EUI-64 identifier', () => {
    expect(ipv6ToString(linkLocalFromMac(parseMac(vmMac(1))!))).toBe(LL_A);
    const { lab } = v6Lab();
    expect(lab.ipv6Addresses('a:eth0')).toEqual([{ addresses: [`${LL_A}/64`, '2001:db8:10::1/64'] }]);
    expect(lab.ipv6Addresses('e:eth0')).toEqual([]); // no ipv6 list: IPv6 off
  });

  it('M1/E4: the stack registers all-nodes and each solicited-node group on its port', () => {
    const { lab } = v6Lab();
    const a = lab.interfaces().find((i) => i.id === 'a:eth0')!;
    expect(a.multicast).toEqual(['33:33:00:00:00:01', '33:33:ff:00:00:01', '33:33:ff:aa:00:01']);
    expect(lab.interfaces().find((i) => i.id === 'e:eth0')!.multicast).toEqual([]);
  });

  it('E4: NS -> NA on one VLAN, then echo request -> reply; both neighbour caches learn', () => {
    const { lab, events } = v6Lab();
    const r = lab.ping('a:eth0', '2001:db8:10::2', { count: 3 });
    expect(r.transmitted).toBe(3);
    expect(r.received).toBe(3);
    expect(r.replies.map((p) => [p.seq, p.ttl, p.bytes])).toEqual([[1, 64, 64], [2, 64, 64], [3, 64, 64]]);
    expect(r.source).toBe('2001:db8:10::1');
    // a asked once (NS), b advertised once (NA: solicited, override, not router)
    const ns = events.filter((e) => e.action === 'nd-solicit');
    const na = events.filter((e) => e.action === 'nd-advert');
    expect(ns.map((e) => e.port)).toEqual(['a:eth0']);
    expect(na.map((e) => e.port)).toEqual(['b:eth0']);
    expect(na[0]!.detail).toContain('flags S, O');
    expect(lab.neighbours('a:eth0')).toEqual([{ ip: '2001:db8:10::2', mac: vmMac(2), state: 'REACHABLE', expiresAt: expect.any(Number) }]);
    // b learned a from the NS's source link-layer option: STALE (RFC 4861 7.2.3)
    expect(lab.neighbours('b:eth0')).toEqual([{ ip: '2001:db8:10::1', mac: vmMac(1), state: 'STALE', expiresAt: expect.any(Number) }]);
  });

  it('E4: ping to a link-local address uses the link-local source', () => {
    const { lab } = v6Lab();
    const r = lab.ping('a:eth0', LL_B, { count: 2 });
    expect(r.received).toBe(2);
    expect(r.source).toBe(LL_A);
  });

  it('M2/E4: the NS reaches only the port registered for the target\'s solicited-node group; other ports drop it MULTICAST_FILTERED', () => {
    const { lab, events } = v6Lab({ noIpv6Vm: true });
    lab.ping('a:eth0', '2001:db8:10::2', { count: 1 });
    lab.run(); // the uplink copy reaches the physical switch after the ping is over
    const nsFrame = events.find((e) => e.action === 'ingress' && e.port === 'a:eth0' && isIpv6(e.frame) && icmpType(e.frame) === 135)!;
    expect(nsFrame).toBeDefined();
    const copies = events.filter((e) => e.frameId === nsFrame.frameId);
    const deliveredTo = copies.filter((e) => e.action === 'deliver').map((e) => e.port).sort();
    // b registered 33:33:ff:00:00:02; ph1 is behind the uplink (the physical switch floods, P3)
    expect(deliveredTo).toEqual(['b:eth0', 'ph1:eth0']);
    const filtered = copies.filter((e) => e.action === 'drop' && e.reason === 'MULTICAST_FILTERED').map((e) => e.port).sort();
    // d has IPv6 with another address (other solicited-node group), x has no IPv6, t is the VGT trunk
    expect(filtered).toEqual(['d:eth0', 't:eth0', 'x:eth0']);
  });

  it('E4: across VLANs there is no router: the NS gets no answer and every probe is unreachable', () => {
    const { lab, events } = v6Lab();
    const llC = ipv6ToString(linkLocalFromMac(parseMac(vmMac(3))!));
    const r = lab.ping('a:eth0', llC, { count: 3 });
    expect(r.received).toBe(0);
    expect(r.transmitted).toBe(3);
    expect(r.unreachable!.map((u) => u.error)).toEqual(Array(3).fill('Destination unreachable: Address unreachable'));
    expect(events.filter((e) => e.action === 'nd-solicit')).toHaveLength(3);
    expect(events.filter((e) => e.action === 'deliver' && e.port === 'c:eth0')).toHaveLength(0);
    expect(lab.neighbours('a:eth0')).toEqual([]);
    // a global address of another prefix has no route (no router discovery)
    const g = lab.ping('a:eth0', '2001:db8:20::3', { count: 1 });
    expect(g.errors).toEqual(['Network is unreachable']);
    expect(g.transmitted).toBe(0);
  });

  it('E4: NS/NA and echo through the physical switch to a physical host', () => {
    const { lab } = v6Lab();
    const r = lab.ping('a:eth0', '2001:db8:10::99', { count: 2 });
    expect(r.received).toBe(2);
    expect(lab.neighbours('a:eth0')[0]).toMatchObject({ ip: '2001:db8:10::99', mac: PH1, state: 'REACHABLE' });
    const back = lab.ping('ph1:eth0', LL_A, { count: 1 });
    expect(back.received).toBe(1);
  });

  it('E4: a guest VLAN sub-interface answers IPv6 tagged; a vmk pings with vmkping wording', () => {
    const doc = standardTopology();
    doc.vms.find((v) => v.name === 't')!.nics[0]!.vlans = [{ vlan: 10, ipv6: ['2001:db8:10::5/64'] }];
    doc.vms.find((v) => v.name === 'a')!.nics[0]!.ipv6 = ['2001:db8:10::1/64'];
    doc.hosts[0]!.vswitches[0]!.portGroups.push({ name: 'Mgmt', vlan: 10 });
    doc.hosts[0]!.vmkernel = [{ name: 'vmk0', portGroup: 'Mgmt', mac: '00:50:56:7f:00:01', ipv6: ['2001:db8:10::100/64'] } as never];
    const lab = createLab(doc);
    expect(lab.ping('a:eth0', '2001:db8:10::5', { count: 1 }).received).toBe(1);
    const r = lab.ping('esxi-01:vmk0', '2001:db8:10::1', { count: 1 });
    expect(r.received).toBe(1);
    const out = pingOutput(r, { from: 'esxi-01:vmk0', dstIp: '2001:db8:10::1', size: 56, vmkping: true, ipv6: true });
    expect(out[0]).toBe('PING 2001:db8:10::1 (2001:db8:10::1) from esxi-01:vmk0: 56 data bytes');
  });

  it('E4: an NA for an address nobody asked about creates no entry; a DAD probe (from ::) is answered to all-nodes', async () => {
    const { buildNeighborAdvertisement, buildNeighborSolicitation } = await import('../../src/wire/index.js');
    const { lab, events } = v6Lab();
    lab.inject('esxi-01:vmnic0', buildNeighborAdvertisement({ srcMac: PH1, dstMac: vmMac(1), srcIp: '2001:db8:10::77', dstIp: '2001:db8:10::1', vlan: 10 }));
    lab.run();
    expect(lab.neighbours('a:eth0')).toEqual([]);
    lab.inject('esxi-01:vmnic0', buildNeighborSolicitation({ srcMac: PH1, srcIp: '::', targetIp: '2001:db8:10::1', vlan: 10 }));
    lab.run();
    const na = events.filter((e) => e.action === 'nd-advert');
    expect(na).toHaveLength(1);
    expect(na[0]!.detail).toContain('ff02::1 (DAD probe)');
    expect(lab.neighbours('a:eth0')).toEqual([]);
  });

  it('E4: iputils ping -6 wording', () => {
    const { lab } = v6Lab();
    const r = lab.ping('a:eth0', LL_B, { count: 1 });
    const out = pingOutput(r, { from: 'a:eth0', dstIp: LL_B, size: 56, vmkping: false, ipv6: true });
    expect(out[0]).toBe(`PING ${LL_B}(${LL_B}) 56 data bytes`);
    expect(out[1]).toMatch(new RegExp(`^64 bytes from ${LL_B}: icmp_seq=1 ttl=64 time=[0-9.]+ ms$`));
    expect(out).toContain(`--- ${LL_B} ping statistics ---`);
    const u = v6Lab().lab.ping('a:eth0', '2001:db8:10::55', { count: 1 });
    const uo = pingOutput(u, { from: 'a:eth0', dstIp: '2001:db8:10::55', size: 56, vmkping: false, ipv6: true });
    expect(uo[1]).toBe('From 2001:db8:10::1 icmp_seq=1 Destination unreachable: Address unreachable');
  });

  it('E4: tshark decodes the NS, NA, echo request and reply the stacks build, checksums good', () => {
    const { lab, events } = v6Lab();
    lab.ping('a:eth0', '2001:db8:10::2', { count: 1 });
    const seen = new Set<number>();
    const frames: Uint8Array[] = [];
    for (const e of events) {
      if (e.action === 'deliver' && e.port === 'b:eth0' || e.action === 'deliver' && e.port === 'a:eth0') {
        if (!isIpv6(e.frame) || seen.has(e.frameId)) continue;
        seen.add(e.frameId);
        frames.push(e.frame);
      }
    }
    const dir = mkdtempSync(join(tmpdir(), 'ipv6-'));
    try {
      const file = join(dir, 'nd.pcap');
      writePcap(file, frames);
      const out = execFileSync('tshark', ['-r', file, '-T', 'fields', '-e', 'icmpv6.type', '-e', 'icmpv6.checksum.status', '-e', 'icmpv6.nd.na.flag.s', '-e', 'icmpv6.nd.na.flag.o'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const rows = out.trim().split('\n').map((l) => l.split('\t'));
      expect(rows.map((r) => r[0])).toEqual(['135', '136', '128', '129']);
      expect(rows.map((r) => r[1])).toEqual(['1', '1', '1', '1']); // 1 = Good (0 Bad, 2 Unverified)
      expect(rows[1]!.slice(2)).toEqual(['1', '1']); // NA: Solicited, Override
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
