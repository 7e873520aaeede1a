/**
 * The cut-cable shim: 12 bytes after a VXLAN header whose lowest reserved flag bit is set, between
 * two partitions of one lab (docs/attachments.md, "Partitioned labs"; src/attach/cut-header.ts
 * reads and writes whole datagrams with it).
 *
 *   byte 0      kind: 1 = a frame follows (the rest of the datagram), 2 = hello (nothing follows)
 *   byte 1      bit 0: the sender's end of the cable is up
 *   bytes 2-3   zero
 *   bytes 4-11  the frame's id (unsigned 64-bit, big-endian; 0 in a hello or when unknown)
 */

export const CUT_SHIM_LEN = 12;

/** Field table of the shim: offsets from its start. */
export const CutShimField = { KIND: 0, FLAGS: 1, FRAME_ID: 4 } as const;

export const CutShimKind = { FRAME: 1, HELLO: 2 } as const;

/** The bit of FLAGS that says the sender's end of the cable is up. */
export const CUT_SHIM_UP = 0x01;

export function cutShimKind(b: Uint8Array, o = 0): number {
  return b[o + CutShimField.KIND]!;
}

export function cutShimUp(b: Uint8Array, o = 0): boolean {
  return (b[o + CutShimField.FLAGS]! & CUT_SHIM_UP) !== 0;
}

/** The 64-bit frame id (a bigint: the sender may write any value; the caller checks its range). */
export function cutShimFrameId(b: Uint8Array, o = 0): bigint {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(o + CutShimField.FRAME_ID);
}

/** Writes the 12-byte shim at `o`; returns its length. */
export function emitCutShim(kind: number, up: boolean, frameId: number, buf: Uint8Array, o = 0): number {
  buf.fill(0, o, o + CUT_SHIM_LEN);
  buf[o + CutShimField.KIND] = kind;
  buf[o + CutShimField.FLAGS] = up ? CUT_SHIM_UP : 0;
  new DataView(buf.buffer, buf.byteOffset, buf.byteLength).setBigUint64(o + CutShimField.FRAME_ID, BigInt(frameId));
  return CUT_SHIM_LEN;
}
