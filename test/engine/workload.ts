/**
 * A fixed workload over every example topology (not a test file), for the tests that compare a
 * fast path with the slow one: pings between the endpoints, a broadcast, a forged, a tagged and
 * an unknown-unicast frame from every vNIC, a tagged broadcast arriving on every uplink, then a
 * link going down and pings again. Beacon rounds run where the topology configures them.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { Lab } from '../../src/engine/lab.js';
import { loadTopologyFileSync } from '../../src/files/topology-file.js';
import type { TopologyDoc } from '../../src/topology/schema.js';
import { buildEthernet } from '../../src/wire/index.js';

export const DIR = path.join(import.meta.dirname, '../../topologies');
export const TOPOLOGIES = readdirSync(DIR).filter((f) => f.endsWith('.json') && !f.includes('schema'));

export function load(file: string): TopologyDoc {
  const r = loadTopologyFileSync(path.join(DIR, file));
  if (!r.ok) throw new Error(`${file} does not load`);
  return r.topology;
}

/** A fixed workload; `runAll` processes everything queued (run, or step by step). */
export function workload(lab: Lab, doc: TopologyDoc, runAll: (lab: Lab) => void): void {
  const ips = [
    ...doc.vms.flatMap((vm) => vm.nics.filter((n) => n.ipv4).map((n) => ({ id: `${vm.name}:${n.name}`, ip: n.ipv4!.split('/')[0]! }))),
    ...doc.physicalHosts.flatMap((h) => h.nics.filter((n) => n.ipv4).map((n) => ({ id: `${h.name}:${n.name}`, ip: n.ipv4!.split('/')[0]! }))),
  ];
  const payload = new Uint8Array(46);
  for (const i of lab.interfaces()) {
    if (i.kind === 'vnic' && i.portGroup !== undefined) {
      lab.inject(i.id, buildEthernet({ src: i.mac!, dst: 'ff:ff:ff:ff:ff:ff', ethertype: 0x88b5, payload }));
      lab.inject(i.id, buildEthernet({ src: '02:00:00:00:00:99', dst: 'ff:ff:ff:ff:ff:ff', ethertype: 0x88b5, payload })); // forged
      lab.inject(i.id, buildEthernet({ src: i.mac!, dst: '02:00:00:00:00:77', ethertype: 0x88b5, payload, vlan: 5 }));
      lab.inject(i.id, buildEthernet({ src: i.mac!, dst: '02:00:00:00:00:77', ethertype: 0x88b5, payload })); // unknown unicast
    }
    if (i.kind === 'vmnic') lab.inject(i.id, buildEthernet({ src: '02:00:00:00:00:55', dst: 'ff:ff:ff:ff:ff:ff', ethertype: 0x88b5, payload, vlan: 10 }));
  }
  runAll(lab);
  for (let k = 0; k + 1 < ips.length; k++) lab.startPing(ips[k]!.id, ips[k + 1]!.ip, { count: 2, intervalMs: 5, timeoutMs: 50 }, () => {});
  runAll(lab);
  const up = lab.interfaces().find((i) => i.kind === 'vmnic' && i.peer !== null);
  if (up) {
    lab.setLinkState(up.id, false);
    for (let k = 0; k + 1 < ips.length; k++) lab.startPing(ips[k]!.id, ips[k + 1]!.ip, { count: 1, timeoutMs: 50 }, () => {});
    runAll(lab);
  }
}

export const viaRun = (lab: Lab): void => void lab.run();
export const viaStep = (lab: Lab): void => {
  while (lab.step());
};
