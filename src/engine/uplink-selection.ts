/**
 * T1–T6, T8 — which uplink carries a port's traffic out of the vSwitch.
 *
 * The uplinks in use (`inUse`, in order) are recomputed only when the set of usable
 * uplinks of the team changes (T2):
 * - usable: the cable is up (T6 link status); with beacon probing also not cut off by beacons (T6).
 * - T1 standby promotion [choice]: each failed active's place is taken by the next usable
 *   standby (in standby order), after the usable actives; so with actives A,B and standby S,
 *   A failing gives B,S.
 * - T8 failback on: the list is recomputed from the configured order, so a recovered active
 *   takes its traffic back at once. Off: the previous list keeps its order minus the uplinks that
 *   failed; each failed member is replaced by the first usable candidate not in use — idle
 *   actives (a recovered one) first, then standbys — so a recovered active stays idle until
 *   another one fails. When nothing at all is in use, any usable uplink is taken.
 * Then per port or per frame:
 * - T2 srcid (default): a port is pinned to inUse[portId % count].
 * - T3 srcmac: inUse[hash(source MAC) % count] per frame; hash = XOR of the six octets.
 * - T4 iphash: inUse[(last octet of source IPv4 XOR last octet of destination IPv4) % count]
 *   per frame; non-IP frames use the bytes where the addresses would be (0 past the frame's end).
 * - T5 failover: the first uplink in use (the first usable active, else the first promoted standby).
 */
import { SRC_OFFSET, cTagL3Offset, ipv4DstLastOctet, ipv4SrcLastOctet } from '../wire/index.js';
import { DETECT_BEACON, LB_FAILOVER, LB_IPHASH, LB_SRCID, LB_SRCMAC, type Iface, type TeamingRt } from './model.js';

/** Link-state usability (T6 link status). */
export function uplinkUsable(u: Iface): boolean {
  return u.peer !== null && u.linkUp;
}

/** Usable for a team: link up, and not cut off by beacon probing when the team probes (T6). */
export function teamUsable(t: TeamingRt, u: Iface, beaconFailed: ReadonlySet<Iface>): boolean {
  return uplinkUsable(u) && !(t.detection === DETECT_BEACON && beaconFailed.has(u));
}

function sameList(a: readonly Iface[], b: readonly Iface[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The in-use list from the configured order alone (failback on, or a fresh start). */
function fromOrder(t: TeamingRt, usable: (u: Iface) => boolean): Iface[] {
  const inUse = t.active.filter(usable);
  const failed = t.active.length - inUse.length;
  const standbys = t.standby.filter(usable);
  for (let i = 0; i < standbys.length && (i < failed || inUse.length === 0); i++) inUse.push(standbys[i]!);
  return inUse;
}

/**
 * Recomputes the uplinks in use of a team when its set of usable uplinks changed (call after
 * any link, beacon or configuration change; a call that finds the same usable set changes
 * nothing). `fresh` forgets failback state (configuration changed). Returns true when the
 * in-use list changed.
 */
export function refreshUsable(t: TeamingRt, beaconFailed: ReadonlySet<Iface> = EMPTY, fresh = false): boolean {
  const usable = (u: Iface) => teamUsable(t, u, beaconFailed);
  const all = [...t.active, ...t.standby].filter(usable);
  if (!fresh && t.lastUsable !== null && sameList(all, t.lastUsable)) return false;
  const before = t.inUse;
  let inUse: Iface[];
  if (fresh || t.lastUsable === null || t.failback) {
    inUse = fromOrder(t, usable);
  } else {
    const survivors = before.filter((u) => all.includes(u));
    const lost = before.length - survivors.length;
    const candidates = all.filter((u) => !survivors.includes(u));
    const want = survivors.length === 0 ? Math.max(lost, 1) : lost;
    inUse = [...survivors, ...candidates.slice(0, want)];
  }
  t.lastUsable = all;
  t.inUse = inUse;
  t.usableStandby = t.standby.filter(usable);
  return !sameList(before, inUse);
}

const EMPTY: ReadonlySet<Iface> = new Set();

function macHashBytes(b: Uint8Array, off: number): number {
  return b[off]! ^ b[off + 1]! ^ b[off + 2]! ^ b[off + 3]! ^ b[off + 4]! ^ b[off + 5]!;
}

function byIndex(t: TeamingRt, index: number): Iface | null {
  const a = t.inUse;
  if (a.length > 0) return a[index % a.length]!;
  return null;
}

/** The T4 hash: last octet of the source IPv4 XOR last octet of the destination IPv4 (bytes where they would be for non-IP). */
export function ipHash(frame: Uint8Array): number {
  const l3 = cTagL3Offset(frame); // V6: only 0x8100 tags are skipped
  return ipv4SrcLastOctet(frame, l3) ^ ipv4DstLastOctet(frame, l3);
}

/** The uplink a port uses independent of any frame (T2, T3 with its effective MAC, T5); null for iphash or none usable. */
export function pinnedUplink(port: Iface): Iface | null {
  const t = port.pg!.teaming;
  switch (t.lb) {
    case LB_FAILOVER:
      return t.inUse[0] ?? null;
    case LB_SRCMAC:
      return byIndex(t, macHashBytes(port.effMacBytes, 0));
    case LB_IPHASH:
      return null;
    case LB_SRCID:
      return byIndex(t, port.portId);
  }
}

/** The uplink that carries `frame` sent by `port`, or null when none is usable (F3 NO_UPLINK). */
export function pickUplink(port: Iface, frame: Uint8Array): Iface | null {
  const t = port.pg!.teaming;
  switch (t.lb) {
    case LB_SRCMAC:
      return byIndex(t, macHashBytes(frame, SRC_OFFSET));
    case LB_IPHASH:
      return byIndex(t, ipHash(frame));
    case LB_SRCID:
    case LB_FAILOVER:
      return port.pinned;
  }
}
