/**
 * ICMPv6 (RFC 4443) echo and neighbour discovery (RFC 4861) solicitation/advertisement with the
 * source/target link-layer address option; checksum over the IPv6 pseudo-header.
 */
import { read16, write16 } from './ethernet.js';
import { finishChecksum, pseudoHeaderSum6, sumWords } from './checksum.js';
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
  const type = bytes[off]!;
  const sum = sumWords(bytes, off, len, pseudoHeaderSum6(bytes, ip.offset + 8, ip.offset + 24, 58, len));
  const r: Icmpv6Repr = { type, code: bytes[off + 1]!, checksumOk: finishChecksum(sum) === 0, id: 0, seq: 0, offset: off, length: len };
  if ((type === 128 || type === 129) && len >= 8) {
    r.id = read16(bytes, off + 4);
    r.seq = read16(bytes, off + 6);
  } else if (type === 2 && len >= 8) {
    r.mtu = ((bytes[off + 4]! << 24) | (bytes[off + 5]! << 16) | (bytes[off + 6]! << 8) | bytes[off + 7]!) >>> 0;
  } else if ((type === 135 || type === 136) && len >= 24) {
    r.target = bytes.slice(off + 8, off + 24);
    if (type === 136) {
      r.router = (bytes[off + 4]! & 0x80) !== 0;
      r.solicited = (bytes[off + 4]! & 0x40) !== 0;
      r.override = (bytes[off + 4]! & 0x20) !== 0;
    }
    let o = off + 24;
    while (o + 8 <= off + len) {
      const optType = bytes[o]!;
      const optLen = bytes[o + 1]! * 8;
      if (optLen === 0 || o + optLen > off + len) break;
      if ((optType === 1 || optType === 2) && optLen >= 8) r.linkLayerAddress = bytes.slice(o + 2, o + 8);
      o += optLen;
    }
  }
  return r;
}

/** Writes an ICMPv6 message (type, code, 4-byte `word`, body) with its checksum; returns the length. */
export function emitIcmpv6(type: number, code: number, word: number, body: Uint8Array, src: Uint8Array, dst: Uint8Array, buf: Uint8Array, offset: number): number {
  const len = 8 + body.length;
  buf[offset] = type;
  buf[offset + 1] = code;
  write16(buf, offset + 2, 0);
  write16(buf, offset + 4, (word >>> 16) & 0xffff);
  write16(buf, offset + 6, word & 0xffff);
  buf.set(body, offset + 8);
  let acc = sumWords(src, 0, 16, 0);
  acc = sumWords(dst, 0, 16, acc);
  acc += (len >>> 16) + (len & 0xffff) + 58;
  write16(buf, offset + 2, finishChecksum(sumWords(buf, offset, len, acc)));
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
