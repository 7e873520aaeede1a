/**
 * A live pcapng stream to one reader (the server's `GET /api/capture/live`), bounded: it never
 * holds more than `limitBytes` unsent bytes for a reader that does not keep up (the server's
 * default: 4 MiB, `liveCaptureBufferBytes`). A packet offered while more than that waits to be
 * sent is not written: it is lost, and counted on its own interface (capture point).
 *
 * Losses are reported per interface, as the pcapng spec defines its counters:
 * - `epb_dropcount` of the next packet written *on the same interface*: the packets that
 *   interface lost since its previous packet (Wireshark: `frame.drop_count`);
 * - before that packet, an Interface Statistics Block for every interface that lost packets since
 *   the last report, with `isb_osdrop` = all the packets it lost since the stream began (the
 *   capture system's buffer was full: the spec's "dropped by the operating system", libpcap's
 *   ps_drop; the lab's interfaces themselves drop nothing here) and `isb_ifrecv` = the packets
 *   it saw (written or lost).
 * Losses with no later packet are reported by `end()` when the reader still reads.
 */
import type { CaptureDirection } from './capture-file.js';
import { PcapngWriter, type PcapngInterfaceSpec } from './pcapng-writer.js';

export interface LiveCaptureStreamOptions {
  sink: (chunk: Uint8Array) => void;
  interfaces: readonly PcapngInterfaceSpec[];
  /** bytes handed to the sink and not yet sent (e.g. an HTTP response's writableLength) */
  pending: () => number;
  limitBytes: number;
  comment?: string;
}

export interface LivePacket {
  /** index into `interfaces` */
  iface: number;
  timestampNs: bigint;
  data: Uint8Array;
  packetId?: number | bigint;
  direction?: CaptureDirection;
  comment?: string;
}

export class LiveCaptureStream {
  private readonly writer: PcapngWriter;
  private readonly pending: () => number;
  private readonly limit: number;
  /** per interface: packets lost since the stream began */
  private readonly lostTotal: number[];
  /** per interface: packets lost since its last packet written (its next epb_dropcount) */
  private readonly lostSincePacket: number[];
  /** per interface: packets offered (written or lost) */
  private readonly seen: number[];
  /** interfaces with losses not yet in an ISB */
  private readonly unreported = new Set<number>();
  private lastNs = 0n;

  constructor(options: LiveCaptureStreamOptions) {
    this.writer = new PcapngWriter({
      sink: options.sink,
      interfaces: options.interfaces,
      ...(options.comment !== undefined ? { shbOptions: { comment: options.comment } } : {}),
    });
    this.pending = options.pending;
    this.limit = options.limitBytes;
    const n = options.interfaces.length;
    this.lostTotal = new Array<number>(n).fill(0);
    this.lostSincePacket = new Array<number>(n).fill(0);
    this.seen = new Array<number>(n).fill(0);
  }

  /** Writes the packet when the reader keeps up; else counts it lost on its interface. True when written. */
  offer(p: LivePacket): boolean {
    if (this.writer.isEnded) return false;
    const i = p.iface;
    this.seen[i]!++;
    if (p.timestampNs > this.lastNs) this.lastNs = p.timestampNs;
    if (this.pending() > this.limit) {
      this.lostTotal[i]!++;
      this.lostSincePacket[i]!++;
      this.unreported.add(i);
      return false;
    }
    this.report(p.timestampNs);
    const drops = this.lostSincePacket[i]!;
    this.lostSincePacket[i] = 0;
    this.writer.writePacket({
      interface: i,
      timestampNs: p.timestampNs,
      data: p.data,
      ...(p.packetId !== undefined ? { packetId: p.packetId } : {}),
      ...(p.direction !== undefined ? { direction: p.direction } : {}),
      ...(p.comment !== undefined ? { comment: p.comment } : {}),
      ...(drops > 0 ? { dropCount: drops } : {}),
    });
    return true;
  }

  private report(timestampNs: bigint): void {
    if (this.unreported.size === 0) return;
    for (const i of [...this.unreported].sort((a, b) => a - b)) {
      this.writer.writeInterfaceStatistics(i, timestampNs, { received: this.seen[i]!, osDrop: this.lostTotal[i]! });
    }
    this.unreported.clear();
  }

  /** Packets lost per interface since the stream began. */
  get lost(): readonly number[] {
    return this.lostTotal;
  }

  /** Packets written. */
  get packets(): number {
    return this.writer.packetsWritten;
  }

  /** The end: reports losses not yet reported (when `canWrite`: the reader is still there). */
  end(canWrite: boolean): void {
    if (this.writer.isEnded) return;
    if (canWrite) this.report(this.lastNs);
    this.writer.end();
  }
}
