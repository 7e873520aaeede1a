/**
 * ICMPv4 (RFC 792): echo request/reply (id, seq, data), destination unreachable including
 * "fragmentation needed" with the next-hop MTU (RFC 1191), time exceeded.
 */
import { read16, read32, write16 } from './ethernet.js';
import { internetChecksum } from './checksum.js';
import type { Ipv4Repr } from './ipv4.js';

export const ICMP_HEADER_LEN = 8;

export const IcmpType = { EchoReply: 0, DestinationUnreachable: 3, Redirect: 5, EchoRequest: 8, TimeExceeded: 11 } as const;
export const ICMP_CODE_FRAG_NEEDED = 4;

/** Field table of an ICMP message: offsets from its start (REST is the second 32-bit word). */
export const IcmpField = { TYPE: 0, CODE: 1, CHECKSUM: 2, REST: 4, ID: 4, SEQ: 6, NEXT_HOP_MTU: 6, DATA: 8 } as const;

export function icmpType(b: Uint8Array, o: number): number {
  return b[o + IcmpField.TYPE]!;
}
export function icmpCode(b: Uint8Array, o: number): number {
  return b[o + IcmpField.CODE]!;
}
export function icmpChecksum(b: Uint8Array, o: number): number {
  return read16(b, o + IcmpField.CHECKSUM);
}
export function icmpEchoId(b: Uint8Array, o: number): number {
  return read16(b, o + IcmpField.ID);
}
export function icmpEchoSeq(b: Uint8Array, o: number): number {
  return read16(b, o + IcmpField.SEQ);
}
export function icmpNextHopMtu(b: Uint8Array, o: number): number {
  return read16(b, o + IcmpField.NEXT_HOP_MTU);
}
/** The second 32-bit word (id << 16 | seq for echo). */
export function icmpRest(b: Uint8Array, o: number): number {
  return read32(b, o + IcmpField.REST);
}
/** True for echo request and echo reply. */
export function isIcmpEcho(type: number): boolean {
  return type === IcmpType.EchoRequest || type === IcmpType.EchoReply;
}

export interface IcmpRepr {
  type: number;
  code: number;
  /** echo identifier (0 for other types) */
  id: number;
  /** echo sequence number (0 for other types) */
  seq: number;
  /** offset in the frame of the data after the 8-byte ICMP header */
  dataOffset: number;
  dataLength: number;
  checksumOk: boolean;
  /** destination unreachable / fragmentation needed (type 3 code 4) */
  nextHopMtu?: number;
}

/**
 * The ICMP message of an IPv4 packet; null when the packet is not ICMP, is a fragment
 * (reassemble first) or is shorter than the 8-byte ICMP header.
 */
export function parseIcmpv4(frame: Uint8Array, ip: Ipv4Repr): IcmpRepr | null {
  if (ip.protocol !== 1 || ip.mf || ip.fragmentOffset !== 0 || ip.payloadLength < ICMP_HEADER_LEN) return null;
  const off = ip.payloadOffset;
  if (off + ip.payloadLength > frame.length) return null;
  const type = icmpType(frame, off);
  const code = icmpCode(frame, off);
  const echo = isIcmpEcho(type);
  const repr: IcmpRepr = {
    type,
    code,
    id: echo ? icmpEchoId(frame, off) : 0,
    seq: echo ? icmpEchoSeq(frame, off) : 0,
    dataOffset: off + ICMP_HEADER_LEN,
    dataLength: ip.payloadLength - ICMP_HEADER_LEN,
    checksumOk: internetChecksum(frame, off, ip.payloadLength) === 0,
  };
  if (type === IcmpType.DestinationUnreachable && code === ICMP_CODE_FRAG_NEEDED) repr.nextHopMtu = icmpNextHopMtu(frame, off);
  return repr;
}

/** Fields to emit an ICMP message. `rest` is the second 32-bit word for types other than echo. */
export interface IcmpFields {
  type: number;
  code: number;
  id?: number;
  seq?: number;
  nextHopMtu?: number;
  data: Uint8Array;
}

/** Writes header + data with checksum at `offset`; returns the length. */
export function emitIcmpv4(m: IcmpFields, buf: Uint8Array, offset: number): number {
  buf[offset + IcmpField.TYPE] = m.type;
  buf[offset + IcmpField.CODE] = m.code;
  write16(buf, offset + IcmpField.CHECKSUM, 0);
  if (m.type === IcmpType.DestinationUnreachable && m.code === ICMP_CODE_FRAG_NEEDED) {
    write16(buf, offset + IcmpField.REST, 0);
    write16(buf, offset + IcmpField.NEXT_HOP_MTU, m.nextHopMtu ?? 0);
  } else {
    write16(buf, offset + IcmpField.ID, m.id ?? 0);
    write16(buf, offset + IcmpField.SEQ, m.seq ?? 0);
  }
  buf.set(m.data, offset + IcmpField.DATA);
  const len = ICMP_HEADER_LEN + m.data.length;
  write16(buf, offset + IcmpField.CHECKSUM, internetChecksum(buf, offset, len));
  return len;
}

/** Wireshark-style name of an ICMP type/code. */
export function icmpTypeName(type: number, code: number): string {
  switch (type) {
    case 0:
      return 'Echo (ping) reply';
    case 8:
      return 'Echo (ping) request';
    case 3:
      return `Destination unreachable (${UNREACH[code] ?? `code ${code}`})`;
    case 5:
      return 'Redirect';
    case 11:
      return code === 1 ? 'Time-to-live exceeded (Fragment reassembly time exceeded)' : 'Time-to-live exceeded (Time to live exceeded in transit)';
    default:
      return `Type ${type} code ${code}`;
  }
}

const UNREACH: Record<number, string> = {
  0: 'Network unreachable',
  1: 'Host unreachable',
  2: 'Protocol unreachable',
  3: 'Port unreachable',
  4: 'Fragmentation needed',
  13: 'Communication administratively filtered',
};
