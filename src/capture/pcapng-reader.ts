/**
 * pcapng reader, our own (small): Section Header Blocks in either byte order (several sections
 * in one file are fine; interface ids restart per section and are made global here), Interface
 * Description Blocks (link type, snap length, if_name, if_description, if_tsresol in both its
 * power-of-10 and power-of-2 forms, if_tsoffset), Enhanced, Simple and (obsolete) Packet Blocks
 * with epb_flags direction, epb_packetid, epb_dropcount and opt_comment. Other blocks (name
 * resolution, statistics, decryption secrets, custom) are skipped. Every structural problem is a
 * CaptureFormatError naming the byte offset.
 */
import type { CaptureDirection, CaptureFile, CaptureInterface, CapturePacket, ReadCaptureOptions } from './capture-file.js';
import { MAX_SNAPLEN, asBuffer, assertEthernet, assertSize } from './capture-file.js';
import { CaptureFormatError } from './capture-format-error.js';
import {
  BLOCK_EPB,
  BLOCK_IDB,
  BLOCK_OPB,
  BLOCK_SHB,
  BLOCK_SPB,
  BYTE_ORDER_MAGIC,
  EPB_DROPCOUNT,
  EPB_FLAGS,
  EPB_PACKETID,
  IF_DESCRIPTION,
  IF_NAME,
  IF_TSOFFSET,
  IF_TSRESOL,
  OPT_COMMENT,
  OPT_ENDOFOPT,
} from './pcapng-writer.js';

const BYTE_ORDER_MAGIC_SWAPPED = 0x4d3c2b1a;
const BLOCK_NRB = 0x00000004;
/** if_fcslen: bytes of FCS at the end of each packet of the interface */
const IF_FCSLEN = 13;
const BLOCK_ISB = 0x00000005;
const BLOCK_DSB = 0x0000000a;
const BLOCK_CB = 0x00000bad;
const BLOCK_DCB = 0x40000bad;
/** Packet block options with a fixed length (or a minimum), as Wireshark checks them: code -> [length, exact]. */
const PACKET_OPTION_LENGTHS: Record<number, [number, boolean]> = {
  2: [4, true], // epb_flags
  4: [8, true], // epb_dropcount
  5: [8, true], // epb_packetid
  6: [4, true], // epb_queue
};

interface InterfaceState extends CaptureInterface {
  /** Timestamp units per second (10^6 by default). */
  unitsPerSecond: bigint;
  /** if_tsoffset, in nanoseconds. */
  offsetNs: bigint;
}

const pad4 = (n: number): number => (n + 3) & ~3;
const hex32 = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;

function blockName(type: number): string {
  switch (type) {
    case BLOCK_SHB:
      return 'Section Header Block';
    case BLOCK_IDB:
      return 'Interface Description Block';
    case BLOCK_EPB:
      return 'Enhanced Packet Block';
    case BLOCK_SPB:
      return 'Simple Packet Block';
    case BLOCK_OPB:
      return 'Packet Block';
    case BLOCK_NRB:
      return 'Name Resolution Block';
    case BLOCK_ISB:
      return 'Interface Statistics Block';
    case BLOCK_DSB:
      return 'Decryption Secrets Block';
    case BLOCK_CB:
    case BLOCK_DCB:
      return 'Custom Block';
    default:
      return `block of type ${hex32(type)}`;
  }
}

/** Reads a pcapng file already in memory. Throws CaptureFormatError. */
export function readPcapng(input: Uint8Array, options?: ReadCaptureOptions): CaptureFile {
  const buf = asBuffer(input);
  assertSize(buf.length, options);
  const packets: CapturePacket[] = [];
  const parser = new PcapngParser((p) => void packets.push(p));
  parser.parse(buf, 0, true);
  return { format: 'pcapng', interfaces: parser.interfaces(), packets, skippedBlocks: parser.skippedBlocks() };
}

/** Largest block held in memory at once by the streaming reader (capture-stream.ts). */
export const MAX_PCAPNG_BLOCK_BYTES = 16 * 1024 * 1024;

/**
 * The pcapng parser, incremental: `parse` takes the bytes read so far (from file offset `base`),
 * hands every complete packet to `onPacket` (its `data` a view into those bytes, valid during
 * the call unless the caller keeps the buffer) and returns how many bytes it consumed; the rest
 * (an incomplete block) comes again, with more, on the next call. `final`: no more bytes follow,
 * so an incomplete block is an error.
 */
