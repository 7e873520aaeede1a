/**
 * A small lab for the capture tests (not a test file): one ESXi host, port group VLAN10 (VST)
 * with two VMs, uplink vmnic0 to a trunk on tor-1, and pc-10 on an access port in VLAN 10.
 */
import { Topology, type TopologyDoc } from '../../src/topology/schema.js';

export const A = '00:50:56:aa:00:01';
export const B = '00:50:56:aa:00:02';
/** 2023-11-14T22:13:20Z */
export const START_MS = 1_700_000_000_000;

/** One host, VLAN 10 port group with two VMs (VST), uplink vmnic0 to a trunk on tor-1; pc-10 on an access port in VLAN 10. */
export function vstLab(): TopologyDoc {
  return Topology.parse({
    version: 1,
    name: 'capture-vst',
    hosts: [
      {
        name: 'esxi-01',
        nics: [{ name: 'vmnic0', mac: '00:1b:21:01:00:00' }],
        vswitches: [{ name: 'vSwitch0', uplinks: ['vmnic0'], portGroups: [{ name: 'VLAN10', vlan: 10 }] }],
      },
    ],
    vms: [
      { name: 'web-a', host: 'esxi-01', nics: [{ name: 'eth0', portGroup: 'VLAN10', mac: A, ipv4: '10.0.10.1/24' }] },
      { name: 'web-b', host: 'esxi-01', nics: [{ name: 'eth0', portGroup: 'VLAN10', mac: B, ipv4: '10.0.10.2/24' }] },
    ],
    physicalSwitches: [
      {
        name: 'tor-1',
        ports: [
          { name: 'eth1', mode: 'trunk', allowedVlans: [10], nativeVlan: 1 },
          { name: 'eth2', mode: 'access', vlan: 10 },
        ],
      },
    ],
    physicalHosts: [{ name: 'pc-10', nics: [{ name: 'eth0', mac: 'f8:75:a4:10:00:50', ipv4: '10.0.10.50/24' }] }],
    links: [
      { a: 'esxi-01:vmnic0', b: 'tor-1:eth1' },
      { a: 'pc-10:eth0', b: 'tor-1:eth2' },
    ],
  });
}
