/**
 * Ethernet II header: destination, source, an optional stack of VLAN tags (vlan-tag.ts) and the
 * EtherType. A value of 1500 or less in the type position is an IEEE 802.3 length, followed by an
 * LLC header (and SNAP, for CDP). Frames are plain `Uint8Array`s without FCS.
 */
import type { VlanTag } from './vlan-tag.js';
import { VLAN_TAG_LEN, emitTag, readTagAt } from './vlan-tag.js';
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

/** Length of a MAC address. */
export const MAC_LEN = 6;

/**
 * Field table of the Ethernet II header: offsets from the frame's start. TYPE is the first
 * type/TPID field; with tags, the EtherType follows the last tag (vlan-tag.ts).
 */
export const EthernetField = { DST: 0, SRC: 6, TYPE: 12 } as const;
/** Offset of the destination MAC, source MAC and the first type/TPID field. */
export const DST_OFFSET = EthernetField.DST;
export const SRC_OFFSET = EthernetField.SRC;
export const TYPE_OFFSET = EthernetField.TYPE;
/** Length of a type/TPID/length field. */
export const TYPE_LEN = 2;

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

/** The first type/TPID field (offset 12); -1 when the frame is too short to hold it. */
export function ethFirstType(frame: Uint8Array): number {
  return frame.length >= ETH_HEADER_LEN ? read16(frame, TYPE_OFFSET) : -1;
}

/** True when the destination MAC has the group (I/G) bit: broadcast or multicast. */
export function ethDstIsGroup(frame: Uint8Array): boolean {
  return (frame[DST_OFFSET]! & 0x01) === 0x01;
}

/** True when the destination MAC equals the 6 bytes of `mac` (no allocation). */
export function ethDstEquals(frame: Uint8Array, mac: Uint8Array): boolean {
  // unrolled: this runs per frame on the hot path
  const o = DST_OFFSET;
  return frame[o] === mac[0] && frame[o + 1] === mac[1] && frame[o + 2] === mac[2] && frame[o + 3] === mac[3] && frame[o + 4] === mac[4] && frame[o + 5] === mac[5];
}

/** The source MAC, a view into the frame (no copy). */
export function ethSrcView(frame: Uint8Array): Uint8Array {
  return frame.subarray(SRC_OFFSET, SRC_OFFSET + MAC_LEN);
}

/** The type field just before the L3 header at `l3` (the EtherType after the tags a reader skipped). */
export function etherTypeBefore(frame: Uint8Array, l3: number): number {
  return read16(frame, l3 - TYPE_LEN);
}

/** True when the source MAC at offset 6 equals the 6 bytes of `mac` (no allocation). */
export function ethSrcEquals(frame: Uint8Array, mac: Uint8Array): boolean {
  const o = SRC_OFFSET;
  return frame[o] === mac[0] && frame[o + 1] === mac[1] && frame[o + 2] === mac[2] && frame[o + 3] === mac[3] && frame[o + 4] === mac[4] && frame[o + 5] === mac[5];
}

/** Parses the header and its tag stack; null when the frame is too short to hold them. */
export function parseEthernet(frame: Uint8Array): EthernetRepr | null {
  if (frame.length < ETH_HEADER_LEN) return null;
  const tags: VlanTag[] = [];
  let off = TYPE_OFFSET;
  let type = read16(frame, off);
  while (isTpid(type)) {
    if (off + VLAN_TAG_LEN + TYPE_LEN > frame.length) return null;
    tags.push(readTagAt(frame, off));
    off += VLAN_TAG_LEN;
    type = read16(frame, off);
  }
  return { dst: frame.slice(DST_OFFSET, DST_OFFSET + MAC_LEN), src: frame.slice(SRC_OFFSET, SRC_OFFSET + MAC_LEN), tags, ethertype: type };
}

export function ethernetHeaderLength(repr: EthernetRepr): number {
  return ETH_HEADER_LEN + VLAN_TAG_LEN * repr.tags.length;
}

/** Writes the header (and tags) at `offset`; returns the number of bytes written. */
export function emitEthernet(repr: EthernetRepr, buf: Uint8Array, offset = 0): number {
  if (repr.dst.length !== 6 || repr.src.length !== 6) throw new FrameInputError('a MAC address must be 6 bytes', 'mac');
  buf.set(repr.dst, offset + DST_OFFSET);
  buf.set(repr.src, offset + SRC_OFFSET);
  let off = offset + TYPE_OFFSET;
  for (const t of repr.tags) off += emitTag(t, buf, off);
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
