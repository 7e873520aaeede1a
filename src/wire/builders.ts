/**
 * Builders for the frames a lab needs: Ethernet with any tag stack, ARP, gratuitous ARP, RARP
 * (ESXi's notify-switches frame), ICMP echo, UDP. Inputs are validated and a wrong one throws
 * `FrameInputError` naming the field. Addresses are accepted as text or as bytes/numbers; every
 * frame is padded to 60 bytes and refused over MAX_FRAME_LEN. Checksums are computed.
 */
import { FrameInputError } from './errors.js';
import { parseMac } from './mac.js';
import { parseIpv4Cidr, parseIpv6Cidr } from './ip.js';
import { ETH_HEADER_LEN, EtherType, MAX_FRAME_LEN, MIN_FRAME_LEN, emitEthernet, write16, write32 } from './ethernet.js';
import { finishChecksum, pseudoHeaderSum4, sumWords } from './checksum.js';
import { IPV6_HEADER_LEN, emitIpv6Header, ipv6MulticastMac, solicitedNodeMulticast } from './ipv6.js';
import { emitIcmpv6 } from './icmpv6.js';
import { LLDP_MULTICAST, emitLldpTlvs } from './lldp.js';
import { CDP_MULTICAST, emitCdpPdu } from './cdp.js';
import type { VlanTag } from './vlan-tag.js';
import { TPID_CTAG, TPID_STAG } from './vlan-tag.js';
import { ARP_LEN, emitArp } from './arp.js';
import { IPV4_MAX_PACKET_LEN, IPV4_MIN_HEADER_LEN, emitIpv4Header } from './ipv4.js';
import { ICMP_HEADER_LEN, emitIcmpv4 } from './icmpv4.js';
import { UDP_HEADER_LEN, emitUdp4 } from './udp.js';

/** A MAC as text in any notation mac.ts accepts, or 6 bytes. */
export type MacInput = string | Uint8Array;
/** An IPv4 address as dotted text or an unsigned 32-bit number. */
export type Ipv4Input = string | number;

/** VLAN options shared by all builders. */
export interface TagOptions {
  /** VLAN ID, or a stack outer first; with two or more tags the outer one uses TPID 0x88a8 */
  vlan?: number | number[];
  /** PCP written in every tag (default 0) */
  pcp?: number;
}

export const BROADCAST = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
const ZERO_MAC = new Uint8Array(6);

export function toMac(value: MacInput, field: string): Uint8Array {
  if (value instanceof Uint8Array) {
    if (value.length !== 6) throw new FrameInputError(`${field}: a MAC address is 6 bytes, got ${value.length}`, field);
    return value.slice();
  }
  if (typeof value !== 'string') throw new FrameInputError(`${field}: expected a MAC address like 00:50:56:aa:00:01`, field);
  const b = parseMac(value);
  if (!b) throw new FrameInputError(`${field}: "${value}" is not a MAC address (use 00:50:56:aa:00:01, 00-50-56-aa-00-01 or 0050.56aa.0001)`, field);
  return b;
}

export function toIpv4(value: Ipv4Input, field: string): number {
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0 || value > 0xffff_ffff) {
      throw new FrameInputError(`${field}: ${value} is not an IPv4 address (a whole number 0..4294967295)`, field);
    }
    return value;
  }
  const p = typeof value === 'string' && !value.includes('/') ? parseIpv4Cidr(value) : null;
  if (!p) throw new FrameInputError(`${field}: "${String(value)}" is not an IPv4 address (like 10.0.0.21)`, field);
  return p.address;
}

function intIn(value: unknown, lo: number, hi: number, field: string, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < lo || value > hi) {
    throw new FrameInputError(`${field}: ${String(value)} is out of range for ${what} (${lo}..${hi})`, field);
  }
  return value;
}

