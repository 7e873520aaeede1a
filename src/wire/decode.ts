/**
 * A structured decode of any bytes, for the UI's packet tree: one layer per header, each with
 * named fields (text values, byte offset and length). Decoding goes as far as the bytes are
 * valid; the first problem is reported in `malformed` with the layer and offset. Nothing throws.
 *
 * The walk reads every header through its protocol's field table and accessors (ArpField,
 * Ipv4Field, UdpField, ...), the same ones the parsers and emitters use: it is not a second
 * parser, only a more forgiving reader that names each field where the bytes hold it.
 */
import { formatMac, isBroadcast, isMulticast } from './mac.js';
import { ipv4ToString, ipv6ToString } from './ip.js';
import { DST_OFFSET, ETH_HEADER_LEN, EtherType, MAC_LEN, MAX_8023_LENGTH, SRC_OFFSET, TYPE_LEN, TYPE_OFFSET, etherTypeName, ethFirstType, isTpid, read16, read32 } from './ethernet.js';
import { TPID_STAG, VLAN_TAG_LEN, VlanTagField, tagTciAt, tciDei, tciPcp, tciVid } from './vlan-tag.js';
import { ARP_HTYPE_ETHERNET, ARP_LEN, ArpField, arpHlen, arpHtype, arpOp, arpPlen, arpPtype } from './arp.js';
import { internetChecksum, finishChecksum, pseudoHeaderSum4, pseudoHeaderSum6, sumWords } from './checksum.js';
import { ICMP_CODE_FRAG_NEEDED, ICMP_HEADER_LEN, IcmpField, IcmpType, icmpChecksum, icmpCode, icmpEchoId, icmpEchoSeq, icmpNextHopMtu, icmpType, icmpTypeName, isIcmpEcho } from './icmpv4.js';
import {
  IPV4_FLAG_DF,
  IPV4_FLAG_MF,
  IPV4_FLAG_RESERVED,
  IPV4_FRAGMENT_OFFSET_MASK,
  IPV4_MIN_HEADER_LEN,
  IpProtocol,
  Ipv4Field,
  ipProtocolName,
  ipv4Checksum,
  ipv4Dst,
  ipv4FlagsFragment,
  ipv4HeaderLength,
  ipv4Identification,
  ipv4Protocol,
  ipv4Src,
  ipv4TotalLength,
  ipv4Tos,
  ipv4Ttl,
  ipv4Version,
} from './ipv4.js';
import { UDP_HEADER_LEN, UdpField, udpChecksum, udpDstPort, udpLength, udpSrcPort } from './udp.js';
import { TCP_MIN_HEADER_LEN, TcpField, tcpFlags, tcpFlagsText, tcpHeaderLength } from './tcp.js';
import {
  IPV6_ADDR_LEN,
  IPV6_EXTENSION_NAMES,
  IPV6_HEADER_LEN,
  Ipv6Extension,
  Ipv6ExtensionField,
  Ipv6Field,
  Ipv6FragmentField,
  ipv6ExtensionLength,
  ipv6FlowLabel,
  ipv6HopLimit,
  ipv6NextHeader,
  ipv6PayloadLength,
  ipv6TrafficClass,
  ipv6Version,
  isIpv6Extension,
} from './ipv6.js';
import {
  ICMPV6_HEADER_LEN,
  Icmpv6Field,
  Icmpv6Type,
  ND_FLAG_OVERRIDE,
  ND_FLAG_ROUTER,
  ND_FLAG_SOLICITED,
  ND_HEADER_LEN,
  NdOption,
  NdOptionField,
  icmpv6Checksum,
  icmpv6Code,
  icmpv6EchoId,
  icmpv6EchoSeq,
  icmpv6Mtu,
  icmpv6Type,
  icmpv6TypeName,
  isIcmpv6Echo,
  isNeighborDiscovery,
  ndFlags,
  ndOptionLength,
  ndOptionType,
} from './icmpv6.js';
import { LLDP_TLV_NAMES } from './lldp.js';
import { CDP_TLV_NAMES, cdpChecksum } from './cdp.js';
import { describe } from './describe.js';

export interface DecodedField {
  name: string;
  value: string;
  offset?: number;
  length?: number;
}

