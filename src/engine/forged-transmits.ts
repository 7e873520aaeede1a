/**
 * S3 — forged transmits. Reject: a frame whose source MAC differs from the sending port's
 * effective MAC is dropped FORGED_TRANSMIT, silently for the guest. Accept: no check.
 *
 * The effective MAC is the one the vSwitch honours: while MAC address changes is Reject and the
 * guest has set another MAC (S2), the change was refused, so the port's effective MAC is still its
 * initial one — frames from the refused MAC are forged.
 */
import type { Iface } from './model.js';
import { macChangeRejected } from './mac-address-changes.js';

export function isForgedTransmit(port: Iface, frame: Uint8Array): boolean {
  if (port.pg!.forgedAccept) return false;
  if (macChangeRejected(port)) return !sameMacNumber(frame, port.initialMac);
  // byte compare with the effective MAC (kept in step with effMac): no 48-bit double per frame
  const m = port.effMacBytes;
  return frame[6] !== m[0] || frame[7] !== m[1] || frame[8] !== m[2] || frame[9] !== m[3] || frame[10] !== m[4] || frame[11] !== m[5];
}

/** Is the source MAC of `frame` the 48-bit number `mac`? */
function sameMacNumber(frame: Uint8Array, mac: number): boolean {
  const hi = (frame[6]! * 0x100 + frame[7]!) * 0x1_0000_0000;
  const lo = ((frame[8]! << 24) >>> 0) + (frame[9]! << 16) + (frame[10]! << 8) + frame[11]!;
  return hi + lo === mac;
}
