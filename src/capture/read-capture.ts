/**
 * Opens a capture in either format: sniffs the first four bytes and dispatches to the classic
 * pcap reader (pcap-reader.ts) or the pcapng reader (pcapng-reader.ts). Paths are checked against
 * the size limit before they are read. Every problem with the file is a CaptureFormatError.
 */
import { readFile, stat } from 'node:fs/promises';
import type { CaptureFile, ReadCaptureOptions } from './capture-file.js';
import { asBuffer, assertSize } from './capture-file.js';
import { CaptureFormatError } from './capture-format-error.js';
import { readPcap } from './pcap-reader.js';
import { readPcapng } from './pcapng-reader.js';

export type CaptureFormat = 'pcap' | 'pcapng';

/** The format the first bytes announce. Throws CaptureFormatError for anything else. */
export function sniffCaptureFormat(bytes: Uint8Array): CaptureFormat {
  if (bytes.length < 4) throw new CaptureFormatError(`not a capture file: only ${bytes.length} bytes`, 0);
  const magic = asBuffer(bytes).readUInt32BE(0);
  switch (magic) {
    case 0x0a0d0d0a:
      return 'pcapng';
    case 0xa1b2c3d4:
    case 0xd4c3b2a1:
    case 0xa1b23c4d:
    case 0x4d3cb2a1:
    case 0xa1b2cd34:
    case 0x34cdb2a1:
      return 'pcap';
  }
  const hex = asBuffer(bytes).toString('hex', 0, 4).replace(/(..)(?!$)/g, '$1 ');
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    throw new CaptureFormatError('the file is gzip-compressed; gunzip it first', 0);
  }
  throw new CaptureFormatError(`not a pcap or pcapng file: it starts with bytes ${hex}`, 0);
}

/** Reads a pcap or pcapng capture (path or bytes) into memory. Rejects with CaptureFormatError. */
export async function readCapture(input: Uint8Array | string, options?: ReadCaptureOptions): Promise<CaptureFile> {
  if (typeof input === 'string') {
    try {
      assertSize((await stat(input)).size, options);
      return await readCaptureBuffer(await readFile(input), options);
    } catch (err) {
      throw err instanceof CaptureFormatError ? err.withFile(input) : err;
    }
  }
  return readCaptureBuffer(input, options);
}

async function readCaptureBuffer(bytes: Uint8Array, options: ReadCaptureOptions | undefined): Promise<CaptureFile> {
  assertSize(bytes.length, options);
  return sniffCaptureFormat(bytes) === 'pcapng' ? readPcapng(bytes, options) : readPcap(bytes, options);
}
