/**
 * Streaming capture reading, for files of any size: the file is read in chunks (1 MiB) and
 * parsed as it comes, and every packet goes to a callback while its chunk is held; nothing keeps
 * the packets. Memory is bounded by what is held at once — one chunk plus one block (a pcap
 * record is at most 16 + 262144 bytes, a pcapng block at most MAX_PCAPNG_BLOCK_BYTES) — not by
 * the size of the file, which has no limit here (readCapture, which holds a whole file, keeps its
 * 512 MiB limit).
 *
 * A packet's `data` is a view into the chunk: valid during the callback; copy it to keep it
 * (the engine's Lab.inject copies what it is given).
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { CaptureInterface, CapturePacket } from './capture-file.js';
import { assertEthernet } from './capture-file.js';
import { CaptureFormatError } from './capture-format-error.js';
import { interfaceOf, parsePcapHeader, parsePcapRecords } from './pcap-reader.js';
import { MAX_PCAPNG_BLOCK_BYTES, PcapngParser } from './pcapng-reader.js';
import { PCAP_HEADER_LEN } from './pcap-writer.js';
import { sniffCaptureFormat, type CaptureFormat } from './read-capture.js';

/** Bytes read at a time. */
export const CAPTURE_CHUNK_BYTES = 1024 * 1024;

export interface CaptureStreamInfo {
  format: CaptureFormat;
  /** every interface the file declares (pcap: one) */
  interfaces: CaptureInterface[];
  /** packets read */
  packets: number;
  /** the file's size */
  bytes: number;
  /** see CaptureFile.warnings */
  warnings: string[];
  /** pcapng: blocks read but not used, by block name (see CaptureFile.skippedBlocks) */
  skippedBlocks: Record<string, number>;
}

export interface StreamCaptureOptions {
  /** bytes read at a time (default CAPTURE_CHUNK_BYTES) */
  chunkBytes?: number;
}

/** Reads the capture at `path` (pcap or pcapng) chunk by chunk, calling `onPacket` for each packet. Rejects with CaptureFormatError naming the file. */
export async function streamCapture(path: string, onPacket: (p: CapturePacket) => void, options: StreamCaptureOptions = {}): Promise<CaptureStreamInfo> {
  const chunkBytes = Math.max(4096, options.chunkBytes ?? CAPTURE_CHUNK_BYTES);
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    const first = Buffer.alloc(Math.min(size, PCAP_HEADER_LEN));
    await readFully(fh, first, 0);
    const format = sniffCaptureFormat(first);
    if (format === 'pcap') {
      const header = parsePcapHeader(first);
      assertEthernet(header.linkType, 20);
      let packets = 0;
      const warnings = await parsePcapRecords(chunks(fh, PCAP_HEADER_LEN, size, chunkBytes), size, header, first, (p) => {
        packets++;
        onPacket(p);
      });
      return { format, interfaces: [interfaceOf(header)], packets, bytes: size, skippedBlocks: {}, warnings };
    }
    let packets = 0;
    const parser = new PcapngParser((p) => {
      packets++;
      onPacket(p);
    });
    let held = Buffer.alloc(0);
    let base = 0; // file offset of held[0]
    let pos = 0; // file offset read up to
    for (;;) {
      const eof = pos >= size;
      const used = parser.parse(held, base, eof);
      if (eof) break;
      const rest = held.length - used;
      // the next block's length when known: read at least all of it
      const need = Math.min(parser.nextBlockLength(held.subarray(used)), MAX_PCAPNG_BLOCK_BYTES);
      const want = Math.min(size - pos, Math.max(chunkBytes, need - rest));
      const next = Buffer.allocUnsafe(rest + want);
      held.copy(next, 0, used);
      const got = await readFully(fh, next.subarray(rest), pos);
      pos += got;
      base += used;
      held = next.subarray(0, rest + got);
    }
    return { format, interfaces: parser.interfaces(), packets, bytes: size, skippedBlocks: parser.skippedBlocks(), warnings: [] };
  } catch (err) {
    throw err instanceof CaptureFormatError ? err.withFile(path) : err;
  } finally {
    await fh.close();
  }
}

/** Fills `buf` from file offset `at` (or up to the end of the file); returns the bytes read. */
async function readFully(fh: FileHandle, buf: Buffer, at: number): Promise<number> {
  let got = 0;
  while (got < buf.length) {
    const { bytesRead } = await fh.read(buf, got, buf.length - got, at + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got;
}

/** The file's bytes from `from` to `size`, a fresh buffer per chunk. */
async function* chunks(fh: FileHandle, from: number, size: number, chunkBytes: number): AsyncGenerator<Buffer> {
  let pos = from;
  while (pos < size) {
    const buf = Buffer.allocUnsafe(Math.min(chunkBytes, size - pos));
    const got = await readFully(fh, buf, pos);
    if (got === 0) return;
    pos += got;
    yield got === buf.length ? buf : buf.subarray(0, got);
  }
}
