/**
 * IPv4 fragmentation (RFC 791) and reassembly. A sending stack with an IP packet bigger than
 * its MTU splits it (unless DF is set: then the send fails, like vmkping -d's "Message too
 * long"); the receiver puts the pieces back together keyed by source, destination,
 * identification and protocol.
 */
import { FrameInputError } from './errors.js';
import { MIN_FRAME_LEN, write16 } from './ethernet.js';
import { internetChecksum } from './checksum.js';
import { IPV4_MAX_PACKET_LEN, isFragment, parseIpv4Packet } from './ipv4.js';
import type { Ipv4Repr } from './ipv4.js';

/** The options to repeat in every fragment after the first: those with the "copied" flag. */
function copiedOptions(frame: Uint8Array, ip: Ipv4Repr): Uint8Array {
  const out: number[] = [];
  let i = ip.offset + 20;
  const end = ip.offset + ip.headerLength;
  while (i < end) {
    const type = frame[i]!;
    if (type === 0) break;
    if (type === 1) {
      i++;
      continue;
    }
    const len = frame[i + 1] ?? 0;
    if (len < 2 || i + len > end) break;
    if (type & 0x80) { for (let k = 0; k < len; k++) out.push(frame[i + k]!); }
    i += len;
  }
  while (out.length % 4 !== 0) out.push(0);
  return Uint8Array.from(out);
}

function writeHeader(frame: Uint8Array, ip: Ipv4Repr, options: Uint8Array, out: Uint8Array, off: number, fragOffset: number, mf: boolean, dataLen: number): number {
  const hl = 20 + options.length;
  out.set(frame.subarray(ip.offset, ip.offset + 20), off);
  out.set(options, off + 20);
  out[off] = 0x40 | (hl >>> 2);
  write16(out, off + 2, hl + dataLen);
  write16(out, off + 6, (ip.df ? 0x4000 : 0) | (mf ? 0x2000 : 0) | (fragOffset >>> 3));
  write16(out, off + 10, 0);
  write16(out, off + 10, internetChecksum(out, off, hl));
  return hl;
}

/**
 * Splits an IPv4 frame into frames whose IP packets fit `mtu` bytes (8-byte aligned offsets,
 * MF on all but the last, fresh header checksums, Ethernet header and tags repeated). A packet
 * that fits comes back as a one-element list holding a copy. Throws `FrameInputError` when DF is
 * set and the packet does not fit, when the frame is not IPv4, or when the MTU is below 68.
 */
export function fragmentIpv4(frame: Uint8Array, mtu: number): Uint8Array[] {
  if (!Number.isInteger(mtu) || mtu < 68 || mtu > IPV4_MAX_PACKET_LEN) throw new FrameInputError(`mtu: ${mtu} is not an IPv4 MTU (68..65535)`, 'mtu');
  const ip = parseIpv4Packet(frame);
  if (!ip) throw new FrameInputError('frame: not a complete IPv4 packet, nothing to fragment', 'frame');
  if (ip.totalLength <= mtu) return [frame.slice()];
  if (ip.df) {
    throw new FrameInputError(`Message too long: the ${ip.totalLength}-byte IP packet does not fit the ${mtu}-byte MTU and DF (don't fragment) is set`, 'mtu');
  }
  const firstOptions = frame.slice(ip.offset + 20, ip.offset + ip.headerLength);
  const laterOptions = copiedOptions(frame, ip);
  const out: Uint8Array[] = [];
  let done = 0;
  while (done < ip.payloadLength) {
    const options = done === 0 ? firstOptions : laterOptions;
    const room = Math.floor((mtu - 20 - options.length) / 8) * 8;
    const len = Math.min(room, ip.payloadLength - done);
    const last = done + len >= ip.payloadLength;
    const size = ip.offset + 20 + options.length + len;
    const f = new Uint8Array(Math.max(size, MIN_FRAME_LEN));
    f.set(frame.subarray(0, ip.offset), 0);
    const hl = writeHeader(frame, ip, options, f, ip.offset, ip.fragmentOffset + done, last ? ip.mf : true, len);
    f.set(frame.subarray(ip.payloadOffset + done, ip.payloadOffset + done + len), ip.offset + hl);
    out.push(f);
    done += len;
  }
  return out;
}

