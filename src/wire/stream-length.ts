/**
 * The length prefix of QEMU's `-netdev stream` / `-netdev socket` framing (net/stream.c): a 4-byte
 * big-endian length before each Ethernet frame (no FCS). src/attach/stream-framing.ts cuts a TCP
 * stream into frames with it.
 */

export const STREAM_LENGTH_LEN = 4;

/** Field table of one framed record: offsets from its start. */
export const StreamRecordField = { LENGTH: 0, FRAME: 4 } as const;

/** The frame length the prefix at `o` announces. */
export function streamLength(b: Uint8Array, o = 0): number {
  const p = o + StreamRecordField.LENGTH;
  return ((b[p]! << 24) >>> 0) + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
}

/** Writes the prefix for a frame of `length` bytes at `o`; returns its length. */
export function emitStreamLength(length: number, buf: Uint8Array, o = 0): number {
  const p = o + StreamRecordField.LENGTH;
  buf[p] = (length >>> 24) & 0xff;
  buf[p + 1] = (length >>> 16) & 0xff;
  buf[p + 2] = (length >>> 8) & 0xff;
  buf[p + 3] = length & 0xff;
  return STREAM_LENGTH_LEN;
}
