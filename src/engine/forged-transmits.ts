/**
 * S3 — forged transmits. Reject: a frame whose source MAC differs from the sending port's
 * effective MAC is dropped FORGED_TRANSMIT, silently for the guest. Accept: no check.
 *
 * The effective MAC is the one the vSwitch honours: while MAC address changes is Reject and the
 * guest has set another MAC (S2), the change was refused, so the port's effective MAC is still its
 * initial one — frames from the refused MAC are forged.
 */
import { SRC_OFFSET, ethSrcEquals, macToNumber } from '../wire/index.js';
import type { Iface } from './model.js';
import { macChangeRejected } from './mac-address-changes.js';

export function isForgedTransmit(port: Iface, frame: Uint8Array): boolean {
  if (port.pg!.forgedAccept) return false;
  if (macChangeRejected(port)) return macToNumber(frame, SRC_OFFSET) !== port.initialMac;
  // byte compare with the effective MAC (kept in step with effMac): no 48-bit double per frame
  return !ethSrcEquals(frame, port.effMacBytes);
}