export interface DecodedLayer {
  /** 'Ethernet II', '802.1Q', 'ARP', 'IPv4', 'ICMP', 'UDP', ... */
  name: string;
  offset: number;
  length: number;
  fields: DecodedField[];
}

export interface MalformedNote {
  layer: string;
  /** offset of the layer that could not be read */
  offset: number;
  message: string;
}

export interface DecodedFrame {
  layers: DecodedLayer[];
  summary: string;
  malformed?: MalformedNote;
}

const hex = (n: number, digits: number) => `0x${n.toString(16).padStart(digits, '0')}`;

class Decoder {
  readonly layers: DecodedLayer[] = [];
  malformed: MalformedNote | undefined;

  constructor(readonly f: Uint8Array) {}

  layer(name: string, offset: number, length: number): DecodedLayer {
    const l: DecodedLayer = { name, offset, length: Math.max(0, Math.min(length, this.f.length - offset)), fields: [] };
    this.layers.push(l);
    return l;
  }

  /** True when `n` bytes at `off` exist before `end`; otherwise records the layer as malformed. */
  need(layer: DecodedLayer, off: number, n: number, end: number = this.f.length): boolean {
    if (off + n <= end) return true;
    this.fail(layer, `truncated: ${layer.name} needs ${off + n - layer.offset} bytes here, only ${Math.max(0, end - layer.offset)} present`);
    return false;
  }

  fail(layer: DecodedLayer, message: string): void {
    this.malformed ??= { layer: layer.name, offset: layer.offset, message };
  }
}

function field(l: DecodedLayer, name: string, value: string, offset?: number, length?: number): void {
  l.fields.push(offset === undefined ? { name, value } : { name, value, offset, length });
}

function macText(f: Uint8Array, off: number): string {
  const m = formatMac(f, off);
  if (isBroadcast(f, off)) return `${m} (broadcast)`;
  if (isMulticast(f, off)) return `${m} (multicast)`;
  return m;
}

function typeText(type: number): string {
  return `${etherTypeName(type)} (${hex(type, 4)})`;
}

function checksumText(value: number, ok: boolean): string {
  return `${hex(value, 4)} [${ok ? 'correct' : 'incorrect'}]`;
}

/** Decodes `frame` layer by layer. */
export function decodeFrame(frame: Uint8Array): DecodedFrame {
  const d = new Decoder(frame);
  try {
    decodeEthernet(d);
  } catch (e) {
    d.malformed ??= { layer: d.layers.at(-1)?.name ?? 'Ethernet II', offset: d.layers.at(-1)?.offset ?? 0, message: `decoder error: ${(e as Error).message}` };
  }
  const out: DecodedFrame = { layers: d.layers, summary: describe(frame) };
  if (d.malformed) out.malformed = d.malformed;
  return out;
}

