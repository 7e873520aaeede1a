/**
 * pcapng writer (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-02.html), little-endian,
 * streaming-friendly: the Section Header Block and one Interface Description Block per interface
 * go to the sink as soon as the writer is built, before any packet, so a live stream (Wireshark
 * reading a pipe) knows every interface from the start. Each packet is one Enhanced Packet Block
 * in one freshly allocated Buffer (the sink may keep it), with epb_flags (direction), epb_packetid,
 * epb_dropcount and opt_comment when given. Timestamps are in nanoseconds (if_tsresol = 9).
 */
import type { CapturePacketInput } from './capture-file.js';
import { LINKTYPE_ETHERNET, MAX_SNAPLEN } from './capture-file.js';
import { FileSink } from './file-sink.js';

export const BLOCK_SHB = 0x0a0d0d0a;
export const BLOCK_IDB = 0x00000001;
export const BLOCK_OPB = 0x00000002;
export const BLOCK_SPB = 0x00000003;
export const BLOCK_EPB = 0x00000006;
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

export const OPT_ENDOFOPT = 0;
export const OPT_COMMENT = 1;
export const SHB_HARDWARE = 2;
export const SHB_OS = 3;
export const SHB_USERAPPL = 4;
export const IF_NAME = 2;
export const IF_DESCRIPTION = 3;
export const IF_TSRESOL = 9;
export const IF_TSOFFSET = 14;
export const EPB_FLAGS = 2;
export const EPB_DROPCOUNT = 4;
export const EPB_PACKETID = 5;

/** Option values are 16-bit lengths. */
const MAX_OPTION_BYTES = 0xffff;
const EPB_FIXED = 28; // type, length, interface id, ts high, ts low, captured len, original len
const U32 = 0xffff_ffffn;

export interface PcapngInterfaceSpec {
  /** `node:interface` plus what the capture point sees, e.g. `esxi-01:vmnic0 UplinkRcv`. */
  name: string;
  description?: string;
  /** LINKTYPE_*; default 1 (Ethernet). */
  linkType?: number;
  /** Default 262144. Longer packets are cut (their original length is kept). */
  snapLen?: number;
}

export interface PcapngShbOptions {
  /** shb_userappl; default `vswitch-lab`. */
  application?: string;
  hardware?: string;
  os?: string;
  comment?: string;
}

export interface PcapngWriterOptions {
  sink: (chunk: Uint8Array) => void;
  interfaces: readonly PcapngInterfaceSpec[];
  shbOptions?: PcapngShbOptions;
}

const pad4 = (n: number): number => (n + 3) & ~3;

/** Encodes `[code, value]` options followed by opt_endofopt; empty list -> no bytes at all. */
function encodeOptions(options: Array<[number, Uint8Array]>): Buffer {
  if (options.length === 0) return Buffer.alloc(0);
  let size = 4;
  for (const [, v] of options) size += 4 + pad4(v.length);
  const out = Buffer.alloc(size);
  let o = 0;
  for (const [code, v] of options) {
    out.writeUInt16LE(code, o);
    out.writeUInt16LE(v.length, o + 2);
    out.set(v, o + 4);
    o += 4 + pad4(v.length);
  }
  return out; // the last 4 zero bytes are opt_endofopt
}

function utf8Option(text: string): Buffer {
  return truncateUtf8(Buffer.from(text, 'utf8'), MAX_OPTION_BYTES);
}

/** Cuts UTF-8 bytes to at most `max` bytes without splitting a character. */
function truncateUtf8(bytes: Buffer, max: number): Buffer {
  if (bytes.length <= max) return bytes;
  let cut = max;
  while (cut > 0 && (bytes[cut]! & 0xc0) === 0x80) cut--;
  return bytes.subarray(0, cut);
}

function block(type: number, body: Buffer, options: Buffer): Buffer {
  const total = 8 + body.length + options.length + 4;
  const out = Buffer.alloc(total);
  out.writeUInt32LE(type, 0);
  out.writeUInt32LE(total, 4);
  body.copy(out, 8);
  options.copy(out, 8 + body.length);
  out.writeUInt32LE(total, total - 4);
  return out;
}

