/**
 * Lab build bench (`npm run bench -- build`): building a lab whose vSwitch has 4,094 VLAN port
 * groups (VLAN 1..4094, one VM in each, plus one VGT sniffer port): the per-VLAN member lists
 * (F5/F6, V5) must be built in one pass, not one scan of every port per VLAN.
 * Target (issue 15): < 200 ms, CPU time, median of 5 builds after one warm-up build.
 */
import { Topology, type TopologyInput } from '../../src/topology/schema.js';
import { createLab } from '../../src/engine/lab.js';

const TARGET_MS = 200;
const VLANS = 4094;

function topology() {
  const mac = (n: number): string => `00:50:56:${((n >> 16) & 0xff).toString(16).padStart(2, '0')}:${((n >> 8) & 0xff).toString(16).padStart(2, '0')}:${(n & 0xff).toString(16).padStart(2, '0')}`;
  const input: TopologyInput = {
    version: 1,
    name: 'bench-4094',
    hosts: [
      {
        name: 'esxi-01',
        nics: [{ name: 'vmnic0', mac: '00:1b:21:00:00:01' }],
        vswitches: [
          {
            name: 'vSwitch0',
            uplinks: ['vmnic0'],
            portGroups: [
              ...Array.from({ length: VLANS }, (_, i) => ({ name: `VLAN-${i + 1}`, vlan: i + 1 })),
              { name: 'Trunk', vlan: 4095, policy: { security: { promiscuous: 'accept' as const } } },
            ],
          },
        ],
      },
    ],
    vms: [
      ...Array.from({ length: VLANS }, (_, i) => ({ name: `vm${i + 1}`, host: 'esxi-01', nics: [{ name: 'eth0', portGroup: `VLAN-${i + 1}`, mac: mac(i + 1) }] })),
      { name: 'sniffer', host: 'esxi-01', nics: [{ name: 'eth0', portGroup: 'Trunk', mac: mac(VLANS + 1) }] },
    ],
  };
  return Topology.parse(input);
}

export async function run(): Promise<void> {
  const t = topology();
  createLab(t, { historyLimitBytes: 0 }); // warm-up
  const ms: number[] = [];
  for (let r = 0; r < 5; r++) {
    const c0 = process.cpuUsage();
    createLab(t, { historyLimitBytes: 0 });
    const c = process.cpuUsage(c0);
    ms.push((c.user + c.system) / 1000);
  }
  const m = [...ms].sort((a, b) => a - b)[2]!;
  console.log(`build a lab with ${VLANS} VLAN port groups (+1 VGT), one VM each: ${m.toFixed(0)} ms CPU   target < ${TARGET_MS} ms   ${m < TARGET_MS ? 'met' : 'MISSED'}`);
}
