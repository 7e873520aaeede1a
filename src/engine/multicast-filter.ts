/**
 * M1–M4 — basic multicast filtering, as a vSphere Standard Switch does it (vSphere Networking
 * guide, "Multicast Filtering Modes": in basic mode the switch forwards multicast "according to
 * the destination MAC address of the multicast group"; the guest "pushes the multicast MAC
 * address of the group down to the network through the switch", which keeps a port <-> MAC
 * table and does not interpret IGMP/MLD).
 *
 * Each vNIC/vmk port has a filter: the multicast MACs its guest registered. Two sources feed it,
 * kept apart so that neither overwrites the other:
 * - `guest`: what the guest joined — the topology's `multicast` list of a vNIC, changed at run
 *   time by the `multicast` runtime change (`Lab.setMulticastFilter`);
 * - `stack`: what the endpoint's own stack registers (an IPv6 stack's all-nodes and
 *   solicited-node groups, 33:33:00:00:00:01 and 33:33:ff:xx:xx:xx) — `setStackGroups`.
 * The port's filter is their union. More than `FILTER_LIMIT` (32) MACs: the port receives every
 * multicast frame (the guide: a VM subscribed to more than 32 multicast MACs "receives packets
 * that it is not subscribed for").
 *
 * Broadcast (ff:ff:ff:ff:ff:ff) is not filtered. Promiscuous ports see every multicast frame of
 * their VLANs (S1). The filter decides only what the vSwitch delivers to local ports; what leaves
 * by the uplink is unchanged (F5), and what arrives on an uplink is filtered like the rest (F6).
 */
import { DST_OFFSET, ethDstIsGroup, formatMac, isBroadcast, isMulticast, macToNumber, parseMac } from '../wire/index.js';
import type { Iface } from './model.js';

/** Multicast MACs a port may register before it receives all multicast (vSphere's limit of 32). */
export const FILTER_LIMIT = 32;

export type FilterSource = 'guest' | 'stack';

export interface MulticastFilter {
  guest: number[];
  stack: number[];
  /** the union of both (48-bit numbers) */
  macs: Set<number>;
  /** more than FILTER_LIMIT MACs: every multicast frame is delivered (M4) */
  all: boolean;
}

/** Is `frame` addressed to ff:ff:ff:ff:ff:ff? */
export function isBroadcastFrame(frame: Uint8Array): boolean {
  return isBroadcast(frame, DST_OFFSET);
}

/** Multicast but not broadcast: the frames basic filtering decides about (M2). */
export function isFilteredMulticast(frame: Uint8Array): boolean {
  return ethDstIsGroup(frame) && !isBroadcastFrame(frame);
}

/** Parses a list of multicast MAC strings; throws an Error naming the first bad one. */
export function parseGroupMacs(list: readonly string[]): number[] {
  const out: number[] = [];
  for (const text of list) {
    const b = parseMac(text);
    if (!b) throw new Error(`"${text}" is not a MAC address`);
    if (!isMulticast(b, 0)) throw new Error(`${formatMac(b)} is not a multicast MAC (its first octet is even)`);
    if (b.every((x) => x === 0xff)) throw new Error('ff:ff:ff:ff:ff:ff is broadcast, which every port receives; it is never in a multicast filter');
    const n = macToNumber(b, 0);
    if (!out.includes(n)) out.push(n);
  }
  return out;
}

/** Sets one source's MACs of `port`'s filter (the other source is kept). */
export function setFilterMacs(port: Iface, source: FilterSource, macs: readonly number[]): void {
  const f: MulticastFilter = port.mcast ?? { guest: [], stack: [], macs: new Set(), all: false };
  f[source] = [...macs];
  f.macs = new Set([...f.guest, ...f.stack]);
  f.all = f.macs.size > FILTER_LIMIT;
  port.mcast = f;
}

/** The hook an endpoint stack uses to register its own groups (e.g. IPv6 solicited-node). */
export function setStackGroups(port: Iface, macs: readonly number[]): void {
  setFilterMacs(port, 'stack', macs);
}

/** M2: does `port`'s filter take this multicast frame (destination MAC at offset 0)? */
export function filterAccepts(port: Iface, frame: Uint8Array): boolean {
  const f = port.mcast;
  if (f === null) return false;
  return f.all || f.macs.has(macToNumber(frame, DST_OFFSET));
}

/** The port's filter as MAC strings, sorted (inspection, O3). */
export function filterList(port: Iface): string[] {
  if (port.mcast === null) return [];
  const bytes = new Uint8Array(6);
  return [...port.mcast.macs]
    .sort((a, b) => a - b)
    .map((n) => {
      let v = n;
      for (let i = 5; i >= 0; i--) {
        bytes[i] = v % 256;
        v = Math.floor(v / 256);
      }
      return formatMac(bytes);
    });
}
