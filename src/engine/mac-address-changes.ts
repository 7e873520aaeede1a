/**
 * S2 — MAC address changes. Reject: while a vNIC's guest uses a MAC other than its initial one,
 * the change is not honoured and the port is disabled for inbound frames (vSphere Security guide:
 * the adapter "does not receive any more frames until the effective MAC address matches the
 * initial MAC address"): every leg to it — unicast, broadcast, multicast, promiscuous copies — is
 * dropped MAC_CHANGE_REJECTED, and the guest is not told. What it sends is judged by forged
 * transmits against the initial MAC (S3). When the guest reverts to its initial MAC the port
 * receives again. Accept: frames to the new MAC are delivered. (The vSwitch knows the guest's
 * MAC, F1, so frames to it are recognised and the drop can say why.)
 */
import type { Iface } from './model.js';

export function macChangeRejected(port: Iface): boolean {
  return port.effMac !== port.initialMac && !port.pg!.macChangesAccept;
}