function checkU64(value: bigint | number, what: string): bigint {
  const v = typeof value === 'bigint' ? value : BigInt(value);
  if (v < 0n || v > 0xffff_ffff_ffff_ffffn) throw new RangeError(`${what} ${v} does not fit in 64 unsigned bits`);
  return v;
}

export class PcapngWriter {
  /** The interfaces as declared, with linkType and snapLen defaults filled in. */
  readonly interfaces: readonly (PcapngInterfaceSpec & { linkType: number; snapLen: number })[];
  private readonly sink: (chunk: Uint8Array) => void;
  private readonly snapLens: Uint32Array;
  private ended = false;
  /** Bytes handed to the sink so far (header blocks included). */
  bytesWritten = 0;
  packetsWritten = 0;

  constructor(options: PcapngWriterOptions) {
    this.sink = options.sink;
    this.interfaces = options.interfaces.map((i) => ({
      ...i,
      linkType: i.linkType ?? LINKTYPE_ETHERNET,
      snapLen: i.snapLen ?? MAX_SNAPLEN,
    }));
    this.snapLens = Uint32Array.from(this.interfaces, (i) => i.snapLen);
    for (const i of this.interfaces) {
      if (!Number.isInteger(i.linkType) || i.linkType < 0 || i.linkType > 0xffff) throw new RangeError(`link type ${i.linkType} is not a 16-bit number`);
      if (!Number.isInteger(i.snapLen) || i.snapLen < 0 || i.snapLen > 0xffff_ffff) throw new RangeError(`snap length ${i.snapLen} is not a 32-bit number`);
    }

    const shb = options.shbOptions ?? {};
    const shbOpts: Array<[number, Uint8Array]> = [];
    if (shb.comment !== undefined) shbOpts.push([OPT_COMMENT, utf8Option(shb.comment)]);
    if (shb.hardware !== undefined) shbOpts.push([SHB_HARDWARE, utf8Option(shb.hardware)]);
    if (shb.os !== undefined) shbOpts.push([SHB_OS, utf8Option(shb.os)]);
    shbOpts.push([SHB_USERAPPL, utf8Option(shb.application ?? 'vswitch-lab')]);
    const shbBody = Buffer.alloc(16);
    shbBody.writeUInt32LE(BYTE_ORDER_MAGIC, 0);
    shbBody.writeUInt16LE(1, 4); // major
    shbBody.writeUInt16LE(0, 6); // minor
    shbBody.writeBigInt64LE(-1n, 8); // section length not known (streaming)
    const header: Buffer[] = [block(BLOCK_SHB, shbBody, encodeOptions(shbOpts))];

    for (const i of this.interfaces) {
      const idbBody = Buffer.alloc(8);
      idbBody.writeUInt16LE(i.linkType, 0);
      idbBody.writeUInt16LE(0, 2);
      idbBody.writeUInt32LE(i.snapLen, 4);
      const opts: Array<[number, Uint8Array]> = [[IF_NAME, utf8Option(i.name)]];
      if (i.description !== undefined) opts.push([IF_DESCRIPTION, utf8Option(i.description)]);
      opts.push([IF_TSRESOL, Uint8Array.of(9)]); // 10^-9 s: nanoseconds
      header.push(block(BLOCK_IDB, idbBody, encodeOptions(opts)));
    }
    this.emit(Buffer.concat(header));
  }

  private emit(chunk: Buffer): void {
    this.bytesWritten += chunk.length;
    this.sink(chunk);
  }