function decodeEthernet(d: Decoder): void {
  const f = d.f;
  const first = ethFirstType(f);
  const eth = d.layer(first >= 0 && first <= MAX_8023_LENGTH ? 'IEEE 802.3 Ethernet' : 'Ethernet II', 0, ETH_HEADER_LEN);
  if (f.length >= DST_OFFSET + MAC_LEN) field(eth, 'Destination', macText(f, DST_OFFSET), DST_OFFSET, MAC_LEN);
  if (f.length >= SRC_OFFSET + MAC_LEN) field(eth, 'Source', macText(f, SRC_OFFSET), SRC_OFFSET, MAC_LEN);
  if (!d.need(eth, 0, ETH_HEADER_LEN)) return;
  let typeOff = TYPE_OFFSET;
  let type = first;
  let last = eth;
  if (type <= MAX_8023_LENGTH) field(eth, 'Length', String(type), TYPE_OFFSET, TYPE_LEN);
  else field(eth, 'Type', typeText(type), TYPE_OFFSET, TYPE_LEN);
  // each tag's TPID is the type field before it; the layer shows its TCI and the type after it
  while (isTpid(type)) {
    const tci = typeOff + VlanTagField.TCI;
    const tag = d.layer(type === TPID_STAG ? '802.1ad' : '802.1Q', tci, VLAN_TAG_LEN);
    if (!d.need(tag, tci, VLAN_TAG_LEN)) return;
    const t = tagTciAt(f, typeOff);
    field(tag, 'Priority (PCP)', String(tciPcp(t)), tci, 1);
    field(tag, 'DEI', tciDei(t) ? '1' : '0', tci, 1);
    field(tag, 'ID', `${tciVid(t)}${tciVid(t) === 0 ? ' (priority tag)' : ''}`, tci, 2);
    typeOff += VLAN_TAG_LEN;
    type = read16(f, typeOff);
    field(tag, type <= MAX_8023_LENGTH ? 'Length' : 'Type', type <= MAX_8023_LENGTH ? String(type) : typeText(type), typeOff, TYPE_LEN);
    last = tag;
  }
  const off = typeOff + TYPE_LEN;
  let end = -1;
  if (type <= MAX_8023_LENGTH) {
    if (off + type > f.length) {
      d.fail(last, `the 802.3 length field says ${type} bytes, only ${f.length - off} present`);
      return;
    }
    end = decodeLlc(d, off, off + type);
  } else {
    switch (type) {
      case EtherType.ARP:
      case EtherType.RARP:
        end = decodeArp(d, off, type);
        break;
      case EtherType.IPv4:
        end = decodeIpv4(d, off);
        break;
      case EtherType.IPv6:
        end = decodeIpv6(d, off);
        break;
      case EtherType.LLDP:
        end = decodeLldp(d, off);
        break;
      default: {
        const l = d.layer('Data', off, f.length - off);
        field(l, 'Data', `${f.length - off} bytes`, off, f.length - off);
        end = f.length;
      }
    }
  }
  if (end >= 0 && end < f.length) field(eth, 'Padding', `${f.length - end} bytes`, end, f.length - end);
}

const ARP_OP_NAMES: Readonly<Record<number, string>> = { 1: 'request', 2: 'reply', 3: 'reverse request', 4: 'reverse reply' };

function decodeArp(d: Decoder, off: number, type: number): number {
  const f = d.f;
  const l = d.layer(type === EtherType.RARP ? 'RARP' : 'ARP', off, ARP_LEN);
  if (!d.need(l, off, ArpField.SHA)) return -1;
  const htype = arpHtype(f, off);
  const hlen = arpHlen(f, off);
  const plen = arpPlen(f, off);
  const op = arpOp(f, off);
  field(l, 'Hardware type', htype === ARP_HTYPE_ETHERNET ? 'Ethernet (1)' : String(htype), off + ArpField.HTYPE, 2);
  field(l, 'Protocol type', typeText(arpPtype(f, off)), off + ArpField.PTYPE, 2);
  field(l, 'Hardware size', String(hlen), off + ArpField.HLEN, 1);
  field(l, 'Protocol size', String(plen), off + ArpField.PLEN, 1);
  field(l, 'Opcode', `${ARP_OP_NAMES[op] ?? 'unknown'} (${op})`, off + ArpField.OPER, 2);
  // the addresses follow at sizes the header gives (Ethernet/IPv4: the ArpField offsets)
  const len = ArpField.SHA + 2 * (hlen + plen);
  l.length = len;
  if (!d.need(l, off, len)) return -1;
  const addr = (o: number, n: number, isMac: boolean) =>
    isMac && n === MAC_LEN ? formatMac(f, o) : !isMac && n === 4 ? ipv4ToString(read32(f, o)) : Array.from(f.subarray(o, o + n), (b) => b.toString(16).padStart(2, '0')).join(':');
  let o = off + ArpField.SHA;
  field(l, 'Sender MAC address', addr(o, hlen, true), o, hlen);
  o += hlen;
  field(l, 'Sender IP address', addr(o, plen, false), o, plen);
  o += plen;
  field(l, 'Target MAC address', addr(o, hlen, true), o, hlen);
  o += hlen;
  field(l, 'Target IP address', addr(o, plen, false), o, plen);
  return off + len;
}

