/**
 * S2 — MAC address changes. Reject: while a vNIC's effective MAC differs from its initial MAC,
 * frames addressed to it are dropped MAC_CHANGE_REJECTED (the guest is not told). Accept: frames
 * to the effective MAC are delivered. (The vSwitch knows effective MACs, F1.)
 */
import type { Iface } from './model.js';

export function macChangeRejected(port: Iface): boolean {
  return port.effMac !== port.initialMac && !port.pg!.macChangesAccept;
}
