/**
 * IEEE 802.2 LLC and SNAP, behind an 802.3 length field: DSAP, SSAP, control; with DSAP = SSAP
 * = 0xAA and control 0x03 a SNAP header follows (OUI + protocol ID). CDP uses SNAP (OUI
 * 00:00:0c, PID 0x2000); spanning tree BPDUs use DSAP/SSAP 0x42.
 */
import { read16 } from './ethernet.js';

export interface LlcRepr {
  dsap: number;
  ssap: number;
  control: number;
  /** with SNAP */
  oui?: number;
  pid?: number;
  /** offset after LLC (and SNAP) */
  payloadOffset: number;
}

/** Parses LLC (3 bytes; 8 with SNAP) at `offset` within `end`; null when truncated. */
export function parseLlc(bytes: Uint8Array, offset: number, end: number): LlcRepr | null {
  if (offset + 3 > end) return null;
  const r: LlcRepr = { dsap: bytes[offset]!, ssap: bytes[offset + 1]!, control: bytes[offset + 2]!, payloadOffset: offset + 3 };
  if (r.dsap === 0xaa && r.ssap === 0xaa && r.control === 0x03) {
    if (offset + 8 > end) return null;
    r.oui = (bytes[offset + 3]! << 16) | (bytes[offset + 4]! << 8) | bytes[offset + 5]!;
    r.pid = read16(bytes, offset + 6);
    r.payloadOffset = offset + 8;
  }
  return r;
}
