/**
 * T1–T5 — which uplink carries a port's traffic out of the vSwitch.
 * - T2 srcid (default): a port is pinned to usableActive[portId % count]; the pin changes only
 *   when the set of usable uplinks changes (pins are recomputed then, and only then).
 * - T3 srcmac: usableActive[hash(source MAC) % count] per frame; hash = XOR of the six octets.
 * - T4 iphash: usableActive[(last octet of source IPv4 XOR last octet of destination IPv4) % count]
 *   per frame; non-IP frames use the bytes where the addresses would be (0 past the frame's end).
 * - T5 failover: the first usable active.
 * When no active uplink is usable, standby uplinks stand in: the first usable standby for T5,
 * otherwise the same formula over the usable standbys [choice]. An uplink is usable while its
 * cable is up (T6 link-status detection; beacon probing belongs to the dynamics issue).
 */
import { l3Offset } from '../wire/index.js';
import { LB_FAILOVER, LB_IPHASH, LB_SRCMAC, type Iface, type TeamingRt } from './model.js';

export function uplinkUsable(u: Iface): boolean {
  return u.peer !== null && u.linkUp;
}

/** Recomputes the usable lists of a team (call when link state changes). */
export function refreshUsable(t: TeamingRt): void {
  t.usableActive = t.active.filter(uplinkUsable);
  t.usableStandby = t.standby.filter(uplinkUsable);
}

function macHashBytes(b: Uint8Array, off: number): number {
  return b[off]! ^ b[off + 1]! ^ b[off + 2]! ^ b[off + 3]! ^ b[off + 4]! ^ b[off + 5]!;
}

function byIndex(t: TeamingRt, index: number): Iface | null {
  const a = t.usableActive;
  if (a.length > 0) return a[index % a.length]!;
  const s = t.usableStandby;
  if (s.length > 0) return s[index % s.length]!;
  return null;
}

/** The uplink a port uses independent of any frame (T2, T3 with its effective MAC, T5); null for iphash or none usable. */
export function pinnedUplink(port: Iface): Iface | null {
  const t = port.pg!.teaming;
  switch (t.lb) {
    case LB_FAILOVER:
      return t.usableActive[0] ?? t.usableStandby[0] ?? null;
    case LB_SRCMAC:
      return byIndex(t, macHashBytes(port.effMacBytes, 0));
    case LB_IPHASH:
      return null;
    default:
      return byIndex(t, port.portId);
  }
}

/** The uplink that carries `frame` sent by `port`, or null when none is usable (F3 NO_UPLINK). */
export function pickUplink(port: Iface, frame: Uint8Array): Iface | null {
  const t = port.pg!.teaming;
  switch (t.lb) {
    case LB_SRCMAC:
      return byIndex(t, macHashBytes(frame, 6));
    case LB_IPHASH: {
      const l3 = l3Offset(frame);
      const s = frame[l3 + 15] ?? 0;
      const d = frame[l3 + 19] ?? 0;
      return byIndex(t, s ^ d);
    }
    default:
      return port.pinned;
  }
}