function decodeIpv4(d: Decoder, off: number): number {
  const f = d.f;
  const l = d.layer('IPv4', off, IPV4_MIN_HEADER_LEN);
  if (!d.need(l, off, IPV4_MIN_HEADER_LEN)) return -1;
  const version = ipv4Version(f, off);
  const hl = ipv4HeaderLength(f, off);
  field(l, 'Version', String(version), off + Ipv4Field.VERSION_IHL, 1);
  if (version !== 4) {
    d.fail(l, `version ${version}, expected 4`);
    return -1;
  }
  field(l, 'Header length', `${hl} bytes (${hl / 4})`, off + Ipv4Field.VERSION_IHL, 1);
  if (hl < IPV4_MIN_HEADER_LEN) {
    d.fail(l, `header length ${hl} is below the 20-byte minimum`);
    return -1;
  }
  l.length = hl;
  const total = ipv4TotalLength(f, off);
  const flags = ipv4FlagsFragment(f, off);
  const fragOffset = (flags & IPV4_FRAGMENT_OFFSET_MASK) * 8;
  const proto = ipv4Protocol(f, off);
  const tos = ipv4Tos(f, off);
  const ident = ipv4Identification(f, off);
  field(l, 'Differentiated Services', `${hex(tos, 2)} (DSCP ${tos >>> 2}, ECN ${tos & 3})`, off + Ipv4Field.TOS, 1);
  field(l, 'Total length', String(total), off + Ipv4Field.TOTAL_LENGTH, 2);
  field(l, 'Identification', `${hex(ident, 4)} (${ident})`, off + Ipv4Field.IDENTIFICATION, 2);
  const flagNames = [flags & IPV4_FLAG_RESERVED ? 'Reserved' : '', flags & IPV4_FLAG_DF ? 'Don\'t fragment' : '', flags & IPV4_FLAG_MF ? 'More fragments' : ''].filter(Boolean);
  field(l, 'Flags', `${hex(flags >>> 13, 1)}${flagNames.length ? ` (${flagNames.join(', ')})` : ''}`, off + Ipv4Field.FLAGS_FRAGMENT, 1);
  field(l, 'Fragment offset', `${fragOffset} bytes`, off + Ipv4Field.FLAGS_FRAGMENT, 2);
  field(l, 'Time to live', String(ipv4Ttl(f, off)), off + Ipv4Field.TTL, 1);
  field(l, 'Protocol', `${ipProtocolName(proto)} (${proto})`, off + Ipv4Field.PROTOCOL, 1);
  if (!d.need(l, off, hl)) return -1;
  field(l, 'Header checksum', checksumText(ipv4Checksum(f, off), internetChecksum(f, off, hl) === 0), off + Ipv4Field.CHECKSUM, 2);
  const src = ipv4Src(f, off);
  const dst = ipv4Dst(f, off);
  field(l, 'Source address', ipv4ToString(src), off + Ipv4Field.SRC, 4);
  field(l, 'Destination address', ipv4ToString(dst), off + Ipv4Field.DST, 4);
  if (hl > IPV4_MIN_HEADER_LEN) field(l, 'Options', `${hl - IPV4_MIN_HEADER_LEN} bytes`, off + Ipv4Field.OPTIONS, hl - IPV4_MIN_HEADER_LEN);
  if (total < hl) {
    d.fail(l, `total length ${total} is smaller than the header (${hl})`);
    return -1;
  }
  if (off + total > f.length) {
    d.fail(l, `total length ${total} but only ${f.length - off} bytes present`);
    return -1;
  }
  const p = off + hl;
  const plen = total - hl;
  if ((flags & (IPV4_FLAG_MF | IPV4_FRAGMENT_OFFSET_MASK)) !== 0) {
    const data = d.layer('IPv4 fragment data', p, plen);
    field(data, 'Data', `${plen} bytes at fragment offset ${fragOffset}`, p, plen);
    return off + total;
  }
  if (proto === IpProtocol.ICMP) decodeIcmp(d, p, plen);
  else if (proto === IpProtocol.UDP) decodeUdp(d, p, plen, (len) => pseudoHeaderSum4(src, dst, IpProtocol.UDP, len), true);
  else if (proto === IpProtocol.TCP) decodeTcp(d, p, plen, pseudoHeaderSum4(src, dst, IpProtocol.TCP, plen));
  else if (plen > 0) field(d.layer('Data', p, plen), 'Data', `${plen} bytes`, p, plen);
  return off + total;
}

