/**
 * Test frames described in words (a `FrameSpec` of the topology schema: `{kind:'icmp-echo',
 * dstIp:'10.0.0.22'}`) turned into bytes for one sending interface. Used by `vswitch-lab
 * send/explain/test`, the topology's `tests` block and the server's frame endpoints.
 *
 * Defaults come from the sending interface (`from`):
 * - source MAC: its effective MAC (what the guest currently uses, rule S2);
 * - sender / source IP: its IPv4 address; when the frame carries one 802.1Q tag that matches a
 *   guest VLAN sub-interface (VLAN 4095 port groups, V3), that sub-interface's address;
 * - VLAN: none, except (a) a physical host NIC configured with `vlan` tags its frames with it,
 *   and (b) an icmp-echo/udp from a vNIC whose untagged address is not on dstIp's subnet but
 *   one of its guest VLAN sub-interfaces is: the frame is tagged with that sub-interface's VLAN
 *   (what the guest's routing table would pick);
 * - destination MAC: broadcast for arp-request, gratuitous-arp, rarp and (when `dst` is not
 *   given) ethernet. For icmp-echo and udp the **lab knows the answer**: instead of resolving
 *   the address with ARP first, the resolver looks the address up in the topology — the
 *   effective MAC of the interface that owns dstIp when dstIp is on the sender's subnet, else the
 *   MAC of the interface that owns the sender's gateway, else broadcast. A real stack would ARP;
 *   use `ping` (which does) to see that exchange. For arp-reply: `dst`, else `targetMac`, else
 *   the owner of targetIp.
 *   When several interfaces own an address (the same subnet reused in two VLANs), the first one
 *   in topology order other than the sender wins; give `dst` to choose.
 *
 * Bad input throws `FrameInputError` (src/wire) whose message starts with the field; an unknown
 * sending interface throws the lab's `LabError` (from `view.effectiveMac`).
 */
import {
  FrameInputError,
  buildArp,
  buildEthernet,
  buildGratuitousArp,
  buildIcmpEcho,
  buildRarp,
  buildUdp,
  echoPattern,
  formatMac,
  fromHex,
  ipv4ToString,
  parseIpv4Cidr,
  parseMac,
  sameSubnet4,
} from '../wire/index.js';
import { FrameSpec, type TopologyDoc } from '../topology/schema.js';

/**
 * What the resolver needs from a lab. `Lab` (lab.ts) satisfies it; tests can pass a plain
 * object built from a topology, with no fabric.
 */
export interface FrameSpecView {
  /** The MAC `iface` currently sends with (`node:interface`); throws (LabError) when unknown. */
  effectiveMac(iface: string): string | Uint8Array;
  /** The topology the lab runs: addresses, gateways, guest VLAN sub-interfaces. */
  readonly topology: TopologyDoc;
}

/** One L3 address of an endpoint interface. */
export interface AddressEntry {
  /** `node:interface` */
  iface: string;
  kind: 'vnic' | 'vmk' | 'physical-nic';
  /** unsigned 32-bit */
  address: number;
  prefix: number;
  /** guest VLAN sub-interface's VLAN (V3), or a physical NIC's configured VLAN */
  vlan?: number;
  /** the interface's default gateway (unsigned 32-bit) */
  gateway?: number;
}

/** Addressing of the endpoints of a topology, by interface and by address. */
export interface AddressBook {
  /** untagged address first, then guest VLAN sub-interfaces, per interface */
  byIface: Map<string, AddressEntry[]>;
  /** every owner of an address, in topology order */
  byAddress: Map<number, AddressEntry[]>;
  /** physical host NICs that tag their frames (`vlan`) */
  nicVlan: Map<string, number>;
}

const books = new WeakMap<TopologyDoc, AddressBook>();

