/**
 * ARP (RFC 826) and RARP (RFC 903) for Ethernet + IPv4: htype 1, ptype 0x0800, hlen 6, plen 4,
 * 28 bytes. RARP shares the layout under EtherType 0x8035 with opcodes 3 (request reverse) and
 * 4 (reply reverse); ESXi's "notify switches" frame is a RARP request with both hardware
 * addresses set to the vNIC's MAC and both IPs 0.0.0.0 (rule T7).
 */
import { EtherType, read16, read32, write16, write32 } from './ethernet.js';
import { l3Offset } from './vlan-tag.js';

export const ARP_LEN = 28;

/** Field table of an Ethernet/IPv4 ARP body: offsets from its start. */
export const ArpField = { HTYPE: 0, PTYPE: 2, HLEN: 4, PLEN: 5, OPER: 6, SHA: 8, SPA: 14, THA: 18, TPA: 24 } as const;
/** Hardware type Ethernet. */
export const ARP_HTYPE_ETHERNET = 1;

export function arpHtype(b: Uint8Array, o: number): number {
  return read16(b, o + ArpField.HTYPE);
}
export function arpPtype(b: Uint8Array, o: number): number {
  return read16(b, o + ArpField.PTYPE);
}
export function arpHlen(b: Uint8Array, o: number): number {
  return b[o + ArpField.HLEN]!;
}
export function arpPlen(b: Uint8Array, o: number): number {
  return b[o + ArpField.PLEN]!;
}
export function arpOp(b: Uint8Array, o: number): number {
  return read16(b, o + ArpField.OPER);
}
export function arpSenderIp(b: Uint8Array, o: number): number {
  return read32(b, o + ArpField.SPA);
}
export function arpTargetIp(b: Uint8Array, o: number): number {
  return read32(b, o + ArpField.TPA);
}
/** The sender hardware address, a view (no copy). */
export function arpSenderMacView(b: Uint8Array, o: number): Uint8Array {
  return b.subarray(o + ArpField.SHA, o + ArpField.SHA + 6);
}

/** True when the 28 bytes at `o` are present and say Ethernet (1) / IPv4 / 6 / 4. */
export function isEthernetIpv4Arp(b: Uint8Array, o: number): boolean {
  return o + ARP_LEN <= b.length && arpHtype(b, o) === ARP_HTYPE_ETHERNET && arpPtype(b, o) === EtherType.IPv4 && arpHlen(b, o) === 6 && arpPlen(b, o) === 4;
}

export const ArpOp = { Request: 1, Reply: 2, RarpRequest: 3, RarpReply: 4 } as const;

export interface ArpRepr {
  ethertype: 0x0806 | 0x8035;
  /** 1 request, 2 reply, 3 RARP request, 4 RARP reply */
  op: number;
  senderMac: Uint8Array;
  /** unsigned 32-bit */
  senderIp: number;
  targetMac: Uint8Array;
  targetIp: number;
}

/** Parses the ARP/RARP body at `offset`; null unless it is Ethernet/IPv4 ARP and complete. */
export function parseArp(bytes: Uint8Array, offset: number, ethertype: 0x0806 | 0x8035): ArpRepr | null {
  if (!isEthernetIpv4Arp(bytes, offset)) return null;
  return {
    ethertype,
    op: arpOp(bytes, offset),
    senderMac: bytes.slice(offset + ArpField.SHA, offset + ArpField.SHA + 6),
    senderIp: arpSenderIp(bytes, offset),
    targetMac: bytes.slice(offset + ArpField.THA, offset + ArpField.THA + 6),
    targetIp: arpTargetIp(bytes, offset),
  };
}

/** The ARP or RARP packet of a frame (after any tags); null when not ARP/RARP or truncated. */
export function parseArpPacket(frame: Uint8Array): ArpRepr | null {
  const off = l3Offset(frame);
  if (off > frame.length) return null;
  const type = read16(frame, off - 2);
  if (type !== EtherType.ARP && type !== EtherType.RARP) return null;
  return parseArp(frame, off, type);
}

/** Writes the 28-byte body at `offset`. */
export function emitArp(repr: ArpRepr, buf: Uint8Array, offset: number): number {
  write16(buf, offset + ArpField.HTYPE, ARP_HTYPE_ETHERNET);
  write16(buf, offset + ArpField.PTYPE, EtherType.IPv4);
  buf[offset + ArpField.HLEN] = 6;
  buf[offset + ArpField.PLEN] = 4;
  write16(buf, offset + ArpField.OPER, repr.op);
  buf.set(repr.senderMac, offset + ArpField.SHA);
  write32(buf, offset + ArpField.SPA, repr.senderIp);
  buf.set(repr.targetMac, offset + ArpField.THA);
  write32(buf, offset + ArpField.TPA, repr.targetIp);
  return ARP_LEN;
}
