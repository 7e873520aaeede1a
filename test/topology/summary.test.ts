import { describe, expect, it } from 'vitest';
import { validateTopology } from '../../src/topology/load.js';
import { summarizeTopology } from '../../src/topology/summary.js';
import { example } from './helpers.js';

function summary(name: Parameters<typeof example>[0]): string {
  const r = validateTopology(example(name));
  if (!r.ok) throw new Error('invalid');
  return summarizeTopology(r.topology);
}

describe('summary', () => {
  it('counts, vSwitches with MTU and uplinks, port groups by VLAN with their clients', () => {
    const s = summary('vlans');
    expect(s).toContain('vlans: 1 host, 4 VMs, 1 vmk, 1 physical switch, 3 physical hosts, 4 links; ports used 6 (4 vNIC, 1 vmk, 1 uplink)');
    expect(s).toContain('vSwitch0  MTU 1500  uplinks vmnic0');
    expect(s).toContain('VLAN 0 (untagged): "Management Network" [vmk0], "VM Network" [legacy-01:eth0]');
    expect(s).toContain('VLAN 4095 (trunk): "Sniffer-Trunk" (promiscuous accept) [sniffer:eth0]');
    expect(s).toContain('tor-1: eth1 trunk 1,10,20 native 1; eth2 access 10');
    expect(s).toContain('esxi-01:vmnic0 — tor-1:eth1');
  });

  it('shows the effective security and the teaming order', () => {
    expect(summary('default')).toContain('promiscuous/MAC changes/forged transmits: reject/accept/accept');
    expect(summary('teaming')).toContain('teaming srcid active vmnic0 standby vmnic1');
    expect(summary('multi-host')).toContain('"vMotion" (active vmnic1, standby vmnic0) [vmk1]');
  });

  it('stays on one screen for a big topology', () => {
    const d = example('default');
    for (let i = 2; i <= 40; i++) d.hosts.push({ ...structuredClone(d.hosts[0]), name: `esxi-${i}`, nics: [], vmkernel: [], vswitches: [] });
    const r = validateTopology(d);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    const s = summarizeTopology(r.topology);
    expect(s).toContain('… 28 more hosts');
    expect(s.split('\n').length).toBeLessThan(60);
  });
});
