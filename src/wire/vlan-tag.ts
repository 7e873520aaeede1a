/**
 * 802.1Q / 802.1ad tags: accessors that read the tag stack in place (no allocation) and the
 * operations the switch performs on a copy — push, pop, rewrite. Every operation returns a new
 * `Uint8Array`; the input is never modified and the result shares no bytes with it.
 *
 * A tag is TPID (0x8100 C-tag, 0x88a8 S-tag, 0x9100 old QinQ) + TCI (PCP 3 bits, DEI 1 bit,
 * VID 12 bits), inserted after the source MAC. Outer tag first.
 *
 * Two readings of the same bytes:
 * - the generic accessors (`tagCount`, `outerVid`, `readTags`, `l3Offset`, ...) take every TPID
 *   Wireshark decodes as a VLAN tag (`isTpid`: 0x8100, 0x88a8, 0x9100) — for decoding, display
 *   and captures;
 * - the C-tag accessors (`cTagVid`, `cTagCount`, `cTagL3Offset`) take only 0x8100 (`isCTagTpid`),
 *   as an IEEE 802.1Q C-VLAN bridge, a vSphere standard switch and a Linux 802.1Q VLAN
 *   sub-interface read a frame: to them an 0x88a8 or 0x9100 frame is untagged, with that
 *   EtherType (docs/vss-behaviour.md V6). The engine reads frames this way.
 */
import { allocFrame, allocFrameFrom } from './frame-alloc.js';
import { ETH_HEADER_LEN, MIN_FRAME_LEN, TYPE_LEN, TYPE_OFFSET, isCTagTpid, isTpid, read16, write16 } from './ethernet.js';
import { FrameInputError } from './errors.js';

export interface VlanTag {
  tpid: number;
  /** priority code point, 0..7 */
  pcp: number;
  /** drop eligible indicator */
  dei: boolean;
  /** 0 = priority tag, 1..4094, 4095 reserved */
  vid: number;
}

export const TPID_CTAG = 0x8100;
export const TPID_STAG = 0x88a8;
export const TPID_QINQ_OLD = 0x9100;
export const VLAN_TAG_LEN = 4;

/** Field table of one tag: offsets from the tag's start (its TPID). The outer tag starts at offset 12. */
export const VlanTagField = { TPID: 0, TCI: 2 } as const;
/** Where the outer tag starts (it takes the place of the EtherType). */
export const OUTER_TAG_OFFSET = 12; // = ethernet.ts TYPE_OFFSET (a literal: the two modules import each other)
/** TCI bits: PCP (3), DEI (1), VID (12). */
export const TCI_PCP_SHIFT = 13;
export const TCI_DEI_BIT = 0x1000;
export const TCI_VID_MASK = 0x0fff;

export function tciVid(tci: number): number {
  return tci & TCI_VID_MASK;
}

export function tciPcp(tci: number): number {
  return tci >>> TCI_PCP_SHIFT;
}

export function tciDei(tci: number): boolean {
  return (tci & TCI_DEI_BIT) !== 0;
}

export function makeTci(pcp: number, dei: boolean, vid: number): number {
  return ((pcp & 7) << TCI_PCP_SHIFT) | (dei ? TCI_DEI_BIT : 0) | (vid & TCI_VID_MASK);
}

/** TPID of the tag at `tagOffset` (no bounds check: the caller knows the tag is there). */
export function tagTpidAt(frame: Uint8Array, tagOffset: number): number {
  return read16(frame, tagOffset + VlanTagField.TPID);
}

/** TCI of the tag at `tagOffset`. */
export function tagTciAt(frame: Uint8Array, tagOffset: number): number {
  return read16(frame, tagOffset + VlanTagField.TCI);
}

/** The tag at `tagOffset` as a repr (allocates). */
export function readTagAt(frame: Uint8Array, tagOffset: number): VlanTag {
  const tci = tagTciAt(frame, tagOffset);
  return { tpid: tagTpidAt(frame, tagOffset), pcp: tciPcp(tci), dei: tciDei(tci), vid: tciVid(tci) };
}

