/**
 * A whole frame as one parsed representation, and back: Ethernet header with its tag stack, the
 * network layer (ARP/RARP, IPv4 with ICMP or UDP, or raw bytes) and the trailer (padding after
 * the L3 packet). `emitPacket(parsePacket(f))` reproduces every valid frame byte for byte;
 * emitting recomputes lengths and checksums, so a repr is never half-consistent.
 */
import { EtherType, emitEthernet, ethernetHeaderLength, parseEthernet, write16, write32 } from './ethernet.js';
import type { EthernetRepr } from './ethernet.js';
import { ARP_LEN, emitArp, parseArp } from './arp.js';
import type { ArpRepr } from './arp.js';
import { IPV4_FLAG_RESERVED, IPV4_MIN_HEADER_LEN, IpProtocol, emitIpv4Header, ipv4FlagsFragment, isFragment, parseIpv4Header } from './ipv4.js';
import { ICMP_HEADER_LEN, IcmpField, icmpCode, icmpRest, icmpType } from './icmpv4.js';
import type { Ipv4HeaderFields } from './ipv4.js';
import { internetChecksum, finishChecksum, pseudoHeaderSum4, sumWords } from './checksum.js';
import { UDP_HEADER_LEN, UdpField, emitUdp4, parseUdp } from './udp.js';

export interface IcmpMessage {
  kind: 'icmp';
  type: number;
  code: number;
  /** the second 32-bit word: id << 16 | seq for echo, next-hop MTU for fragmentation needed */
  rest: number;
  data: Uint8Array;
}

export interface UdpDatagram {
  kind: 'udp';
  srcPort: number;
  dstPort: number;
  data: Uint8Array;
  /** sent with checksum 0 ("none") */
  noChecksum?: boolean;
}

export interface RawPayload {
  kind: 'raw';
  bytes: Uint8Array;
}

export type TransportRepr = IcmpMessage | UdpDatagram | RawPayload;

export type NetworkRepr =
  | { kind: 'arp'; arp: ArpRepr }
  | { kind: 'ipv4'; ip: Omit<Ipv4HeaderFields, 'payloadLength'>; transport: TransportRepr }
  | RawPayload;

export interface PacketRepr {
  ethernet: EthernetRepr;
  network: NetworkRepr;
  /** bytes after the L3 packet (Ethernet padding) */
  trailer: Uint8Array;
}

/**
 * Parses a frame into its repr; null unless every layer it recognises is valid (checksums
 * included), so that emitting gives the same bytes. Unknown EtherTypes become raw payloads.
 */
export function parsePacket(frame: Uint8Array): PacketRepr | null {
  const ethernet = parseEthernet(frame);
  if (!ethernet) return null;
  const off = ethernetHeaderLength(ethernet);
  const t = ethernet.ethertype;
  if (t === EtherType.ARP || t === EtherType.RARP) {
    const arp = parseArp(frame, off, t);
    if (!arp) return null;
    return { ethernet, network: { kind: 'arp', arp }, trailer: frame.slice(off + ARP_LEN) };
  }
  if (t === EtherType.IPv4) {
    const ip = parseIpv4Header(frame, off);
    if (!ip || !ip.checksumOk) return null;
    const header = {
      src: ip.src,
      dst: ip.dst,
      protocol: ip.protocol,
      ttl: ip.ttl,
      identification: ip.identification,
      df: ip.df,
      mf: ip.mf,
      fragmentOffset: ip.fragmentOffset,
      tos: ip.tos,
      options: frame.slice(off + IPV4_MIN_HEADER_LEN, off + ip.headerLength),
    };
    if ((ipv4FlagsFragment(frame, off) & IPV4_FLAG_RESERVED) !== 0) return null; // reserved flag: not representable
    const p = ip.payloadOffset;
    const end = off + ip.totalLength;
    let transport: TransportRepr = { kind: 'raw', bytes: frame.slice(p, end) };
    if (!isFragment(ip) && ip.protocol === IpProtocol.ICMP && ip.payloadLength >= ICMP_HEADER_LEN && internetChecksum(frame, p, ip.payloadLength) === 0) {
      transport = { kind: 'icmp', type: icmpType(frame, p), code: icmpCode(frame, p), rest: icmpRest(frame, p), data: frame.slice(p + IcmpField.DATA, end) };
    } else if (!isFragment(ip) && ip.protocol === IpProtocol.UDP) {
      const u = parseUdp(frame, p, ip.payloadLength);
      if (u && u.length === ip.payloadLength) {
        const none = u.checksum === 0;
        const sumOk = finishChecksum(sumWords(frame, p, u.length, pseudoHeaderSum4(ip.src, ip.dst, 17, u.length))) === 0;
        if (none || sumOk) transport = { kind: 'udp', srcPort: u.srcPort, dstPort: u.dstPort, data: frame.slice(u.dataOffset, end), ...(none ? { noChecksum: true } : {}) };
      }
    }
    return { ethernet, network: { kind: 'ipv4', ip: header, transport }, trailer: frame.slice(end) };
  }
  return { ethernet, network: { kind: 'raw', bytes: frame.slice(off) }, trailer: new Uint8Array(0) };
}

function transportLength(t: TransportRepr): number {
  return t.kind === 'raw' ? t.bytes.length : (t.kind === 'udp' ? UDP_HEADER_LEN : ICMP_HEADER_LEN) + t.data.length;
}

function networkLength(n: NetworkRepr): number {
  if (n.kind === 'arp') return ARP_LEN;
  if (n.kind === 'raw') return n.bytes.length;
  return IPV4_MIN_HEADER_LEN + (n.ip.options?.length ?? 0) + transportLength(n.transport);
}

/** Emits the frame a repr describes (lengths and checksums computed). */
export function emitPacket(repr: PacketRepr): Uint8Array {
  const hdr = ethernetHeaderLength(repr.ethernet);
  const nlen = networkLength(repr.network);
  const buf = new Uint8Array(hdr + nlen + repr.trailer.length);
  emitEthernet(repr.ethernet, buf, 0);
  const n = repr.network;
  if (n.kind === 'arp') emitArp(n.arp, buf, hdr);
  else if (n.kind === 'raw') buf.set(n.bytes, hdr);
  else {
    const t = n.transport;
    const hl = emitIpv4Header({ ...n.ip, payloadLength: transportLength(t) }, buf, hdr);
    const p = hdr + hl;
    if (t.kind === 'raw') buf.set(t.bytes, p);
    else if (t.kind === 'udp') {
      emitUdp4(t.srcPort, t.dstPort, t.data, n.ip.src, n.ip.dst, buf, p);
      if (t.noChecksum) write16(buf, p + UdpField.CHECKSUM, 0);
    } else {
      buf[p + IcmpField.TYPE] = t.type;
      buf[p + IcmpField.CODE] = t.code;
      write32(buf, p + IcmpField.REST, t.rest);
      buf.set(t.data, p + IcmpField.DATA);
      write16(buf, p + IcmpField.CHECKSUM, internetChecksum(buf, p, ICMP_HEADER_LEN + t.data.length));
    }
  }
  buf.set(repr.trailer, hdr + nlen);
  return buf;
}
