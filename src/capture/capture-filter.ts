/**
 * Capture filters, like pktcap-uw's: MAC (source, destination or either), VLAN, EtherType, IP
 * address or prefix (source, destination or either; IPv4 and IPv6), IP protocol, direction.
 * All given conditions must hold. A filter is compiled once into numbers and byte arrays; matching
 * reads the frame in place and allocates nothing.
 *
 * Text form (`--capture-filter`), pktcap-uw's words, comma-separated:
 *   mac=00:50:56:aa:00:01  srcmac=…  dstmac=…  vlan=10  ethtype=0x0806|arp|ipv4|ipv6|rarp|lldp
 *   ip=10.0.0.5|10.0.0.0/24|2001:db8::5  srcip=…  dstip=…  proto=icmp|tcp|udp|icmpv6|<0..255>  dir=in|out
 *
 * Meaning at a capture point:
 * - VLAN: the VLAN the frame is in there — the tag it carries, else the VLAN the engine
 *   classified it in, else the point's untagged VLAN (a VST port group's VLAN, an access port's
 *   VLAN, a trunk's native VLAN; 0 = the vSwitch's untagged domain).
 * - EtherType: the one after all VLAN tags (so `ethtype=arp` finds tagged ARP too).
 * - IP addresses also match the sender/target addresses of ARP and RARP (as `host` in tcpdump).
 * - Direction applies to points that have one; Drop records always pass it.
 */
import {
  ARP_LEN,
  ArpField,
  DST_OFFSET,
  ETH_HEADER_LEN,
  EtherType,
  IPV4_MIN_HEADER_LEN,
  IPV6_HEADER_LEN,
  Ipv4Field,
  Ipv6Field,
  SRC_OFFSET,
  arpHlen,
  arpPlen,
  etherTypeBefore,
  ipv4Protocol,
  ipv4Version,
  ipv6NextHeader,
  l3Offset,
  macToNumber,
  outerVid,
  parseIpv4Cidr,
  parseIpv6Cidr,
  parseMac,
  read32,
} from '../wire/index.js';
import type { CaptureDirection } from './capture-file.js';

export interface CaptureFilterSpec {
  /** source or destination MAC */
  mac?: string;
  srcMac?: string;
  dstMac?: string;
  /** 0..4095 (0: untagged domain) */
  vlan?: number;
  /** after the VLAN tags; a number or a name (arp, rarp, ipv4, ipv6, lldp) */
  ethertype?: number | string;
  /** source or destination IPv4/IPv6 address or prefix */
  ip?: string;
  srcIp?: string;
  dstIp?: string;
  /** IP protocol / IPv6 next header: a number or icmp, igmp, tcp, udp, icmpv6 */
  ipProto?: number | string;
  direction?: CaptureDirection;
}

/** Bad filter input: the message names the field and what is accepted. */
export class CaptureFilterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CaptureFilterError';
  }
}

const ETHERTYPE_NAMES: Record<string, number> = {
  arp: EtherType.ARP,
  rarp: EtherType.RARP,
  ipv4: EtherType.IPv4,
  ip: EtherType.IPv4,
  ipv6: EtherType.IPv6,
  lldp: EtherType.LLDP,
  vlan: EtherType.VLAN,
};
const PROTO_NAMES: Record<string, number> = { icmp: 1, igmp: 2, tcp: 6, udp: 17, icmpv6: 58, ipv6icmp: 58, gre: 47, esp: 50, sctp: 132 };

/** Direction codes as the session passes them: 0 none, 1 inbound, 2 outbound. */
export const DIR_NONE = 0;
export const DIR_INBOUND = 1;
export const DIR_OUTBOUND = 2;

export function directionCode(d: CaptureDirection | undefined): number {
  return d === 'inbound' ? DIR_INBOUND : d === 'outbound' ? DIR_OUTBOUND : DIR_NONE;
}

/** An address condition: IPv4 (value + mask) or IPv6 (16 bytes + prefix). */
interface AddrCond {
  v6: boolean;
  v4: number;
  v4mask: number;
  v6bytes: Uint8Array;
  prefix: number;
}