/** The address book of a topology (computed once per topology object). */
export function addressBook(topology: TopologyDoc): AddressBook {
  let book = books.get(topology);
  if (book) return book;
  book = { byIface: new Map(), byAddress: new Map(), nicVlan: new Map() };
  const b = book;
  const add = (iface: string, kind: AddressEntry['kind'], cidr: string | undefined, gateway: string | undefined, vlan?: number) => {
    const list = b.byIface.get(iface) ?? [];
    b.byIface.set(iface, list);
    const p = cidr === undefined ? null : parseIpv4Cidr(cidr);
    if (!p) return;
    const g = gateway === undefined ? null : parseIpv4Cidr(gateway);
    const e: AddressEntry = { iface, kind, address: p.address, prefix: p.prefix };
    if (vlan !== undefined) e.vlan = vlan;
    if (g) e.gateway = g.address;
    list.push(e);
    const owners = b.byAddress.get(p.address) ?? [];
    owners.push(e);
    b.byAddress.set(p.address, owners);
  };
  for (const h of topology.hosts) for (const k of h.vmkernel) add(`${h.name}:${k.name}`, 'vmk', k.ipv4, k.gateway);
  for (const vm of topology.vms) {
    for (const n of vm.nics) {
      const id = `${vm.name}:${n.name}`;
      add(id, 'vnic', n.ipv4, n.gateway);
      for (const s of n.vlans ?? []) add(id, 'vnic', s.ipv4, undefined, s.vlan);
    }
  }
  for (const ph of topology.physicalHosts) {
    for (const n of ph.nics) {
      const id = `${ph.name}:${n.name}`;
      add(id, 'physical-nic', n.ipv4, n.gateway, n.vlan);
      if (n.vlan !== undefined) b.nicVlan.set(id, n.vlan);
    }
  }
  books.set(topology, book);
  return book;
}

function macBytes(value: string | Uint8Array, what: string): Uint8Array {
  if (value instanceof Uint8Array) return value;
  const m = parseMac(value);
  if (!m) throw new FrameInputError(`src: the lab gave "${value}" as the MAC of ${what}`, 'src');
  return m;
}

/** `src`/`dst` given in the spec, as bytes. */
function givenMac(text: string | undefined, field: string): Uint8Array | undefined {
  if (text === undefined) return undefined;
  const m = parseMac(text);
  if (!m) throw new FrameInputError(`${field}: "${text}" is not a MAC address (use 00:50:56:aa:00:01, 00-50-56-aa-00-01 or 0050.56aa.0001)`, field);
  return m;
}

function ip(text: string, field: string): number {
  const p = text.includes('/') ? null : parseIpv4Cidr(text);
  if (!p) throw new FrameInputError(`${field}: "${text}" is not an IPv4 address (like 10.0.0.21)`, field);
  return p.address;
}

/** The payload of a spec: `payloadHex`, or `payloadLength` bytes of a counting pattern (00 01 02 ...), not both. */
function payloadOf(s: { payloadHex?: string | undefined; payloadLength?: number | undefined }): Uint8Array | undefined {
  const hex = hexPayload(s.payloadHex, 'payloadHex');
  if (s.payloadLength === undefined) return hex;
  if (hex !== undefined) throw new FrameInputError('payloadLength: give payloadHex or payloadLength, not both', 'payloadLength');
  return echoPattern(s.payloadLength);
}

/** IPv4 TTL and TOS byte (DSCP << 2) of a spec; the builder's defaults when not given. */
function ipFields(s: { ttl?: number | undefined; dscp?: number | undefined }): { ttl?: number; tos?: number } {
  const o: { ttl?: number; tos?: number } = {};
  if (s.ttl !== undefined) o.ttl = s.ttl;
  if (s.dscp !== undefined) o.tos = s.dscp << 2;
  return o;
}

function hexPayload(text: string | undefined, field: string): Uint8Array | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  try {
    return fromHex(text);
  } catch (err) {
    if (err instanceof FrameInputError) throw new FrameInputError(`${field}: ${err.message}`, field);
    throw err;
  }
}

/** A single-tag VLAN of the spec (the tag a guest sub-interface would use), or undefined. */
function singleVlan(vlan: number | number[] | undefined): number | undefined {
  if (vlan === undefined) return undefined;
  if (typeof vlan === 'number') return vlan;
  return vlan.length === 1 ? vlan[0] : undefined;
}

/** The L3 address the sender uses: the sub-interface of the frame's VLAN, else the untagged one. */
function senderAddress(entries: AddressEntry[], vlan: number | number[] | undefined, kind: AddressEntry['kind'] | undefined): AddressEntry | undefined {
  if (kind !== 'vnic') return entries[0];
  const v = singleVlan(vlan);
  return (v === undefined ? undefined : entries.find((e) => e.vlan === v)) ?? entries.find((e) => e.vlan === undefined);
}