export class PcapngParser {
  private readonly ifaces: InterfaceState[] = [];
  private le = true;
  /** global index of the current section's interface 0 */
  private sectionBase = 0;
  private sectionInterfaces = 0;
  private started = false;

  constructor(
    private readonly onPacket: (p: CapturePacket) => void,
    private readonly onInterface?: (iface: CaptureInterface, index: number) => void,
  ) {}

  private readonly skipped = new Map<string, number>();

  /** Blocks read but not used, by name (`block of type 0x…` for types this reader does not know). */
  skippedBlocks(): Record<string, number> {
    return Object.fromEntries(this.skipped);
  }

  private count(type: number): void {
    const name = blockName(type);
    this.skipped.set(name, (this.skipped.get(name) ?? 0) + 1);
  }

  /** The interfaces declared so far (global across sections). */
  interfaces(): CaptureInterface[] {
    return this.ifaces.map(({ unitsPerSecond: _u, offsetNs: _o, ...visible }) => visible);
  }

  /** Bytes the block starting at `buf[0]` needs in all (its total length), or 0 when not yet known. */
  nextBlockLength(buf: Buffer): number {
    if (buf.length < 12) return 0;
    let le = this.le;
    if (buf.readUInt32LE(0) === BLOCK_SHB) le = buf.readUInt32LE(8) === BYTE_ORDER_MAGIC;
    return le ? buf.readUInt32LE(4) : buf.readUInt32BE(4);
  }

  parse(buf: Buffer, base: number, final: boolean): number {
    try {
      return this.parseBlocks(buf, final);
    } catch (err) {
      if (err instanceof CaptureFormatError && base !== 0) throw new CaptureFormatError(err.detail, (err.offset ?? 0) + base);
      throw err;
    }
  }

  /** Reads every complete block of `buf`, each by its type's step; returns the bytes consumed. */
  private parseBlocks(buf: Buffer, final: boolean): number {
    const len = buf.length;
    const c: BlockCursor = { buf, dv: new DataView(buf.buffer, buf.byteOffset, buf.byteLength), le: this.le, type: 0, off: 0, total: 0, end: 0 };
    if (!this.started) {
      if (len < 12 && !final) return 0;
      if (len < 12 || buf.readUInt32LE(0) !== BLOCK_SHB) {
        throw new CaptureFormatError('not a pcapng file: it does not start with a Section Header Block (0a0d0d0a)', 0);
      }
      this.started = true;
    }
    let off = 0;
    while (off < len) {
      if (!this.frameBlock(c, off, final)) break;
      this.le = c.le;
      switch (c.type) {
        case BLOCK_SHB:
          this.readSectionHeader(c);
          break;
        case BLOCK_IDB:
          this.readInterfaceDescription(c);
          break;
        case BLOCK_EPB:
        case BLOCK_OPB:
          this.readPacketBlock(c);
          break;
        case BLOCK_SPB:
          this.readSimplePacketBlock(c);
          break;
        default:
          this.checkOtherBlock(c);
          break;
      }
      off += c.total;
    }
    return off;
  }