function decodeIcmp(d: Decoder, off: number, len: number): void {
  const f = d.f;
  const l = d.layer('ICMP', off, len);
  if (!d.need(l, off, ICMP_HEADER_LEN, off + len)) return;
  const type = icmpType(f, off);
  const code = icmpCode(f, off);
  field(l, 'Type', `${type} (${icmpTypeName(type, code)})`, off + IcmpField.TYPE, 1);
  field(l, 'Code', String(code), off + IcmpField.CODE, 1);
  field(l, 'Checksum', checksumText(icmpChecksum(f, off), internetChecksum(f, off, len) === 0), off + IcmpField.CHECKSUM, 2);
  if (isIcmpEcho(type)) {
    const id = icmpEchoId(f, off);
    field(l, 'Identifier', `${id} (${hex(id, 4)})`, off + IcmpField.ID, 2);
    field(l, 'Sequence number', String(icmpEchoSeq(f, off)), off + IcmpField.SEQ, 2);
  } else if (type === IcmpType.DestinationUnreachable && code === ICMP_CODE_FRAG_NEEDED) {
    field(l, 'MTU of next hop', String(icmpNextHopMtu(f, off)), off + IcmpField.NEXT_HOP_MTU, 2);
  }
  if (len > ICMP_HEADER_LEN) field(l, 'Data', `${len - ICMP_HEADER_LEN} bytes`, off + IcmpField.DATA, len - ICMP_HEADER_LEN);
}

function decodeUdp(d: Decoder, off: number, available: number, pseudo: (len: number) => number, zeroMeansNone: boolean): void {
  const f = d.f;
  const l = d.layer('UDP', off, available);
  if (!d.need(l, off, UDP_HEADER_LEN, off + available)) return;
  const len = udpLength(f, off);
  field(l, 'Source port', String(udpSrcPort(f, off)), off + UdpField.SRC_PORT, 2);
  field(l, 'Destination port', String(udpDstPort(f, off)), off + UdpField.DST_PORT, 2);
  field(l, 'Length', String(len), off + UdpField.LENGTH, 2);
  if (len < UDP_HEADER_LEN || len > available) {
    d.fail(l, `length field ${len} does not fit the ${available} bytes of IP payload`);
    return;
  }
  l.length = len;
  const ck = udpChecksum(f, off);
  if (ck === 0 && zeroMeansNone) field(l, 'Checksum', '0x0000 [none]', off + UdpField.CHECKSUM, 2);
  else field(l, 'Checksum', checksumText(ck, finishChecksum(sumWords(f, off, len, pseudo(len))) === 0), off + UdpField.CHECKSUM, 2);
  if (len > UDP_HEADER_LEN) field(l, 'Payload', `${len - UDP_HEADER_LEN} bytes`, off + UDP_HEADER_LEN, len - UDP_HEADER_LEN);
}

function decodeTcp(d: Decoder, off: number, len: number, pseudo: number): void {
  const f = d.f;
  const l = d.layer('TCP', off, len);
  if (!d.need(l, off, TCP_MIN_HEADER_LEN, off + len)) return;
  const hl = tcpHeaderLength(f, off);
  const flags = tcpFlags(f, off);
  field(l, 'Source port', String(read16(f, off + TcpField.SRC_PORT)), off + TcpField.SRC_PORT, 2);
  field(l, 'Destination port', String(read16(f, off + TcpField.DST_PORT)), off + TcpField.DST_PORT, 2);
  field(l, 'Sequence number (raw)', String(read32(f, off + TcpField.SEQ)), off + TcpField.SEQ, 4);
  field(l, 'Acknowledgment number (raw)', String(read32(f, off + TcpField.ACK)), off + TcpField.ACK, 4);
  field(l, 'Header length', `${hl} bytes`, off + TcpField.DATA_OFFSET, 1);
  field(l, 'Flags', `${hex(flags, 3)} (${tcpFlagsText(flags) || 'none'})`, off + TcpField.DATA_OFFSET, 2);
  field(l, 'Window', String(read16(f, off + TcpField.WINDOW)), off + TcpField.WINDOW, 2);
  field(l, 'Checksum', checksumText(read16(f, off + TcpField.CHECKSUM), finishChecksum(sumWords(f, off, len, pseudo)) === 0), off + TcpField.CHECKSUM, 2);
  field(l, 'Urgent pointer', String(read16(f, off + TcpField.URGENT)), off + TcpField.URGENT, 2);
  if (hl < TCP_MIN_HEADER_LEN || hl > len) {
    d.fail(l, `header length ${hl} is outside 20..${len}`);
    return;
  }
  if (hl > TCP_MIN_HEADER_LEN) field(l, 'Options', `${hl - TCP_MIN_HEADER_LEN} bytes`, off + TCP_MIN_HEADER_LEN, hl - TCP_MIN_HEADER_LEN);
  if (len > hl) field(l, 'Payload', `${len - hl} bytes`, off + hl, len - hl);
}

