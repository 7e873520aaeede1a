/**
 * F8 — reflection and reverse-path checks on frames arriving from uplinks.
 * - REFLECTION: the source MAC belongs to a local port of this vSwitch: our own frame came back.
 * - REVERSE_PATH: a broadcast/multicast from an uplink reaches a local port only when that uplink
 *   is the one the port's own traffic uses (srcid, srcmac, failover), so two uplinks on one
 *   physical network deliver no duplicates. Not under iphash; promiscuous ports skip it unless
 *   the host setting reversePathFwdCheckPromisc is on.
 */
import { SRC_OFFSET } from '../wire/index.js';
import { LB_IPHASH, type Iface, type VSwitchRt } from './model.js';

/** The local port whose effective MAC is the frame's source, or null. */
export function reflectedFrom(vs: VSwitchRt, frame: Uint8Array): Iface | null {
  const ports = vs.macIndex.lookup(frame, SRC_OFFSET);
  return ports !== undefined && ports.length > 0 ? ports[0]! : null;
}

/** True when the reverse-path rule keeps a broadcast/multicast that arrived on `uplink` from `port`. */
export function reversePathBlocks(port: Iface, uplink: Iface): boolean {
  const pg = port.pg!;
  if (pg.teaming.lb === LB_IPHASH) return false;
  if (pg.promiscuous && !port.host!.rpfPromisc) return false;
  return port.pinned !== uplink;
}
