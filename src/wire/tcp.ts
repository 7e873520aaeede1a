/**
 * TCP (RFC 9293) header decode, for display: ports, sequence and acknowledgement numbers, data
 * offset, flags, window, checksum (verified over the pseudo-header by the caller's choice).
 */
import { read16, read32 } from './ethernet.js';

export const TCP_MIN_HEADER_LEN = 20;

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
  const headerLength = (bytes[offset + 12]! >>> 4) * 4;
  if (headerLength < TCP_MIN_HEADER_LEN || headerLength > available) return null;
  return {
    srcPort: read16(bytes, offset),
    dstPort: read16(bytes, offset + 2),
    seq: read32(bytes, offset + 4),
    ack: read32(bytes, offset + 8),
    headerLength,
    flags: ((bytes[offset + 12]! & 1) << 8) | bytes[offset + 13]!,
    window: read16(bytes, offset + 14),
    checksum: read16(bytes, offset + 16),
    urgent: read16(bytes, offset + 18),
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
