/**
 * LLDP (IEEE 802.1AB), recognised for summaries: a sequence of TLVs (7-bit type, 9-bit length)
 * — Chassis ID, Port ID, TTL, then optional ones (port description, system name, ...), End.
 * Sent to 01:80:c2:00:00:0e with EtherType 0x88cc.
 */
import { formatMac } from './mac.js';
import { ipv4ToString } from './ip.js';
import { read16, read32, write16 } from './ethernet.js';

export const LLDP_MULTICAST = Uint8Array.from([0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e]);

export interface LldpTlv {
  type: number;
  /** offset of the TLV header */
  offset: number;
  /** value length */
  length: number;
}

export interface LldpRepr {
  chassisIdSubtype: number;
  chassisId: string;
  portIdSubtype: number;
  portId: string;
  ttl: number;
  portDescription?: string;
  systemName?: string;
  tlvs: LldpTlv[];
}

export const LLDP_TLV_NAMES: Record<number, string> = {
  0: 'End of LLDPDU',
  1: 'Chassis Id',
  2: 'Port Id',
  3: 'Time To Live',
  4: 'Port Description',
  5: 'System Name',
  6: 'System Description',
  7: 'System Capabilities',
  8: 'Management Address',
  127: 'Organization Specific',
};

function text(bytes: Uint8Array, off: number, len: number): string {
  let printable = true;
  for (let i = 0; i < len; i++) if (bytes[off + i]! < 0x20 || bytes[off + i]! > 0x7e) printable = false;
  if (printable) return String.fromCharCode(...bytes.subarray(off, off + len));
  return Array.from(bytes.subarray(off, off + len), (b) => b.toString(16).padStart(2, '0')).join(':');
}

/** Chassis/port ID value: MAC (subtype 4 / 3), network address (subtype 5 / 4), else text. */
function idValue(bytes: Uint8Array, off: number, len: number, macSubtype: number, addrSubtype: number): string {
  const sub = bytes[off]!;
  if (sub === macSubtype && len === 7) return formatMac(bytes, off + 1);
  if (sub === addrSubtype && len === 6 && bytes[off + 1] === 1) return ipv4ToString(read32(bytes, off + 2));
  return text(bytes, off + 1, len - 1);
}

/** Walks the TLVs in `[offset, end)`; null unless Chassis ID, Port ID and TTL come first, complete. */
export function parseLldp(bytes: Uint8Array, offset: number, end: number): LldpRepr | null {
  const tlvs: LldpTlv[] = [];
  let off = offset;
  while (off + 2 <= end) {
    const h = read16(bytes, off);
    const type = h >>> 9;
    const length = h & 0x1ff;
    if (off + 2 + length > end) return null;
    tlvs.push({ type, offset: off, length });
    off += 2 + length;
    if (type === 0) break;
  }
  const [c, p, t] = tlvs;
  if (!c || !p || !t || c.type !== 1 || p.type !== 2 || t.type !== 3 || c.length < 2 || p.length < 2 || t.length < 2) return null;
  const r: LldpRepr = {
    chassisIdSubtype: bytes[c.offset + 2]!,
    chassisId: idValue(bytes, c.offset + 2, c.length, 4, 5),
    portIdSubtype: bytes[p.offset + 2]!,
    portId: idValue(bytes, p.offset + 2, p.length, 3, 4),
    ttl: read16(bytes, t.offset + 2),
    tlvs,
  };
  for (const x of tlvs) {
    if (x.type === 4) r.portDescription = text(bytes, x.offset + 2, x.length);
    if (x.type === 5) r.systemName = text(bytes, x.offset + 2, x.length);
  }
  return r;
}

/** Encodes TLVs: chassis ID as a MAC (subtype 4), port ID as an interface name (subtype 5), TTL, optional system name, End. */
export function emitLldpTlvs(chassisMac: Uint8Array, portId: string, ttl: number, systemName?: string): Uint8Array {
  const parts: number[] = [];
  const tlv = (type: number, value: number[]) => {
    parts.push((type << 1) | (value.length >>> 8), value.length & 0xff, ...value);
  };
  tlv(1, [4, ...chassisMac]);
  tlv(2, [5, ...Array.from(portId, (ch) => ch.charCodeAt(0) & 0xff)]);
  const t = new Uint8Array(2);
  write16(t, 0, ttl);
  tlv(3, [...t]);
  if (systemName !== undefined) tlv(5, Array.from(systemName, (ch) => ch.charCodeAt(0) & 0xff));
  tlv(0, []);
  return Uint8Array.from(parts);
}
