/** Rule IDs of vss-behaviour.md with their titles, for the explain view. */
export const RULE_TITLES: Record<string, string> = {
  F1: 'No learning: the vSwitch knows its ports from configuration',
  F2: 'Known local unicast goes to that port only',
  F3: 'Unknown unicast from a vNIC/vmk leaves by one uplink',
  F4: 'Unknown unicast from an uplink is dropped',
  F5: 'Broadcast/multicast from a vNIC/vmk: local ports of the VLAN (multicast: registered ones) plus one uplink',
  F6: 'Broadcast/multicast from an uplink: local ports of the VLAN only',
  F7: 'Never from uplink to uplink',
  F8: 'Reflection and reverse-path checks on uplinks',
  F9: 'MTU',
  F10: 'Conservation: every copy ends delivered or dropped',
  V1: 'VLAN 0: untagged port group (EST)',
  V2: 'VLAN 1..4094: the vSwitch tags (VST)',
  V3: 'VLAN 4095: the guest tags (VGT, trunk)',
  V4: 'Uplinks carry each frame as its VLAN says',
  V5: 'Same VLAN, different port groups: one L2 domain',
  S1: 'Promiscuous mode',
  S2: 'MAC address changes',
  S3: 'Forged transmits',
  S4: 'Security defaults',
  S5: 'Nested hypervisors need Accept',
  T1: 'Active / standby / unused uplinks',
  T2: 'Route based on originating virtual port',
  T3: 'Source MAC hash',
  T4: 'IP hash',
  T5: 'Explicit failover order',
  T6: 'Failure detection',
  T7: 'Notify switches (RARP)',
  T8: 'Failback',
  Q1: 'Traffic shaping',
  E1: 'Endpoints answer ARP and ping',
  E2: 'vmkping',
  E3: 'vMotion',
  P1: 'Physical switch MAC learning',
  P2: 'Access and trunk ports',
  P3: 'Flooding on the physical switch',
  P4: 'Static EtherChannel',
  O1: 'Capture points',
  O2: 'Trace',
  L1: 'Link impairment: loss',
  L2: 'Link impairment: delay and jitter',
  L3: 'Link impairment: duplication',
  L4: 'Link impairment: bandwidth limit',
  M1: 'Multicast filter of a port (basic multicast filtering)',
  M2: 'Multicast reaches only the ports that registered it',
  M3: 'Promiscuous ports receive all multicast',
  M4: 'More than 32 multicast MACs: all multicast',
  M5: 'The physical switch floods multicast',
  O3: 'Inspection views',
};

/**
 * Drops whose rule's title would describe something else: VLAN_MISMATCH is cited as V1 (the
 * [choice] in V1), yet it drops guest tags on VLAN 1..4094 (V2) port groups too — titled "VLAN 0:
 * untagged port group" it read as if the port group were VLAN 0.
 */
export const REASON_TITLES: Record<string, string> = {
  VLAN_MISMATCH: 'Guest tags are accepted only on VLAN 4095 port groups: a tagged guest frame on a VLAN 0..4094 port group is dropped',
};

/** The title of a step: its drop reason's own title when it has one, else its rule's. */
export function ruleTitle(rule: string | undefined, reason?: string): string {
  if (reason !== undefined && REASON_TITLES[reason] !== undefined) return REASON_TITLES[reason];
  if (!rule) return '';
  return RULE_TITLES[rule] ?? '';
}
