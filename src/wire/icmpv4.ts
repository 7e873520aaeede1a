/**
 * ICMPv4 (RFC 792): echo request/reply (id, seq, data), destination unreachable including
 * "fragmentation needed" with the next-hop MTU (RFC 1191), time exceeded.
 */
import { read16, write16 } from './ethernet.js';
import { internetChecksum } from './checksum.js';
import type { Ipv4Repr } from './ipv4.js';

export const ICMP_HEADER_LEN = 8;

export const IcmpType = { EchoReply: 0, DestinationUnreachable: 3, Redirect: 5, EchoRequest: 8, TimeExceeded: 11 } as const;
export const ICMP_CODE_FRAG_NEEDED = 4;

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
  const type = frame[off]!;
  const code = frame[off + 1]!;
  const echo = type === IcmpType.EchoRequest || type === IcmpType.EchoReply;
  const repr: IcmpRepr = {
    type,
    code,
    id: echo ? read16(frame, off + 4) : 0,
    seq: echo ? read16(frame, off + 6) : 0,
    dataOffset: off + ICMP_HEADER_LEN,
    dataLength: ip.payloadLength - ICMP_HEADER_LEN,
    checksumOk: internetChecksum(frame, off, ip.payloadLength) === 0,
  };
  if (type === IcmpType.DestinationUnreachable && code === ICMP_CODE_FRAG_NEEDED) repr.nextHopMtu = read16(frame, off + 6);
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
  buf[offset] = m.type;
  buf[offset + 1] = m.code;
  write16(buf, offset + 2, 0);
  if (m.type === IcmpType.DestinationUnreachable && m.code === ICMP_CODE_FRAG_NEEDED) {
    write16(buf, offset + 4, 0);
    write16(buf, offset + 6, m.nextHopMtu ?? 0);
  } else {
    write16(buf, offset + 4, m.id ?? 0);
    write16(buf, offset + 6, m.seq ?? 0);
  }
  buf.set(m.data, offset + ICMP_HEADER_LEN);
  const len = ICMP_HEADER_LEN + m.data.length;
  write16(buf, offset + 2, internetChecksum(buf, offset, len));
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