function decodeIpv6(d: Decoder, off: number): number {
  const f = d.f;
  const l = d.layer('IPv6', off, IPV6_HEADER_LEN);
  if (!d.need(l, off, IPV6_HEADER_LEN)) return -1;
  const version = ipv6Version(f, off);
  field(l, 'Version', String(version), off + Ipv6Field.VERSION_CLASS_FLOW, 1);
  if (version !== 6) {
    d.fail(l, `version ${version}, expected 6`);
    return -1;
  }
  const plen = ipv6PayloadLength(f, off);
  let next = ipv6NextHeader(f, off);
  field(l, 'Traffic class', hex(ipv6TrafficClass(f, off), 2), off + Ipv6Field.VERSION_CLASS_FLOW, 2);
  field(l, 'Flow label', hex(ipv6FlowLabel(f, off), 5), off + Ipv6Field.VERSION_CLASS_FLOW + 1, 3);
  field(l, 'Payload length', String(plen), off + Ipv6Field.PAYLOAD_LENGTH, 2);
  field(l, 'Next header', `${ipProtocolName(next)} (${next})`, off + Ipv6Field.NEXT_HEADER, 1);
  field(l, 'Hop limit', String(ipv6HopLimit(f, off)), off + Ipv6Field.HOP_LIMIT, 1);
  field(l, 'Source address', ipv6ToString(f, off + Ipv6Field.SRC), off + Ipv6Field.SRC, IPV6_ADDR_LEN);
  field(l, 'Destination address', ipv6ToString(f, off + Ipv6Field.DST), off + Ipv6Field.DST, IPV6_ADDR_LEN);
  const end = off + IPV6_HEADER_LEN + plen;
  if (end > f.length) {
    d.fail(l, `payload length ${plen} but only ${f.length - off - IPV6_HEADER_LEN} bytes present`);
    return -1;
  }
  let p = off + IPV6_HEADER_LEN;
  while (isIpv6Extension(next)) {
    const x = d.layer(`IPv6 ${IPV6_EXTENSION_NAMES[next]}`, p, 8);
    if (!d.need(x, p, 8, end)) return -1;
    const len = ipv6ExtensionLength(f, p, next);
    x.length = len;
    if (!d.need(x, p, len, end)) return -1;
    const after = f[p + Ipv6ExtensionField.NEXT_HEADER]!;
    field(x, 'Next header', `${ipProtocolName(after)} (${after})`, p + Ipv6ExtensionField.NEXT_HEADER, 1);
    if (next === Ipv6Extension.Fragment) {
      const word = read16(f, p + Ipv6FragmentField.OFFSET_FLAGS);
      field(x, 'Offset', `${word & 0xfff8} bytes`, p + Ipv6FragmentField.OFFSET_FLAGS, 2);
      field(x, 'More fragments', String((word & 1) === 1), p + Ipv6FragmentField.OFFSET_FLAGS + 1, 1);
      field(x, 'Identification', hex(read32(f, p + Ipv6FragmentField.IDENTIFICATION), 8), p + Ipv6FragmentField.IDENTIFICATION, 4);
    }
    next = after;
    p += len;
  }
  const ulen = end - p;
  const pseudo = (len: number) => pseudoHeaderSum6(f, off + Ipv6Field.SRC, off + Ipv6Field.DST, next, len);
  if (next === IpProtocol.IPv6Icmp) decodeIcmpv6(d, p, ulen, pseudo(ulen));
  else if (next === IpProtocol.UDP) decodeUdp(d, p, ulen, pseudo, false);
  else if (next === IpProtocol.TCP) decodeTcp(d, p, ulen, pseudo(ulen));
  else if (ulen > 0) field(d.layer('Data', p, ulen), 'Data', `${ulen} bytes`, p, ulen);
  return end;
}

