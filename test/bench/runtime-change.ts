/**
 * Runtime change bench (`npm run bench -- runtime-change`, issue 15): one change applied to a
 * running lab of about 1,000 and 10,000 interfaces (the topology bench's generated lab: hosts
 * with 2 vmnics and 2 VMkernel adapters, one-vNIC VMs, a physical switch port per vmnic), each
 * kind back and forth: a cable down/up, a vNIC disconnect/connect, a port group's VLAN.
 * Target: <= 5 ms per change at 10,000 interfaces. CPU time per change, median/min/max of 5
 * rounds of 10 changes after a warm-up round. Prints figures; asserts nothing.
 */
import { createLab, type Lab } from '../../src/engine/lab.js';
import { Topology } from '../../src/topology/schema.js';
import { generateTopology } from './topology.js';

const TARGET_MS = 5;

function perChangeMs(lab: Lab, changes: readonly unknown[]): { median: number; min: number; max: number } {
  const round = () => {
    const c0 = process.cpuUsage();
    for (const c of changes) {
      const r = lab.apply(c);
      if (!r.ok) throw new Error(`bench change refused: ${r.reason}`);
    }
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / 1000 / changes.length;
  };
  round();
  const t: number[] = [];
  for (let r = 0; r < 5; r++) t.push(round());
  t.sort((a, b) => a - b);
  return { median: t[2]!, min: t[0]!, max: t[4]! };
}

export async function run(): Promise<void> {
  // hosts * (2 vmnics + 2 vmk + 2 switch ports) + hosts * vmsPerHost vNICs
  for (
    const [hosts, vmsPerHost] of [
      [20, 44],
      [100, 94],
    ] as const
  ) {
    const doc = Topology.parse(generateTopology(hosts, vmsPerHost));
    const interfaces = hosts * 6 + hosts * vmsPerHost;
    const lab = createLab(doc, { historyLimitBytes: 0 });
    const kinds: [string, unknown[]][] = [
      ['cable down/up', Array.from({ length: 10 }, (_, i) => ({ kind: 'link', iface: 'esxi-1:vmnic1', up: i % 2 === 1 }))],
      ['vNIC disconnect/connect', Array.from({ length: 10 }, (_, i) => ({ kind: 'vnic-connect', iface: 'vm-1-1:eth0', connected: i % 2 === 1 }))],
      ['port group VLAN', Array.from({ length: 10 }, (_, i) => ({ kind: 'portgroup', host: 'esxi-1', portGroup: 'VM Network', vlan: i % 2 === 0 ? 11 : 10 }))],
    ];
    console.log(`runtime change on ${interfaces} interfaces (${hosts} hosts x ${vmsPerHost} VMs), CPU ms per change, target <= ${TARGET_MS} ms:`);
    for (const [kind, changes] of kinds) {
      const r = perChangeMs(lab, changes);
      console.log(`  ${kind.padEnd(24)} median ${r.median.toFixed(2)} ms (min ${r.min.toFixed(2)}, max ${r.max.toFixed(2)})   ${r.median <= TARGET_MS ? 'met' : 'MISSED'}`);
    }
  }
}
