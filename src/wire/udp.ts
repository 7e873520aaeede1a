/**
 * UDP (RFC 768): ports, length, checksum over the IPv4 or IPv6 pseudo-header. A transmitted
 * checksum of 0 over IPv4 means "none"; a computed 0 is sent as 0xffff.
 */
import { read16, write16 } from './ethernet.js';
import { finishChecksum, pseudoHeaderSum4, sumWords } from './checksum.js';

export const UDP_HEADER_LEN = 8;

/** Field table of the UDP header: offsets from its start. */
export const UdpField = { SRC_PORT: 0, DST_PORT: 2, LENGTH: 4, CHECKSUM: 6 } as const;

export function udpSrcPort(b: Uint8Array, o: number): number {
  return read16(b, o + UdpField.SRC_PORT);
}
export function udpDstPort(b: Uint8Array, o: number): number {
  return read16(b, o + UdpField.DST_PORT);
}
export function udpLength(b: Uint8Array, o: number): number {
  return read16(b, o + UdpField.LENGTH);
}
export function udpChecksum(b: Uint8Array, o: number): number {
  return read16(b, o + UdpField.CHECKSUM);
}

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
  const length = udpLength(bytes, offset);
  if (length < UDP_HEADER_LEN || length > available) return null;
  return {
    srcPort: udpSrcPort(bytes, offset),
    dstPort: udpDstPort(bytes, offset),
    length,
    checksum: udpChecksum(bytes, offset),
    dataOffset: offset + UDP_HEADER_LEN,
    dataLength: length - UDP_HEADER_LEN,
  };
}

/** True when the checksum of a UDP-over-IPv4 datagram verifies (or is 0, "not computed"). */
export function udpChecksumOk4(bytes: Uint8Array, offset: number, length: number, src: number, dst: number): boolean {
  if (udpChecksum(bytes, offset) === 0) return true;
  return finishChecksum(sumWords(bytes, offset, length, pseudoHeaderSum4(src, dst, 17, length))) === 0;
}

/** Writes header + data at `offset` and the checksum over the IPv4 pseudo-header; returns the length. */
export function emitUdp4(srcPort: number, dstPort: number, data: Uint8Array, src: number, dst: number, buf: Uint8Array, offset: number): number {
  const length = UDP_HEADER_LEN + data.length;
  write16(buf, offset + UdpField.SRC_PORT, srcPort);
  write16(buf, offset + UdpField.DST_PORT, dstPort);
  write16(buf, offset + UdpField.LENGTH, length);
  write16(buf, offset + UdpField.CHECKSUM, 0);
  buf.set(data, offset + UDP_HEADER_LEN);
  const c = finishChecksum(sumWords(buf, offset, length, pseudoHeaderSum4(src, dst, 17, length)));
  write16(buf, offset + UdpField.CHECKSUM, c === 0 ? 0xffff : c);
  return length;
}
