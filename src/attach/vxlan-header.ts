/**
 * RFC 7348 VXLAN encapsulation: an 8-byte header — flags (0x08: the I flag, "VNI valid"), 24
 * reserved bits, the 24-bit VNI, 8 reserved bits — then the inner Ethernet frame without FCS.
 * Reserved bits are sent as zero and ignored on receipt (§5). Inner frames shorter than 60 bytes
 * are fine (nobody pads inside a tunnel).
 */
import { MAX_FRAME_LEN } from '../wire/ethernet.js';
import type { AttachReason } from './attach-reasons.js';

export const VXLAN_HEADER_LEN = 8;
export const VXLAN_FLAG_I = 0x08;
/** Bytes VXLAN adds on the underlay: outer Ethernet 14 + IPv4 20 + UDP 8 + VXLAN 8. */
export const VXLAN_OVERHEAD = 50;

/** The datagram for `frame` on VNI `vni`. */
export function encodeVxlan(vni: number, frame: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(VXLAN_HEADER_LEN + frame.length);
  out[0] = VXLAN_FLAG_I;
  out[1] = 0;
  out[2] = 0;
  out[3] = 0;
  out[4] = (vni >>> 16) & 0xff;
  out[5] = (vni >>> 8) & 0xff;
  out[6] = vni & 0xff;
  out[7] = 0;
  out.set(frame, VXLAN_HEADER_LEN);
  return out;
}

export type VxlanDecoded = { ok: true; vni: number; frame: Uint8Array } | { ok: false; reason: AttachReason; vni?: number };

/** Reads a datagram; the inner frame is a view of `d` (no copy). */
export function decodeVxlan(d: Uint8Array): VxlanDecoded {
  if (d.length < VXLAN_HEADER_LEN) return { ok: false, reason: 'SHORT_DATAGRAM' };
  if ((d[0]! & VXLAN_FLAG_I) === 0) return { ok: false, reason: 'VXLAN_BAD_FLAGS' };
  const vni = (d[4]! << 16) | (d[5]! << 8) | d[6]!;
  const len = d.length - VXLAN_HEADER_LEN;
  if (len < 14) return { ok: false, reason: 'FRAME_TOO_SHORT', vni };
  if (len > MAX_FRAME_LEN) return { ok: false, reason: 'FRAME_TOO_LONG', vni };
  return { ok: true, vni, frame: d.subarray(VXLAN_HEADER_LEN) };
}
