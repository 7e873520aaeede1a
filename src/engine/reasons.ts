/**
 * Every drop reason of the fabric, in ONE place: a SCREAMING_SNAKE code, the rule of
 * vss-behaviour.md that decides it, and a plain-language sentence template. Templates name their
 * parameters in braces (`{src}`); `reasonSentence` fills them in. Trace details of drops read
 * `dropped CODE (RULE): sentence`.
 *
 * The numeric index of a code (its position in REASON_CODES) is what the counters use, so that
 * counting a drop allocates nothing.
 */

import { nearNames } from './lab-error.js';
import type { RuleId } from './rules.js';

export interface ReasonInfo {
  /** rule ID in vss-behaviour.md, e.g. 'S3' (rules.ts) */
  rule: RuleId;
  /** plain-language sentence; `{name}` placeholders are filled by `reasonSentence` */
  template: string;
}

export const REASONS = {
  // --- Forwarding (F*)
  UNKNOWN_DST: { rule: 'F4', template: 'destination {dst} ({vlan}) is not a port of {vswitch}; unknown unicast from an uplink is not flooded' },
  NO_UPLINK: { rule: 'F3', template: 'no usable uplink for port {port} on {vswitch} (active: {active}; standby: {standby})' },
  NO_OTHER_PORT: { rule: 'F5', template: 'no other port of {vswitch} carries {vlan} and the frame has no uplink to leave by' },
  NO_PORT_IN_VLAN: { rule: 'F6', template: 'no port of {vswitch} carries {vlan}' },
  SELF_ADDRESSED: { rule: 'F2', template: 'destination {dst} is the sending port itself; a vSwitch does not send a frame back out of the port it came from' },
  REFLECTION: { rule: 'F8', template: 'source {src} arriving on uplink {uplink} belongs to local port {owner}: our own frame reflected back' },
  REVERSE_PATH: { rule: 'F8', template: 'broadcast/multicast arrived on uplink {uplink} but port {port} uses uplink {expected}' },
  MTU_EXCEEDED: { rule: 'F9', template: 'payload of {payload} bytes exceeds the MTU of {mtu} at {where}' },
  LINK_DOWN: { rule: 'F10', template: '{where} has no working link: {why}' },
  UPLINK_NOT_IN_VSWITCH: { rule: 'F10', template: 'uplink {uplink} belongs to no vSwitch' },
  MALFORMED_FRAME: { rule: 'F10', template: 'a {length}-byte frame has no complete Ethernet header' },
  // --- VLANs (V*)
  VLAN_MISMATCH: { rule: 'V1', template: 'the guest sent a frame tagged VLAN {tag} into port group {portGroup} (VLAN ID {pgVlan}); only VLAN 4095 port groups accept guest tags' },
  RESERVED_VLAN: { rule: 'V3', template: 'VLAN ID 4095 is reserved and never appears on a wire' },
  // --- Security (S*)
  MAC_CHANGE_REJECTED: {
    rule: 'S2',
    template: '{port} uses MAC {mac}, not its initial {initial}, and MAC address changes are Reject: the port receives no frame until the guest uses {initial} again',
  },
  FORGED_TRANSMIT: { rule: 'S3', template: 'source {src} is not the effective MAC {mac}' },
  // --- Traffic shaping (Q1)
  SHAPING_QUEUE_FULL: { rule: 'Q1', template: 'the traffic shaping queue of {port} is full ({queue} frames)' },
  // --- Endpoints (E*)
  NOT_FOR_THIS_NIC: { rule: 'E1', template: 'destination {dst} is not the MAC {mac} of this NIC, nor broadcast or multicast' },
  // --- Multicast filtering (M*)
  MULTICAST_FILTERED: { rule: 'M2', template: '{port} has not registered multicast {dst} in its filter (basic multicast filtering)' },
  // --- Physical switch (P*)
  VLAN_NOT_ALLOWED: { rule: 'P2', template: '{why}' },
  SAME_PORT: { rule: 'P3', template: 'destination {dst} in VLAN {vlan} was learned on the ingress port {port} itself' },
  NO_FLOOD_PORT: { rule: 'P3', template: 'no other port of {switch} with a working link carries VLAN {vlan}{down}' },
  STORM_CUT: { rule: 'P5', template: 'frame {frame} is a storm: its copies crossed cables more than {threshold} times (a loop between physical switches without STP?), so this copy is cut' },
  // --- Link impairments (L*): the cable, not the vSwitch
  LINK_LOSS: { rule: 'L1', template: 'lost on the cable {from} -> {to} (impairment: {loss}% loss)' },
  LINK_QUEUE_FULL: { rule: 'L4', template: 'the cable {from} -> {to} is limited to {kbps} kbit/s and {queue} frames already wait for it' },
} as const satisfies Record<string, ReasonInfo>;

export type ReasonCode = keyof typeof REASONS;

/** All codes; a code's index here is its counter slot. */
export const REASON_CODES = Object.keys(REASONS) as ReasonCode[];

/** Counter slot of each code. */
export const REASON_INDEX: Readonly<Record<ReasonCode, number>> = Object.fromEntries(
  REASON_CODES.map((c, i) => [c, i]),
) as Record<ReasonCode, number>;

export function reasonRule(code: ReasonCode): RuleId {
  return REASONS[code].rule;
}

/** The sentence for `code` with `{placeholders}` filled from `params` (unknown ones stay as written). */
export function reasonSentence(code: ReasonCode, params: Record<string, string | number> = {}): string {
  return REASONS[code].template.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m));
}

/** `dropped CODE (RULE): sentence` — the detail line of a drop event. */
export function dropDetail(code: ReasonCode, params: Record<string, string | number> = {}): string {
  return `dropped ${code} (${REASONS[code].rule}): ${reasonSentence(code, params)}`;
}

/** For a code that is not a drop reason: what to say (with the near codes); undefined for a known code. */
export function unknownReasonMessage(code: string): string | undefined {
  if (Object.hasOwn(REASONS, code)) return undefined;
  const near = nearNames(code, REASON_CODES, 3);
  return `"${code}" is not a drop reason${near.length ? `; did you mean ${near.join(', ')}?` : ''} (codes: src/engine/reasons.ts)`;
}
