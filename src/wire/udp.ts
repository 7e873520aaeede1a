/**
 * UDP (RFC 768): ports, length, checksum over the IPv4 or IPv6 pseudo-header. A transmitted
 * checksum of 0 over IPv4 means "none"; a computed 0 is sent as 0xffff.
 */
import { read16, write16 } from './ethernet.js';
import { finishChecksum, pseudoHeaderSum4, sumWords } from './checksum.js';

export const UDP_HEADER_LEN = 8;

export interface UdpRepr {
  srcPort: number;
  dstPort: number;
  /** the UDP length field (header + data) */
  length: number;
  checksum: number;
  /** offset of the data in the buffer it was parsed from */
  dataOffset: number;
  dataLength: number;
}

/** Parses the UDP header at `offset` within `available` bytes of IP payload; null when truncated or inconsistent. */
export function parseUdp(bytes: Uint8Array, offset: number, available: number): UdpRepr | null {
  if (available < UDP_HEADER_LEN || offset + UDP_HEADER_LEN > bytes.length) return null;
  const length = read16(bytes, offset + 4);
  if (length < UDP_HEADER_LEN || length > available) return null;
  return {
    srcPort: read16(bytes, offset),
    dstPort: read16(bytes, offset + 2),
    length,
    checksum: read16(bytes, offset + 6),
    dataOffset: offset + UDP_HEADER_LEN,
    dataLength: length - UDP_HEADER_LEN,
  };
}

/** True when the checksum of a UDP-over-IPv4 datagram verifies (or is 0, "not computed"). */
export function udpChecksumOk4(bytes: Uint8Array, offset: number, length: number, src: number, dst: number): boolean {
  if (read16(bytes, offset + 6) === 0) return true;
  return finishChecksum(sumWords(bytes, offset, length, pseudoHeaderSum4(src, dst, 17, length))) === 0;
}

/** Writes header + data at `offset` and the checksum over the IPv4 pseudo-header; returns the length. */
export function emitUdp4(srcPort: number, dstPort: number, data: Uint8Array, src: number, dst: number, buf: Uint8Array, offset: number): number {
  const length = UDP_HEADER_LEN + data.length;
  write16(buf, offset, srcPort);
  write16(buf, offset + 2, dstPort);
  write16(buf, offset + 4, length);
  write16(buf, offset + 6, 0);
  buf.set(data, offset + UDP_HEADER_LEN);
  const c = finishChecksum(sumWords(buf, offset, length, pseudoHeaderSum4(src, dst, 17, length)));
  write16(buf, offset + 6, c === 0 ? 0xffff : c);
  return length;
}