function parseAddr(text: string, field: string): AddrCond {
  const v4 = parseIpv4Cidr(text);
  if (v4) {
    const mask = v4.prefix === 0 ? 0 : (0xffff_ffff << (32 - v4.prefix)) >>> 0;
    return { v6: false, v4: (v4.address & mask) >>> 0, v4mask: mask, v6bytes: new Uint8Array(0), prefix: v4.prefix };
  }
  const v6 = parseIpv6Cidr(text);
  if (v6) return { v6: true, v4: 0, v4mask: 0, v6bytes: v6.address, prefix: v6.prefix };
  throw new CaptureFilterError(`${field}: "${text}" is not an IPv4 or IPv6 address or prefix (10.0.0.5, 10.0.0.0/24, 2001:db8::5)`);
}

function addrAt(c: AddrCond, b: Uint8Array, o: number, v6: boolean): boolean {
  if (c.v6 !== v6) return false;
  if (!v6) return ((read32(b, o) & c.v4mask) >>> 0) === c.v4;
  let bits = c.prefix;
  for (let i = 0; i < 16 && bits > 0; i++, bits -= 8) {
    const m = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((b[o + i]! & m) !== (c.v6bytes[i]! & m)) return false;
  }
  return true;
}

function macOf(text: string, field: string): number {
  const b = parseMac(text);
  if (!b) throw new CaptureFilterError(`${field}: "${text}" is not a MAC address (00:50:56:aa:00:01)`);
  return macToNumber(b, 0);
}

function numberOf(value: number | string, field: string, names: Record<string, number>, max: number): number {
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= 0 && value <= max) return value;
    throw new CaptureFilterError(`${field}: ${value} is not a whole number in 0..${max}`);
  }
  const t = value.trim().toLowerCase();
  if (t in names) return names[t]!;
  const n = /^0x[0-9a-f]+$/.test(t) ? parseInt(t.slice(2), 16) : /^\d+$/.test(t) ? Number(t) : NaN;
  if (Number.isInteger(n) && n >= 0 && n <= max) return n;
  throw new CaptureFilterError(`${field}: "${value}" is not ${Object.keys(names).join(', ')} or a number in 0..${max} (decimal or 0x hex)`);
}

/** A compiled filter. `matches` reads the frame in place. */
export class CaptureFilter {
  /** true when the filter has no condition (every packet passes) */
  readonly empty: boolean;
  private readonly mac: number;
  private readonly srcMac: number;
  private readonly dstMac: number;
  private readonly vlan: number;
  private readonly ethertype: number;
  private readonly ip: AddrCond | null;
  private readonly srcIp: AddrCond | null;
  private readonly dstIp: AddrCond | null;
  private readonly proto: number;
  private readonly dir: number;
  private readonly needsL3: boolean;
  private readonly text: string;

