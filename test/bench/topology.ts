/**
 * Topology loading: parse + shape check + reference checks + warnings for a generated
 * 100-host x 50-VM topology (target: under 1 s). Prints figures; asserts nothing.
 */
import { loadTopologyText } from '../../src/topology/load.js';
import type { TopologyInput } from '../../src/topology/schema.js';

const hex = (n: number) => n.toString(16).padStart(2, '0');
const mac = (prefix: string, n: number) => `${prefix}:${hex((n >> 16) & 0xff)}:${hex((n >> 8) & 0xff)}:${hex(n & 0xff)}`;

export function generateTopology(hostCount: number, vmsPerHost: number): TopologyInput {
  const t: Required<Pick<TopologyInput, 'hosts' | 'vms' | 'physicalSwitches' | 'links'>> & TopologyInput = {
    version: 1,
    name: `bench-${hostCount}x${vmsPerHost}`,
    hosts: [],
    vms: [],
    physicalSwitches: [{ name: 'core-1', ports: [] }],
    links: [],
  };
  let vmMac = 0;
  for (let h = 0; h < hostCount; h++) {
    const host = `esxi-${h + 1}`;
    t.hosts.push({
      name: host,
      nics: [
        { name: 'vmnic0', mac: mac('00:1b:21', h * 2) },
        { name: 'vmnic1', mac: mac('00:1b:21', h * 2 + 1) },
      ],
      vswitches: [
        {
          name: 'vSwitch0',
          uplinks: ['vmnic0', 'vmnic1'],
          policy: { teaming: { active: ['vmnic0'], standby: ['vmnic1'] } },
          portGroups: [
            { name: 'Management Network', vlan: 0 },
            { name: 'vMotion', vlan: 30 },
            { name: 'VM Network', vlan: 10 },
          ],
        },
      ],
      vmkernel: [
        { name: 'vmk0', portGroup: 'Management Network', mac: mac('00:1b:21', h * 2), ipv4: `10.0.${h >> 8}.${(h & 0xff) + 1}/16` },
        { name: 'vmk1', portGroup: 'vMotion', mac: mac('00:50:56', 0x700000 + h), ipv4: `10.30.${h >> 8}.${(h & 0xff) + 1}/16`, netstack: 'vmotion', services: ['vmotion'] },
      ],
    });
    for (let v = 0; v < vmsPerHost; v++) {
      vmMac++;
      t.vms.push({
        name: `vm-${h + 1}-${v + 1}`,
        host,
        nics: [{ name: 'eth0', portGroup: 'VM Network', mac: mac('00:50:56', vmMac), ipv4: `10.10.${vmMac >> 8}.${vmMac & 0xff}/16` }],
      });
    }
    for (const n of [0, 1]) {
      const port = `eth${h * 2 + n + 1}`;
      t.physicalSwitches[0]!.ports.push({ name: port, mode: 'trunk', allowedVlans: [1, 10, 30], nativeVlan: 1 });
      t.links.push({ a: `${host}:vmnic${n}`, b: `core-1:${port}` });
    }
  }
  return t;
}

export async function run(): Promise<void> {
  const text = JSON.stringify(generateTopology(100, 50), null, 2);
  const first = performance.now();
  const r = loadTopologyText(text);
  const firstMs = performance.now() - first;
  if (!r.ok) {
    console.log(`generated topology is invalid: ${r.errors[0]?.path} ${r.errors[0]?.message}`);
    return;
  }
  const runs = 5;
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) loadTopologyText(text);
  const avg = (performance.now() - t0) / runs;
  const bad = text.replace('"portGroup": "VM Network"', '"portGroup": "VM Netwrok"');
  const t1 = performance.now();
  const invalid = loadTopologyText(bad);
  const invalidMs = performance.now() - t1;
  console.log(`topology 100 hosts x 50 VMs (${(text.length / 1024 / 1024).toFixed(2)} MB, ${r.topology.vms.length} VMs, ${r.topology.links.length} links)`);
  console.log(`  load+validate: first ${firstMs.toFixed(0)} ms, mean of ${runs} ${avg.toFixed(0)} ms (target < 1000 ms)`);
  console.log(`  invalid copy (1 error, located): ${invalidMs.toFixed(0)} ms, ${invalid.ok ? 0 : invalid.errors.length} error`);
}
