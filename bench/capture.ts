/**
 * Capture writer throughput: pcapng Enhanced Packet Blocks (with direction, packet id and a
 * comment, as capture points write them) and classic pcap records, into an in-memory sink that
 * only counts bytes. Prints packets/s and MB/s for 64-byte and 1500-byte frames. Then the
 * readers (readCapture) over 100k packets of each format.
 */
import { PcapWriter } from '../src/capture/pcap-writer.js';
import { PcapngWriter } from '../src/capture/pcapng-writer.js';
import type { CapturePacketInput } from '../src/capture/capture-file.js';
import { readCapture } from '../src/capture/read-capture.js';

const DURATION_MS = 400;

function frameOf(size: number): Uint8Array {
  const f = new Uint8Array(size);
  for (let i = 0; i < size; i++) f[i] = i & 0xff;
  return f;
}

function measure(label: string, size: number, make: (sink: (c: Uint8Array) => void) => { writePacket(p: CapturePacketInput): void }, withMeta: boolean): void {
  let bytes = 0;
  const w = make((c) => (bytes += c.length));
  const packet: CapturePacketInput = {
    interface: 1,
    timestampNs: 1_700_000_000_000_000_000n,
    data: frameOf(size),
    ...(withMeta ? { direction: 'outbound' as const, packetId: 42n, comment: 'VLAN 10: tagged out vmnic0 (V2, T2)' } : {}),
  };
  // warm-up
  for (let i = 0; i < 20_000; i++) w.writePacket(packet);
  bytes = 0;
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < DURATION_MS) {
    for (let i = 0; i < 5_000; i++) {
      packet.timestampNs += 1000n;
      w.writePacket(packet);
    }
    n += 5_000;
    now = performance.now();
  }
  const s = (now - start) / 1000;
  const pps = n / s;
  console.log(`${label.padEnd(44)} ${size.toString().padStart(5)} B  ${(pps / 1e6).toFixed(2).padStart(6)} Mpkt/s  ${((bytes / s) / 1e6).toFixed(0).padStart(6)} MB/s written`);
}

export async function run(): Promise<void> {
  const interfaces = [{ name: 'esxi-01:vmnic0 UplinkRcv' }, { name: 'esxi-01:vmnic0 UplinkSnd' }];
  for (const size of [64, 1500]) {
    measure('pcapng EPB, no options', size, (sink) => new PcapngWriter({ sink, interfaces }), false);
    measure('pcapng EPB, direction + packet id + comment', size, (sink) => new PcapngWriter({ sink, interfaces }), true);
    measure('pcap (ns) record', size, (sink) => new PcapWriter({ sink, resolution: 'ns' }), false);
  }
  for (const size of [64, 1500]) {
    for (const format of ['pcapng', 'pcap'] as const) {
      const chunks: Uint8Array[] = [];
      const sink = (c: Uint8Array): void => void chunks.push(c);
      const w = format === 'pcapng' ? new PcapngWriter({ sink, interfaces }) : new PcapWriter({ sink, resolution: 'ns' });
      const data = frameOf(size);
      const n = 100_000;
      for (let i = 0; i < n; i++) w.writePacket({ interface: i & 1, timestampNs: BigInt(i) * 1000n, data, ...(format === 'pcapng' ? { packetId: i, direction: 'inbound' as const } : {}) });
      const file = Buffer.concat(chunks);
      const start = performance.now();
      const read = await readCapture(file);
      const s = (performance.now() - start) / 1000;
      if (read.packets.length !== n) throw new Error(`read ${read.packets.length} of ${n}`);
      console.log(`${`readCapture ${format}`.padEnd(44)} ${size.toString().padStart(5)} B  ${(n / s / 1e6).toFixed(2).padStart(6)} Mpkt/s  ${(file.length / s / 1e6).toFixed(0).padStart(6)} MB/s read`);
    }
  }
}