  constructor(spec: CaptureFilterSpec = {}) {
    const words: string[] = [];
    const has = (k: keyof CaptureFilterSpec): boolean => spec[k] !== undefined;
    this.mac = has('mac') ? macOf(spec.mac!, 'mac') : -1;
    this.srcMac = has('srcMac') ? macOf(spec.srcMac!, 'srcmac') : -1;
    this.dstMac = has('dstMac') ? macOf(spec.dstMac!, 'dstmac') : -1;
    if (has('vlan')) {
      const v = spec.vlan!;
      if (!Number.isInteger(v) || v < 0 || v > 4095) throw new CaptureFilterError(`vlan: ${v} is not a VLAN ID in 0..4095`);
      this.vlan = v;
    } else this.vlan = -1;
    this.ethertype = has('ethertype') ? numberOf(spec.ethertype!, 'ethtype', ETHERTYPE_NAMES, 0xffff) : -1;
    this.ip = has('ip') ? parseAddr(spec.ip!, 'ip') : null;
    this.srcIp = has('srcIp') ? parseAddr(spec.srcIp!, 'srcip') : null;
    this.dstIp = has('dstIp') ? parseAddr(spec.dstIp!, 'dstip') : null;
    this.proto = has('ipProto') ? numberOf(spec.ipProto!, 'proto', PROTO_NAMES, 255) : -1;
    if (has('direction') && spec.direction !== 'inbound' && spec.direction !== 'outbound') {
      throw new CaptureFilterError(`dir: "${String(spec.direction)}" is not in or out`);
    }
    this.dir = directionCode(spec.direction);
    this.needsL3 = this.ethertype >= 0 || this.ip !== null || this.srcIp !== null || this.dstIp !== null || this.proto >= 0;
    if (spec.mac !== undefined) words.push(`mac=${spec.mac}`);
    if (spec.srcMac !== undefined) words.push(`srcmac=${spec.srcMac}`);
    if (spec.dstMac !== undefined) words.push(`dstmac=${spec.dstMac}`);
    if (spec.vlan !== undefined) words.push(`vlan=${spec.vlan}`);
    if (spec.ethertype !== undefined) words.push(`ethtype=${typeof spec.ethertype === 'number' ? `0x${spec.ethertype.toString(16).padStart(4, '0')}` : spec.ethertype}`);
    if (spec.ip !== undefined) words.push(`ip=${spec.ip}`);
    if (spec.srcIp !== undefined) words.push(`srcip=${spec.srcIp}`);
    if (spec.dstIp !== undefined) words.push(`dstip=${spec.dstIp}`);
    if (spec.ipProto !== undefined) words.push(`proto=${spec.ipProto}`);
    if (spec.direction !== undefined) words.push(`dir=${spec.direction === 'inbound' ? 'in' : 'out'}`);
    this.text = words.join(',');
    this.empty = words.length === 0;
  }

  /** The filter in `--capture-filter` text form ('' when empty). */
  toString(): string {
    return this.text;
  }

  /**
   * Does a packet pass? `dir`: DIR_NONE / DIR_INBOUND / DIR_OUTBOUND (DIR_NONE always passes the
   * direction condition). `vlan`: the VLAN the frame is in at that point when known, else -1.
   * `untaggedVlan`: the point's VLAN for untagged frames (-1 unknown).
   */
  matches(frame: Uint8Array, dir: number, vlan: number, untaggedVlan = -1): boolean {
    if (this.dir !== DIR_NONE && dir !== DIR_NONE && dir !== this.dir) return false;
    const len = frame.length;
    if (len < ETH_HEADER_LEN) return this.mac < 0 && this.srcMac < 0 && this.dstMac < 0 && this.vlan < 0 && !this.needsL3;
    if (this.mac >= 0 || this.srcMac >= 0 || this.dstMac >= 0) {
      const dst = macToNumber(frame, DST_OFFSET);
      const src = macToNumber(frame, SRC_OFFSET);
      if (this.mac >= 0 && dst !== this.mac && src !== this.mac) return false;
      if (this.srcMac >= 0 && src !== this.srcMac) return false;
      if (this.dstMac >= 0 && dst !== this.dstMac) return false;
    }
    if (this.vlan >= 0) {
      // the outer tag's VID when it has one (any TPID a capture shows as a tag; a priority tag has none)
      const tagged = outerVid(frame);
      const v = tagged > 0 ? tagged : vlan >= 0 ? vlan : untaggedVlan;
      if (v !== this.vlan) return false;
    }
    if (!this.needsL3) return true;
    const l3 = l3Offset(frame);
    if (l3 > len) return false;
    const et = etherTypeBefore(frame, l3);
    if (this.ethertype >= 0 && et !== this.ethertype) return false;
    if (this.ip === null && this.srcIp === null && this.dstIp === null && this.proto < 0) return true;
    let srcOff: number;
    let dstOff: number;
    let v6 = false;
    let proto = -1;
    if (et === EtherType.IPv4) {
      if (l3 + IPV4_MIN_HEADER_LEN > len || ipv4Version(frame, l3) !== 4) return false;
      proto = ipv4Protocol(frame, l3);
      srcOff = l3 + Ipv4Field.SRC;
      dstOff = l3 + Ipv4Field.DST;
    } else if (et === EtherType.IPv6) {
      if (l3 + IPV6_HEADER_LEN > len) return false;
      v6 = true;
      proto = ipv6NextHeader(frame, l3);
      srcOff = l3 + Ipv6Field.SRC;
      dstOff = l3 + Ipv6Field.DST;
    } else if (et === EtherType.ARP || et === EtherType.RARP) {
      // ARP/RARP for IPv4 over Ethernet: the sender and target IP
      if (l3 + ARP_LEN > len || arpHlen(frame, l3) !== 6 || arpPlen(frame, l3) !== 4) return false;
      srcOff = l3 + ArpField.SPA;
      dstOff = l3 + ArpField.TPA;
    } else return false;
    if (this.proto >= 0 && proto !== this.proto) return false;
    if (this.srcIp !== null && !addrAt(this.srcIp, frame, srcOff, v6)) return false;
    if (this.dstIp !== null && !addrAt(this.dstIp, frame, dstOff, v6)) return false;
    if (this.ip !== null && !addrAt(this.ip, frame, srcOff, v6) && !addrAt(this.ip, frame, dstOff, v6)) return false;
    return true;
  }
}

