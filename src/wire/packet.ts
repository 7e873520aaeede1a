/**
 * A whole frame as one parsed representation, and back: Ethernet header with its tag stack, the
 * network layer (ARP/RARP, IPv4 with ICMP or UDP, or raw bytes) and the trailer (padding after
 * the L3 packet). `emitPacket(parsePacket(f))` reproduces every valid frame byte for byte;
 * emitting recomputes lengths and checksums, so a repr is never half-consistent.
 */
import { ETH_HEADER_LEN, EtherType, emitEthernet, parseEthernet, read16, read32, write16, write32 } from './ethernet.js';
import type { EthernetRepr } from './ethernet.js';
import { ARP_LEN, emitArp, parseArp } from './arp.js';
import type { ArpRepr } from './arp.js';
import { emitIpv4Header, isFragment, parseIpv4Header } from './ipv4.js';
import type { Ipv4HeaderFields } from './ipv4.js';
import { internetChecksum, finishChecksum, pseudoHeaderSum4, sumWords } from './checksum.js';
import { emitUdp4, parseUdp } from './udp.js';

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
  const off = ETH_HEADER_LEN + 4 * ethernet.tags.length;
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
      options: frame.slice(off + 20, off + ip.headerLength),
    };
    if ((read16(frame, off + 6) & 0x8000) !== 0) return null; // reserved flag: not representable
    const p = ip.payloadOffset;
    const end = off + ip.totalLength;
    let transport: TransportRepr = { kind: 'raw', bytes: frame.slice(p, end) };
    if (!isFragment(ip) && ip.protocol === 1 && ip.payloadLength >= 8 && internetChecksum(frame, p, ip.payloadLength) === 0) {
      transport = { kind: 'icmp', type: frame[p]!, code: frame[p + 1]!, rest: read32(frame, p + 4), data: frame.slice(p + 8, end) };
    } else if (!isFragment(ip) && ip.protocol === 17) {
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
  return t.kind === 'raw' ? t.bytes.length : 8 + t.data.length;
}

function networkLength(n: NetworkRepr): number {
  if (n.kind === 'arp') return ARP_LEN;
  if (n.kind === 'raw') return n.bytes.length;
  return 20 + (n.ip.options?.length ?? 0) + transportLength(n.transport);
}

/** Emits the frame a repr describes (lengths and checksums computed). */
export function emitPacket(repr: PacketRepr): Uint8Array {
  const hdr = ETH_HEADER_LEN + 4 * repr.ethernet.tags.length;
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
      if (t.noChecksum) write16(buf, p + 6, 0);
    } else {
      buf[p] = t.type;
      buf[p + 1] = t.code;
      write32(buf, p + 4, t.rest);
      buf.set(t.data, p + 8);
      write16(buf, p + 2, internetChecksum(buf, p, 8 + t.data.length));
    }
  }
  buf.set(repr.trailer, hdr + nlen);
  return buf;
}
