/**
 * ARP (RFC 826) and RARP (RFC 903) for Ethernet + IPv4: htype 1, ptype 0x0800, hlen 6, plen 4,
 * 28 bytes. RARP shares the layout under EtherType 0x8035 with opcodes 3 (request reverse) and
 * 4 (reply reverse); ESXi's "notify switches" frame is a RARP request with both hardware
 * addresses set to the vNIC's MAC and both IPs 0.0.0.0 (rule T7).
 */
import { EtherType, read16, read32, write16, write32 } from './ethernet.js';
import { l3Offset } from './vlan-tag.js';

export const ARP_LEN = 28;

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
  if (offset + ARP_LEN > bytes.length) return null;
  if (read16(bytes, offset) !== 1 || read16(bytes, offset + 2) !== EtherType.IPv4) return null;
  if (bytes[offset + 4] !== 6 || bytes[offset + 5] !== 4) return null;
  return {
    ethertype,
    op: read16(bytes, offset + 6),
    senderMac: bytes.slice(offset + 8, offset + 14),
    senderIp: read32(bytes, offset + 14),
    targetMac: bytes.slice(offset + 18, offset + 24),
    targetIp: read32(bytes, offset + 24),
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
  write16(buf, offset, 1);
  write16(buf, offset + 2, EtherType.IPv4);
  buf[offset + 4] = 6;
  buf[offset + 5] = 4;
  write16(buf, offset + 6, repr.op);
  buf.set(repr.senderMac, offset + 8);
  write32(buf, offset + 14, repr.senderIp);
  buf.set(repr.targetMac, offset + 18);
  write32(buf, offset + 24, repr.targetIp);
  return ARP_LEN;
}
