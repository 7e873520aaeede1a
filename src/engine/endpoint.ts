import type { RuleId } from './rules.js';
/**
 * The contract between the switching fabric and the endpoints that sit on its edge: VM vNICs,
 * VMkernel adapters and physical host NICs (rules E*). The fabric owns ports, links, rules and
 * the clock; an endpoint's IP stack owns ARP caches, replies and pings. Neither reaches into the
 * other: the fabric hands each stack an `EndpointPort`, and calls `EndpointStack.receive` with
 * every copy delivered to it.
 *
 * Frame bytes are shared, copy-on-write: the fabric makes a new array only where a copy's bytes
 * differ (a tag pushed, popped or rewritten), so the array a stack receives is the same array
 * that other endpoints receive, that trace events, captures and live clients hold, and that the
 * sender transmitted. Received bytes are read-only: a stack may read and keep them, and must copy
 * them (`slice()`) before changing them. Bytes given to `transmit` belong to the fabric from then
 * on: the stack must not change them afterwards.
 *
 * Time is the lab's virtual clock in nanoseconds (a plain number: exact for ~104 days).
 */

export type EndpointKind = 'vnic' | 'vmk' | 'physical-nic';

export interface Ipv4Config {
  /** unsigned 32-bit address */
  address: number;
  prefix: number;
}

/** One L3 interface of an endpoint: untagged, or a guest VLAN sub-interface (vlan set). */
export interface EndpointL3 {
  /** 802.1Q VLAN the stack tags its frames with, or undefined for untagged */
  vlan?: number;
  ipv4?: Ipv4Config;
  /**
   * IPv6 enabled on this interface (set, even empty): its configured addresses (16 bytes each);
   * the stack adds the EUI-64 link-local (fe80::/64) unless one of them is link-local (ipv6-stack.ts).
   */
  ipv6?: Ipv6Config[];
}

export interface Ipv6Config {
  /** 16 bytes */
  address: Uint8Array;
  prefix: number;
}

export interface EndpointConfig {
  /** `node:interface`, e.g. `web-01:eth0`, `esxi-01:vmk1`, `laptop:eth0` */
  id: string;
  kind: EndpointKind;
  /** interface MTU (IP packet size), from the topology */
  mtu: number;
  /** untagged L3 interface first (when it has an address), then guest VLAN sub-interfaces */
  interfaces: EndpointL3[];
  /** default gateway, when configured */
  gateway?: number;
  /** ARP cache entry lifetime */
  arpTimeoutNs: number;
}

/** What the fabric gives a stack. */
export interface EndpointPort {
  readonly id: string;
  now(): number;
  /** The MAC the endpoint currently uses as source (a vNIC's effective MAC). */
  effectiveMac(): Uint8Array;
  /**
   * Send a frame into the fabric from this endpoint (the guest/NIC transmits it). The fabric takes
   * the array as it is (no copy) and may hand it to receivers: do not change it afterwards.
   */
  transmit(frame: Uint8Array): void;
  /** Run `fn` after `delayNs` of virtual time. */
  setTimer(delayNs: number, fn: () => void): void;
  /** Record an endpoint decision on the trace stream (ARP learned, echo answered, ping result...). */
  note(action: EndpointNoteAction, rule: RuleId, detail: string): void;
  /** True when somebody listens to the trace stream (build `detail` strings only then). */
  readonly tracing: boolean;
  /** The id of the frame being delivered to the stack now (its copies' `frameId`); 0 outside a delivery. */
  frameId?(): number;
  /**
   * M1: the multicast groups the stack itself listens to (e.g. IPv6 all-nodes and solicited-node
   * MACs), pushed down to the vSwitch port's filter, replacing what the stack registered before;
   * kept apart from the guest's own list. No effect for a physical host NIC (no vSwitch port).
   */
  setMulticastGroups?(macs: readonly Uint8Array[]): void;
}

export type EndpointNoteAction =
  | 'arp-learn'
  | 'arp-reply'
  | 'arp-request'
  | 'echo-reply'
  | 'echo-request'
  | 'ping-result'
  | 'ignore'
  | 'fragment'
  | 'reassemble'
  | 'local-error'
  | 'nd-learn'
  | 'nd-solicit'
  | 'nd-advert'
  /** a frame left for, or came from, another partition of a partitioned lab (src/attach) */
  | 'crossing';