/** Compiles a filter spec (throws CaptureFilterError for bad values). */
export function compileCaptureFilter(spec: CaptureFilterSpec | CaptureFilter | undefined): CaptureFilter {
  if (spec instanceof CaptureFilter) return spec;
  return new CaptureFilter(spec ?? {});
}

const TEXT_KEYS: Record<string, keyof CaptureFilterSpec> = {
  mac: 'mac',
  srcmac: 'srcMac',
  dstmac: 'dstMac',
  vlan: 'vlan',
  ethtype: 'ethertype',
  ethertype: 'ethertype',
  ip: 'ip',
  srcip: 'srcIp',
  dstip: 'dstIp',
  proto: 'ipProto',
  dir: 'direction',
};

/**
 * Reads the text form: `key=value` pairs separated by commas or spaces, e.g.
 * `vlan=10,proto=icmp,dir=in`. Throws CaptureFilterError naming the bad part.
 */
export function parseCaptureFilter(text: string): CaptureFilterSpec {
  const spec: CaptureFilterSpec = {};
  const seen = new Set<string>();
  for (const part of text.split(/[,\s]+/).filter((p) => p !== '')) {
    const eq = part.indexOf('=');
    const key = (eq < 0 ? part : part.slice(0, eq)).toLowerCase();
    const value = eq < 0 ? '' : part.slice(eq + 1);
    const field = TEXT_KEYS[key];
    if (field === undefined) throw new CaptureFilterError(`unknown filter "${key}"; use ${Object.keys(TEXT_KEYS).filter((k) => k !== 'ethertype').map((k) => `${k}=`).join(', ')}`);
    if (value === '') throw new CaptureFilterError(`${key}= needs a value`);
    if (seen.has(field)) throw new CaptureFilterError(`${key} is given twice`);
    seen.add(field);
    switch (field) {
      case 'vlan': {
        if (!/^\d+$/.test(value)) throw new CaptureFilterError(`vlan: "${value}" is not a VLAN ID in 0..4095`);
        spec.vlan = Number(value);
        break;
      }
      case 'direction': {
        const d = value.toLowerCase();
        if (d === 'in' || d === 'inbound' || d === 'rx' || d === '0') spec.direction = 'inbound';
        else if (d === 'out' || d === 'outbound' || d === 'tx' || d === '1') spec.direction = 'outbound';
        else throw new CaptureFilterError(`dir: "${value}" is not in or out`);
        break;
      }
      case 'mac':
      case 'srcMac':
      case 'dstMac':
      case 'ethertype':
      case 'ip':
      case 'srcIp':
      case 'dstIp':
      case 'ipProto':
        spec[field] = value;
    }
  }
  // values are checked by compiling
  new CaptureFilter(spec);
  return spec;
}
