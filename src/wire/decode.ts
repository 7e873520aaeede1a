/**
 * A structured decode of any bytes, for the UI's packet tree: one layer per header, each with
 * named fields (text values, byte offset and length). Decoding goes as far as the bytes are
 * valid; the first problem is reported in `malformed` with the layer and offset. Nothing throws.
 */
import { formatMac, isBroadcast, isMulticast } from './mac.js';
import { ipv4ToString, ipv6ToString } from './ip.js';
import { EtherType, MAX_8023_LENGTH, etherTypeName, isTpid, read16, read32 } from './ethernet.js';
import { internetChecksum, finishChecksum, pseudoHeaderSum4, pseudoHeaderSum6, sumWords } from './checksum.js';
import { icmpTypeName } from './icmpv4.js';
import { ipProtocolName } from './ipv4.js';
import { tcpFlagsText } from './tcp.js';
import { icmpv6TypeName } from './icmpv6.js';
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
  const first = f.length >= 14 ? read16(f, 12) : -1;
  const eth = d.layer(first >= 0 && first <= MAX_8023_LENGTH ? 'IEEE 802.3 Ethernet' : 'Ethernet II', 0, 14);
  if (f.length >= 6) field(eth, 'Destination', macText(f, 0), 0, 6);
  if (f.length >= 12) field(eth, 'Source', macText(f, 6), 6, 6);
  if (!d.need(eth, 0, 14)) return;
  let typeOff = 12;
  let type = first;
  let last = eth;
  if (type <= MAX_8023_LENGTH) field(eth, 'Length', String(type), 12, 2);
  else field(eth, 'Type', typeText(type), 12, 2);
  while (isTpid(type)) {
    const tag = d.layer(type === 0x88a8 ? '802.1ad' : '802.1Q', typeOff + 2, 4);
    if (!d.need(tag, typeOff + 2, 4)) return;
    const tci = read16(f, typeOff + 2);
    field(tag, 'Priority (PCP)', String(tci >>> 13), typeOff + 2, 1);
    field(tag, 'DEI', String((tci >>> 12) & 1), typeOff + 2, 1);
    field(tag, 'ID', `${tci & 0xfff}${(tci & 0xfff) === 0 ? ' (priority tag)' : ''}`, typeOff + 2, 2);
    typeOff += 4;
    type = read16(f, typeOff);
    field(tag, type <= MAX_8023_LENGTH ? 'Length' : 'Type', type <= MAX_8023_LENGTH ? String(type) : typeText(type), typeOff, 2);
    last = tag;
  }
  const off = typeOff + 2;
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

