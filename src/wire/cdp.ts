/**
 * CDP (Cisco Discovery Protocol), recognised for summaries: an 802.3 frame to 01:00:0c:cc:cc:cc
 * with LLC AA-AA-03 and SNAP OUI 00:00:0c, PID 0x2000; then version, TTL, checksum and TLVs
 * (16-bit type, 16-bit length including the 4-byte TLV header). ESXi sends CDP when a vSwitch's
 * CDP mode is Advertise or Both.
 */
import { read16, write16 } from './ethernet.js';
import { finishChecksum, internetChecksum, sumWords } from './checksum.js';

export const CDP_MULTICAST = Uint8Array.from([0x01, 0x00, 0x0c, 0xcc, 0xcc, 0xcc]);
export const CDP_SNAP_PID = 0x2000;

export interface CdpTlv {
  type: number;
  offset: number;
  /** value length (TLV length minus 4) */
  length: number;
}

export interface CdpRepr {
  version: number;
  ttl: number;
  checksum: number;
  checksumOk: boolean;
  deviceId?: string;
  portId?: string;
  platform?: string;
  softwareVersion?: string;
  tlvs: CdpTlv[];
}

export const CDP_TLV_NAMES: Record<number, string> = {
  1: 'Device ID',
  2: 'Addresses',
  3: 'Port ID',
  4: 'Capabilities',
  5: 'Software Version',
  6: 'Platform',
  10: 'Native VLAN',
  11: 'Duplex',
  22: 'Management Addresses',
};

function text(bytes: Uint8Array, off: number, len: number): string {
  return String.fromCharCode(...bytes.subarray(off, off + len)).replace(/[^\x20-\x7e\n]/g, '.');
}

/** Parses the CDP PDU in `[offset, end)` (after LLC/SNAP); null when truncated. */
export function parseCdp(bytes: Uint8Array, offset: number, end: number): CdpRepr | null {
  if (offset + 4 > end) return null;
  const r: CdpRepr = {
    version: bytes[offset]!,
    ttl: bytes[offset + 1]!,
    checksum: read16(bytes, offset + 2),
    checksumOk: cdpChecksum(bytes, offset, end - offset) === 0,
    tlvs: [],
  };
  let off = offset + 4;
  while (off + 4 <= end) {
    const type = read16(bytes, off);
    const len = read16(bytes, off + 2);
    if (len < 4 || off + len > end) return null;
    r.tlvs.push({ type, offset: off, length: len - 4 });
    const v = text(bytes, off + 4, len - 4);
    if (type === 1) r.deviceId = v;
    else if (type === 3) r.portId = v;
    else if (type === 5) r.softwareVersion = v;
    else if (type === 6) r.platform = v;
    off += len;
  }
  return r;
}

/**
 * CDP's checksum: the Internet checksum, except that an odd last byte is summed as the word
 * (sign-extension of the byte, byte) — Cisco's quirk, which Wireshark reproduces.
 */
export function cdpChecksum(bytes: Uint8Array, offset: number, length: number): number {
  if (length % 2 === 0) return internetChecksum(bytes, offset, length);
  const last = bytes[offset + length - 1]!;
  const acc = sumWords(bytes, offset, length - 1, 0) + (((last & 0x80) ? 0xff00 : 0) | last);
  return finishChecksum(acc);
}

/** Encodes a CDP v2 PDU (without LLC/SNAP) with string TLVs and a correct checksum. */
export function emitCdpPdu(ttl: number, tlvs: Array<[type: number, value: string]>): Uint8Array {
  const bytes: number[] = [2, ttl & 0xff, 0, 0];
  for (const [type, value] of tlvs) {
    const v = Array.from(value, (ch) => ch.charCodeAt(0) & 0xff);
    bytes.push(type >>> 8, type & 0xff, (v.length + 4) >>> 8, (v.length + 4) & 0xff, ...v);
  }
  const out = Uint8Array.from(bytes);
  write16(out, 2, cdpChecksum(out, 0, out.length));
  return out;
}
