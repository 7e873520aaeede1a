/**
 * RFC 7348 VXLAN encapsulation: an 8-byte header — flags (0x08: the I flag, "VNI valid"), 24
 * reserved bits, the 24-bit VNI, 8 reserved bits — then the inner Ethernet frame without FCS.
 * Reserved bits are sent as zero and ignored on receipt (§5). Inner frames shorter than 60 bytes
 * are fine (nobody pads inside a tunnel).
 */
import { ETH_HEADER_LEN, MAX_FRAME_LEN } from '../wire/ethernet.js';
import { VXLAN_FLAG_I, VXLAN_HEADER_LEN, emitVxlanHeader, vxlanFlags, vxlanVni } from '../wire/vxlan.js';
import type { AttachReason } from './attach-reasons.js';

export { VXLAN_FLAG_I, VXLAN_HEADER_LEN };
/** Bytes VXLAN adds on the underlay: outer Ethernet 14 + IPv4 20 + UDP 8 + VXLAN 8. */
export const VXLAN_OVERHEAD = 50;

/** The datagram for `frame` on VNI `vni`. */
export function encodeVxlan(vni: number, frame: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(VXLAN_HEADER_LEN + frame.length);
  emitVxlanHeader(vni, VXLAN_FLAG_I, out, 0);
  out.set(frame, VXLAN_HEADER_LEN);
  return out;
}

export type VxlanDecoded = { ok: true; vni: number; frame: Uint8Array } | { ok: false; reason: AttachReason; vni?: number };

/** Reads a datagram; the inner frame is a view of `d` (no copy). */
export function decodeVxlan(d: Uint8Array): VxlanDecoded {
  if (d.length < VXLAN_HEADER_LEN) return { ok: false, reason: 'SHORT_DATAGRAM' };
  if ((vxlanFlags(d) & VXLAN_FLAG_I) === 0) return { ok: false, reason: 'VXLAN_BAD_FLAGS' };
  const vni = vxlanVni(d);
  const len = d.length - VXLAN_HEADER_LEN;
  if (len < ETH_HEADER_LEN) return { ok: false, reason: 'FRAME_TOO_SHORT', vni };
  if (len > MAX_FRAME_LEN) return { ok: false, reason: 'FRAME_TOO_LONG', vni };
  return { ok: true, vni, frame: d.subarray(VXLAN_HEADER_LEN) };
}