function decodeArp(d: Decoder, off: number, type: number): number {
  const f = d.f;
  const l = d.layer(type === EtherType.RARP ? 'RARP' : 'ARP', off, 28);
  if (!d.need(l, off, 8)) return -1;
  const hlen = f[off + 4]!;
  const plen = f[off + 5]!;
  const op = read16(f, off + 6);
  const opName: Record<number, string> = { 1: 'request', 2: 'reply', 3: 'reverse request', 4: 'reverse reply' };
  field(l, 'Hardware type', read16(f, off) === 1 ? 'Ethernet (1)' : String(read16(f, off)), off, 2);
  field(l, 'Protocol type', typeText(read16(f, off + 2)), off + 2, 2);
  field(l, 'Hardware size', String(hlen), off + 4, 1);
  field(l, 'Protocol size', String(plen), off + 5, 1);
  field(l, 'Opcode', `${opName[op] ?? 'unknown'} (${op})`, off + 6, 2);
  const len = 8 + 2 * (hlen + plen);
  l.length = len;
  if (!d.need(l, off, len)) return -1;
  const addr = (o: number, n: number, isMac: boolean) =>
    isMac && n === 6 ? formatMac(f, o) : !isMac && n === 4 ? ipv4ToString(read32(f, o)) : Array.from(f.subarray(o, o + n), (b) => b.toString(16).padStart(2, '0')).join(':');
  let o = off + 8;
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
  const l = d.layer('IPv4', off, 20);
  if (!d.need(l, off, 20)) return -1;
  const version = f[off]! >>> 4;
  const hl = (f[off]! & 0x0f) * 4;
  field(l, 'Version', String(version), off, 1);
  if (version !== 4) {
    d.fail(l, `version ${version}, expected 4`);
    return -1;
  }
  field(l, 'Header length', `${hl} bytes (${hl / 4})`, off, 1);
  if (hl < 20) {
    d.fail(l, `header length ${hl} is below the 20-byte minimum`);
    return -1;
  }
  l.length = hl;
  const total = read16(f, off + 2);
  const flags = read16(f, off + 6);
  const proto = f[off + 9]!;
  field(l, 'Differentiated Services', `${hex(f[off + 1]!, 2)} (DSCP ${f[off + 1]! >>> 2}, ECN ${f[off + 1]! & 3})`, off + 1, 1);
  field(l, 'Total length', String(total), off + 2, 2);
  field(l, 'Identification', `${hex(read16(f, off + 4), 4)} (${read16(f, off + 4)})`, off + 4, 2);
  const flagNames = [flags & 0x8000 ? 'Reserved' : '', flags & 0x4000 ? "Don't fragment" : '', flags & 0x2000 ? 'More fragments' : ''].filter(Boolean);
  field(l, 'Flags', `${hex(flags >>> 13, 1)}${flagNames.length ? ` (${flagNames.join(', ')})` : ''}`, off + 6, 1);
  field(l, 'Fragment offset', `${(flags & 0x1fff) * 8} bytes`, off + 6, 2);
  field(l, 'Time to live', String(f[off + 8]!), off + 8, 1);
  field(l, 'Protocol', `${ipProtocolName(proto)} (${proto})`, off + 9, 1);
  if (!d.need(l, off, hl)) return -1;
  const ck = read16(f, off + 10);
  const ok = internetChecksum(f, off, hl) === 0;
  field(l, 'Header checksum', checksumText(ck, ok), off + 10, 2);
  field(l, 'Source address', ipv4ToString(read32(f, off + 12)), off + 12, 4);
  field(l, 'Destination address', ipv4ToString(read32(f, off + 16)), off + 16, 4);
  if (hl > 20) field(l, 'Options', `${hl - 20} bytes`, off + 20, hl - 20);
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
  if ((flags & 0x3fff) !== 0) {
    const data = d.layer('IPv4 fragment data', p, plen);
    field(data, 'Data', `${plen} bytes at fragment offset ${(flags & 0x1fff) * 8}`, p, plen);
    return off + total;
  }
  const src = read32(f, off + 12);
  const dst = read32(f, off + 16);
  if (proto === 1) decodeIcmp(d, p, plen);
  else if (proto === 17) decodeUdp(d, p, plen, (len) => pseudoHeaderSum4(src, dst, 17, len), true);
  else if (proto === 6) decodeTcp(d, p, plen, pseudoHeaderSum4(src, dst, 6, plen));
  else if (plen > 0) field(d.layer('Data', p, plen), 'Data', `${plen} bytes`, p, plen);
  return off + total;
}

function decodeIcmp(d: Decoder, off: number, len: number): void {
  const f = d.f;
  const l = d.layer('ICMP', off, len);
  if (!d.need(l, off, 8, off + len)) return;
  const type = f[off]!;
  const code = f[off + 1]!;
  field(l, 'Type', `${type} (${icmpTypeName(type, code)})`, off, 1);
  field(l, 'Code', String(code), off + 1, 1);
  field(l, 'Checksum', checksumText(read16(f, off + 2), internetChecksum(f, off, len) === 0), off + 2, 2);
  if (type === 0 || type === 8) {
    field(l, 'Identifier', `${read16(f, off + 4)} (${hex(read16(f, off + 4), 4)})`, off + 4, 2);
    field(l, 'Sequence number', String(read16(f, off + 6)), off + 6, 2);
  } else if (type === 3 && code === 4) {
    field(l, 'MTU of next hop', String(read16(f, off + 6)), off + 6, 2);
  }
  if (len > 8) field(l, 'Data', `${len - 8} bytes`, off + 8, len - 8);
}

