/**
 * ICMPv6 (RFC 4443) echo and neighbour discovery (RFC 4861) solicitation/advertisement with the
 * source/target link-layer address option; checksum over the IPv6 pseudo-header.
 */
import { read16, read32, write16 } from './ethernet.js';
import { finishChecksum, pseudoHeaderSum6, sumWords } from './checksum.js';
import { Ipv6Field } from './ipv6.js';
import type { Ipv6Repr } from './ipv6.js';

export const Icmpv6Type = {
  DestinationUnreachable: 1,
  PacketTooBig: 2,
  TimeExceeded: 3,
  EchoRequest: 128,
  EchoReply: 129,
  RouterSolicitation: 133,
  RouterAdvertisement: 134,
  NeighborSolicitation: 135,
  NeighborAdvertisement: 136,
} as const;

/** Field table of an ICMPv6 message: offsets from its start (ND: neighbour solicitation/advertisement). */
export const Icmpv6Field = { TYPE: 0, CODE: 1, CHECKSUM: 2, ID: 4, SEQ: 6, MTU: 4, ND_FLAGS: 4, ND_TARGET: 8, ND_OPTIONS: 24, DATA: 8 } as const;
export const ICMPV6_HEADER_LEN = 8;
/** Length of a neighbour solicitation/advertisement before its options. */
export const ND_HEADER_LEN = 24;
/** Field table of an ND option (LENGTH in 8-byte units); LLADDR of a link-layer address option. */
export const NdOptionField = { TYPE: 0, LENGTH: 1, LLADDR: 2 } as const;
export const NdOption = { SourceLinkLayerAddress: 1, TargetLinkLayerAddress: 2 } as const;
/** NA flag bits (in the byte at ND_FLAGS). */
export const ND_FLAG_ROUTER = 0x80;
export const ND_FLAG_SOLICITED = 0x40;
export const ND_FLAG_OVERRIDE = 0x20;

export function icmpv6Type(b: Uint8Array, o: number): number {
  return b[o + Icmpv6Field.TYPE]!;
}
export function icmpv6Code(b: Uint8Array, o: number): number {
  return b[o + Icmpv6Field.CODE]!;
}
export function icmpv6Checksum(b: Uint8Array, o: number): number {
  return read16(b, o + Icmpv6Field.CHECKSUM);
}
export function icmpv6EchoId(b: Uint8Array, o: number): number {
  return read16(b, o + Icmpv6Field.ID);
}
export function icmpv6EchoSeq(b: Uint8Array, o: number): number {
  return read16(b, o + Icmpv6Field.SEQ);
}
export function icmpv6Mtu(b: Uint8Array, o: number): number {
  return read32(b, o + Icmpv6Field.MTU);
}
export function ndFlags(b: Uint8Array, o: number): number {
  return b[o + Icmpv6Field.ND_FLAGS]!;
}
export function ndOptionType(b: Uint8Array, opt: number): number {
  return b[opt + NdOptionField.TYPE]!;
}
/** The option's length in bytes. */
export function ndOptionLength(b: Uint8Array, opt: number): number {
  return b[opt + NdOptionField.LENGTH]! * 8;
}
/** True for echo request and echo reply. */
export function isIcmpv6Echo(type: number): boolean {
  return type === Icmpv6Type.EchoRequest || type === Icmpv6Type.EchoReply;
}
/** True for neighbour solicitation and advertisement. */
export function isNeighborDiscovery(type: number): boolean {
  return type === Icmpv6Type.NeighborSolicitation || type === Icmpv6Type.NeighborAdvertisement;
}

export interface Icmpv6Repr {
  type: number;
  code: number;
  checksumOk: boolean;
  /** echo */
  id: number;
  seq: number;
  /** neighbour solicitation / advertisement target (16 bytes) */
  target?: Uint8Array;
  /** NA flags */
  router?: boolean;
  solicited?: boolean;
  override?: boolean;
  /** source (NS) or target (NA) link-layer address option */
  linkLayerAddress?: Uint8Array;
  /** packet too big */
  mtu?: number;
  offset: number;
  length: number;
}