function decodeIcmpv6(d: Decoder, off: number, len: number, pseudo: number): void {
  const f = d.f;
  const l = d.layer('ICMPv6', off, len);
  if (!d.need(l, off, 4, off + len)) return;
  const type = icmpv6Type(f, off);
  field(l, 'Type', `${type} (${icmpv6TypeName(type)})`, off + Icmpv6Field.TYPE, 1);
  field(l, 'Code', String(icmpv6Code(f, off)), off + Icmpv6Field.CODE, 1);
  field(l, 'Checksum', checksumText(icmpv6Checksum(f, off), finishChecksum(sumWords(f, off, len, pseudo)) === 0), off + Icmpv6Field.CHECKSUM, 2);
  if (isIcmpv6Echo(type)) {
    if (!d.need(l, off, ICMPV6_HEADER_LEN, off + len)) return;
    field(l, 'Identifier', hex(icmpv6EchoId(f, off), 4), off + Icmpv6Field.ID, 2);
    field(l, 'Sequence', String(icmpv6EchoSeq(f, off)), off + Icmpv6Field.SEQ, 2);
    if (len > ICMPV6_HEADER_LEN) field(l, 'Data', `${len - ICMPV6_HEADER_LEN} bytes`, off + Icmpv6Field.DATA, len - ICMPV6_HEADER_LEN);
  } else if (isNeighborDiscovery(type)) {
    if (!d.need(l, off, ND_HEADER_LEN, off + len)) return;
    if (type === Icmpv6Type.NeighborAdvertisement) {
      const b = ndFlags(f, off);
      const names = [b & ND_FLAG_ROUTER ? 'Router' : '', b & ND_FLAG_SOLICITED ? 'Solicited' : '', b & ND_FLAG_OVERRIDE ? 'Override' : ''].filter(Boolean);
      field(l, 'Flags', `${hex(b, 2)}${names.length ? ` (${names.join(', ')})` : ''}`, off + Icmpv6Field.ND_FLAGS, 4);
    }
    field(l, 'Target address', ipv6ToString(f, off + Icmpv6Field.ND_TARGET), off + Icmpv6Field.ND_TARGET, IPV6_ADDR_LEN);
    let o = off + Icmpv6Field.ND_OPTIONS;
    while (o < off + len) {
      if (!d.need(l, o, 2, off + len)) return;
      const t = ndOptionType(f, o);
      const ol = ndOptionLength(f, o);
      if (ol === 0 || o + ol > off + len) {
        d.fail(l, `option at offset ${o} has length ${ol}, outside the message`);
        return;
      }
      const lla = t === NdOption.SourceLinkLayerAddress || t === NdOption.TargetLinkLayerAddress;
      const name = t === NdOption.SourceLinkLayerAddress ? 'Source link-layer address' : t === NdOption.TargetLinkLayerAddress ? 'Target link-layer address' : `Option ${t}`;
      field(l, name, lla && ol === 8 ? formatMac(f, o + NdOptionField.LLADDR) : `${ol} bytes`, o, ol);
      o += ol;
    }
  } else if (type === Icmpv6Type.PacketTooBig && len >= ICMPV6_HEADER_LEN) {
    field(l, 'MTU', String(icmpv6Mtu(f, off)), off + Icmpv6Field.MTU, 4);
  }
}