/** The tag stack for the builder options, outer first. */
export function tagsFor(opts: TagOptions): VlanTag[] {
  const pcp = opts.pcp === undefined ? 0 : intIn(opts.pcp, 0, 7, 'pcp', 'a priority code point');
  if (opts.vlan === undefined) {
    if (opts.pcp !== undefined && opts.pcp !== 0) throw new FrameInputError('pcp: a priority needs a tag; set vlan (0 for a priority tag)', 'pcp');
    return [];
  }
  const vids = Array.isArray(opts.vlan) ? opts.vlan : [opts.vlan];
  if (vids.length > 2) throw new FrameInputError(`vlan: at most two tags (QinQ), got ${vids.length}`, 'vlan');
  return vids.map((v, i) => ({
    tpid: vids.length > 1 && i === 0 ? TPID_STAG : TPID_CTAG,
    pcp,
    dei: false,
    vid: intIn(v, 0, 4095, 'vlan', 'a VLAN ID'),
  }));
}

/**
 * Allocates a frame for dst/src/tags/ethertype and an L3 body of `l3Length` bytes written by
 * `write(buf, offset)`; pads to 60 bytes; refuses frames over `maxLen`.
 */
export function assemble(
  dst: Uint8Array,
  src: Uint8Array,
  tags: VlanTag[],
  ethertype: number,
  l3Length: number,
  write: (buf: Uint8Array, offset: number) => void,
  maxLen: number = MAX_FRAME_LEN,
): Uint8Array {
  const hdr = ETH_HEADER_LEN + 4 * tags.length;
  const len = hdr + l3Length;
  if (len > maxLen) {
    throw new FrameInputError(`the frame would be ${len} bytes, more than the ${maxLen}-byte maximum (9000-byte jumbo payload + header + two tags)`, 'size');
  }
  const buf = new Uint8Array(Math.max(len, MIN_FRAME_LEN));
  emitEthernet({ dst, src, tags, ethertype }, buf, 0);
  write(buf, hdr);
  return buf;
}

export interface EthernetOptions extends TagOptions {
  dst: MacInput;
  src: MacInput;
  /** EtherType, or an 802.3 length (≤ 1500) */
  ethertype: number;
  payload?: Uint8Array;
}

export function buildEthernet(o: EthernetOptions): Uint8Array {
  const ethertype = intIn(o.ethertype, 0, 0xffff, 'ethertype', 'an EtherType');
  const payload = o.payload ?? new Uint8Array(0);
  return assemble(toMac(o.dst, 'dst'), toMac(o.src, 'src'), tagsFor(o), ethertype, payload.length, (b, off) => b.set(payload, off));
}

export interface ArpOptions extends TagOptions {
  op: 'request' | 'reply';
  /** Ethernet source */
  srcMac: MacInput;
  /** Ethernet destination; default broadcast for a request (required for a reply) */
  dstMac?: MacInput;
  /** default srcMac */
  senderMac?: MacInput;
  senderIp: Ipv4Input;
  /** default 00:00:00:00:00:00 for a request, dstMac for a reply */
  targetMac?: MacInput;
  targetIp: Ipv4Input;
}

export function buildArp(o: ArpOptions): Uint8Array {
  if (o.op !== 'request' && o.op !== 'reply') throw new FrameInputError(`op: "${String(o.op)}" is not an ARP operation (request or reply)`, 'op');
  const src = toMac(o.srcMac, 'srcMac');
  let dst: Uint8Array;
  if (o.dstMac !== undefined) dst = toMac(o.dstMac, 'dstMac');
  else if (o.op === 'request') dst = BROADCAST;
  else throw new FrameInputError('dstMac: an ARP reply needs the MAC it answers', 'dstMac');
  const senderMac = o.senderMac === undefined ? src : toMac(o.senderMac, 'senderMac');
  const targetMac = o.targetMac !== undefined ? toMac(o.targetMac, 'targetMac') : o.op === 'reply' ? dst : ZERO_MAC;
  const arp = {
    ethertype: EtherType.ARP,
    op: o.op === 'request' ? 1 : 2,
    senderMac,
    senderIp: toIpv4(o.senderIp, 'senderIp'),
    targetMac,
    targetIp: toIpv4(o.targetIp, 'targetIp'),
  } as const;
  return assemble(dst, src, tagsFor(o), EtherType.ARP, ARP_LEN, (b, off) => emitArp(arp, b, off));
}

export interface GratuitousArpOptions extends TagOptions {
  srcMac: MacInput;
  ip: Ipv4Input;
}