/** Parses the ICMPv6 message of `ip` (upper protocol 58); null when not ICMPv6 or too short. */
export function parseIcmpv6(bytes: Uint8Array, ip: Ipv6Repr): Icmpv6Repr | null {
  if (ip.upperProtocol !== 58 || ip.upperLength < 4) return null;
  const off = ip.upperOffset;
  const len = ip.upperLength;
  const type = icmpv6Type(bytes, off);
  const sum = sumWords(bytes, off, len, pseudoHeaderSum6(bytes, ip.offset + Ipv6Field.SRC, ip.offset + Ipv6Field.DST, 58, len));
  const r: Icmpv6Repr = { type, code: icmpv6Code(bytes, off), checksumOk: finishChecksum(sum) === 0, id: 0, seq: 0, offset: off, length: len };
  if (isIcmpv6Echo(type) && len >= ICMPV6_HEADER_LEN) {
    r.id = icmpv6EchoId(bytes, off);
    r.seq = icmpv6EchoSeq(bytes, off);
  } else if (type === Icmpv6Type.PacketTooBig && len >= ICMPV6_HEADER_LEN) {
    r.mtu = icmpv6Mtu(bytes, off);
  } else if (isNeighborDiscovery(type) && len >= ND_HEADER_LEN) {
    r.target = bytes.slice(off + Icmpv6Field.ND_TARGET, off + Icmpv6Field.ND_TARGET + 16);
    if (type === Icmpv6Type.NeighborAdvertisement) {
      const flags = ndFlags(bytes, off);
      r.router = (flags & ND_FLAG_ROUTER) !== 0;
      r.solicited = (flags & ND_FLAG_SOLICITED) !== 0;
      r.override = (flags & ND_FLAG_OVERRIDE) !== 0;
    }
    let o = off + Icmpv6Field.ND_OPTIONS;
    while (o + 8 <= off + len) {
      const optType = ndOptionType(bytes, o);
      const optLen = ndOptionLength(bytes, o);
      if (optLen === 0 || o + optLen > off + len) break;
      if ((optType === NdOption.SourceLinkLayerAddress || optType === NdOption.TargetLinkLayerAddress) && optLen >= 8)
        r.linkLayerAddress = bytes.slice(o + NdOptionField.LLADDR, o + NdOptionField.LLADDR + 6);
      o += optLen;
    }
  }
  return r;
}

/** Writes an ICMPv6 message (type, code, 4-byte `word`, body) with its checksum; returns the length. */
export function emitIcmpv6(type: number, code: number, word: number, body: Uint8Array, src: Uint8Array, dst: Uint8Array, buf: Uint8Array, offset: number): number {
  const len = 8 + body.length;
  buf[offset + Icmpv6Field.TYPE] = type;
  buf[offset + Icmpv6Field.CODE] = code;
  write16(buf, offset + Icmpv6Field.CHECKSUM, 0);
  write16(buf, offset + 4, (word >>> 16) & 0xffff);
  write16(buf, offset + 6, word & 0xffff);
  buf.set(body, offset + Icmpv6Field.DATA);
  let acc = sumWords(src, 0, 16, 0);
  acc = sumWords(dst, 0, 16, acc);
  acc += (len >>> 16) + (len & 0xffff) + 58;
  write16(buf, offset + Icmpv6Field.CHECKSUM, finishChecksum(sumWords(buf, offset, len, acc)));
  return len;
}

export function icmpv6TypeName(type: number): string {
  switch (type) {
    case 1:
      return 'Destination Unreachable';
    case 2:
      return 'Packet Too Big';
    case 3:
      return 'Time Exceeded';
    case 128:
      return 'Echo (ping) request';
    case 129:
      return 'Echo (ping) reply';
    case 133:
      return 'Router Solicitation';
    case 134:
      return 'Router Advertisement';
    case 135:
      return 'Neighbor Solicitation';
    case 136:
      return 'Neighbor Advertisement';
    default:
      return `Type ${type}`;
  }
}