  /** Writes one Enhanced Packet Block (one Buffer, one sink call). */
  writePacket(p: CapturePacketInput): void {
    if (this.ended) throw new Error('pcapng writer: writePacket after end()');
    const ifIndex = p.interface;
    const snapLen = this.snapLens[ifIndex];
    if (snapLen === undefined || !Number.isInteger(ifIndex)) {
      throw new RangeError(`pcapng writer: interface ${ifIndex} is not one of the ${this.interfaces.length} declared`);
    }
    const ts = p.timestampNs;
    if (ts < 0n || ts > 0xffff_ffff_ffff_ffffn) throw new RangeError(`pcapng writer: timestamp ${ts} ns is out of range`);
    const data = p.data;
    const capLen = snapLen !== 0 && data.length > snapLen ? snapLen : data.length;
    const origLen = p.originalLength ?? data.length;

    // Options: sizes first, so that the block is one allocation.
    let optBytes = 0;
    const flags = p.direction === 'inbound' ? 1 : p.direction === 'outbound' ? 2 : 0;
    if (flags !== 0) optBytes += 8;
    const packetId = p.packetId === undefined ? undefined : checkU64(p.packetId, 'packet id');
    if (packetId !== undefined) optBytes += 12;
    const dropCount = p.dropCount === undefined ? undefined : checkU64(p.dropCount, 'drop count');
    if (dropCount !== undefined) optBytes += 12;
    let commentLen = 0;
    let commentBytes: Buffer | undefined;
    if (p.comment !== undefined && p.comment !== '') {
      commentLen = Buffer.byteLength(p.comment, 'utf8');
      if (commentLen > MAX_OPTION_BYTES) {
        commentBytes = utf8Option(p.comment);
        commentLen = commentBytes.length;
      }
      optBytes += 4 + pad4(commentLen);
    }
    if (optBytes !== 0) optBytes += 4; // opt_endofopt

    const dataEnd = EPB_FIXED + pad4(capLen);
    const total = dataEnd + optBytes + 4;
    const b = Buffer.allocUnsafe(total);
    b.writeUInt32LE(BLOCK_EPB, 0);
    b.writeUInt32LE(total, 4);
    b.writeUInt32LE(ifIndex, 8);
    b.writeUInt32LE(Number(ts >> 32n), 12);
    b.writeUInt32LE(Number(ts & U32), 16);
    b.writeUInt32LE(capLen, 20);
    b.writeUInt32LE(origLen, 24);
    b.set(capLen === data.length ? data : data.subarray(0, capLen), EPB_FIXED);
    b.fill(0, EPB_FIXED + capLen, dataEnd);
    let o = dataEnd;
    if (flags !== 0) {
      b.writeUInt32LE(EPB_FLAGS + 4 * 0x10000, o);
      b.writeUInt32LE(flags, o + 4);
      o += 8;
    }
    if (packetId !== undefined) {
      b.writeUInt32LE(EPB_PACKETID + 8 * 0x10000, o);
      b.writeBigUInt64LE(packetId, o + 4);
      o += 12;
    }
    if (dropCount !== undefined) {
      b.writeUInt32LE(EPB_DROPCOUNT + 8 * 0x10000, o);
      b.writeBigUInt64LE(dropCount, o + 4);
      o += 12;
    }
    if (commentLen !== 0) {
      b.writeUInt16LE(OPT_COMMENT, o);
      b.writeUInt16LE(commentLen, o + 2);
      if (commentBytes !== undefined) b.set(commentBytes, o + 4);
      else b.write(p.comment!, o + 4, commentLen, 'utf8');
      const end = o + 4 + pad4(commentLen);
      b.fill(0, o + 4 + commentLen, end);
      o = end;
    }
    if (optBytes !== 0) {
      b.writeUInt32LE(0, o); // opt_endofopt
      o += 4;
    }
    b.writeUInt32LE(total, o);
    this.packetsWritten++;
    this.emit(b);
  }

  /** No more packets. The writer holds no buffered data, so there is nothing to flush. */
  end(): void {
    this.ended = true;
  }

  get isEnded(): boolean {
    return this.ended;
  }
}

export interface PcapngFileWriter extends PcapngWriter {
  /** Flushes and closes the file. Idempotent. */
  close(): void;
}

/** A PcapngWriter writing to a file (buffered, synchronous). Call close() at the end. */
export function openPcapngFile(
  path: string,
  interfaces: readonly PcapngInterfaceSpec[],
  shbOptions?: PcapngShbOptions,
): PcapngFileWriter {
  const file = new FileSink(path);
  let writer: PcapngFileWriter;
  try {
    writer = new PcapngWriter({ sink: file.write, interfaces, ...(shbOptions ? { shbOptions } : {}) }) as PcapngFileWriter;
  } catch (err) {
    file.close();
    throw err;
  }
  writer.close = () => {
    writer.end();
    file.close();
  };
  return writer;
}
