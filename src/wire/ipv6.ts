/**
 * IPv6 fixed header (RFC 8200) and the walk over extension headers (hop-by-hop, routing,
 * fragment, destination options) to the upper-layer protocol.
 */
import { EtherType, read16, write16 } from './ethernet.js';
import { l3Offset } from './vlan-tag.js';

export const IPV6_HEADER_LEN = 40;
export const IPV6_ADDR_LEN = 16;

/** Field table of the IPv6 fixed header: offsets from its start. */
export const Ipv6Field = { VERSION_CLASS_FLOW: 0, PAYLOAD_LENGTH: 4, NEXT_HEADER: 6, HOP_LIMIT: 7, SRC: 8, DST: 24 } as const;
/** Field table of an extension header (hop-by-hop, routing, destination options: LENGTH in 8-byte units past the first 8). */
export const Ipv6ExtensionField = { NEXT_HEADER: 0, LENGTH: 1 } as const;
/** Field table of the fragment extension header (8 bytes). */
export const Ipv6FragmentField = { NEXT_HEADER: 0, OFFSET_FLAGS: 2, IDENTIFICATION: 4 } as const;
export const IPV6_FRAGMENT_HEADER_LEN = 8;

/** Extension headers walked to the upper layer, by Next Header value. */
export const Ipv6Extension = { HopByHop: 0, Routing: 43, Fragment: 44, DestinationOptions: 60 } as const;
export const IPV6_EXTENSION_NAMES: Readonly<Record<number, string>> = { 0: 'Hop-by-Hop Options', 43: 'Routing', 44: 'Fragment', 60: 'Destination Options' };

export function ipv6Version(b: Uint8Array, o: number): number {
  return b[o + Ipv6Field.VERSION_CLASS_FLOW]! >>> 4;
}
export function ipv6TrafficClass(b: Uint8Array, o: number): number {
  return ((b[o]! & 0x0f) << 4) | (b[o + 1]! >>> 4);
}
export function ipv6FlowLabel(b: Uint8Array, o: number): number {
  return ((b[o + 1]! & 0x0f) << 16) | read16(b, o + 2);
}
export function ipv6PayloadLength(b: Uint8Array, o: number): number {
  return read16(b, o + Ipv6Field.PAYLOAD_LENGTH);
}
export function ipv6NextHeader(b: Uint8Array, o: number): number {
  return b[o + Ipv6Field.NEXT_HEADER]!;
}
export function ipv6HopLimit(b: Uint8Array, o: number): number {
  return b[o + Ipv6Field.HOP_LIMIT]!;
}
/** True for the Next Header values of the extension headers walked to the upper layer. */
export function isIpv6Extension(nextHeader: number): boolean {
  return nextHeader === 0 || nextHeader === 43 || nextHeader === 44 || nextHeader === 60;
}
/** Length in bytes of the extension header `kind` at `o` (needs its first 2 bytes). */
export function ipv6ExtensionLength(b: Uint8Array, o: number, kind: number): number {
  return kind === Ipv6Extension.Fragment ? IPV6_FRAGMENT_HEADER_LEN : (b[o + Ipv6ExtensionField.LENGTH]! + 1) * 8;
}

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

/** Parses the header at `offset`; null unless version 6 and the whole payload is present. */
export function parseIpv6Header(bytes: Uint8Array, offset: number): Ipv6Repr | null {
  if (offset + IPV6_HEADER_LEN > bytes.length) return null;
  if (ipv6Version(bytes, offset) !== 6) return null;
  const payloadLength = ipv6PayloadLength(bytes, offset);
  const end = offset + IPV6_HEADER_LEN + payloadLength;
  if (end > bytes.length) return null;
  const nextHeader = ipv6NextHeader(bytes, offset);
  let proto = nextHeader;
  let off = offset + IPV6_HEADER_LEN;
  while (isIpv6Extension(proto)) {
    if (off + 8 > end) return null;
    const len = ipv6ExtensionLength(bytes, off, proto);
    if (off + len > end) return null;
    proto = bytes[off + Ipv6ExtensionField.NEXT_HEADER]!;
    off += len;
  }
  return {
    src: bytes.slice(offset + Ipv6Field.SRC, offset + Ipv6Field.SRC + IPV6_ADDR_LEN),
    dst: bytes.slice(offset + Ipv6Field.DST, offset + Ipv6Field.DST + IPV6_ADDR_LEN),
    trafficClass: ipv6TrafficClass(bytes, offset),
    flowLabel: ipv6FlowLabel(bytes, offset),
    nextHeader,
    hopLimit: ipv6HopLimit(bytes, offset),
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
  buf[offset + Ipv6Field.VERSION_CLASS_FLOW] = 0x60 | (tc >>> 4);
  buf[offset + 1] = ((tc & 0x0f) << 4) | ((fl >>> 16) & 0x0f);
  write16(buf, offset + 2, fl & 0xffff);
  write16(buf, offset + Ipv6Field.PAYLOAD_LENGTH, h.payloadLength);
  buf[offset + Ipv6Field.NEXT_HEADER] = h.nextHeader;
  buf[offset + Ipv6Field.HOP_LIMIT] = h.hopLimit;
  buf.set(h.src, offset + Ipv6Field.SRC);
  buf.set(h.dst, offset + Ipv6Field.DST);
  return IPV6_HEADER_LEN;
}

/** fe80::/64 with the modified EUI-64 interface identifier of `mac` (RFC 4291 appendix A). */
export function linkLocalFromMac(mac: Uint8Array): Uint8Array {
  const a = new Uint8Array(IPV6_ADDR_LEN);
  a[0] = 0xfe;
  a[1] = 0x80;
  // interface identifier (bytes 8..15): the OUI with the U/L bit flipped, ff:fe, the NIC half
  a[8] = mac[0]! ^ 0x02;
  a[9] = mac[1]!;
  a[10] = mac[2]!;
  a[11] = 0xff;
  a[12] = 0xfe;
  a[13] = mac[3]!;
  a[14] = mac[4]!;
  a[15] = mac[5]!;
  return a;
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