function owner(book: AddressBook, address: number, from: string): AddressEntry | undefined {
  const owners = book.byAddress.get(address) ?? [];
  return owners.find((o) => o.iface !== from) ?? owners[0];
}

/**
 * Resolves a frame spec (`FrameSpecDoc` of the topology schema) for interface `from` into bytes.
 * `spec` may be untrusted (an API body): it is checked against the schema first.
 */
export function resolveFrameSpec(view: FrameSpecView, from: string, spec: unknown): Uint8Array {
  const parsed = FrameSpec.safeParse(spec);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.length > 0 ? issue.path.map(String).join('.') : 'kind';
    const msg = issue.code === 'invalid_union' && issue.path.length === 0
      ? 'kind: must be one of hex, ethernet, arp-request, arp-reply, gratuitous-arp, rarp, icmp-echo, udp'
      : `${field}: ${issue.message}`;
    throw new FrameInputError(msg, field);
  }
  const s = parsed.data;
  if (s.kind === 'hex') return fromHex(s.hex);
  if (!view.topology) throw new FrameInputError(`kind: only {kind:'hex'} frames can be built without the lab's topology`, 'kind');

  const book = addressBook(view.topology);
  const entries = book.byIface.get(from);
  const kind = entries?.[0]?.kind ?? (entries ? endpointKind(view.topology, from) : undefined);
  if (s.src === undefined && view.topology.physicalSwitches.some((sw) => sw.ports.some((p) => `${sw.name}:${p.name}` === from))) {
    throw new FrameInputError(`src: ${from} is a physical switch port and has no MAC of its own; give src (a MAC)`, 'src');
  }
  const src = givenMac(s.src, 'src') ?? macBytes(view.effectiveMac(from), from);
  const dstGiven = givenMac(s.dst, 'dst');
  let vlan: number | number[] | undefined = s.vlan ?? book.nicVlan.get(from);
  const pcp = s.pcp;

  const needSender = (field: string, given: string | undefined, useVlan: number | number[] | undefined): number => {
    if (given !== undefined) return ip(given, field);
    const e = senderAddress(entries ?? [], useVlan, kind);
    if (!e) {
      const stack = Array.isArray(useVlan) && useVlan.length > 1 ? useVlan : undefined;
      const where = stack
        ? ` for the tag stack ${stack.join(',')}: a guest VLAN sub-interface carries one tag`
        : singleVlan(useVlan) !== undefined && kind === 'vnic'
        ? ` in VLAN ${singleVlan(useVlan)}`
        : '';
      const has = (entries ?? []).filter((e) => e.vlan !== undefined).map((e) => `VLAN ${e.vlan} ${ipv4ToString(e.address)}`);
      const itHas = kind === 'vnic' && has.length > 0 ? ` (its sub-interfaces: ${has.join(', ')})` : '';
      throw new FrameInputError(
        entries
          ? `${field}: ${from} has no IPv4 address${where}${itHas}; give ${field} (an IPv4 address)`
          : `${field}: ${from} is not an endpoint with an IPv4 address (vNIC, vmk or physical NIC); give ${field} (an IPv4 address)`,
        field,
      );
    }
    return e.address;
  };

  switch (s.kind) {
    case 'ethernet':
      return buildEthernet({ dst: dstGiven ?? BROADCAST_BYTES, src, ethertype: s.ethertype, payload: payloadOf(s), vlan, pcp });
    case 'arp-request':
      return buildArp({ op: 'request', srcMac: src, dstMac: dstGiven, senderIp: needSender('senderIp', s.senderIp, vlan), targetIp: ip(s.targetIp, 'targetIp'), vlan, pcp });
    case 'arp-reply': {
      const target = ip(s.targetIp, 'targetIp');
      const targetMac = givenMac(s.targetMac, 'targetMac');
      let dst = dstGiven ?? targetMac;
      if (!dst) {
        const o = owner(book, target, from);
        if (!o) throw new FrameInputError(`dst: no interface of the topology owns ${ipv4ToString(target)}; give dst or targetMac`, 'dst');
        dst = macBytes(view.effectiveMac(o.iface), o.iface);
      }
      return buildArp({ op: 'reply', srcMac: src, dstMac: dst, targetMac, senderIp: needSender('senderIp', s.senderIp, vlan), targetIp: target, vlan, pcp });
    }
    case 'gratuitous-arp':
      return buildGratuitousArp({ srcMac: src, ip: needSender('ip', s.ip, vlan), vlan, pcp });
    case 'rarp':
      if (dstGiven) throw new FrameInputError('dst: a RARP announcement is always broadcast', 'dst');
      return buildRarp({ srcMac: src, vlan, pcp });
    case 'icmp-echo':
    case 'udp': {
      const dstIp = ip(s.dstIp, 'dstIp');
      if (s.vlan === undefined && kind === 'vnic' && entries) {
        // a guest with VLAN sub-interfaces sends out of the one on dstIp's subnet
        const untagged = entries.find((e) => e.vlan === undefined);
        if (!untagged || !sameSubnet4(untagged.address, dstIp, untagged.prefix)) {
          const sub = entries.find((e) => e.vlan !== undefined && sameSubnet4(e.address, dstIp, e.prefix));
          if (sub) vlan = sub.vlan;
        }
      }
      const srcIp = needSender('srcIp', s.srcIp, vlan);
      const dst = dstGiven ?? nextHopMac(view, book, from, entries ?? [], srcIp, dstIp);
      const common = { srcMac: src, dstMac: dst, srcIp, dstIp, vlan, pcp, ...ipFields(s) };
      if (s.kind === 'icmp-echo') {
        return buildIcmpEcho({ ...common, type: 'request', id: s.id, seq: s.seq, dataSize: s.size, df: s.df });
      }
      return buildUdp({ ...common, srcPort: s.srcPort, dstPort: s.dstPort, payload: payloadOf(s), df: s.df });
    }
  }
}

