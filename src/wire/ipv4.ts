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

/** Field table of the IPv4 header: offsets from its start. */
export const Ipv4Field = {
  VERSION_IHL: 0,
  TOS: 1,
  TOTAL_LENGTH: 2,
  IDENTIFICATION: 4,
  FLAGS_FRAGMENT: 6,
  TTL: 8,
  PROTOCOL: 9,
  CHECKSUM: 10,
  SRC: 12,
  DST: 16,
  OPTIONS: 20,
} as const;
/** Bits of the flags/fragment-offset word. */
export const IPV4_FLAG_RESERVED = 0x8000;
export const IPV4_FLAG_DF = 0x4000;
export const IPV4_FLAG_MF = 0x2000;
export const IPV4_FRAGMENT_OFFSET_MASK = 0x1fff;

export function ipv4Version(b: Uint8Array, o: number): number {
  return b[o + Ipv4Field.VERSION_IHL]! >>> 4;
}
/** IHL in bytes. */
export function ipv4HeaderLength(b: Uint8Array, o: number): number {
  return (b[o + Ipv4Field.VERSION_IHL]! & 0x0f) * 4;
}
export function ipv4Tos(b: Uint8Array, o: number): number {
  return b[o + Ipv4Field.TOS]!;
}
export function ipv4TotalLength(b: Uint8Array, o: number): number {
  return read16(b, o + Ipv4Field.TOTAL_LENGTH);
}
export function ipv4Identification(b: Uint8Array, o: number): number {
  return read16(b, o + Ipv4Field.IDENTIFICATION);
}
/** The flags (top 3 bits) and fragment offset (in 8-byte units) word. */
export function ipv4FlagsFragment(b: Uint8Array, o: number): number {
  return read16(b, o + Ipv4Field.FLAGS_FRAGMENT);
}
export function ipv4Ttl(b: Uint8Array, o: number): number {
  return b[o + Ipv4Field.TTL]!;
}
export function ipv4Protocol(b: Uint8Array, o: number): number {
  return b[o + Ipv4Field.PROTOCOL]!;
}
export function ipv4Checksum(b: Uint8Array, o: number): number {
  return read16(b, o + Ipv4Field.CHECKSUM);
}
export function ipv4Src(b: Uint8Array, o: number): number {
  return read32(b, o + Ipv4Field.SRC);
}
export function ipv4Dst(b: Uint8Array, o: number): number {
  return read32(b, o + Ipv4Field.DST);
}
/** Last octet of the source address at header offset `o`; 0 past the end of the bytes (a reader that does not check for IPv4 first). */
export function ipv4SrcLastOctet(b: Uint8Array, o: number): number {
  return b[o + Ipv4Field.SRC + 3] ?? 0;
}
/** Last octet of the destination address; 0 past the end of the bytes. */
export function ipv4DstLastOctet(b: Uint8Array, o: number): number {
  return b[o + Ipv4Field.DST + 3] ?? 0;
}

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
  if (ipv4Version(bytes, offset) !== 4) return null;
  const headerLength = ipv4HeaderLength(bytes, offset);
  if (headerLength < IPV4_MIN_HEADER_LEN) return null;
  const totalLength = ipv4TotalLength(bytes, offset);
  if (totalLength < headerLength || offset + totalLength > bytes.length) return null;
  const flagsFrag = ipv4FlagsFragment(bytes, offset);
  return {
    src: ipv4Src(bytes, offset),
    dst: ipv4Dst(bytes, offset),
    protocol: ipv4Protocol(bytes, offset),
    ttl: ipv4Ttl(bytes, offset),
    identification: ipv4Identification(bytes, offset),
    df: (flagsFrag & IPV4_FLAG_DF) !== 0,
    mf: (flagsFrag & IPV4_FLAG_MF) !== 0,
    fragmentOffset: (flagsFrag & IPV4_FRAGMENT_OFFSET_MASK) * 8,
    headerLength,
    totalLength,
    offset,
    payloadOffset: offset + headerLength,
    payloadLength: totalLength - headerLength,
    checksumOk: internetChecksum(bytes, offset, headerLength) === 0,
    tos: ipv4Tos(bytes, offset),
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
  buf[offset + Ipv4Field.VERSION_IHL] = 0x40 | (headerLength >>> 2);
  buf[offset + Ipv4Field.TOS] = h.tos ?? 0;
  write16(buf, offset + Ipv4Field.TOTAL_LENGTH, headerLength + h.payloadLength);
  write16(buf, offset + Ipv4Field.IDENTIFICATION, h.identification);
  write16(buf, offset + Ipv4Field.FLAGS_FRAGMENT, (h.df ? IPV4_FLAG_DF : 0) | (h.mf ? IPV4_FLAG_MF : 0) | ((h.fragmentOffset >>> 3) & IPV4_FRAGMENT_OFFSET_MASK));
  buf[offset + Ipv4Field.TTL] = h.ttl;
  buf[offset + Ipv4Field.PROTOCOL] = h.protocol;
  write16(buf, offset + Ipv4Field.CHECKSUM, 0);
  write32(buf, offset + Ipv4Field.SRC, h.src);
  write32(buf, offset + Ipv4Field.DST, h.dst);
  if (h.options) buf.set(h.options, offset + Ipv4Field.OPTIONS);
  write16(buf, offset + Ipv4Field.CHECKSUM, internetChecksum(buf, offset, headerLength));
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