  /**
   * Points `c` at the block starting at `off`: its type, byte order (a Section Header Block sets
   * it), total length and end, checked (lengths, limit, trailing copy). false: the block is not
   * complete yet and more bytes may come (an error when `final`).
   */
  private frameBlock(c: BlockCursor, off: number, final: boolean): boolean {
    const { buf, dv } = c;
    const left = buf.length - off;
    if (left < 12) {
      if (!final) return false;
      throw new CaptureFormatError(`truncated block header: ${left} bytes left, a block needs at least 12`, off);
    }
    const type = dv.getUint32(off, this.le);
    let le = this.le;
    if (type === BLOCK_SHB) {
      const magic = dv.getUint32(off + 8, true);
      if (magic === BYTE_ORDER_MAGIC) le = true;
      else if (magic === BYTE_ORDER_MAGIC_SWAPPED) le = false;
      else {
        throw new CaptureFormatError(
          `corrupt Section Header Block: byte-order magic bytes ${buf.toString('hex', off + 8, off + 12)} are neither 4d3c2b1a (little-endian) nor 1a2b3c4d (big-endian)`,
          off + 8,
        );
      }
    }
    const total = dv.getUint32(off + 4, le);
    if (total < 12 || total % 4 !== 0) {
      throw new CaptureFormatError(`corrupt ${blockName(type)}: block total length ${total} is ${total < 12 ? 'under 12' : 'not a multiple of 4'}`, off + 4);
    }
    if (total > MAX_PCAPNG_BLOCK_BYTES) {
      throw new CaptureFormatError(`corrupt ${blockName(type)}: block total length ${total} is over the limit of ${MAX_PCAPNG_BLOCK_BYTES} bytes held at once`, off + 4);
    }
    if (total > left) {
      if (!final) return false;
      throw new CaptureFormatError(`truncated ${blockName(type)}: block total length ${total}, only ${left} bytes left in the file`, off);
    }
    const trailing = dv.getUint32(off + total - 4, le);
    if (trailing !== total) {
      throw new CaptureFormatError(`corrupt ${blockName(type)}: trailing block total length ${trailing} differs from the leading ${total}`, off + total - 4);
    }
    c.type = type;
    c.le = le;
    c.off = off;
    c.total = total;
    c.end = off + total - 4; // start of the trailing length
    return true;
  }

  /** A Section Header Block: version 1.0 (or the old 1.2); its interfaces are numbered from 0 again. */
  private readSectionHeader(c: BlockCursor): void {
    need(c, 28);
    const major = c.dv.getUint16(c.off + 12, c.le);
    const minor = c.dv.getUint16(c.off + 14, c.le);
    // 1.0 is the version; 1.2 was written by some old tools (Wireshark reads both, and nothing else)
    if (major !== 1 || (minor !== 0 && minor !== 2)) throw new CaptureFormatError(`unsupported pcapng version ${major}.${minor}; only 1.0 (and the old 1.2) are read`, c.off + 12);
    eachOption(c, c.off + 24, () => undefined);
    this.sectionBase = this.ifaces.length;
    this.sectionInterfaces = 0;
  }

  /** An Interface Description Block: link type, snap length, name, description, resolution, offset, FCS length. */
  private readInterfaceDescription(c: BlockCursor): void {
    need(c, 20);
    const { buf, dv, le } = c;
    const iface: InterfaceState = {
      linkType: dv.getUint16(c.off + 8, le),
      snapLen: dv.getUint32(c.off + 12, le),
      unitsPerSecond: 1_000_000n,
      offsetNs: 0n,
    };
    eachOption(c, c.off + 16, (code, at, length) => {
      if (code === IF_NAME) iface.name = text(buf, at, length);
      else if (code === IF_DESCRIPTION) iface.description = text(buf, at, length);
      else if (code === IF_TSRESOL && length >= 1) {
        const r = buf[at]!;
        const exp = BigInt(r & 0x7f);
        iface.unitsPerSecond = r & 0x80 ? 1n << exp : 10n ** exp;
      } else if (code === IF_FCSLEN && length >= 1) {
        if (buf[at]! > 0) iface.fcsLen = buf[at]!;
      } else if (code === IF_TSOFFSET && length >= 8) {
        iface.offsetNs = dv.getBigInt64(at, le) * 1_000_000_000n;
      }
    });
    this.ifaces.push(iface);
    this.sectionInterfaces++;
    if (this.onInterface !== undefined) {
      const { unitsPerSecond: _u, offsetNs: _o, ...visible } = iface;
      this.onInterface(visible, this.ifaces.length - 1);
    }
  }

  /** The global index of interface `id` of the current section (declared, and Ethernet). */
  private packetInterface(c: BlockCursor, id: number, at: number): number {
    if (id >= this.sectionInterfaces) {
      throw new CaptureFormatError(
        `${blockName(c.type)} refers to interface ${id}, but its section declares ${this.sectionInterfaces} interface${this.sectionInterfaces === 1 ? '' : 's'}`,
        at,
      );
    }
    const index = this.sectionBase + id;
    const iface = this.ifaces[index]!;
    assertEthernet(iface.linkType, at, iface.name === undefined ? `interface ${id}: ` : `interface ${id} (${iface.name}): `);
    return index;
  }

