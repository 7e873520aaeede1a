/**
 * S3 — forged transmits. Reject: a frame whose source MAC differs from the sending port's
 * effective MAC is dropped FORGED_TRANSMIT, silently for the guest. Accept: no check.
 */
import type { Iface } from './model.js';

export function isForgedTransmit(port: Iface, frame: Uint8Array): boolean {
  if (port.pg!.forgedAccept) return false;
  // byte compare with the effective MAC (kept in step with effMac): no 48-bit double per frame
  const m = port.effMacBytes;
  return frame[6] !== m[0] || frame[7] !== m[1] || frame[8] !== m[2] || frame[9] !== m[3] || frame[10] !== m[4] || frame[11] !== m[5];
}