/** A gratuitous ARP request: broadcast, sender and target IP both `ip`, target MAC zero. */
export function buildGratuitousArp(o: GratuitousArpOptions): Uint8Array {
  return buildArp({ op: 'request', srcMac: o.srcMac, senderIp: o.ip, targetIp: o.ip, vlan: o.vlan, pcp: o.pcp });
}

export interface RarpOptions extends TagOptions {
  srcMac: MacInput;
}

/** ESXi's notify-switches frame (rule T7): RARP request reverse, broadcast, both hardware addresses = srcMac, IPs 0.0.0.0. */
export function buildRarp(o: RarpOptions): Uint8Array {
  const src = toMac(o.srcMac, 'srcMac');
  const arp = { ethertype: EtherType.RARP, op: 3, senderMac: src, senderIp: 0, targetMac: src, targetIp: 0 } as const;
  return assemble(BROADCAST, src, tagsFor(o), EtherType.RARP, ARP_LEN, (b, off) => emitArp(arp, b, off));
}

/** IPv4 options shared by the IP builders. */
export interface Ipv4Options extends TagOptions {
  srcMac: MacInput;
  dstMac: MacInput;
  srcIp: Ipv4Input;
  dstIp: Ipv4Input;
  /** don't fragment (default false) */
  df?: boolean;
  /** default 64 */
  ttl?: number;
  /** IP identification (default: see each builder) */
  identification?: number;
  /** DSCP << 2 | ECN (default 0) */
  tos?: number;
  /**
   * Allow a frame over MAX_FRAME_LEN (an IP packet up to 65535 bytes), only to hand it to
   * `fragmentIpv4` — as a sending stack does before fragmenting.
   */
  oversize?: boolean;
}

function ipHeader(o: Ipv4Options, protocol: number, payloadLength: number, defaultId: number) {
  return {
    src: toIpv4(o.srcIp, 'srcIp'),
    dst: toIpv4(o.dstIp, 'dstIp'),
    protocol,
    ttl: o.ttl === undefined ? 64 : intIn(o.ttl, 0, 255, 'ttl', 'a TTL'),
    identification: o.identification === undefined ? defaultId : intIn(o.identification, 0, 0xffff, 'identification', 'an IP identification'),
    df: o.df ?? false,
    mf: false,
    fragmentOffset: 0,
    tos: o.tos === undefined ? 0 : intIn(o.tos, 0, 255, 'tos', 'a TOS byte'),
    payloadLength,
  };
}

function ipFrame(o: Ipv4Options, protocol: number, l4Length: number, defaultId: number, writeL4: (b: Uint8Array, off: number, src: number, dst: number) => void): Uint8Array {
  const total = IPV4_MIN_HEADER_LEN + l4Length;
  if (total > IPV4_MAX_PACKET_LEN) throw new FrameInputError(`the IP packet would be ${total} bytes, more than 65535`, 'size');
  const h = ipHeader(o, protocol, l4Length, defaultId);
  const maxLen = o.oversize ? ETH_HEADER_LEN + 8 + IPV4_MAX_PACKET_LEN : MAX_FRAME_LEN;
  return assemble(
    toMac(o.dstMac, 'dstMac'),
    toMac(o.srcMac, 'srcMac'),
    tagsFor(o),
    EtherType.IPv4,
    total,
    (b, off) => {
      const hl = emitIpv4Header(h, b, off);
      writeL4(b, off + hl, h.src, h.dst);
    },
    maxLen,
  );
}

export interface IcmpEchoOptions extends Ipv4Options {
  type: 'request' | 'reply';
  /** echo identifier (default 1) */
  id?: number;
  /** sequence number (default 1) */
  seq?: number;
  /** ICMP data bytes, like `ping -s` (default 56); ignored when `data` is given */
  dataSize?: number;
  data?: Uint8Array;
}

/** Echo data as `ping` fills it: bytes counting up from 0x00 (wrapping). */
export function echoPattern(size: number): Uint8Array {
  const d = new Uint8Array(size);
  for (let i = 0; i < size; i++) d[i] = i & 0xff;
  return d;
}