function decodeUdp(d: Decoder, off: number, available: number, pseudo: (len: number) => number, zeroMeansNone: boolean): void {
  const f = d.f;
  const l = d.layer('UDP', off, available);
  if (!d.need(l, off, 8, off + available)) return;
  const len = read16(f, off + 4);
  field(l, 'Source port', String(read16(f, off)), off, 2);
  field(l, 'Destination port', String(read16(f, off + 2)), off + 2, 2);
  field(l, 'Length', String(len), off + 4, 2);
  if (len < 8 || len > available) {
    d.fail(l, `length field ${len} does not fit the ${available} bytes of IP payload`);
    return;
  }
  l.length = len;
  const ck = read16(f, off + 6);
  if (ck === 0 && zeroMeansNone) field(l, 'Checksum', '0x0000 [none]', off + 6, 2);
  else field(l, 'Checksum', checksumText(ck, finishChecksum(sumWords(f, off, len, pseudo(len))) === 0), off + 6, 2);
  if (len > 8) field(l, 'Payload', `${len - 8} bytes`, off + 8, len - 8);
}

function decodeTcp(d: Decoder, off: number, len: number, pseudo: number): void {
  const f = d.f;
  const l = d.layer('TCP', off, len);
  if (!d.need(l, off, 20, off + len)) return;
  const hl = (f[off + 12]! >>> 4) * 4;
  const flags = ((f[off + 12]! & 1) << 8) | f[off + 13]!;
  field(l, 'Source port', String(read16(f, off)), off, 2);
  field(l, 'Destination port', String(read16(f, off + 2)), off + 2, 2);
  field(l, 'Sequence number (raw)', String(read32(f, off + 4)), off + 4, 4);
  field(l, 'Acknowledgment number (raw)', String(read32(f, off + 8)), off + 8, 4);
  field(l, 'Header length', `${hl} bytes`, off + 12, 1);
  field(l, 'Flags', `${hex(flags, 3)} (${tcpFlagsText(flags) || 'none'})`, off + 12, 2);
  field(l, 'Window', String(read16(f, off + 14)), off + 14, 2);
  field(l, 'Checksum', checksumText(read16(f, off + 16), finishChecksum(sumWords(f, off, len, pseudo)) === 0), off + 16, 2);
  field(l, 'Urgent pointer', String(read16(f, off + 18)), off + 18, 2);
  if (hl < 20 || hl > len) {
    d.fail(l, `header length ${hl} is outside 20..${len}`);
    return;
  }
  if (hl > 20) field(l, 'Options', `${hl - 20} bytes`, off + 20, hl - 20);
  if (len > hl) field(l, 'Payload', `${len - hl} bytes`, off + hl, len - hl);
}

const V6_EXT: Record<number, string> = { 0: 'Hop-by-Hop Options', 43: 'Routing', 44: 'Fragment', 60: 'Destination Options' };

