/**
 * The cut-cable shim (docs/attachments.md, "Partitioned labs"): between two partitions of one
 * lab, a cut cable's VXLAN datagrams carry 12 more bytes after the 8-byte VXLAN header, flagged
 * by the lowest reserved flag bit (flags 0x09: I flag + 0x01). Only the two partitions at the ends of a cut
 * send and read it; attachments to real hosts never do (their reserved bits stay zero).
 *
 * The shim's fields are src/wire/cut-shim.ts (kind: frame or hello; the sender's cable end up;
 * the frame's id, 0 in a hello or when unknown: the receiver gives it one). A frame keeps its id
 * across the cut, as it keeps it across a cable in one process.
 *
 * Hellos tell the peer partition is alive while no frame crosses, and carry the cable's state.
 */
import { ETH_HEADER_LEN, MAX_FRAME_LEN } from '../wire/ethernet.js';
import type { AttachReason } from './attach-reasons.js';
import { VXLAN_FLAG_I, VXLAN_HEADER_LEN, emitVxlanHeader, vxlanFlags, vxlanVni } from '../wire/vxlan.js';
import { CUT_SHIM_LEN, CutShimKind, cutShimFrameId, cutShimKind, cutShimUp, emitCutShim } from '../wire/cut-shim.js';

export { CUT_SHIM_LEN };
export const CUT_FLAG = 0x01;

export type CutDecoded =
  | { ok: true; vni: number; up: boolean; frameId: number; frame: Uint8Array | null }
  | { ok: false; reason: AttachReason; vni?: number };

/** True when the datagram says it carries the shim (then `decodeCut` reads it). */
export function isCutDatagram(d: Uint8Array): boolean {
  return d.length >= VXLAN_HEADER_LEN && (vxlanFlags(d) & CUT_FLAG) !== 0;
}

/** A datagram for VNI `vni`: `frame` with its id, or (frame null) a hello. `up`: our end of the cable. */
export function encodeCut(vni: number, up: boolean, frameId: number, frame: Uint8Array | null): Buffer {
  const out = Buffer.alloc(VXLAN_HEADER_LEN + CUT_SHIM_LEN + (frame?.length ?? 0));
  emitVxlanHeader(vni, VXLAN_FLAG_I | CUT_FLAG, out, 0);
  const s = VXLAN_HEADER_LEN;
  emitCutShim(frame === null ? CutShimKind.HELLO : CutShimKind.FRAME, up, frame === null ? 0 : frameId, out, s);
  if (frame !== null) out.set(frame, s + CUT_SHIM_LEN);
  return out;
}

/** Reads a cut datagram; the frame is a view of `d` (no copy). */
export function decodeCut(d: Uint8Array): CutDecoded {
  if (d.length < VXLAN_HEADER_LEN) return { ok: false, reason: 'SHORT_DATAGRAM' };
  if ((vxlanFlags(d) & VXLAN_FLAG_I) === 0) return { ok: false, reason: 'VXLAN_BAD_FLAGS' };
  const vni = vxlanVni(d);
  if (d.length < VXLAN_HEADER_LEN + CUT_SHIM_LEN) return { ok: false, reason: 'CUT_BAD_SHIM', vni };
  const s = VXLAN_HEADER_LEN;
  const kind = cutShimKind(d, s);
  const up = cutShimUp(d, s);
  if (kind === CutShimKind.HELLO) return { ok: true, vni, up, frameId: 0, frame: null };
  if (kind !== CutShimKind.FRAME) return { ok: false, reason: 'CUT_BAD_SHIM', vni };
  const id = cutShimFrameId(d, s);
  const len = d.length - s - CUT_SHIM_LEN;
  if (len < ETH_HEADER_LEN) return { ok: false, reason: 'FRAME_TOO_SHORT', vni };
  if (len > MAX_FRAME_LEN) return { ok: false, reason: 'FRAME_TOO_LONG', vni };
  if (id > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false, reason: 'CUT_BAD_SHIM', vni };
  return { ok: true, vni, up, frameId: Number(id), frame: d.subarray(s + CUT_SHIM_LEN) };
}
