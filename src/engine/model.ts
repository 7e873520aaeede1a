/**
 * Runtime objects of a lab: interfaces (every `node:interface`), hosts, vSwitches, port groups
 * and physical switches, as plain objects with numeric fields for the hot path. Built once from
 * the topology by build.ts; the rule files read them, the fabric mutates only the runtime state
 * (link state, effective MAC, MAC tables, usable uplinks).
 */
import type { EndpointStack } from './endpoint.js';
import type { MacIndex } from './mac-index.js';
import type { MacTable } from './mac-table.js';
import type { EtherChannelRt } from './etherchannel.js';
import type { Shaper, ShapingConfig } from './traffic-shaping.js';
import type { MulticastFilter } from './multicast-filter.js';
import type { LinkImpairment } from './link-impairments.js';

export type InterfaceKind = 'vnic' | 'vmk' | 'vmnic' | 'switch-port' | 'physical-nic';

/** An interface kind in words, with its article, for messages: "an uplink", "a VM vNIC". */
export const INTERFACE_KIND_WORDS: Readonly<Record<InterfaceKind, string>> = {
  vnic: 'a VM vNIC',
  vmk: 'a VMkernel adapter',
  vmnic: 'an uplink (vmnic)',
  'switch-port': 'a physical switch port',
  'physical-nic': 'a physical host NIC',
};

/** Load-balancing modes (T2..T5) as numbers for the hot path; each is its name's index in LB_NAMES. */
export const LB_SRCID = 0;
export const LB_SRCMAC = 1;
export const LB_IPHASH = 2;
export const LB_FAILOVER = 3;
export type LoadBalancingMode = typeof LB_SRCID | typeof LB_SRCMAC | typeof LB_IPHASH | typeof LB_FAILOVER;
export const LB_NAMES = ['srcid', 'srcmac', 'iphash', 'failover'] as const;

/** T6 network failure detection: link status only, or beacon probing. */
export const DETECT_LINK = 0;
export const DETECT_BEACON = 1;
export type FailureDetectionMode = typeof DETECT_LINK | typeof DETECT_BEACON;

/** Physical switch port modes (P2). */
export const MODE_ACCESS = 0;
export const MODE_TRUNK = 1;
export type SwitchPortMode = typeof MODE_ACCESS | typeof MODE_TRUNK;

/** One `node:interface`. A single object shape for every kind (monomorphic on the hot path). */
export interface Iface {
  idx: number;
  /** `node:interface` */
  id: string;
  node: string;
  name: string;
  kind: InterfaceKind;

  // --- cable (uplinks, switch ports, physical NICs)
  peer: Iface | null;
  /** the cable exists and is up */
  linkUp: boolean;
  /** L*: impairments of the frames this end sends onto its cable; null = a perfect cable */
  impair: LinkImpairment | null;

  // --- vSwitch port (vnic, vmk, uplink)
  host: HostRt | null;
  vs: VSwitchRt | null;
  /** port group (vnic, vmk) */
  pg: PortGroupRt | null;
  /** virtual port index on its vSwitch (T2) */
  portId: number;
  /** configured MAC as a 48-bit number (vNIC initial MAC, vmk MAC, NIC MAC) */
  initialMac: number;
  /** effective MAC (S2) */
  effMac: number;
  effMacBytes: Uint8Array;
  /** vNIC connected (a disconnected vNIC is not on the vSwitch) */
  connected: boolean;
  /** endpoint interface MTU (IP packet size); 0 when not an endpoint */
  mtu: number;
  stack: EndpointStack | null;
  /** uplink this port's traffic uses under srcid/srcmac/failover (T2/T3/T5), for F8 */
  pinned: Iface | null;
  /** Q1 token bucket of this port (vnic, vmk) while its port group shapes; null = not shaped */
  shaper: Shaper | null;
  /** M1: the multicast MACs this port (vnic, vmk) registered; null = none */
  mcast: MulticastFilter | null;

  // --- physical switch port
  sw: PhysSwitchRt | null;
  swMode: SwitchPortMode;
  /** access VLAN, or the trunk's native VLAN (-1: none) */
  swVlan: number;
  swNativeTagged: boolean;
  /** allowed VLANs of a trunk (index = VID); null = all */
  swAllowed: Uint8Array | null;
  /** P4: the static EtherChannel this switch port is a member of */
  channel: EtherChannelRt | null;
}

export interface HostRt {
  name: string;
  /** F8: reverse-path check applies to promiscuous ports too */
  rpfPromisc: boolean;
  vswitches: VSwitchRt[];
}

export interface TeamingRt {
  lb: LoadBalancingMode;
  active: Iface[];
  standby: Iface[];
  /**
   * the uplinks in use, in order (T1): usable actives, then standbys promoted in place of failed
   * actives; with failback off (T8) the previous set minus failures plus replacements.
   * Recomputed only when the set of usable uplinks changes (T2).
   */
  inUse: Iface[];
  /** the usable standbys, promoted (also in `inUse`) or not */
  usableStandby: Iface[];
  /** T6 failure detection */
  detection: FailureDetectionMode;
  /** T7 notify switches */
  notify: boolean;
  /** T8 failback */
  failback: boolean;
  /** usable uplinks when `inUse` was last computed (T2: re-pin only when this changes) */
  lastUsable: Iface[] | null;
}

export interface PortGroupRt {
  name: string;
  /** 0 EST, 1..4094 VST, 4095 VGT */
  vlan: number;
  vs: VSwitchRt;
  promiscuous: boolean;
  macChangesAccept: boolean;
  forgedAccept: boolean;
  teaming: TeamingRt;
  /** Q1 traffic shaping, null when off */
  shaping: ShapingConfig | null;
  ports: Iface[];
}

export interface VSwitchRt {
  /** `host:vSwitchN` */
  id: string;
  name: string;
  host: HostRt;
  mtu: number;
  uplinks: Iface[];
  portGroups: PortGroupRt[];
  /** vnic + vmk ports in port-ID order */
  ports: Iface[];
  /** effective MAC -> connected ports with it (F1), looked up from frame bytes without allocating (the per-frame path) */
  macIndex: MacIndex<Iface[]>;
  /** VLAN (0 = untagged domain) -> connected ports whose port group carries it (VGT ports included) */
  members: Map<number, Iface[]>;
  /** connected VGT ports: the members of any VLAN no EST/VST group names */
  vgtMembers: Iface[];
  /** same, promiscuous ports only */
  promiscMembers: Map<number, Iface[]>;
  promiscVgt: Iface[];
  promiscCount: number;
  /** T6: uplinks beacon probing currently finds cut off (only port groups that probe skip them) */
  beaconFailed: Set<Iface>;
  /** T6 shotgun: the two uplinks beacon probing cannot tell apart; every frame of a probing team leaves by both (empty: none) */
  beaconShotgun: Iface[];
  /** the configuration's generation, bumped by every `refreshVSwitch`: per-port decisions of an older one are not used (port-decisions.ts) */
  configEpoch: number;
}

export interface PhysSwitchRt {
  name: string;
  ports: Iface[];
  table: MacTable;
  /** VLAN -> ports that carry it and have a working cable (P3); rebuilt on link changes */
  floodCache: Map<number, Iface[]>;
}
