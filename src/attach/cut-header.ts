/**
 * The cut-cable shim (docs/attachments.md, "Partitioned labs"): between two partitions of one
 * lab, a cut cable's VXLAN datagrams carry 12 more bytes after the 8-byte VXLAN header, flagged
 * by the lowest reserved flag bit (flags 0x09: I flag + 0x01). Only the two partitions at the ends of a cut
 * send and read it; attachments to real hosts never do (their reserved bits stay zero).
 *
 *   byte 0      kind: 1 = a frame follows (the rest of the datagram), 2 = hello (nothing follows)
 *   byte 1      bit 0: the sender's end of the cable is up (its side of the cable was not pulled)
 *   bytes 2-3   zero
 *   bytes 4-11  the frame's id (unsigned, big-endian; 0 in a hello, or when unknown: the receiver
 *               gives it one): a frame keeps its id across the cut, as it keeps it across a
 *               cable in one process
 *
 * Hellos tell the peer partition is alive while no frame crosses, and carry the cable's state.
 */
import { MAX_FRAME_LEN } from '../wire/ethernet.js';
import type { AttachReason } from './attach-reasons.js';
import { VXLAN_FLAG_I, VXLAN_HEADER_LEN, emitVxlanHeader, vxlanFlags, vxlanVni } from '../wire/vxlan.js';

export const CUT_FLAG = 0x01;
export const CUT_SHIM_LEN = 12;
const KIND_FRAME = 1;
const KIND_HELLO = 2;

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
  out[s] = frame === null ? KIND_HELLO : KIND_FRAME;
  out[s + 1] = up ? 1 : 0;
  out.writeBigUInt64BE(BigInt(frame === null ? 0 : frameId), s + 4);
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
  const kind = d[s];
  const up = (d[s + 1]! & 1) === 1;
  if (kind === KIND_HELLO) return { ok: true, vni, up, frameId: 0, frame: null };
  if (kind !== KIND_FRAME) return { ok: false, reason: 'CUT_BAD_SHIM', vni };
  const id = Buffer.from(d.buffer, d.byteOffset + s + 4, 8).readBigUInt64BE(0);
  const len = d.length - s - CUT_SHIM_LEN;
  if (len < 14) return { ok: false, reason: 'FRAME_TOO_SHORT', vni };
  if (len > MAX_FRAME_LEN) return { ok: false, reason: 'FRAME_TOO_LONG', vni };
  if (id > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false, reason: 'CUT_BAD_SHIM', vni };
  return { ok: true, vni, up, frameId: Number(id), frame: d.subarray(s + CUT_SHIM_LEN) };
}
