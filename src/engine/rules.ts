/**
 * Every rule ID of docs/vss-behaviour.md (and the lab's own X1), in ONE table: its title and
 * where it is documented. Trace events, drop reasons (reasons.ts) and the web UI's explain view
 * name rules by these IDs; test/engine/rules.test.ts keeps the table and the document in step.
 *
 * Pure data with no imports: the web UI bundles this module (the one file of src/engine it may
 * import, eslint.config.js).
 */

export interface RuleInfo {
  /** what the rule says, in a few words */
  title: string;
  /** `file.md#anchor` under docs/: the section that states the rule */
  doc: string;
}

export const RULES = {
  F1: { title: 'No learning: the vSwitch knows its ports from configuration', doc: 'vss-behaviour.md#1-forwarding-inside-a-vswitch-rules-f' },
  F2: { title: 'Known local unicast goes to that port only', doc: 'vss-behaviour.md#1-forwarding-inside-a-vswitch-rules-f' },
  F3: { title: 'Unknown unicast from a vNIC/vmk leaves by one uplink', doc: 'vss-behaviour.md#1-forwarding-inside-a-vswitch-rules-f' },
  F4: { title: 'Unknown unicast from an uplink is dropped', doc: 'vss-behaviour.md#1-forwarding-inside-a-vswitch-rules-f' },
  F5: { title: 'Broadcast/multicast from a vNIC/vmk: local ports of the VLAN (multicast: registered ones) plus one uplink', doc: 'vss-behaviour.md#1-forwarding-inside-a-vswitch-rules-f' },
  F6: { title: 'Broadcast/multicast from an uplink: local ports of the VLAN only', doc: 'vss-behaviour.md#1-forwarding-inside-a-vswitch-rules-f' },
  F7: { title: 'Never from uplink to uplink', doc: 'vss-behaviour.md#1-forwarding-inside-a-vswitch-rules-f' },
  F8: { title: 'Reflection and reverse-path checks on uplinks', doc: 'vss-behaviour.md#1-forwarding-inside-a-vswitch-rules-f' },
  F9: { title: 'MTU', doc: 'vss-behaviour.md#1-forwarding-inside-a-vswitch-rules-f' },
  F10: { title: 'Conservation: every copy ends delivered or dropped', doc: 'vss-behaviour.md#1-forwarding-inside-a-vswitch-rules-f' },
  V1: { title: 'VLAN 0: untagged port group (EST)', doc: 'vss-behaviour.md#2-vlans-rules-v' },
  V2: { title: 'VLAN 1..4094: the vSwitch tags (VST)', doc: 'vss-behaviour.md#2-vlans-rules-v' },
  V3: { title: 'VLAN 4095: the guest tags (VGT, trunk)', doc: 'vss-behaviour.md#2-vlans-rules-v' },
  V4: { title: 'Uplinks carry each frame as its VLAN says', doc: 'vss-behaviour.md#2-vlans-rules-v' },
  V5: { title: 'Same VLAN, different port groups: one L2 domain', doc: 'vss-behaviour.md#2-vlans-rules-v' },
  V6: { title: 'Only TPID 0x8100 is a VLAN tag', doc: 'vss-behaviour.md#2-vlans-rules-v' },
  S1: { title: 'Promiscuous mode', doc: 'vss-behaviour.md#3-security-policy-rules-s' },
  S2: { title: 'MAC address changes', doc: 'vss-behaviour.md#3-security-policy-rules-s' },
  S3: { title: 'Forged transmits', doc: 'vss-behaviour.md#3-security-policy-rules-s' },
  S4: { title: 'Security defaults', doc: 'vss-behaviour.md#3-security-policy-rules-s' },
  S5: { title: 'Nested hypervisors need Accept', doc: 'vss-behaviour.md#3-security-policy-rules-s' },
  T1: { title: 'Active / standby / unused uplinks', doc: 'vss-behaviour.md#4-nic-teaming-and-failover-rules-t' },
  T2: { title: 'Route based on originating virtual port', doc: 'vss-behaviour.md#4-nic-teaming-and-failover-rules-t' },
  T3: { title: 'Source MAC hash', doc: 'vss-behaviour.md#4-nic-teaming-and-failover-rules-t' },
  T4: { title: 'IP hash', doc: 'vss-behaviour.md#4-nic-teaming-and-failover-rules-t' },
  T5: { title: 'Explicit failover order', doc: 'vss-behaviour.md#4-nic-teaming-and-failover-rules-t' },
  T6: { title: 'Failure detection', doc: 'vss-behaviour.md#4-nic-teaming-and-failover-rules-t' },
  T7: { title: 'Notify switches (RARP)', doc: 'vss-behaviour.md#4-nic-teaming-and-failover-rules-t' },
  T8: { title: 'Failback', doc: 'vss-behaviour.md#4-nic-teaming-and-failover-rules-t' },
  Q1: { title: 'Traffic shaping', doc: 'vss-behaviour.md#5-traffic-shaping-rule-q1' },
  E1: { title: 'Endpoints answer ARP and ping', doc: 'vss-behaviour.md#6-endpoints-rules-e' },
  E2: { title: 'vmkping', doc: 'vss-behaviour.md#6-endpoints-rules-e' },
  E3: { title: 'vMotion', doc: 'vss-behaviour.md#6-endpoints-rules-e' },
  E4: { title: 'IPv6: neighbour discovery and ICMPv6 echo', doc: 'vss-behaviour.md#6-endpoints-rules-e' },
  P1: { title: 'Physical switch MAC learning', doc: 'vss-behaviour.md#7-physical-switch-rules-p' },
  P2: { title: 'Access and trunk ports', doc: 'vss-behaviour.md#7-physical-switch-rules-p' },
  P3: { title: 'Flooding on the physical switch', doc: 'vss-behaviour.md#7-physical-switch-rules-p' },
  P4: { title: 'Static EtherChannel', doc: 'vss-behaviour.md#7-physical-switch-rules-p' },
  P5: { title: 'Loops and storms between physical switches', doc: 'vss-behaviour.md#7-physical-switch-rules-p' },
  O1: { title: 'Capture points', doc: 'vss-behaviour.md#8-observation-rules-o' },
  O2: { title: 'Trace', doc: 'vss-behaviour.md#8-observation-rules-o' },
  O3: { title: 'Inspection views', doc: 'vss-behaviour.md#8-observation-rules-o' },
  L1: { title: 'Link impairment: loss', doc: 'vss-behaviour.md#9-link-impairments-rules-l' },
  L2: { title: 'Link impairment: delay and jitter', doc: 'vss-behaviour.md#9-link-impairments-rules-l' },
  L3: { title: 'Link impairment: duplication', doc: 'vss-behaviour.md#9-link-impairments-rules-l' },
  L4: { title: 'Link impairment: bandwidth limit', doc: 'vss-behaviour.md#9-link-impairments-rules-l' },
  M1: { title: 'Multicast filter of a port (basic multicast filtering)', doc: 'vss-behaviour.md#10-multicast-filtering-rules-m' },
  M2: { title: 'Multicast reaches only the ports that registered it', doc: 'vss-behaviour.md#10-multicast-filtering-rules-m' },
  M3: { title: 'Promiscuous ports receive all multicast', doc: 'vss-behaviour.md#10-multicast-filtering-rules-m' },
  M4: { title: 'More than 32 multicast MACs: all multicast', doc: 'vss-behaviour.md#10-multicast-filtering-rules-m' },
  M5: { title: 'The physical switch floods multicast', doc: 'vss-behaviour.md#10-multicast-filtering-rules-m' },
  X1: { title: 'A frame crosses a cut between lab partitions', doc: 'attachments.md#what-crosses-a-cut' },
} as const satisfies Record<string, RuleInfo>;

