/**
 * Classic pcap reader: the records are parsed by the `pcap-parser` package, behind a wrapper that
 * files off its sharp edges:
 * - an 'error' listener is always attached (an unhandled 'error' event would throw);
 * - the file header is checked here first: both byte orders, microsecond (a1b2c3d4) and
 *   nanosecond (a1b23c4d) magic — pcap-parser knows only the former, so a nanosecond file is fed
 *   to it with the microsecond magic and its fractions are read back as nanoseconds — version,
 *   and link type (Ethernet only);
 * - pcap-parser silently drops a truncated last record: we count the bytes it consumed and report
 *   what is left over as an error with its byte offset;
 * - it never hangs: the promise settles on 'end' or 'error', exactly once.
 */
import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import type { EventEmitter } from 'node:events';
import type { CaptureFile, CaptureInterface, CapturePacket, ReadCaptureOptions } from './capture-file.js';
import { MAX_SNAPLEN, asBuffer, assertEthernet, assertSize } from './capture-file.js';
import { CaptureFormatError } from './capture-format-error.js';
import { PCAP_HEADER_LEN, PCAP_RECORD_HEADER_LEN } from './pcap-writer.js';

interface PcapParserPacket {
  header: { timestampSeconds: number; timestampMicroseconds: number; capturedLength: number; originalLength: number };
  data: Buffer;
}
interface PcapParserModule {
  parse(input: string | NodeJS.ReadableStream): EventEmitter;
}
const pcapParser = createRequire(import.meta.url)('pcap-parser') as PcapParserModule;

export interface PcapHeader {
  littleEndian: boolean;
  nano: boolean;
  versionMajor: number;
  versionMinor: number;
  snapLen: number;
  linkType: number;
  /** bytes of frame check sequence at the end of every packet (from the link-type field's FCS bits), 0 when none */
  fcsLen: number;
}

