/**
 * The derived state of a vSwitch that forwarding reads: effective MAC -> ports (F1), VLAN ->
 * member ports (F5/F6, V5), promiscuous members (S1), usable uplinks and each port's pinned
 * uplink (T2/T3/T5). Recomputed from scratch when configuration or link state changes — never
 * per frame — so pins change only when the set of usable uplinks changes (T2).
 */
import { MacIndex } from './mac-index.js';
import type { Iface, VSwitchRt } from './model.js';
import { refreshUsable, pinnedUplink } from './uplink-selection.js';
import { VGT, portGroupCarries } from './vlan-classification.js';

export function refreshVSwitch(vs: VSwitchRt): void {
  vs.configEpoch++; // decisions cached per port (port-decisions.ts) are of the old configuration
  const connected = vs.ports.filter((p) => p.connected);
  const macPorts = new Map<number, Iface[]>();
  for (const p of connected) {
    const l = macPorts.get(p.effMac);
    if (l) l.push(p);
    else macPorts.set(p.effMac, [p]);
  }
  const vlans = new Set<number>([0]);
  for (const pg of vs.portGroups) if (pg.vlan !== VGT) vlans.add(pg.vlan);
  // One pass over the ports, in port order (the order copies are made in): a port joins its own
  // VLAN's list, a VGT port every VLAN's (V1-V3, V5: portGroupCarries). Linear in ports + lists,
  // not ports x VLANs (4,094 VLAN port groups used to take seconds).
  const members = new Map<number, Iface[]>();
  const promiscMembers = new Map<number, Iface[]>();
  for (const v of vlans) {
    members.set(v, []);
    promiscMembers.set(v, []);
  }
  for (const p of connected) {
    const pgVlan = p.pg!.vlan;
    const into = pgVlan === VGT ? vlans : [pgVlan];
    for (const v of into) {
      if (!portGroupCarries(pgVlan, v)) continue;
      members.get(v)!.push(p);
      if (p.pg!.promiscuous) promiscMembers.get(v)!.push(p);
    }
  }
  vs.macIndex = new MacIndex(macPorts, macPorts.size);
  vs.members = members;
  vs.promiscMembers = promiscMembers;
  vs.vgtMembers = connected.filter((p) => p.pg!.vlan === VGT);
  vs.promiscVgt = vs.vgtMembers.filter((p) => p.pg!.promiscuous);
  vs.promiscCount = connected.filter((p) => p.pg!.promiscuous).length;
  for (const pg of vs.portGroups) refreshUsable(pg.teaming, vs.beaconFailed);
  for (const p of vs.ports) p.pinned = pinnedUplink(p);
}
