/** `vswitch-lab ping` with an IPv6 address or -6 (E4), on topologies/default.json. */
import { describe, expect, it } from 'vitest';
import { runMain } from './run-cli.js';

describe('vswitch-lab ping -6 (E4)', () => {
  it('an IPv6 address pings over ICMPv6: iputils ping -6 wording from a VM', async () => {
    const r = await runMain(['ping', 'default', 'web-01:eth0', '2001:db8::11', '-c', '2']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('PING 2001:db8::11(2001:db8::11) 56 data bytes');
    expect(lines[1]).toMatch(/^64 bytes from 2001:db8::11: icmp_seq=1 ttl=64 time=\d+\.\d+ ms$/);
    expect(r.stdout).toContain('2 packets transmitted, 2 received, 0% packet loss');
  });

  it('vmkping -6 from a vmk to a link-local address (-I, -6)', async () => {
    const r = await runMain(['ping', 'default', '-6', '-I', 'esxi-01:vmk0', 'fe80::250:56ff:fea1:1', '-c', '1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('PING fe80::250:56ff:fea1:1 (fe80::250:56ff:fea1:1) from esxi-01:vmk0: 56 data bytes');
    expect(r.stdout).toContain('1 packets transmitted, 1 packets received, 0% packet loss');
  });

  it('no neighbour advertisement: exit 1, Address unreachable per probe', async () => {
    const r = await runMain(['ping', 'default', 'web-01:eth0', '2001:db8::99', '-c', '2']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('From 2001:db8::21 icmp_seq=1 Destination unreachable: Address unreachable');
    expect(r.stdout).toContain('2 packets transmitted, 0 received, +2 errors, 100% packet loss');
  });

  it('-6 with an IPv4 address, or a bad address: exit 2', async () => {
    const r = await runMain(['ping', 'default', '-6', 'web-01:eth0', '10.0.0.22']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('-6: "10.0.0.22" is not an IPv6 address (like fe80::1)');
    const bad = await runMain(['ping', 'default', 'web-01:eth0', '2001:db8::zz']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('is not an IPv4 address (like 10.0.0.21) or an IPv6 address (like fe80::1)');
  });
});