/** ICMP echo request/reply. The IP identification defaults to the sequence number. */
export function buildIcmpEcho(o: IcmpEchoOptions): Uint8Array {
  if (o.type !== 'request' && o.type !== 'reply') throw new FrameInputError(`type: "${String(o.type)}" is not an echo type (request or reply)`, 'type');
  const id = o.id === undefined ? 1 : intIn(o.id, 0, 0xffff, 'id', 'an echo identifier');
  const seq = o.seq === undefined ? 1 : intIn(o.seq, 0, 0xffff, 'seq', 'a sequence number');
  const data = o.data ?? echoPattern(o.dataSize === undefined ? 56 : intIn(o.dataSize, 0, IPV4_MAX_PACKET_LEN - 28, 'dataSize', 'ICMP data bytes'));
  const msg = { type: o.type === 'request' ? 8 : 0, code: 0, id, seq, data };
  return ipFrame(o, 1, ICMP_HEADER_LEN + data.length, seq, (b, off) => emitIcmpv4(msg, b, off));
}

export interface IcmpErrorOptions extends Ipv4Options {
  /** 3 destination unreachable, 11 time exceeded */
  type: number;
  code: number;
  /** next-hop MTU for type 3 code 4 (fragmentation needed) */
  nextHopMtu?: number;
  /** the offending IP packet (header + at least 8 bytes); it is cut to header + 8 bytes */
  original: Uint8Array;
}

/** An ICMP error (destination unreachable, fragmentation needed, time exceeded) quoting `original`. */
export function buildIcmpError(o: IcmpErrorOptions): Uint8Array {
  const type = intIn(o.type, 0, 255, 'type', 'an ICMP type');
  const code = intIn(o.code, 0, 255, 'code', 'an ICMP code');
  const ihl = o.original.length > 0 ? (o.original[0]! & 0x0f) * 4 : 0;
  const quoted = o.original.slice(0, Math.min(o.original.length, ihl + 8));
  const nextHopMtu = o.nextHopMtu === undefined ? undefined : intIn(o.nextHopMtu, 0, 0xffff, 'nextHopMtu', 'an MTU');
  const msg = { type, code, nextHopMtu, data: quoted };
  return ipFrame(o, 1, ICMP_HEADER_LEN + quoted.length, 0, (b, off) => emitIcmpv4(msg, b, off));
}

export interface UdpOptions extends Ipv4Options {
  /** default 49152 */
  srcPort?: number;
  dstPort: number;
  payload?: Uint8Array;
}

/** A UDP datagram with its checksum over the pseudo-header. IP identification defaults to 0. */
export function buildUdp(o: UdpOptions): Uint8Array {
  const srcPort = o.srcPort === undefined ? 49152 : intIn(o.srcPort, 0, 0xffff, 'srcPort', 'a port');
  const dstPort = intIn(o.dstPort, 0, 0xffff, 'dstPort', 'a port');
  const payload = o.payload ?? new Uint8Array(0);
  return ipFrame(o, 17, UDP_HEADER_LEN + payload.length, 0, (b, off, s, d) => emitUdp4(srcPort, dstPort, payload, s, d, b, off));
}

export interface TcpOptions extends Ipv4Options {
  srcPort: number;
  dstPort: number;
  seq?: number;
  ack?: number;
  /** flag bits (TcpFlag), default SYN */
  flags?: number;
  /** default 64240 */
  window?: number;
  payload?: Uint8Array;
}

