/**
 * V1–V5: which VLAN a frame belongs to inside a vSwitch, and which tag it carries out of each
 * port. Inside the engine VLAN 0 is the untagged domain (EST port groups, untagged uplink frames,
 * untagged frames of VGT guests); 1..4094 are VLANs.
 *
 * A classification is returned as one number (no allocation): the VLAN in the low 12 bits and
 * the state of the bytes above it — untagged, tagged with that VLAN (kept), or carrying a
 * priority tag (VID 0) that the switch removes. Negative results are drops.
 *
 * V6: only TPID 0x8100 is a VLAN tag to the vSwitch (`cTagVid`); a frame whose outer TPID is
 * 0x88a8 or 0x9100 is an untagged frame with that EtherType.
 */
import { cTagVid } from '../wire/index.js';

export const VGT = 4095;

/** the bytes carry no tag */
export const TAG_NONE = 0;
/** the bytes carry the VLAN's tag as the outer tag */
export const TAG_KEEP = 1;
/** the bytes carry a priority tag (VID 0), removed at ingress (V1) */
export const TAG_PRIORITY = 2;

/** A guest sent a tagged frame into an EST or VST port group (V1/V2 [choice]). */
export const CLASSIFY_VLAN_MISMATCH = -1;
/** VID 4095 on a frame (V3: reserved). */
export const CLASSIFY_RESERVED = -2;

export function classified(vlan: number, state: number): number {
  return vlan | (state << 12);
}
export function classVlan(c: number): number {
  return c & 0xfff;
}
export function classState(c: number): number {
  return c >> 12;
}

/**
 * A frame sent by a guest or vmk into a port group of VLAN ID `pgVlan`.
 * - EST (0) / VST (N): untagged -> VLAN 0 / N. A priority tag (VID 0) is removed [choice: 802.1p
 *   from a guest is accepted]. Any other tag -> VLAN_MISMATCH (V1 [choice]).
 * - VGT (4095): the guest's tag is the VLAN (kept); untagged -> the untagged domain (V3).
 */
export function classifyFromPort(pgVlan: number, frame: Uint8Array): number {
  const vid = cTagVid(frame);
  const untaggedVlan = pgVlan === VGT ? 0 : pgVlan;
  if (vid < 0) return classified(untaggedVlan, TAG_NONE);
  if (vid === 0) return classified(untaggedVlan, TAG_PRIORITY);
  if (pgVlan !== VGT) return CLASSIFY_VLAN_MISMATCH;
  if (vid === VGT) return CLASSIFY_RESERVED;
  return classified(vid, TAG_KEEP);
}

/** A frame arriving on an uplink (V4): untagged or priority-tagged -> untagged domain; tag N -> VLAN N. */
export function classifyFromUplink(frame: Uint8Array): number {
  const vid = cTagVid(frame);
  if (vid < 0) return classified(0, TAG_NONE);
  if (vid === 0) return classified(0, TAG_PRIORITY);
  if (vid === VGT) return CLASSIFY_RESERVED;
  return classified(vid, TAG_KEEP);
}

/** V1–V3, V5: does a port group of VLAN ID `pgVlan` carry VLAN `vlan`? */
export function portGroupCarries(pgVlan: number, vlan: number): boolean {
  return pgVlan === VGT || pgVlan === vlan;
}

/** Does a port of VLAN ID `pgVlan` receive VLAN `vlan` tagged? Only VGT ports, and not the untagged domain (V3). */
export function portWantsTag(pgVlan: number, vlan: number): boolean {
  return pgVlan === VGT && vlan !== 0;
}

/** V4: an uplink carries VLAN 1..4094 tagged and the untagged domain untagged. */
export function uplinkWantsTag(vlan: number): boolean {
  return vlan !== 0;
}

/** Human name of a port group VLAN ID, for trace details. */
export function pgVlanName(pgVlan: number): string {
  return pgVlan === 0 ? 'VLAN ID 0 (EST)' : pgVlan === VGT ? 'VLAN ID 4095 (VGT)' : `VLAN ID ${pgVlan} (VST)`;
}

/** "VLAN 10" or "untagged" for trace details. */
export function vlanName(vlan: number): string {
  return vlan === 0 ? 'untagged' : `VLAN ${vlan}`;
}