  /** An Enhanced Packet Block (or the obsolete Packet Block): the packet with its timestamp, direction, id, drop count and comments. */
  private readPacketBlock(c: BlockCursor): void {
    need(c, 32);
    const { buf, dv, le, off, type, end, total } = c;
    const obsolete = type === BLOCK_OPB;
    const id = obsolete ? dv.getUint16(off + 8, le) : dv.getUint32(off + 8, le);
    const index = this.packetInterface(c, id, off + 8);
    const capLen = dv.getUint32(off + 20, le);
    const dataStart = off + 28;
    if (capLen > MAX_SNAPLEN) {
      throw new CaptureFormatError(`corrupt ${blockName(type)}: captured length ${capLen} is over the maximum of ${MAX_SNAPLEN}`, off + 20);
    }
    if (dataStart + capLen > end) {
      throw new CaptureFormatError(`corrupt ${blockName(type)}: captured length ${capLen} runs past the end of its ${total}-byte block`, off + 20);
    }
    const iface = this.ifaces[index]!;
    const packet: CapturePacket = {
      interface: index,
      timestampNs: timestampOf(iface, dv.getUint32(off + 12, le), dv.getUint32(off + 16, le)),
      data: buf.subarray(dataStart, dataStart + capLen),
      originalLength: dv.getUint32(off + 24, le),
    };
    if (obsolete) {
      const drops = dv.getUint16(off + 10, le);
      if (drops !== 0xffff) packet.dropCount = BigInt(drops);
    }
    eachOption(c, Math.min(dataStart + pad4(capLen), end), (code, at, length) => {
      const fixed = PACKET_OPTION_LENGTHS[code];
      if (fixed !== undefined && (fixed[1] ? length !== fixed[0] : length < fixed[0])) {
        throw new CaptureFormatError(`corrupt ${blockName(type)}: option ${code} is ${length} bytes long, not ${fixed[1] ? '' : 'at least '}${fixed[0]}`, at - 2);
      }
      if (code === EPB_FLAGS && length >= 4) {
        const dir = dv.getUint32(at, le) & 3;
        const direction: CaptureDirection | undefined = dir === 1 ? 'inbound' : dir === 2 ? 'outbound' : undefined;
        if (direction !== undefined) packet.direction = direction;
      } else if (code === EPB_PACKETID && length >= 8 && !obsolete) {
        packet.packetId = dv.getBigUint64(at, le);
      } else if (code === EPB_DROPCOUNT && length >= 8 && !obsolete) {
        packet.dropCount = dv.getBigUint64(at, le);
      } else if (code === OPT_COMMENT) {
        const t = text(buf, at, length);
        packet.comment = packet.comment === undefined ? t : `${packet.comment}\n${t}`;
      }
    });
    this.onPacket(packet);
  }

  /** A Simple Packet Block: the packet of interface 0 and nothing else (no timestamp). */
  private readSimplePacketBlock(c: BlockCursor): void {
    need(c, 16);
    const { off, total, type } = c;
    const index = this.packetInterface(c, 0, off);
    const iface = this.ifaces[index]!;
    const originalLength = c.dv.getUint32(off + 8, c.le);
    const capLen = iface.snapLen !== 0 ? Math.min(originalLength, iface.snapLen) : originalLength;
    if (capLen > MAX_SNAPLEN) {
      throw new CaptureFormatError(`corrupt ${blockName(type)}: captured length ${capLen} is over the maximum of ${MAX_SNAPLEN}`, off + 8);
    }
    // a Simple Packet Block is its packet and nothing else (Wireshark reads the trailing length right after the data)
    if (16 + pad4(capLen) !== total) {
      throw new CaptureFormatError(`corrupt ${blockName(type)}: block total length ${total} does not fit ${capLen} bytes of packet data (${16 + pad4(capLen)} bytes)`, off + 4);
    }
    // A Simple Packet Block has no timestamp.
    this.onPacket({ interface: index, timestampNs: 0n, data: c.buf.subarray(off + 12, off + 12 + capLen), originalLength });
  }