function decodeLldp(d: Decoder, off: number): number {
  const f = d.f;
  const l = d.layer('LLDP', off, f.length - off);
  let o = off;
  let i = 0;
  while (o < f.length) {
    if (!d.need(l, o, 2)) return -1;
    const h = read16(f, o);
    const type = h >>> 9;
    const len = h & 0x1ff;
    if (o + 2 + len > f.length) {
      d.fail(l, `TLV ${LLDP_TLV_NAMES[type] ?? type} at offset ${o} has length ${len}, past the end of the frame`);
      return -1;
    }
    const expect = [1, 2, 3][i];
    if (expect !== undefined && type !== expect) {
      d.fail(l, `TLV ${i + 1} should be ${LLDP_TLV_NAMES[expect]}, found type ${type}`);
      return -1;
    }
    let value = `${len} bytes`;
    if (type === 3 && len >= 2) value = `${read16(f, o + 2)} s`;
    else if ((type === 1 || type === 2) && len >= 2) {
      const sub = f[o + 2]!;
      value = len === 7 && ((type === 1 && sub === 4) || (type === 2 && sub === 3)) ? formatMac(f, o + 3) : printable(f, o + 3, len - 1);
    } else if (type === 4 || type === 5 || type === 6) value = printable(f, o + 2, len);
    field(l, LLDP_TLV_NAMES[type] ?? `TLV type ${type}`, value, o, 2 + len);
    o += 2 + len;
    i++;
    if (type === 0) break;
  }
  if (i < 3) {
    d.fail(l, 'an LLDPDU needs Chassis Id, Port Id and Time To Live TLVs');
    return -1;
  }
  l.length = o - off;
  return o;
}

function printable(f: Uint8Array, off: number, len: number): string {
  let s = '';
  for (let i = 0; i < len; i++) {
    const b = f[off + i]!;
    s += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
  }
  return s;
}

function decodeLlc(d: Decoder, off: number, end: number): number {
  const f = d.f;
  const l = d.layer('LLC', off, 3);
  if (!d.need(l, off, 3, end)) return -1;
  const dsap = f[off]!;
  const ssap = f[off + 1]!;
  field(l, 'DSAP', hex(dsap, 2), off, 1);
  field(l, 'SSAP', hex(ssap, 2), off + 1, 1);
  field(l, 'Control', hex(f[off + 2]!, 2), off + 2, 1);
  let p = off + 3;
  if (dsap === 0xaa && ssap === 0xaa && f[off + 2] === 3) {
    l.length = 8;
    if (!d.need(l, off, 8, end)) return -1;
    const oui = (f[off + 3]! << 16) | (f[off + 4]! << 8) | f[off + 5]!;
    const pid = read16(f, off + 6);
    field(l, 'Organization code', `${hex(oui, 6)}${oui === 0x00000c ? ' (Cisco)' : ''}`, off + 3, 3);
    field(l, 'PID', hex(pid, 4), off + 6, 2);
    p = off + 8;
    if (oui === 0x00000c && pid === 0x2000) {
      decodeCdp(d, p, end);
      return end;
    }
  } else if (dsap === 0x42 && ssap === 0x42) {
    const s = d.layer('STP', p, end - p);
    if (!d.need(s, p, 4, end)) return -1;
    field(s, 'Protocol identifier', hex(read16(f, p), 4), p, 2);
    field(s, 'Protocol version', String(f[p + 2]!), p + 2, 1);
    field(s, 'BPDU type', hex(f[p + 3]!, 2), p + 3, 1);
    return end;
  }
  if (end > p) field(d.layer('Data', p, end - p), 'Data', `${end - p} bytes`, p, end - p);
  return end;
}

function decodeCdp(d: Decoder, off: number, end: number): void {
  const f = d.f;
  const l = d.layer('CDP', off, end - off);
  if (!d.need(l, off, 4, end)) return;
  field(l, 'Version', String(f[off]!), off, 1);
  field(l, 'TTL', `${f[off + 1]!} s`, off + 1, 1);
  field(l, 'Checksum', checksumText(read16(f, off + 2), cdpChecksum(f, off, end - off) === 0), off + 2, 2);
  let o = off + 4;
  while (o < end) {
    if (!d.need(l, o, 4, end)) return;
    const type = read16(f, o);
    const len = read16(f, o + 2);
    if (len < 4 || o + len > end) {
      d.fail(l, `TLV type ${type} at offset ${o} has length ${len}, outside the PDU`);
      return;
    }
    const name = CDP_TLV_NAMES[type] ?? `TLV type ${hex(type, 4)}`;
    field(l, name, [1, 3, 5, 6].includes(type) ? printable(f, o + 4, len - 4) : `${len - 4} bytes`, o, len);
    o += len;
  }
}
