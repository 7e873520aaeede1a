/**
 * Ethernet II header: destination, source, an optional stack of VLAN tags (vlan-tag.ts) and the
 * EtherType. A value of 1500 or less in the type position is an IEEE 802.3 length, followed by an
 * LLC header (and SNAP, for CDP). Frames are plain `Uint8Array`s without FCS.
 */
import type { VlanTag } from './vlan-tag.js';
import { FrameInputError } from './errors.js';

export const EtherType = {
  IPv4: 0x0800,
  ARP: 0x0806,
  RARP: 0x8035,
  VLAN: 0x8100,
  QinQ: 0x88a8,
  IPv6: 0x86dd,
  LLDP: 0x88cc,
} as const;
export type EtherTypeName = keyof typeof EtherType;

/** Destination + source + EtherType. */
export const ETH_HEADER_LEN = 14;
/** Minimum frame length without FCS; shorter frames are padded. */
export const MIN_FRAME_LEN = 60;
/** Jumbo: 9000 bytes of payload + 14-byte header + two VLAN tags (no FCS). */
export const MAX_FRAME_LEN = 9000 + ETH_HEADER_LEN + 8;
/** Values up to this are an 802.3 length, not an EtherType. */
export const MAX_8023_LENGTH = 1500;

/** Offset of the destination MAC, source MAC and the first type/TPID field. */
export const DST_OFFSET = 0;
export const SRC_OFFSET = 6;
export const TYPE_OFFSET = 12;

/** The parsed Ethernet header. `ethertype` is the type (or 802.3 length) after all tags. */
export interface EthernetRepr {
  dst: Uint8Array;
  src: Uint8Array;
  /** outer first */
  tags: VlanTag[];
  ethertype: number;
}

/** Every TPID Wireshark decodes as a VLAN tag (0x8100 C-tag, 0x88a8 S-tag, 0x9100): for decoding and display. */
export function isTpid(value: number): boolean {
  return value === 0x8100 || value === 0x88a8 || value === 0x9100;
}

/** The one TPID an 802.1Q C-VLAN bridge, a vSphere standard switch and a Linux VLAN sub-interface recognise (0x8100). */
export function isCTagTpid(value: number): boolean {
  return value === 0x8100;
}

export function read16(bytes: Uint8Array, offset: number): number {
  return (bytes[offset]! << 8) | bytes[offset + 1]!;
}

export function write16(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = (value >>> 8) & 0xff;
  bytes[offset + 1] = value & 0xff;
}

export function read32(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!) >>> 0;
}

export function write32(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = (value >>> 24) & 0xff;
  bytes[offset + 1] = (value >>> 16) & 0xff;
  bytes[offset + 2] = (value >>> 8) & 0xff;
  bytes[offset + 3] = value & 0xff;
}

/** Parses the header and its tag stack; null when the frame is too short to hold them. */
export function parseEthernet(frame: Uint8Array): EthernetRepr | null {
  if (frame.length < ETH_HEADER_LEN) return null;
  const tags: VlanTag[] = [];
  let off = TYPE_OFFSET;
  let type = read16(frame, off);
  while (isTpid(type)) {
    if (off + 6 > frame.length) return null;
    const tci = read16(frame, off + 2);
    tags.push({ tpid: type, pcp: tci >>> 13, dei: (tci & 0x1000) !== 0, vid: tci & 0x0fff });
    off += 4;
    type = read16(frame, off);
  }
  return { dst: frame.slice(0, 6), src: frame.slice(6, 12), tags, ethertype: type };
}

export function ethernetHeaderLength(repr: EthernetRepr): number {
  return ETH_HEADER_LEN + 4 * repr.tags.length;
}

/** Writes the header (and tags) at `offset`; returns the number of bytes written. */
export function emitEthernet(repr: EthernetRepr, buf: Uint8Array, offset = 0): number {
  if (repr.dst.length !== 6 || repr.src.length !== 6) throw new FrameInputError('a MAC address must be 6 bytes', 'mac');
  buf.set(repr.dst, offset);
  buf.set(repr.src, offset + 6);
  let off = offset + 12;
  for (const t of repr.tags) {
    write16(buf, off, t.tpid);
    write16(buf, off + 2, ((t.pcp & 7) << 13) | (t.dei ? 0x1000 : 0) | (t.vid & 0x0fff));
    off += 4;
  }
  write16(buf, off, repr.ethertype);
  return off + 2 - offset;
}

/** Name of a well-known EtherType (`IPv4`, `ARP`, ...), or `0x1234`. */
export function etherTypeName(type: number): string {
  switch (type) {
    case EtherType.IPv4:
      return 'IPv4';
    case EtherType.ARP:
      return 'ARP';
    case EtherType.RARP:
      return 'RARP';
    case EtherType.VLAN:
      return '802.1Q';
    case EtherType.QinQ:
      return '802.1ad';
    case 0x9100:
      return 'QinQ (0x9100)';
    case EtherType.IPv6:
      return 'IPv6';
    case EtherType.LLDP:
      return 'LLDP';
    default:
      return `0x${type.toString(16).padStart(4, '0')}`;
  }
}