/** Writes a tag (TPID + TCI) at `tagOffset`. */
export function emitTag(tag: VlanTag, buf: Uint8Array, tagOffset: number): number {
  write16(buf, tagOffset + VlanTagField.TPID, tag.tpid);
  write16(buf, tagOffset + VlanTagField.TCI, makeTci(tag.pcp, tag.dei, tag.vid));
  return VLAN_TAG_LEN;
}

/** Number of stacked tags (0x8100 / 0x88a8 / 0x9100) that fit wholly in the frame. */
export function tagCount(frame: Uint8Array): number {
  let n = 0;
  let off = TYPE_OFFSET;
  while (off + VLAN_TAG_LEN + TYPE_LEN <= frame.length && isTpid(tagTpidAt(frame, off))) {
    n++;
    off += VLAN_TAG_LEN;
  }
  return n;
}

function hasOuterTag(frame: Uint8Array): boolean {
  return frame.length >= ETH_HEADER_LEN + VLAN_TAG_LEN && isTpid(tagTpidAt(frame, OUTER_TAG_OFFSET));
}

/** VID of the outer tag: -1 when untagged, 0 for a priority tag. */
export function outerVid(frame: Uint8Array): number {
  return hasOuterTag(frame) ? tciVid(tagTciAt(frame, OUTER_TAG_OFFSET)) : -1;
}

/** VID of an outer 802.1Q C-tag (TPID 0x8100 only): -1 when there is none (an 0x88a8/0x9100 outer tag counts as none), 0 for a priority tag. */
export function cTagVid(frame: Uint8Array): number {
  return hasOuterCTag(frame) ? tciVid(tagTciAt(frame, OUTER_TAG_OFFSET)) : -1;
}

/** True when the frame has a whole outer 802.1Q C-tag (TPID 0x8100). */
export function hasOuterCTag(frame: Uint8Array): boolean {
  return frame.length >= ETH_HEADER_LEN + VLAN_TAG_LEN && isCTagTpid(tagTpidAt(frame, OUTER_TAG_OFFSET));
}

/** Number of stacked 0x8100 tags from the outer one on (reading stops at any other TPID). */
export function cTagCount(frame: Uint8Array): number {
  let n = 0;
  let off = TYPE_OFFSET;
  while (off + VLAN_TAG_LEN + TYPE_LEN <= frame.length && isCTagTpid(tagTpidAt(frame, off))) {
    n++;
    off += VLAN_TAG_LEN;
  }
  return n;
}

/** Where the L3 packet starts for a reader that knows only 0x8100 tags. */
export function cTagL3Offset(frame: Uint8Array): number {
  return ETH_HEADER_LEN + VLAN_TAG_LEN * cTagCount(frame);
}

/** EtherType (or 802.3 length) after the 0x8100 tags, as the engine reads it; -1 when the frame is too short. */
export function cTagEthertype(frame: Uint8Array): number {
  const off = TYPE_OFFSET + VLAN_TAG_LEN * cTagCount(frame);
  return off + TYPE_LEN <= frame.length ? read16(frame, off) : -1;
}

/** PCP of the outer tag, -1 when untagged. */
export function outerPcp(frame: Uint8Array): number {
  return hasOuterTag(frame) ? tciPcp(tagTciAt(frame, OUTER_TAG_OFFSET)) : -1;
}

/** DEI of the outer tag (false when untagged). */
export function outerDei(frame: Uint8Array): boolean {
  return hasOuterTag(frame) && tciDei(tagTciAt(frame, OUTER_TAG_OFFSET));
}

/** TPID of the outer tag, -1 when untagged. */
export function outerTpid(frame: Uint8Array): number {
  return hasOuterTag(frame) ? tagTpidAt(frame, OUTER_TAG_OFFSET) : -1;
}

/** Offset just after the Ethernet header and all tags: where the L3 packet starts. */
export function l3Offset(frame: Uint8Array): number {
  return ETH_HEADER_LEN + VLAN_TAG_LEN * tagCount(frame);
}