  /**
   * Any other block: not needed for replay, but checked as Wireshark checks them (a damaged file
   * is refused here as there, and a packet block whose type was damaged into one of these is not
   * silently taken for something else), then counted as skipped.
   */
  private checkOtherBlock(c: BlockCursor): void {
    const { dv, le, off, end, type, total } = c;
    switch (type) {
      case BLOCK_NRB:
        checkNameResolution(c);
        break;
      case BLOCK_ISB:
        need(c, 24);
        eachOption(c, off + 20, () => undefined);
        break;
      case BLOCK_DSB: {
        need(c, 20);
        const secrets = dv.getUint32(off + 12, le);
        if (off + 16 + pad4(secrets) > end) {
          throw new CaptureFormatError(`corrupt ${blockName(type)}: ${secrets} bytes of secrets run past the end of its ${total}-byte block`, off + 12);
        }
        eachOption(c, off + 16 + pad4(secrets), () => undefined);
        break;
      }
      case BLOCK_CB:
      case BLOCK_DCB:
        need(c, 16);
        break;
      default:
        // a block type we do not know (the spec says: skip it); counted, as it may be a packet block whose type was damaged
        break;
    }
    this.count(type);
  }
}

/** The block a parser reads now: its bytes, byte order, type, start, total length, and end (the start of the trailing length). */
interface BlockCursor {
  buf: Buffer;
  dv: DataView;
  le: boolean;
  type: number;
  off: number;
  total: number;
  end: number;
}

/** Refuses a block shorter than its type's minimum. */
function need(c: BlockCursor, min: number): void {
  if (c.total < min) throw new CaptureFormatError(`corrupt ${blockName(c.type)}: block total length ${c.total} is under its minimum of ${min}`, c.off + 4);
}

/** UTF-8 text of an option (some writers add a terminating NUL: cut off). */
function text(buf: Buffer, start: number, length: number): string {
  let end = start + length;
  while (end > start && buf[end - 1] === 0) end--;
  return buf.toString('utf8', start, end);
}

/** Calls `on` for every option of the block from `start` to its end (opt_endofopt ends early). */
function eachOption(c: BlockCursor, start: number, on: (code: number, at: number, length: number) => void): void {
  const { dv, le, end } = c;
  let o = start;
  while (o + 4 <= end) {
    const code = dv.getUint16(o, le);
    const length = dv.getUint16(o + 2, le);
    // (Wireshark checks the length first, even of opt_endofopt)
    if (o + 4 + pad4(length) > end) {
      throw new CaptureFormatError(`corrupt ${blockName(c.type)}: option ${code} of ${length} bytes runs past the end of its block`, o);
    }
    if (code === OPT_ENDOFOPT) return;
    on(code, o + 4, length);
    o += 4 + pad4(length);
  }
}

/** A Name Resolution Block's records (type, length, value padded to 4; ended by type 0), then options. */
function checkNameResolution(c: BlockCursor): void {
  const { buf, dv, le, end, type } = c;
  let o = c.off + 8;
  for (;;) {
    if (o + 4 > end) throw new CaptureFormatError(`corrupt ${blockName(type)}: ${end - o} bytes left, too few for a record header`, o);
    const rtype = dv.getUint16(o, le);
    const rlen = dv.getUint16(o + 2, le);
    if (o + 4 + pad4(rlen) > end) throw new CaptureFormatError(`corrupt ${blockName(type)}: record of ${rlen} bytes runs past the end of its block`, o + 2);
    if (rtype === 0) {
      o += 4 + pad4(rlen);
      break;
    }
    const addr = rtype === 1 ? 4 : rtype === 2 ? 16 : 0;
    if (addr > 0) {
      if (rlen < addr) throw new CaptureFormatError(`corrupt ${blockName(type)}: IPv${addr === 4 ? 4 : 6} record of ${rlen} bytes, under its minimum of ${addr}`, o + 2);
      if (rlen > addr && buf[o + 4 + rlen - 1] !== 0) throw new CaptureFormatError(`corrupt ${blockName(type)}: a host name is not NUL-terminated`, o + 4 + rlen - 1);
    }
    o += 4 + pad4(rlen);
  }
  eachOption(c, o, () => undefined);
}

function timestampOf(iface: InterfaceState, high: number, low: number): bigint {
  const units = (BigInt(high) << 32n) | BigInt(low);
  const ns = iface.unitsPerSecond === 1_000_000_000n ?
    units
    : iface.unitsPerSecond === 1_000_000n ?
    units * 1000n
    : (units * 1_000_000_000n) / iface.unitsPerSecond;
  return ns + iface.offsetNs;
}