interface Pending {
  firstSeen: number;
  /** Ethernet header + tags and IP header of the fragment at offset 0, once seen */
  head: Uint8Array | null;
  ipOffset: number;
  headerLength: number;
  data: Uint8Array;
  /** received [start, end) ranges */
  ranges: Array<[number, number]>;
  /** total data length, once the last fragment (MF clear) is seen */
  total: number;
}

export interface ReassemblerOptions {
  /** how long an incomplete packet is kept (in the caller's time unit; default 30 s in ns) */
  timeout?: number;
  /** most packets kept at once (oldest dropped first; default 64) */
  maxPending?: number;
}

/**
 * Reassembles IPv4 fragments keyed by (source, destination, identification, protocol). `push`
 * returns the whole packet as one frame when the last missing piece arrives (Ethernet header and
 * tags of the first fragment, IP header with MF clear and offset 0), else null. A frame that is
 * not a fragment is returned as it is.
 */
export class Ipv4Reassembler {
  private readonly pending = new Map<string, Pending>();
  private readonly timeout: number;
  private readonly maxPending: number;

  constructor(opts: ReassemblerOptions = {}) {
    this.timeout = opts.timeout ?? 30e9;
    this.maxPending = opts.maxPending ?? 64;
  }

  /** Number of packets waiting for more fragments. */
  get size(): number {
    return this.pending.size;
  }

  push(frame: Uint8Array, now = 0): Uint8Array | null {
    const ip = parseIpv4Packet(frame);
    if (!ip) return null;
    if (!isFragment(ip)) return frame;
    this.expire(now);
    const key = `${ip.src}/${ip.dst}/${ip.identification}/${ip.protocol}`;
    let p = this.pending.get(key);
    if (!p) {
      if (this.pending.size >= this.maxPending) this.pending.delete(this.pending.keys().next().value!);
      p = { firstSeen: now, head: null, ipOffset: 0, headerLength: 0, data: new Uint8Array(0), ranges: [], total: -1 };
      this.pending.set(key, p);
    }
    const start = ip.fragmentOffset;
    const end = start + ip.payloadLength;
    if (end > IPV4_MAX_PACKET_LEN - 20) {
      this.pending.delete(key);
      return null;
    }
    if (end > p.data.length) {
      const grown = new Uint8Array(Math.max(end, p.data.length * 2));
      grown.set(p.data);
      p.data = grown;
    }
    p.data.set(frame.subarray(ip.payloadOffset, ip.payloadOffset + ip.payloadLength), start);
    p.ranges.push([start, end]);
    if (!ip.mf) p.total = end;
    if (start === 0) {
      p.head = frame.slice(0, ip.payloadOffset);
      p.ipOffset = ip.offset;
      p.headerLength = ip.headerLength;
    }
    if (p.total < 0 || !p.head || !covers(p.ranges, p.total)) return null;
    this.pending.delete(key);
    const size = p.ipOffset + p.headerLength + p.total;
    const out = new Uint8Array(Math.max(size, MIN_FRAME_LEN));
    out.set(p.head, 0);
    out.set(p.data.subarray(0, p.total), p.ipOffset + p.headerLength);
    const o = p.ipOffset;
    write16(out, o + 2, p.headerLength + p.total);
    out[o + 6] = out[o + 6]! & 0x40; // keep DF, clear MF and the offset
    out[o + 7] = 0;
    write16(out, o + 10, 0);
    write16(out, o + 10, internetChecksum(out, o, p.headerLength));
    return out;
  }

  /** Forgets packets older than the timeout; returns how many were dropped. */
  expire(now: number): number {
    let n = 0;
    for (const [k, p] of this.pending) {
      if (now - p.firstSeen > this.timeout) {
        this.pending.delete(k);
        n++;
      }
    }
    return n;
  }
}

function covers(ranges: Array<[number, number]>, total: number): boolean {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  let reached = 0;
  for (const [s, e] of sorted) {
    if (s > reached) return false;
    if (e > reached) reached = e;
  }
  return reached >= total;
}

/** Reassembles a complete set of fragments (any order); null when pieces are missing. */
export function reassembleIpv4(fragments: Uint8Array[]): Uint8Array | null {
  const r = new Ipv4Reassembler();
  let whole: Uint8Array | null = null;
  for (const f of fragments) whole = r.push(f) ?? whole;
  return whole;
}
