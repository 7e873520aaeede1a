/**
 * A tiny classic-pcap writer for tests that use tshark as an oracle (linktype 1, Ethernet,
 * microsecond timestamps, little-endian). The capture layer has its own writer; this one exists
 * so wire tests depend on nothing but wire.
 */
import { writeFileSync } from 'node:fs';

export const LINKTYPE_ETHERNET = 1;

/** The bytes of a pcap file holding `frames`, one a millisecond apart from `startSeconds`. */
export function pcapBytes(frames: Uint8Array[], startSeconds = 1_700_000_000): Uint8Array {
  const size = 24 + frames.reduce((n, f) => n + 16 + f.length, 0);
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  v.setUint32(0, 0xa1b2c3d4, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  v.setInt32(8, 0, true);
  v.setUint32(12, 0, true);
  v.setUint32(16, 262144, true);
  v.setUint32(20, LINKTYPE_ETHERNET, true);
  let off = 24;
  frames.forEach((f, i) => {
    v.setUint32(off, startSeconds + Math.floor(i / 1000), true);
    v.setUint32(off + 4, (i % 1000) * 1000, true);
    v.setUint32(off + 8, f.length, true);
    v.setUint32(off + 12, f.length, true);
    out.set(f, off + 16);
    off += 16 + f.length;
  });
  return out;
}

/** Writes `frames` to a classic pcap file at `path`. */
export function writePcap(path: string, frames: Uint8Array[]): void {
  writeFileSync(path, pcapBytes(frames));
}