export interface PingOptions {
  /** destination IPv4 (uint32); ignored when `dst6` is set */
  dst: number;
  /** destination IPv6 (16 bytes): an ICMPv6 ping (`ping -6`, `vmkping -6`) */
  dst6?: Uint8Array;
  count: number;
  /** ICMP data bytes, like `ping -s` / `vmkping -s` */
  size: number;
  /** don't fragment (`vmkping -d`) */
  df: boolean;
  /** TTL of the IPv4 probes, hop limit of the IPv6 ones (`ping -t`, `vmkping -t`), 1..255; default 64 */
  ttl?: number;
  intervalNs: number;
  timeoutNs: number;
}

export interface PingReply {
  seq: number;
  rttNs: number;
  ttl: number;
  bytes: number;
  /** virtual ns when it arrived (orders replies and probe errors in the printout) */
  atNs?: number;
}

/** A probe that could not reach the wire, e.g. ARP got no answer (iputils: `From <ip> icmp_seq=N Destination Host Unreachable`). */
export interface PingProbeError {
  seq: number;
  error: string;
  /** virtual ns when the error was known */
  atNs: number;
}

export interface PingResult {
  transmitted: number;
  received: number;
  replies: PingReply[];
  /** local errors, e.g. "Message too long" (E2) or "No route to host"; empty when none */
  errors: string[];
  done: boolean;
  /** probes counted as transmitted that failed locally, one entry each (iputils' "+N errors") */
  unreachable?: PingProbeError[];
  /** most probes outstanding at once when a reply or error came (iputils prints `pipe N` when > 1) */
  pipe?: number;
  /** virtual ns from the first probe to the last one sent (iputils' `time Nms`) */
  elapsedNs?: number;
  /** the source IPv4 address the probes used (iputils' header and `From` lines) */
  source?: string;
}

export interface EndpointArpEntry {
  ip: string;
  mac: string;
  /** virtual ns when the entry expires */
  expiresAt: number;
  vlan?: number;
}

/** One IPv6 neighbour cache entry (RFC 4861 states; shown like the ARP cache). */
export interface EndpointNeighbourEntry {
  ip: string;
  /** null while INCOMPLETE */
  mac: string | null;
  state: 'INCOMPLETE' | 'REACHABLE' | 'STALE';
  /** virtual ns when the state ends (REACHABLE -> STALE, STALE -> removed) */
  expiresAt: number;
  vlan?: number;
}

/** What an endpoint's IP stack implements. */
export interface EndpointStack {
  /**
   * A copy the fabric delivered to this endpoint (tag stack as the endpoint receives it). The bytes
   * are READ-ONLY and may be shared with other copies, trace events and captures: read or keep
   * them as they are; copy them first to change them (or to keep a mutable version).
   */
  receive(frame: Uint8Array): void;
  /** Start a ping; `onDone` runs (on the virtual clock) when every probe was answered or timed out. */
  ping(options: PingOptions, onDone: (result: PingResult) => void): void;
  arpCache(): EndpointArpEntry[];
  /** IPv6 neighbour cache (stacks without IPv6 may leave it out: none). */
  neighbours?(): EndpointNeighbourEntry[];
  /**
   * The lab's clock base moved forward by `deltaNs` (Fabric.rebase, after ~52 days of virtual
   * time): times the stack keeps (cache expiries, probe times) must become that much smaller.
   * Stacks that keep no times may leave it out.
   */
  rebase?(deltaNs: number): void;
  /** IPv6 addresses per interface, link-local first ("fe80::1/64"); none when IPv6 is off. */
  ipv6Addresses?(): { vlan?: number; addresses: string[] }[];
  /**
   * A physical host NIC whose stack says true receives frames for every destination MAC (no E1
   * filter): the NIC stands for a real bridge or switch behind it (src/attach). Default: false.
   */
  readonly acceptsAllFrames?: boolean;
}

export type EndpointStackFactory = (config: EndpointConfig, port: EndpointPort) => EndpointStack;
