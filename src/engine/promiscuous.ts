/**
 * S1 — promiscuous mode. Reject (default): a port receives only frames for its effective MAC,
 * broadcast and multicast. Accept: it also gets a copy of every frame its vSwitch forwards in the
 * VLANs its port group carries (every VLAN for 4095), from any port group of that VLAN [choice],
 * on this host only. A port never receives its own frames back.
 */
import type { Iface, VSwitchRt } from './model.js';

/** Promiscuous ports of `vs` that see VLAN `vlan` (empty array when none). */
export function promiscuousPorts(vs: VSwitchRt, vlan: number): Iface[] {
  return vs.promiscMembers.get(vlan) ?? vs.promiscVgt;
}
