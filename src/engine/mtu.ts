/**
 * F9 — MTU. The payload of a frame is what follows the Ethernet header and its outer 802.1Q tag.
 * A vSwitch drops frames whose payload exceeds its MTU at ingress; a vNIC, vmk or physical NIC
 * drops received frames whose payload exceeds its own MTU.
 */
import { ETH_HEADER_LEN, outerVid } from '../wire/index.js';

export function payloadLength(frame: Uint8Array): number {
  return frame.length - ETH_HEADER_LEN - (outerVid(frame) >= 0 ? 4 : 0);
}

export function exceedsMtu(frame: Uint8Array, mtu: number): boolean {
  return payloadLength(frame) > mtu;
}
