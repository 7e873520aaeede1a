/**
 * Timed scenarios with IPv6 continuous pings (E4): a ping's `to` may be an IPv6 address; its
 * ICMPv6 echoes are counted (loss, sequence numbers, frames of that ping) as ICMPv4 ones are.
 */
import { describe, expect, it } from 'vitest';
import { parseScenario, runScenario } from '../../src/engine/scenario.js';
import { LabError } from '../../src/engine/lab-error.js';
import { loadTopologyFileSync } from '../../src/files/topology-file.js';

const vlans = () => {
  const r = loadTopologyFileSync(new URL('../../topologies/vlans.json', import.meta.url).pathname);
  if (!r.ok) throw new Error('vlans.json does not load');
  return r.topology;
};

describe('continuous pings to an IPv6 address (E4)', () => {
  it('counts ICMPv6 echo replies, loses the probes while the target is cut off, and tells its echoes from an IPv4 ping to the same host', () => {
    const r = runScenario(vlans(), {
      name: 'ipv6 ping',
      duration: '3s',
      pings: [
        { name: 'v6', from: 'web-10:eth0', to: '2001:db8:10::50', intervalMs: 100 },
        { name: 'v4', from: 'web-10:eth0', to: '10.0.10.50', intervalMs: 100 },
      ],
      steps: [
        { at: '1s', change: { kind: 'link', iface: 'pc-10:eth0', up: false } },
        { at: '1.45s', change: { kind: 'link', iface: 'pc-10:eth0', up: true } },
      ],
      expect: {
        pings: [{ ping: 'v6', minLost: 4, maxLost: 6 }],
        frames: [
          // this ping's requests only, not the IPv4 ping's
          { at: 'pc-10:eth0', kind: 'icmp-echo-request', ping: 'v6', point: 'HostRx', min: 16, max: 16 },
          { at: 'web-10:eth0', kind: 'icmp-echo-reply', ping: 'v6', point: 'PortOutput', min: 16, max: 16 },
          // a kind matches ICMPv4 and ICMPv6 echoes alike: both pings' requests
          { at: 'pc-10:eth0', kind: 'icmp-echo-request', point: 'HostRx', min: 32, max: 32 },
        ],
      },
    });
    const v6 = r.pings.find((p) => p.name === 'v6')!;
    const v4 = r.pings.find((p) => p.name === 'v4')!;
    // probes 11..15 (1.0s..1.4s) went out while pc-10's cable was down
    expect(v6).toMatchObject({ count: 21, transmitted: 21, received: 16, lost: 5, lostSeqs: [11, 12, 13, 14, 15] });
    expect(v4).toMatchObject({ received: 16, lostSeqs: [11, 12, 13, 14, 15] });
    expect(r.checks.filter((c) => !c.ok).map((c) => `${c.what}: ${c.detail}`)).toEqual([]);
    expect(r.passed).toBe(true);
  });

  it('an IPv6 address nobody has: every probe is lost', () => {
    const r = runScenario(vlans(), { name: 'nobody', duration: '2s', pings: [{ name: 'x', from: 'web-10:eth0', to: '2001:db8:10::99', intervalMs: 200 }] });
    const p = r.pings[0]!;
    expect(p.to).toBe('2001:db8:10::99');
    expect(p.received).toBe(0);
    expect(p.lost).toBe(p.count);
  });

  it('a `to` that is neither IPv4 nor IPv6 is refused with its path', () => {
    expect(() => parseScenario({ name: 'bad', duration: '1s', pings: [{ from: 'web-10:eth0', to: '2001:db8::zz' }] })).toThrow(LabError);
    expect(() => parseScenario({ name: 'bad', duration: '1s', pings: [{ from: 'web-10:eth0', to: '2001:db8::zz' }] })).toThrow(
      /pings\.0\.to: "2001:db8::zz" is not an IPv4 address .* or an IPv6 address/,
    );
  });
});