/** A rule ID: `F1`..`F10`, `V1`..`V6`, `S*`, `T*`, `Q1`, `E*`, `P*`, `O*`, `L*`, `M*`, `X1`. */
export type RuleId = keyof typeof RULES;

export const RULE_IDS = Object.keys(RULES) as RuleId[];

export function isRuleId(id: string): id is RuleId {
  return Object.hasOwn(RULES, id);
}

/**
 * Drops whose rule's title would describe something else: VLAN_MISMATCH is cited as V1 (the
 * [choice] in V1), yet it drops guest tags on VLAN 1..4094 (V2) port groups too — titled "VLAN 0:
 * untagged port group" it read as if the port group were VLAN 0.
 */
export const REASON_TITLES: Readonly<Record<string, string>> = {
  VLAN_MISMATCH: 'Guest tags are accepted only on VLAN 4095 port groups: a tagged guest frame on a VLAN 0..4094 port group is dropped',
};

/** The title of a step: its drop reason's own title when it has one, else its rule's ('' for none or an unknown ID). */
export function ruleTitle(rule: string | undefined, reason?: string): string {
  const own = reason === undefined ? undefined : REASON_TITLES[reason];
  if (own !== undefined) return own;
  return rule !== undefined && isRuleId(rule) ? RULES[rule].title : '';
}