/** Reads and checks the 24-byte global header. Throws CaptureFormatError. */
export function parsePcapHeader(buf: Buffer): PcapHeader {
  if (buf.length < 4) throw new CaptureFormatError(`not a pcap file: only ${buf.length} bytes`, 0);
  const magicBE = buf.readUInt32BE(0);
  let littleEndian: boolean;
  let nano: boolean;
  switch (magicBE) {
    case 0xa1b2c3d4:
      littleEndian = false;
      nano = false;
      break;
    case 0xd4c3b2a1:
      littleEndian = true;
      nano = false;
      break;
    case 0xa1b23c4d:
      littleEndian = false;
      nano = true;
      break;
    case 0x4d3cb2a1:
      littleEndian = true;
      nano = true;
      break;
    case 0xa1b2cd34:
    case 0x34cdb2a1:
      throw new CaptureFormatError('modified (Kuznetzov) pcap format is not supported; convert it with editcap -F pcap', 0);
    default:
      throw new CaptureFormatError(`not a pcap file: magic number ${buf.toString('hex', 0, 4)} is neither a1b2c3d4 nor a1b23c4d in either byte order`, 0);
  }
  if (buf.length < PCAP_HEADER_LEN) {
    throw new CaptureFormatError(`truncated pcap file header: ${buf.length} of ${PCAP_HEADER_LEN} bytes`, 0);
  }
  const u16 = (o: number): number => (littleEndian ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
  const u32 = (o: number): number => (littleEndian ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const versionMajor = u16(4);
  const versionMinor = u16(6);
  if (versionMajor !== 2) {
    throw new CaptureFormatError(`unsupported pcap version ${versionMajor}.${versionMinor}; only 2.x is read`, 4);
  }
  // The link-type field's upper bits may carry FCS information (bit 26: present; bits 28-31: its
  // length in 16-bit words); the link type is the low 16 bits.
  const field = u32(20);
  const fcsLen = field & 0x04000000 ? ((field >>> 28) & 0xf) * 2 : 0;
  return { littleEndian, nano, versionMajor, versionMinor, snapLen: u32(16), linkType: field & 0xffff, fcsLen };
}

/** Reads a classic pcap file (path or bytes) into memory. Rejects with CaptureFormatError. */
export async function readPcap(input: Uint8Array | string, options?: ReadCaptureOptions): Promise<CaptureFile> {
  if (typeof input === 'string') {
    try {
      assertSize((await stat(input)).size, options);
      return await readPcapBuffer(await readFile(input), options);
    } catch (err) {
      throw err instanceof CaptureFormatError ? err.withFile(input) : err;
    }
  }
  return readPcapBuffer(asBuffer(input), options);
}

function readPcapBuffer(buf: Buffer, options: ReadCaptureOptions | undefined): Promise<CaptureFile> {
  try {
    assertSize(buf.length, options);
    const header = parsePcapHeader(buf);
    assertEthernet(header.linkType, 20);
    return parseRecords(buf, header);
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}

function parseRecords(buf: Buffer, header: PcapHeader): Promise<CaptureFile> {
  const packets: CapturePacket[] = [];
  return parsePcapRecords([buf.subarray(PCAP_HEADER_LEN)], buf.length, header, buf.subarray(0, PCAP_HEADER_LEN), (p) => void packets.push(p)).then((warnings) => ({
    format: 'pcap',
    interfaces: [interfaceOf(header)],
    packets,
    ...(warnings.length > 0 ? { warnings } : {}),
  }));
}

/**
 * The one interface of a pcap file. The link-type field's upper bits (libpcap's LINKTYPE_*
 * "FCS" bits: 0x04000000 says FCS length is present, 0xF0000000 is its length in 16-bit words)
 * say each packet ends with a frame check sequence: `fcsLen` bytes.
 */
export function interfaceOf(header: PcapHeader): CaptureInterface {
  return { linkType: header.linkType, snapLen: header.snapLen, ...(header.fcsLen > 0 ? { fcsLen: header.fcsLen } : {}) };
}

/**
 * Parses the records after the file header: `body` yields the file's bytes from offset 24 on
 * (whole, or in chunks as read), `size` is the file's length, `headerBytes` its first 24 bytes.
 * Every record goes to `onPacket` as it is parsed (its `data` a view into a chunk). Resolves when
 * all of `size` was parsed; rejects with CaptureFormatError at the first bad record.
 */
export function parsePcapRecords(
  body: Iterable<Buffer> | AsyncIterable<Buffer>,
  size: number,
  header: PcapHeader,
  headerBytes: Buffer,
  onPacket: (p: CapturePacket) => void,
): Promise<string[]> {
  const { nano, littleEndian } = header;
  let head = headerBytes;
  if (nano) {
    // pcap-parser knows only the microsecond magic: hand it that, read fractions as nanoseconds.
    head = Buffer.from(headerBytes);
    if (littleEndian) head.writeUInt32LE(0xa1b2c3d4, 0);
    else head.writeUInt32BE(0xa1b2c3d4, 0);
  }
  async function* feed(): AsyncGenerator<Buffer> {
    yield head;
    yield* body;
  }
  const fracToNs = nano ? 1n : 1000n;
  const fracMax = nano ? 1_000_000_000 : 1_000_000;

  return new Promise((resolve, reject) => {
    let settled = false;
    let consumed = PCAP_HEADER_LEN;
    let problem: CaptureFormatError | undefined;
    let outOfRange = 0;
    let firstOutOfRange = 0;
    /** the last bytes seen (for describing a truncated last record) */
    let tail: Buffer = Buffer.alloc(0);
    const fail = (err: CaptureFormatError): void => {
      if (settled) return;
      settled = true;
      reject(err);
    };

    const source = Readable.from(feed(), { objectMode: false });
    source.on('data', (chunk: Buffer) => {
      tail = chunk;
    });
    const parser = pcapParser.parse(source);
    parser.on('error', (err: unknown) => {
      fail(new CaptureFormatError(`pcap: ${err instanceof Error ? err.message : String(err)}`, consumed));
    });
    source.on('error', (err: unknown) => {
      if (settled) return;
      settled = true;
      reject(err instanceof Error ? err : new Error(String(err)));
    });
    parser.on('packet', (p: PcapParserPacket) => {
      if (problem !== undefined || settled) return;
      const h = p.header;
      if (h.capturedLength > MAX_SNAPLEN) {
        problem = new CaptureFormatError(`corrupt pcap record: captured length ${h.capturedLength} is over the maximum of ${MAX_SNAPLEN}`, consumed + 8);
        return;
      }
      let seconds = h.timestampSeconds;
      let frac = h.timestampMicroseconds;
      if (frac >= fracMax) {
        // as tshark, read the file anyway: carry the whole seconds over, and say so
        if (outOfRange === 0) firstOutOfRange = consumed + 4;
        outOfRange++;
        seconds += Math.floor(frac / fracMax);
        frac %= fracMax;
      }
      consumed += PCAP_RECORD_HEADER_LEN + h.capturedLength;
      try {
        onPacket({
          interface: 0,
          timestampNs: BigInt(seconds) * 1_000_000_000n + BigInt(frac) * fracToNs,
          data: p.data,
          originalLength: h.originalLength,
        });
      } catch (err) {
        if (settled) return;
        settled = true;
        source.destroy();
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
    parser.on('end', () => {
      if (settled) return;
      if (problem !== undefined) return fail(problem);
      if (consumed < size) return fail(describeLeftover(tail.length >= size - consumed ? tail.subarray(tail.length - (size - consumed)) : null, consumed, size - consumed, littleEndian));
      settled = true;
      resolve(
        outOfRange === 0
          ? []
          : [
            `${outOfRange} record${outOfRange === 1 ? '' : 's'} with a fraction of a second not below ${fracMax} (${nano ? 'nanoseconds' : 'microseconds'}; the first at byte ${firstOutOfRange}): ` +
            'read as the whole seconds it holds plus the rest, as Wireshark reads them',
          ],
      );
    });
  });
}

/** What pcap-parser left unread at the end: a truncated (or absurd) record. `rest`: its bytes, null when no longer held. */
function describeLeftover(rest: Buffer | null, offset: number, left: number, littleEndian: boolean): CaptureFormatError {
  if (rest === null) return new CaptureFormatError(`truncated pcap record: the last ${left} bytes are not a whole record`, offset);
  if (left < PCAP_RECORD_HEADER_LEN) {
    return new CaptureFormatError(`truncated pcap record header: ${left} of ${PCAP_RECORD_HEADER_LEN} bytes`, offset);
  }
  const capLen = littleEndian ? rest.readUInt32LE(8) : rest.readUInt32BE(8);
  if (capLen > MAX_SNAPLEN) {
    return new CaptureFormatError(`corrupt pcap record: captured length ${capLen} is over the maximum of ${MAX_SNAPLEN}`, offset + 8);
  }
  return new CaptureFormatError(
    `truncated pcap record: header says ${capLen} captured bytes, only ${left - PCAP_RECORD_HEADER_LEN} remain`,
    offset,
  );
}
