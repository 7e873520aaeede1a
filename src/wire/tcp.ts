/**
 * TCP (RFC 9293) header decode, for display: ports, sequence and acknowledgement numbers, data
 * offset, flags, window, checksum (verified over the pseudo-header by the caller's choice).
 */
import { read16, read32 } from './ethernet.js';

export const TCP_MIN_HEADER_LEN = 20;

/** Field table of the TCP header: offsets from its start. DATA_OFFSET's low bit is the NS flag. */
export const TcpField = { SRC_PORT: 0, DST_PORT: 2, SEQ: 4, ACK: 8, DATA_OFFSET: 12, FLAGS: 13, WINDOW: 14, CHECKSUM: 16, URGENT: 18 } as const;

/** Header length in bytes (data offset × 4). */
export function tcpHeaderLength(b: Uint8Array, o: number): number {
  return (b[o + TcpField.DATA_OFFSET]! >>> 4) * 4;
}
/** The 9 flag bits (NS CWR ECE URG ACK PSH RST SYN FIN). */
export function tcpFlags(b: Uint8Array, o: number): number {
  return ((b[o + TcpField.DATA_OFFSET]! & 1) << 8) | b[o + TcpField.FLAGS]!;
}

export interface TcpRepr {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  headerLength: number;
  /** the 9 flag bits: NS CWR ECE URG ACK PSH RST SYN FIN */
  flags: number;
  window: number;
  checksum: number;
  urgent: number;
  payloadOffset: number;
  payloadLength: number;
}

export const TcpFlag = { FIN: 0x001, SYN: 0x002, RST: 0x004, PSH: 0x008, ACK: 0x010, URG: 0x020, ECE: 0x040, CWR: 0x080, NS: 0x100 } as const;

/** Parses the header at `offset` within `available` bytes of IP payload; null when truncated. */
export function parseTcp(bytes: Uint8Array, offset: number, available: number): TcpRepr | null {
  if (available < TCP_MIN_HEADER_LEN || offset + TCP_MIN_HEADER_LEN > bytes.length) return null;
  const headerLength = tcpHeaderLength(bytes, offset);
  if (headerLength < TCP_MIN_HEADER_LEN || headerLength > available) return null;
  return {
    srcPort: read16(bytes, offset + TcpField.SRC_PORT),
    dstPort: read16(bytes, offset + TcpField.DST_PORT),
    seq: read32(bytes, offset + TcpField.SEQ),
    ack: read32(bytes, offset + TcpField.ACK),
    headerLength,
    flags: tcpFlags(bytes, offset),
    window: read16(bytes, offset + TcpField.WINDOW),
    checksum: read16(bytes, offset + TcpField.CHECKSUM),
    urgent: read16(bytes, offset + TcpField.URGENT),
    payloadOffset: offset + headerLength,
    payloadLength: available - headerLength,
  };
}

/** `SYN, ACK` as Wireshark lists them. */
export function tcpFlagsText(flags: number): string {
  const names: string[] = [];
  const order: Array<[keyof typeof TcpFlag, number]> = [
    ['NS', TcpFlag.NS],
    ['CWR', TcpFlag.CWR],
    ['ECE', TcpFlag.ECE],
    ['URG', TcpFlag.URG],
    ['FIN', TcpFlag.FIN],
    ['SYN', TcpFlag.SYN],
    ['RST', TcpFlag.RST],
    ['PSH', TcpFlag.PSH],
    ['ACK', TcpFlag.ACK],
  ];
  for (const [n, bit] of order) if (flags & bit) names.push(n);
  return names.join(', ');
}