const BROADCAST_BYTES = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);

/** "The lab knows the answer": the MAC an ARP for the next hop would have returned (see the module comment). */
function nextHopMac(view: FrameSpecView, book: AddressBook, from: string, entries: AddressEntry[], srcIp: number, dstIp: number): Uint8Array {
  const mine = entries.find((e) => e.address === srcIp);
  const onLink = mine ? sameSubnet4(mine.address, dstIp, mine.prefix) : true;
  let hop: number | undefined = dstIp;
  if (!onLink) hop = mine?.gateway ?? entries.find((e) => e.gateway !== undefined)?.gateway;
  if (hop === undefined) return BROADCAST_BYTES;
  const o = owner(book, hop, from);
  if (!o) return BROADCAST_BYTES;
  return macBytes(view.effectiveMac(o.iface), o.iface);
}

function endpointKind(topology: TopologyDoc, iface: string): AddressEntry['kind'] | undefined {
  const [node, name] = iface.split(':');
  if (topology.vms.some((v) => v.name === node && v.nics.some((n) => n.name === name))) return 'vnic';
  if (topology.hosts.some((h) => h.name === node && h.vmkernel.some((k) => k.name === name))) return 'vmk';
  if (topology.physicalHosts.some((h) => h.name === node && h.nics.some((n) => n.name === name))) return 'physical-nic';
  return undefined;
}

/**
 * A `FrameSpecView` from a topology alone: effective MAC = the configured MAC. For tests and
 * for resolving before a lab exists; throws FrameInputError for an unknown interface.
 */
export function staticFrameSpecView(topology: TopologyDoc): FrameSpecView {
  const macs = new Map<string, string>();
  for (const h of topology.hosts) {
    for (const n of h.nics) macs.set(`${h.name}:${n.name}`, n.mac);
    for (const k of h.vmkernel) macs.set(`${h.name}:${k.name}`, k.mac);
  }
  for (const vm of topology.vms) for (const n of vm.nics) macs.set(`${vm.name}:${n.name}`, n.mac);
  for (const ph of topology.physicalHosts) for (const n of ph.nics) macs.set(`${ph.name}:${n.name}`, n.mac);
  return {
    topology,
    effectiveMac(iface: string): string {
      const m = macs.get(iface);
      if (m === undefined) throw new FrameInputError(`from: no interface "${iface}" with a MAC in the topology`, 'from');
      return formatMac(parseMac(m)!);
    },
  };
}
