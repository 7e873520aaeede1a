/**
 * Every `node:interface` a topology declares, so that the API can answer "unknown interface"
 * (400/404, naming close matches) before it hands anything to the engine.
 */
import { nearNames } from '../engine/index.js';
import type { TopologyDoc } from '../topology/schema.js';

export function interfaceNames(doc: TopologyDoc): Set<string> {
  const out = new Set<string>();
  for (const h of doc.hosts) {
    for (const n of h.nics) out.add(`${h.name}:${n.name}`);
    for (const k of h.vmkernel) out.add(`${h.name}:${k.name}`);
  }
  for (const vm of doc.vms) for (const n of vm.nics) out.add(`${vm.name}:${n.name}`);
  for (const s of doc.physicalSwitches) for (const p of s.ports) out.add(`${s.name}:${p.name}`);
  for (const ph of doc.physicalHosts) for (const n of ph.nics) out.add(`${ph.name}:${n.name}`);
  return out;
}

/** Up to 5 declared interfaces that look like `wanted` (same node first). */
export function similarInterfaces(known: ReadonlySet<string>, wanted: string): string[] {
  return nearNames(wanted, [...known]);
}