/** EtherType (or 802.3 length) after all tags; -1 when the frame is too short to hold it. */
export function innerEthertype(frame: Uint8Array): number {
  const off = TYPE_OFFSET + VLAN_TAG_LEN * tagCount(frame);
  return off + TYPE_LEN <= frame.length ? read16(frame, off) : -1;
}

/** All tags, outer first (allocates; for display and tests, not the hot path). */
export function readTags(frame: Uint8Array): VlanTag[] {
  const n = tagCount(frame);
  const tags: VlanTag[] = [];
  for (let i = 0; i < n; i++) tags.push(readTagAt(frame, TYPE_OFFSET + VLAN_TAG_LEN * i));
  return tags;
}

function checkTag(vid: number, pcp: number, tpid: number): void {
  if (!Number.isInteger(vid) || vid < 0 || vid > 4095) throw new FrameInputError(`VLAN ID ${vid} is out of range (0..4095)`, 'vid');
  if (!Number.isInteger(pcp) || pcp < 0 || pcp > 7) throw new FrameInputError(`PCP ${pcp} is out of range (0..7)`, 'pcp');
  if (!isTpid(tpid)) throw new FrameInputError(`TPID 0x${tpid.toString(16)} is not a VLAN TPID (0x8100, 0x88a8 or 0x9100)`, 'tpid');
}

function checkFrame(frame: Uint8Array): void {
  if (frame.length < ETH_HEADER_LEN) throw new FrameInputError(`a ${frame.length}-byte frame has no Ethernet header (needs ${ETH_HEADER_LEN} bytes)`, 'frame');
}

/** A copy of `frame` with a new outer tag. */
export function pushTag(frame: Uint8Array, vid: number, pcp = 0, tpid: number = TPID_CTAG): Uint8Array {
  checkTag(vid, pcp, tpid);
  checkFrame(frame);
  const out = allocFrame(frame.length + VLAN_TAG_LEN);
  // the whole frame one tag further on (no subarray view per frame): from byte 12 on it is in
  // place; the addresses it put at 4..16 are overwritten by the addresses and the tag
  out.set(frame, VLAN_TAG_LEN);
  for (let i = 0; i < OUTER_TAG_OFFSET; i++) out[i] = frame[i]!;
  write16(out, OUTER_TAG_OFFSET + VlanTagField.TPID, tpid);
  write16(out, OUTER_TAG_OFFSET + VlanTagField.TCI, makeTci(pcp, false, vid));
  return out;
}

/**
 * A copy of `frame` without its outer tag, padded back to 60 bytes when shorter. An untagged
 * frame comes back as an unchanged copy.
 */
export function popTag(frame: Uint8Array): Uint8Array {
  checkFrame(frame);
  if (!hasOuterTag(frame)) return frame.slice();
  // the frame one tag to the left (from byte 12 on it is in place), then the addresses
  const out = allocFrameFrom(frame, VLAN_TAG_LEN, Math.max(frame.length - VLAN_TAG_LEN, MIN_FRAME_LEN));
  for (let i = 0; i < OUTER_TAG_OFFSET; i++) out[i] = frame[i]!;
  return out;
}

/**
 * A copy of `frame` whose outer tag carries `vid` (and `pcp` when given; otherwise the PCP and
 * DEI are kept). An untagged frame gets a new 802.1Q tag, as `pushTag` would.
 */
export function rewriteTag(frame: Uint8Array, vid: number, pcp?: number): Uint8Array {
  if (!hasOuterTag(frame)) return pushTag(frame, vid, pcp ?? 0);
  checkTag(vid, pcp ?? 0, TPID_CTAG);
  const out = frame.slice();
  const tci = tagTciAt(out, OUTER_TAG_OFFSET);
  write16(out, OUTER_TAG_OFFSET + VlanTagField.TCI, makeTci(pcp ?? tciPcp(tci), tciDei(tci), vid));
  return out;
}
