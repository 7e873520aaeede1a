/**
 * The shapes shared by the capture writers and readers: a packet to write, a packet read back,
 * a whole capture file read into memory, and the limits the readers enforce.
 */
import { CaptureFormatError } from './capture-format-error.js';

/** pcapng epb_flags direction bits 0-1: 01 inbound, 10 outbound (00: not known). */
export type CaptureDirection = 'inbound' | 'outbound';

/** One packet handed to a writer (PcapngWriter, PcapWriter). */
export interface CapturePacketInput {
  /** Index into the writer's `interfaces` (pcap: ignored, all interfaces merge into one). */
  interface: number;
  /** Nanoseconds since the Unix epoch (or since the start of the virtual clock). */
  timestampNs: bigint;
  /** The frame, from the destination MAC, without FCS. Cut to the interface snap length. */
  data: Uint8Array;
  /** Length on the wire; defaults to `data.length`. */
  originalLength?: number;
  direction?: CaptureDirection;
  /** pcapng epb_packetid: the same id on every copy of one frame (Wireshark `frame.packet_id`). */
  packetId?: bigint | number;
  /** pcapng opt_comment, UTF-8 (Wireshark `frame.comment`). */
  comment?: string;
  /** pcapng epb_dropcount: packets lost between this packet and the previous one. */
  dropCount?: bigint | number;
}

/** One interface of a capture read back. Classic pcap files have exactly one, without a name. */
export interface CaptureInterface {
  name?: string;
  description?: string;
  /** LINKTYPE_* value (1 = Ethernet). */
  linkType: number;
  /** 0 = no limit (pcapng). */
  snapLen: number;
  /** bytes of frame check sequence at the end of each packet (pcapng if_fcslen, pcap's FCS bits); absent: none */
  fcsLen?: number;
}

/** One packet read back. `data` is a view into the file's buffer (no copy). */
export interface CapturePacket {
  /** Index into `CaptureFile.interfaces` (global across pcapng sections). */
  interface: number;
  timestampNs: bigint;
  data: Uint8Array;
  originalLength: number;
  direction?: CaptureDirection;
  packetId?: bigint;
  comment?: string;
  dropCount?: bigint;
}

export interface CaptureFile {
  format: 'pcap' | 'pcapng';
  interfaces: CaptureInterface[];
  packets: CapturePacket[];
  /** things read anyway that a reader should know (e.g. out-of-range timestamp fractions normalised) */
  warnings?: string[];
  /** pcapng: blocks read but not used (statistics, name resolution, unknown types...), by block name */
  skippedBlocks?: Record<string, number>;
}

export interface ReadCaptureOptions {
  /** Files (or buffers) larger than this are rejected. Default MAX_CAPTURE_FILE_BYTES. */
  maxBytes?: number;
}

/** Files over 512 MiB are rejected: replay reads the whole file into memory. */
export const MAX_CAPTURE_FILE_BYTES = 512 * 1024 * 1024;
/** Largest captured length of one record we accept, and the default snap length we write (as Wireshark). */
export const MAX_SNAPLEN = 262144;
export const LINKTYPE_ETHERNET = 1;

const LINK_TYPE_NAMES: Record<number, string> = {
  0: 'BSD loopback',
  1: 'Ethernet',
  6: 'IEEE 802.5 Token Ring',
  9: 'PPP',
  101: 'raw IP',
  105: 'IEEE 802.11',
  108: 'OpenBSD loopback',
  113: 'Linux cooked capture',
  119: 'IEEE 802.11 Prism',
  127: 'IEEE 802.11 radiotap',
  147: 'user-defined DLT 0',
  192: 'PPI',
  195: 'IEEE 802.15.4',
  220: 'USB Linux mmapped',
  228: 'raw IPv4',
  229: 'raw IPv6',
  252: 'Wireshark upper PDU',
  276: 'Linux cooked capture v2',
};

export function linkTypeName(linkType: number): string {
  return LINK_TYPE_NAMES[linkType] ?? 'unknown';
}

/** Throws the one message users see for a non-Ethernet capture. */
export function assertEthernet(linkType: number, offset: number, where = ''): void {
  if (linkType === LINKTYPE_ETHERNET) return;
  throw new CaptureFormatError(
    `${where}link type ${linkType} (${linkTypeName(linkType)}) is not Ethernet; vswitch-lab replays Ethernet captures only`,
    offset,
  );
}

export function assertSize(size: number, options: ReadCaptureOptions | undefined): void {
  const max = options?.maxBytes ?? MAX_CAPTURE_FILE_BYTES;
  if (size > max) {
    throw new CaptureFormatError(
      `capture is ${size} bytes, over the limit of ${max} bytes (${Math.round(max / 1048576)} MiB); cut it with editcap -r or -c first`,
    );
  }
}

/** A Buffer view of any Uint8Array, without copying. */
export function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}
