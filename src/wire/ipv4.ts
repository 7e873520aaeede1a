/**
 * IPv4 header (RFC 791): version/IHL, TOS, total length, identification, flags (DF, MF),
 * fragment offset, TTL, protocol, header checksum, addresses, options.
 */
import { EtherType, read16, read32, write16, write32 } from './ethernet.js';
import { internetChecksum } from './checksum.js';
import { l3Offset } from './vlan-tag.js';

export const IPV4_MIN_HEADER_LEN = 20;
export const IPV4_MAX_PACKET_LEN = 65535;

export const IpProtocol = { ICMP: 1, TCP: 6, UDP: 17, IPv6Icmp: 58 } as const;

/** A parsed IPv4 packet located in its frame. */
export interface Ipv4Repr {
  src: number;
  dst: number;
  protocol: number;
  ttl: number;
  identification: number;
  df: boolean;
  mf: boolean;
  /** in bytes */
  fragmentOffset: number;
  headerLength: number;
  totalLength: number;
  /** offset of the IP header in the frame */
  offset: number;
  payloadOffset: number;
  payloadLength: number;
  checksumOk: boolean;
  /** DSCP << 2 | ECN */
  tos: number;
}

/** What it takes to emit an IPv4 header (the checksum is computed). */
export interface Ipv4HeaderFields {
  src: number;
  dst: number;
  protocol: number;
  ttl: number;
  identification: number;
  df: boolean;
  mf: boolean;
  fragmentOffset: number;
  tos?: number;
  /** options, a multiple of 4 bytes */
  options?: Uint8Array;
  payloadLength: number;
}

/** Parses the IPv4 header at `offset` of `bytes`; null unless version 4, IHL ≥ 5 and the whole packet is present. */
export function parseIpv4Header(bytes: Uint8Array, offset: number): Ipv4Repr | null {
  if (offset + IPV4_MIN_HEADER_LEN > bytes.length) return null;
  const vihl = bytes[offset]!;
  if (vihl >>> 4 !== 4) return null;
  const headerLength = (vihl & 0x0f) * 4;
  if (headerLength < IPV4_MIN_HEADER_LEN) return null;
  const totalLength = read16(bytes, offset + 2);
  if (totalLength < headerLength || offset + totalLength > bytes.length) return null;
  const flagsFrag = read16(bytes, offset + 6);
  return {
    src: read32(bytes, offset + 12),
    dst: read32(bytes, offset + 16),
    protocol: bytes[offset + 9]!,
    ttl: bytes[offset + 8]!,
    identification: read16(bytes, offset + 4),
    df: (flagsFrag & 0x4000) !== 0,
    mf: (flagsFrag & 0x2000) !== 0,
    fragmentOffset: (flagsFrag & 0x1fff) * 8,
    headerLength,
    totalLength,
    offset,
    payloadOffset: offset + headerLength,
    payloadLength: totalLength - headerLength,
    checksumOk: internetChecksum(bytes, offset, headerLength) === 0,
    tos: bytes[offset + 1]!,
  };
}

/** The IPv4 packet of a frame (after any tags); null when not IPv4, malformed or truncated. */
export function parseIpv4Packet(frame: Uint8Array): Ipv4Repr | null {
  const off = l3Offset(frame);
  if (off > frame.length || read16(frame, off - 2) !== EtherType.IPv4) return null;
  return parseIpv4Header(frame, off);
}

/** True when the packet is one fragment of a larger one. */
export function isFragment(ip: Ipv4Repr): boolean {
  return ip.mf || ip.fragmentOffset !== 0;
}

/** Writes the header with its checksum at `offset`; returns the header length. */
export function emitIpv4Header(h: Ipv4HeaderFields, buf: Uint8Array, offset: number): number {
  const optLen = h.options?.length ?? 0;
  const headerLength = IPV4_MIN_HEADER_LEN + optLen;
  buf[offset] = 0x40 | (headerLength >>> 2);
  buf[offset + 1] = h.tos ?? 0;
  write16(buf, offset + 2, headerLength + h.payloadLength);
  write16(buf, offset + 4, h.identification);
  write16(buf, offset + 6, (h.df ? 0x4000 : 0) | (h.mf ? 0x2000 : 0) | ((h.fragmentOffset >>> 3) & 0x1fff));
  buf[offset + 8] = h.ttl;
  buf[offset + 9] = h.protocol;
  write16(buf, offset + 10, 0);
  write32(buf, offset + 12, h.src);
  write32(buf, offset + 16, h.dst);
  if (h.options) buf.set(h.options, offset + 20);
  write16(buf, offset + 10, internetChecksum(buf, offset, headerLength));
  return headerLength;
}

/** Name of an IP protocol number (`ICMP`, `UDP`, ...). */
export function ipProtocolName(protocol: number): string {
  switch (protocol) {
    case 1:
      return 'ICMP';
    case 2:
      return 'IGMP';
    case 6:
      return 'TCP';
    case 17:
      return 'UDP';
    case 47:
      return 'GRE';
    case 50:
      return 'ESP';
    case 58:
      return 'ICMPv6';
    case 89:
      return 'OSPF';
    case 112:
      return 'VRRP';
    default:
      return `proto ${protocol}`;
  }
}
