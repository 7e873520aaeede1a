/**
 * S3 — forged transmits. Reject: a frame whose source MAC differs from the sending port's
 * effective MAC is dropped FORGED_TRANSMIT, silently for the guest. Accept: no check.
 */
import { macToNumber } from '../wire/index.js';
import type { Iface } from './model.js';

export function isForgedTransmit(port: Iface, frame: Uint8Array): boolean {
  return !port.pg!.forgedAccept && macToNumber(frame, 6) !== port.effMac;
}