function decodeIpv6(d: Decoder, off: number): number {
  const f = d.f;
  const l = d.layer('IPv6', off, 40);
  if (!d.need(l, off, 40)) return -1;
  const version = f[off]! >>> 4;
  field(l, 'Version', String(version), off, 1);
  if (version !== 6) {
    d.fail(l, `version ${version}, expected 6`);
    return -1;
  }
  const plen = read16(f, off + 4);
  let next = f[off + 6]!;
  field(l, 'Traffic class', hex(((f[off]! & 0x0f) << 4) | (f[off + 1]! >>> 4), 2), off, 2);
  field(l, 'Flow label', hex(((f[off + 1]! & 0x0f) << 16) | read16(f, off + 2), 5), off + 1, 3);
  field(l, 'Payload length', String(plen), off + 4, 2);
  field(l, 'Next header', `${ipProtocolName(next)} (${next})`, off + 6, 1);
  field(l, 'Hop limit', String(f[off + 7]!), off + 7, 1);
  field(l, 'Source address', ipv6ToString(f, off + 8), off + 8, 16);
  field(l, 'Destination address', ipv6ToString(f, off + 24), off + 24, 16);
  const end = off + 40 + plen;
  if (end > f.length) {
    d.fail(l, `payload length ${plen} but only ${f.length - off - 40} bytes present`);
    return -1;
  }
  let p = off + 40;
  while (V6_EXT[next] !== undefined) {
    const x = d.layer(`IPv6 ${V6_EXT[next]}`, p, 8);
    if (!d.need(x, p, 8, end)) return -1;
    const len = next === 44 ? 8 : (f[p + 1]! + 1) * 8;
    x.length = len;
    if (!d.need(x, p, len, end)) return -1;
    field(x, 'Next header', `${ipProtocolName(f[p]!)} (${f[p]!})`, p, 1);
    if (next === 44) {
      field(x, 'Offset', `${read16(f, p + 2) & 0xfff8} bytes`, p + 2, 2);
      field(x, 'More fragments', String((f[p + 3]! & 1) === 1), p + 3, 1);
      field(x, 'Identification', hex(read32(f, p + 4), 8), p + 4, 4);
    }
    next = f[p]!;
    p += len;
  }
  const ulen = end - p;
  const pseudo = (len: number) => pseudoHeaderSum6(f, off + 8, off + 24, next, len);
  if (next === 58) decodeIcmpv6(d, p, ulen, pseudo(ulen));
  else if (next === 17) decodeUdp(d, p, ulen, pseudo, false);
  else if (next === 6) decodeTcp(d, p, ulen, pseudo(ulen));
  else if (ulen > 0) field(d.layer('Data', p, ulen), 'Data', `${ulen} bytes`, p, ulen);
  return end;
}

function decodeIcmpv6(d: Decoder, off: number, len: number, pseudo: number): void {
  const f = d.f;
  const l = d.layer('ICMPv6', off, len);
  if (!d.need(l, off, 4, off + len)) return;
  const type = f[off]!;
  field(l, 'Type', `${type} (${icmpv6TypeName(type)})`, off, 1);
  field(l, 'Code', String(f[off + 1]!), off + 1, 1);
  field(l, 'Checksum', checksumText(read16(f, off + 2), finishChecksum(sumWords(f, off, len, pseudo)) === 0), off + 2, 2);
  if (type === 128 || type === 129) {
    if (!d.need(l, off, 8, off + len)) return;
    field(l, 'Identifier', hex(read16(f, off + 4), 4), off + 4, 2);
    field(l, 'Sequence', String(read16(f, off + 6)), off + 6, 2);
    if (len > 8) field(l, 'Data', `${len - 8} bytes`, off + 8, len - 8);
  } else if (type === 135 || type === 136) {
    if (!d.need(l, off, 24, off + len)) return;
    if (type === 136) {
      const b = f[off + 4]!;
      const names = [b & 0x80 ? 'Router' : '', b & 0x40 ? 'Solicited' : '', b & 0x20 ? 'Override' : ''].filter(Boolean);
      field(l, 'Flags', `${hex(b, 2)}${names.length ? ` (${names.join(', ')})` : ''}`, off + 4, 4);
    }
    field(l, 'Target address', ipv6ToString(f, off + 8), off + 8, 16);
    let o = off + 24;
    while (o < off + len) {
      if (!d.need(l, o, 2, off + len)) return;
      const t = f[o]!;
      const ol = f[o + 1]! * 8;
      if (ol === 0 || o + ol > off + len) {
        d.fail(l, `option at offset ${o} has length ${ol}, outside the message`);
        return;
      }
      const name = t === 1 ? 'Source link-layer address' : t === 2 ? 'Target link-layer address' : `Option ${t}`;
      field(l, name, (t === 1 || t === 2) && ol === 8 ? formatMac(f, o + 2) : `${ol} bytes`, o, ol);
      o += ol;
    }
  } else if (type === 2 && len >= 8) {
    field(l, 'MTU', String(read32(f, off + 4)), off + 4, 4);
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