/** A TCP segment (no options) with its checksum; for display and tests — the lab has no TCP stack. */
export function buildTcp(o: TcpOptions): Uint8Array {
  const srcPort = intIn(o.srcPort, 0, 0xffff, 'srcPort', 'a port');
  const dstPort = intIn(o.dstPort, 0, 0xffff, 'dstPort', 'a port');
  const seq = o.seq === undefined ? 0 : intIn(o.seq, 0, 0xffff_ffff, 'seq', 'a sequence number');
  const ack = o.ack === undefined ? 0 : intIn(o.ack, 0, 0xffff_ffff, 'ack', 'an acknowledgement number');
  const flags = o.flags === undefined ? 0x002 : intIn(o.flags, 0, 0x1ff, 'flags', 'TCP flags');
  const window = o.window === undefined ? 64240 : intIn(o.window, 0, 0xffff, 'window', 'a window');
  const payload = o.payload ?? new Uint8Array(0);
  const len = 20 + payload.length;
  return ipFrame(o, 6, len, 0, (b, off, s, d) => {
    write16(b, off, srcPort);
    write16(b, off + 2, dstPort);
    write32(b, off + 4, seq);
    write32(b, off + 8, ack);
    b[off + 12] = (5 << 4) | (flags >>> 8);
    b[off + 13] = flags & 0xff;
    write16(b, off + 14, window);
    b.set(payload, off + 20);
    write16(b, off + 16, finishChecksum(sumWords(b, off, len, pseudoHeaderSum4(s, d, 6, len))));
  });
}

/** An IPv6 address as text or 16 bytes. */
export type Ipv6Input = string | Uint8Array;

export function toIpv6(value: Ipv6Input, field: string): Uint8Array {
  if (value instanceof Uint8Array) {
    if (value.length !== 16) throw new FrameInputError(`${field}: an IPv6 address is 16 bytes, got ${value.length}`, field);
    return value.slice();
  }
  const p = typeof value === 'string' && !value.includes('/') ? parseIpv6Cidr(value) : null;
  if (!p) throw new FrameInputError(`${field}: "${String(value)}" is not an IPv6 address (like 2001:db8::21)`, field);
  return p.address;
}

interface Ipv6FrameOptions extends TagOptions {
  srcMac: MacInput;
  srcIp: Ipv6Input;
  /** default 64 (255 for neighbour discovery) */
  hopLimit?: number;
}

function icmpv6Frame(o: Ipv6FrameOptions, dstMac: Uint8Array, dst: Uint8Array, defaultHop: number, type: number, code: number, word: number, body: Uint8Array): Uint8Array {
  const src = toIpv6(o.srcIp, 'srcIp');
  const hopLimit = o.hopLimit === undefined ? defaultHop : intIn(o.hopLimit, 0, 255, 'hopLimit', 'a hop limit');
  const len = 8 + body.length;
  return assemble(dstMac, toMac(o.srcMac, 'srcMac'), tagsFor(o), EtherType.IPv6, IPV6_HEADER_LEN + len, (b, off) => {
    emitIpv6Header({ src, dst, nextHeader: 58, hopLimit, payloadLength: len }, b, off);
    emitIcmpv6(type, code, word, body, src, dst, b, off + IPV6_HEADER_LEN);
  });
}

export interface Icmpv6EchoOptions extends Ipv6FrameOptions {
  type: 'request' | 'reply';
  dstMac: MacInput;
  dstIp: Ipv6Input;
  id?: number;
  seq?: number;
  /** default 56 */
  dataSize?: number;
  data?: Uint8Array;
}

export function buildIcmpv6Echo(o: Icmpv6EchoOptions): Uint8Array {
  if (o.type !== 'request' && o.type !== 'reply') throw new FrameInputError(`type: "${String(o.type)}" is not an echo type (request or reply)`, 'type');
  const id = o.id === undefined ? 1 : intIn(o.id, 0, 0xffff, 'id', 'an echo identifier');
  const seq = o.seq === undefined ? 1 : intIn(o.seq, 0, 0xffff, 'seq', 'a sequence number');
  const data = o.data ?? echoPattern(o.dataSize === undefined ? 56 : intIn(o.dataSize, 0, 65487, 'dataSize', 'ICMPv6 data bytes'));
  return icmpv6Frame(o, toMac(o.dstMac, 'dstMac'), toIpv6(o.dstIp, 'dstIp'), 64, o.type === 'request' ? 128 : 129, 0, ((id << 16) | seq) >>> 0, data);
}

function ndBody(target: Uint8Array, optType: number, mac: Uint8Array): Uint8Array {
  const body = new Uint8Array(24);
  body.set(target, 0);
  body[16] = optType;
  body[17] = 1;
  body.set(mac, 18);
  return body;
}

export interface NeighborSolicitationOptions extends Ipv6FrameOptions {
  /** the address being resolved */
  targetIp: Ipv6Input;
}

