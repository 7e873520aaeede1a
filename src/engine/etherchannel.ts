/**
 * P4 — static EtherChannel ("mode on") on a physical switch: the ports that name the same
 * `channelGroup` act as one logical port, IP-hash teaming's (T4) partner. Forwarding uses it in
 * physical-switch.ts: learning on the channel, no frame back into the channel it came from, one
 * member per frame.
 *
 * Member choice [choice]: src-dst-ip, the same function as T4 — (last octet of source IPv4 XOR
 * last octet of destination IPv4) modulo the members with a working cable, in port order; non-IP
 * frames use the bytes where the addresses would be.
 */
import type { TopologyDoc } from '../topology/schema.js';
import type { Fabric } from './fabric.js';
import type { Iface, PhysSwitchRt } from './model.js';
import { ipHash } from './uplink-selection.js';

export interface EtherChannelRt {
  id: number;
  /** `Po<id>` */
  name: string;
  sw: PhysSwitchRt;
  /** member ports, in port order */
  members: Iface[];
  /** the member whose index stands for the channel in the MAC table and flood lists */
  rep: Iface;
}

/** The logical port of a switch port: its channel's representative, or itself. */
export function logicalPort(p: Iface): Iface {
  return p.channel === null ? p : p.channel.rep;
}

/** The member of `p`'s channel that carries `frame` (P4); `p` itself when it is no member. */
export function channelMember(p: Iface, frame: Uint8Array): Iface {
  const ch = p.channel;
  if (ch === null) return p;
  const m = ch.members;
  let working = 0;
  for (let i = 0; i < m.length; i++) if (m[i]!.peer !== null && m[i]!.linkUp) working++;
  if (working === 0) return p;
  let k = ipHash(frame) % working;
  for (let i = 0; i < m.length; i++) {
    const x = m[i]!;
    if (x.peer === null || !x.linkUp) continue;
    if (k-- === 0) return x;
  }
  return p;
}

/** Builds the channels of every physical switch from the topology (once, after the fabric is built). */
export function buildEtherChannels(f: Fabric, topo: TopologyDoc): void {
  for (const s of topo.physicalSwitches) {
    const sw = f.switches.find((x) => x.name === s.name);
    if (!sw) continue;
    const groups = new Map<number, EtherChannelRt>();
    for (const doc of s.ports) {
      if (doc.channelGroup === undefined) continue;
      const p = f.byId.get(`${s.name}:${doc.name}`);
      if (!p) continue;
      let ch = groups.get(doc.channelGroup);
      if (!ch) {
        ch = { id: doc.channelGroup, name: `Po${doc.channelGroup}`, sw, members: [], rep: p };
        groups.set(doc.channelGroup, ch);
      }
      ch.members.push(p);
      p.channel = ch;
    }
    sw.floodCache.clear();
  }
}

/** `switch:Po<id>` for a channel's representative, else the port's `node:interface` (MAC table rows). */
export function portLabel(f: Fabric, idx: number): string {
  const p = f.ifaces[idx]!;
  return p.channel !== null && p.channel.rep === p ? `${p.node}:${p.channel.name}` : p.id;
}

/**
 * A member's cable changed: the channel stays one port while any member works, so its MAC
 * entries are kept; when none works they go (P1). Returns the interface index whose entries to
 * flush, or -1.
 */
export function flushTargetOnLinkDown(p: Iface): number {
  const ch = p.channel;
  if (ch === null) return p.idx;
  return ch.members.some((m) => m.peer !== null && m.linkUp) ? -1 : ch.rep.idx;
}
