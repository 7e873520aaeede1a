/**
 * IPv6 fixed header (RFC 8200) and the walk over extension headers (hop-by-hop, routing,
 * fragment, destination options) to the upper-layer protocol.
 */
import { EtherType, read16, write16 } from './ethernet.js';
import { l3Offset } from './vlan-tag.js';

export const IPV6_HEADER_LEN = 40;

export interface Ipv6Repr {
  /** 16 bytes (a copy) */
  src: Uint8Array;
  dst: Uint8Array;
  trafficClass: number;
  flowLabel: number;
  /** the Next Header field of the fixed header */
  nextHeader: number;
  hopLimit: number;
  /** the Payload Length field */
  payloadLength: number;
  /** offset of the fixed header */
  offset: number;
  /** upper-layer protocol after extension headers (59 = no next header) */
  upperProtocol: number;
  upperOffset: number;
  upperLength: number;
}

const EXTENSIONS = new Set([0, 43, 44, 60]);

/** Parses the header at `offset`; null unless version 6 and the whole payload is present. */
export function parseIpv6Header(bytes: Uint8Array, offset: number): Ipv6Repr | null {
  if (offset + IPV6_HEADER_LEN > bytes.length) return null;
  if (bytes[offset]! >>> 4 !== 6) return null;
  const payloadLength = read16(bytes, offset + 4);
  const end = offset + IPV6_HEADER_LEN + payloadLength;
  if (end > bytes.length) return null;
  const nextHeader = bytes[offset + 6]!;
  let proto = nextHeader;
  let off = offset + IPV6_HEADER_LEN;
  while (EXTENSIONS.has(proto)) {
    if (off + 8 > end) return null;
    const len = proto === 44 ? 8 : (bytes[off + 1]! + 1) * 8;
    if (off + len > end) return null;
    proto = bytes[off]!;
    off += len;
  }
  return {
    src: bytes.slice(offset + 8, offset + 24),
    dst: bytes.slice(offset + 24, offset + 40),
    trafficClass: ((bytes[offset]! & 0x0f) << 4) | (bytes[offset + 1]! >>> 4),
    flowLabel: ((bytes[offset + 1]! & 0x0f) << 16) | read16(bytes, offset + 2),
    nextHeader,
    hopLimit: bytes[offset + 7]!,
    payloadLength,
    offset,
    upperProtocol: proto,
    upperOffset: off,
    upperLength: end - off,
  };
}

/** The IPv6 packet of a frame (after any tags); null when not IPv6 or truncated. */
export function parseIpv6Packet(frame: Uint8Array): Ipv6Repr | null {
  const off = l3Offset(frame);
  if (off > frame.length || read16(frame, off - 2) !== EtherType.IPv6) return null;
  return parseIpv6Header(frame, off);
}

export interface Ipv6HeaderFields {
  src: Uint8Array;
  dst: Uint8Array;
  nextHeader: number;
  hopLimit: number;
  payloadLength: number;
  trafficClass?: number;
  flowLabel?: number;
}

/** Writes the 40-byte fixed header at `offset`. */
export function emitIpv6Header(h: Ipv6HeaderFields, buf: Uint8Array, offset: number): number {
  const tc = h.trafficClass ?? 0;
  const fl = h.flowLabel ?? 0;
  buf[offset] = 0x60 | (tc >>> 4);
  buf[offset + 1] = ((tc & 0x0f) << 4) | ((fl >>> 16) & 0x0f);
  write16(buf, offset + 2, fl & 0xffff);
  write16(buf, offset + 4, h.payloadLength);
  buf[offset + 6] = h.nextHeader;
  buf[offset + 7] = h.hopLimit;
  buf.set(h.src, offset + 8);
  buf.set(h.dst, offset + 24);
  return IPV6_HEADER_LEN;
}

/** ff02::1:ffXX:XXXX for a unicast address (neighbour solicitation destination). */
export function solicitedNodeMulticast(addr: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  out[0] = 0xff;
  out[1] = 0x02;
  out[11] = 0x01;
  out[12] = 0xff;
  out[13] = addr[13]!;
  out[14] = addr[14]!;
  out[15] = addr[15]!;
  return out;
}

/** 33:33 + last 32 bits of an IPv6 multicast address (RFC 2464). */
export function ipv6MulticastMac(addr: Uint8Array): Uint8Array {
  return Uint8Array.from([0x33, 0x33, addr[12]!, addr[13]!, addr[14]!, addr[15]!]);
}