/** Neighbour solicitation to the target's solicited-node multicast group, with the source link-layer address option. */
export function buildNeighborSolicitation(o: NeighborSolicitationOptions): Uint8Array {
  const target = toIpv6(o.targetIp, 'targetIp');
  const dst = solicitedNodeMulticast(target);
  return icmpv6Frame(o, ipv6MulticastMac(dst), dst, 255, 135, 0, 0, ndBody(target, 1, toMac(o.srcMac, 'srcMac')));
}

export interface NeighborAdvertisementOptions extends Ipv6FrameOptions {
  dstMac: MacInput;
  dstIp: Ipv6Input;
  /** default srcIp */
  targetIp?: Ipv6Input;
  /** default true */
  solicited?: boolean;
  /** default true */
  override?: boolean;
  /** default false */
  router?: boolean;
}

/** Neighbour advertisement with the target link-layer address option (srcMac). */
export function buildNeighborAdvertisement(o: NeighborAdvertisementOptions): Uint8Array {
  const target = toIpv6(o.targetIp ?? o.srcIp, 'targetIp');
  const flags = ((o.router ? 0x80 : 0) | ((o.solicited ?? true) ? 0x40 : 0) | ((o.override ?? true) ? 0x20 : 0)) << 24;
  return icmpv6Frame(o, toMac(o.dstMac, 'dstMac'), toIpv6(o.dstIp, 'dstIp'), 255, 136, 0, flags >>> 0, ndBody(target, 2, toMac(o.srcMac, 'srcMac')));
}

export interface LldpOptions extends TagOptions {
  srcMac: MacInput;
  /** Chassis ID as a MAC (default srcMac) */
  chassisMac?: MacInput;
  /** Port ID as an interface name, e.g. vmnic0 */
  portId: string;
  /** default 120 s */
  ttl?: number;
  systemName?: string;
}

/** An LLDPDU to 01:80:c2:00:00:0e. */
export function buildLldp(o: LldpOptions): Uint8Array {
  const src = toMac(o.srcMac, 'srcMac');
  const chassis = o.chassisMac === undefined ? src : toMac(o.chassisMac, 'chassisMac');
  if (typeof o.portId !== 'string' || o.portId.length === 0 || o.portId.length > 255) throw new FrameInputError('portId: 1..255 characters, like vmnic0', 'portId');
  const ttl = o.ttl === undefined ? 120 : intIn(o.ttl, 0, 0xffff, 'ttl', 'an LLDP TTL');
  const pdu = emitLldpTlvs(chassis, o.portId, ttl, o.systemName);
  return assemble(LLDP_MULTICAST, src, tagsFor(o), EtherType.LLDP, pdu.length, (b, off) => b.set(pdu, off));
}

export interface CdpOptions extends TagOptions {
  srcMac: MacInput;
  deviceId: string;
  portId: string;
  /** default "VMware ESX" */
  platform?: string;
  /** default 180 s */
  ttl?: number;
}

/** A CDP v2 announcement: 802.3 + LLC/SNAP (OUI 00:00:0c, PID 0x2000) to 01:00:0c:cc:cc:cc. */
export function buildCdp(o: CdpOptions): Uint8Array {
  const src = toMac(o.srcMac, 'srcMac');
  const ttl = o.ttl === undefined ? 180 : intIn(o.ttl, 0, 255, 'ttl', 'a CDP TTL');
  for (const f of ['deviceId', 'portId'] as const) {
    if (typeof o[f] !== 'string' || o[f].length === 0 || o[f].length > 200) throw new FrameInputError(`${f}: 1..200 characters`, f);
  }
  const pdu = emitCdpPdu(ttl, [
    [1, o.deviceId],
    [3, o.portId],
    [6, o.platform ?? 'VMware ESX'],
  ]);
  const llc = Uint8Array.from([0xaa, 0xaa, 0x03, 0x00, 0x00, 0x0c, 0x20, 0x00]);
  const len = llc.length + pdu.length;
  return assemble(CDP_MULTICAST, src, tagsFor(o), len, len, (b, off) => {
    b.set(llc, off);
    b.set(pdu, off + llc.length);
  });
}
