/**
 * F9 — MTU. The payload of a frame is what follows the Ethernet header and its outer 802.1Q tag.
 * A vSwitch drops frames whose payload exceeds its MTU at ingress; a vNIC, vmk or physical NIC
 * drops received frames whose payload exceeds its own MTU.
 */
import { ETH_HEADER_LEN, TPID_CTAG, TPID_QINQ_OLD, TPID_STAG, VLAN_TAG_LEN } from '../wire/index.js';

/** (checked on every delivered copy: reads the outer TPID in place, the same test as `outerVid(frame) >= 0`) */
export function payloadLength(frame: Uint8Array): number {
  const n = frame.length;
  if (n >= ETH_HEADER_LEN + VLAN_TAG_LEN) {
    const t = (frame[12]! << 8) | frame[13]!;
    if (t === TPID_CTAG || t === TPID_STAG || t === TPID_QINQ_OLD) return n - ETH_HEADER_LEN - VLAN_TAG_LEN;
  }
  return n - ETH_HEADER_LEN;
}

export function exceedsMtu(frame: Uint8Array, mtu: number): boolean {
  return payloadLength(frame) > mtu;
}
