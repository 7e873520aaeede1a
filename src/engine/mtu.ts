/**
 * F9 — MTU. The payload of a frame is what follows the Ethernet header and its outer 802.1Q tag
 * (TPID 0x8100, V6).
 * A vSwitch drops frames whose payload exceeds its MTU at ingress; a vNIC, vmk or physical NIC
 * drops received frames whose payload exceeds its own MTU.
 */
import { ETH_HEADER_LEN, VLAN_TAG_LEN, hasOuterCTag } from '../wire/index.js';

/**
 * (checked on every delivered copy: reads the outer TPID in place, the same test as
 * `cTagVid(frame) >= 0`). Only an 0x8100 tag is a tag (V6): an 0x88a8/0x9100 "tag" is payload.
 */
export function payloadLength(frame: Uint8Array): number {
  const n = frame.length;
  if (hasOuterCTag(frame)) return n - ETH_HEADER_LEN - VLAN_TAG_LEN;
  return n - ETH_HEADER_LEN;
}

export function exceedsMtu(frame: Uint8Array, mtu: number): boolean {
  return payloadLength(frame) > mtu;
}
