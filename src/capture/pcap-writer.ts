/**
 * Classic libpcap writer (https://wiki.wireshark.org/Development/LibpcapFileFormat), little-endian,
 * version 2.4, one link type (default 1, Ethernet), snap length 262144. Two timestamp variants:
 * microseconds (magic a1b2c3d4) and nanoseconds (magic a1b23c4d).
 *
 * Classic pcap has one interface and no per-packet metadata: packet comments, direction, packet
 * ids, drop counts and the interface a packet was seen on are silently dropped. `lossy` lists
 * them so that the CLI can warn; use pcapng to keep them.
 */
import type { CapturePacketInput } from './capture-file.js';
import { LINKTYPE_ETHERNET, MAX_SNAPLEN } from './capture-file.js';
import { FileSink } from './file-sink.js';

export const PCAP_MAGIC_MICRO = 0xa1b2c3d4;
export const PCAP_MAGIC_NANO = 0xa1b23c4d;
export const PCAP_HEADER_LEN = 24;
export const PCAP_RECORD_HEADER_LEN = 16;

/** What a classic pcap cannot carry (pcapng can). */
export const PCAP_LOSSY = ['comments', 'direction', 'packetId', 'interfaces', 'dropCount'] as const;
export type PcapLossyField = (typeof PCAP_LOSSY)[number];

export type PcapResolution = 'us' | 'ns';

export interface PcapWriterOptions {
  sink: (chunk: Uint8Array) => void;
  /** Timestamp resolution: 'us' (default, magic a1b2c3d4) or 'ns' (magic a1b23c4d). */
  resolution?: PcapResolution;
  /** Default 1 (Ethernet). */
  linkType?: number;
  /** Default 262144. Longer packets are cut (their original length is kept). */
  snapLen?: number;
}

export class PcapWriter {
  /** Fields of CapturePacketInput this format drops. */
  readonly lossy: readonly PcapLossyField[] = PCAP_LOSSY;
  readonly resolution: PcapResolution;
  readonly linkType: number;
  readonly snapLen: number;
  private readonly sink: (chunk: Uint8Array) => void;
  private readonly nano: boolean;
  private ended = false;
  bytesWritten = 0;
  packetsWritten = 0;

  constructor(options: PcapWriterOptions) {
    this.sink = options.sink;
    this.resolution = options.resolution ?? 'us';
    this.nano = this.resolution === 'ns';
    this.linkType = options.linkType ?? LINKTYPE_ETHERNET;
    this.snapLen = options.snapLen ?? MAX_SNAPLEN;
    if (!Number.isInteger(this.snapLen) || this.snapLen < 1 || this.snapLen > 0xffff_ffff) throw new RangeError(`snap length ${this.snapLen} is not a positive 32-bit number`);
    if (!Number.isInteger(this.linkType) || this.linkType < 0 || this.linkType > 0xffff) throw new RangeError(`link type ${this.linkType} is not a 16-bit number`);
    const h = Buffer.alloc(PCAP_HEADER_LEN);
    h.writeUInt32LE(this.nano ? PCAP_MAGIC_NANO : PCAP_MAGIC_MICRO, 0);
    h.writeUInt16LE(2, 4);
    h.writeUInt16LE(4, 6);
    h.writeInt32LE(0, 8); // thiszone
    h.writeUInt32LE(0, 12); // sigfigs
    h.writeUInt32LE(this.snapLen, 16);
    h.writeUInt32LE(this.linkType, 20);
    this.emit(h);
  }

  private emit(chunk: Buffer): void {
    this.bytesWritten += chunk.length;
    this.sink(chunk);
  }

  /** Writes one record (one Buffer, one sink call). `interface`, `direction`, `packetId`, `comment`, `dropCount` are ignored. */
  writePacket(p: CapturePacketInput): void {
    if (this.ended) throw new Error('pcap writer: writePacket after end()');
    const ts = p.timestampNs;
    if (ts < 0n) throw new RangeError(`pcap writer: timestamp ${ts} ns is negative`);
    const seconds = ts / 1_000_000_000n;
    if (seconds > 0xffff_ffffn) throw new RangeError(`pcap writer: timestamp ${ts} ns is after 2106, beyond classic pcap`);
    const frac = Number(ts - seconds * 1_000_000_000n);
    const data = p.data;
    const capLen = data.length > this.snapLen ? this.snapLen : data.length;
    const b = Buffer.allocUnsafe(PCAP_RECORD_HEADER_LEN + capLen);
    b.writeUInt32LE(Number(seconds), 0);
    b.writeUInt32LE(this.nano ? frac : Math.floor(frac / 1000), 4);
    b.writeUInt32LE(capLen, 8);
    b.writeUInt32LE(p.originalLength ?? data.length, 12);
    b.set(capLen === data.length ? data : data.subarray(0, capLen), PCAP_RECORD_HEADER_LEN);
    this.packetsWritten++;
    this.emit(b);
  }

  /** No more packets. Nothing is buffered, so there is nothing to flush. */
  end(): void {
    this.ended = true;
  }
}

export interface PcapFileWriter extends PcapWriter {
  /** Flushes and closes the file. Idempotent. */
  close(): void;
}

/** A PcapWriter writing to a file (buffered, synchronous). Call close() at the end. */
export function openPcapFile(path: string, options: Omit<PcapWriterOptions, 'sink'> = {}): PcapFileWriter {
  const file = new FileSink(path);
  let writer: PcapFileWriter;
  try {
    writer = new PcapWriter({ ...options, sink: file.write }) as PcapFileWriter;
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
