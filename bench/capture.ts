/**
 * Capture writer throughput: pcapng Enhanced Packet Blocks (with direction, packet id and a
 * comment, as capture points write them) and classic pcap records, into an in-memory sink that
 * only counts bytes. Prints packets/s and MB/s for 64-byte and 1500-byte frames. Then the
 * readers (readCapture) over 100k packets of each format. Last, the engine's unicast benchmark
 * (VM -> VM on one vSwitch, VST, 64-byte frames, no-op stacks) three ways: no trace subscriber,
 * a trace subscriber that only counts, and a CaptureSession of every capture point writing
 * pcapng to a file; the capture figure as a ratio to both (issue 6 target: >= 50% of no capture).
 */
import { PcapWriter } from '../src/capture/pcap-writer.js';
import { PcapngWriter } from '../src/capture/pcapng-writer.js';
import type { CapturePacketInput } from '../src/capture/capture-file.js';
import { readCapture } from '../src/capture/read-capture.js';
import { CaptureSession } from '../src/capture/capture-session.js';
import { createLab } from '../src/engine/lab.js';
import type { EndpointStackFactory } from '../src/engine/endpoint.js';
import { Topology } from '../src/topology/schema.js';
import { buildEthernet } from '../src/wire/index.js';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

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
  await runEngineCapture();
}

const noopFactory: EndpointStackFactory = () => ({
  receive: () => {},
  ping: (_o, done) => done({ transmitted: 0, received: 0, replies: [], errors: [], done: true }),
  arpCache: () => [],
});

/** ops/s of `fn` (which returns the ops it did) over about `ms`, after a warm-up. */
function rate(ms: number, fn: () => number): number {
  const warmEnd = performance.now() + ms / 4;
  while (performance.now() < warmEnd) fn();
  let ops = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    ops += fn();
    now = performance.now();
  }
  return (ops * 1000) / (now - start);
}

const fmt = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : n.toFixed(0));

/** Engine unicast without capture, with a counting subscriber, and with a capture of every point to a file. */
export async function runEngineCapture(): Promise<void> {
  const doc = Topology.parse({
    version: 1,
    name: 'bench-capture',
    hosts: [{ name: 'esxi-01', vswitches: [{ name: 'vSwitch0', portGroups: [{ name: 'VM-10', vlan: 10 }] }] }],
    vms: [
      { name: 'vm0', host: 'esxi-01', nics: [{ name: 'eth0', portGroup: 'VM-10', mac: '00:50:56:00:00:01' }] },
      { name: 'vm1', host: 'esxi-01', nics: [{ name: 'eth0', portGroup: 'VM-10', mac: '00:50:56:00:00:02' }] },
    ],
  });
  const frame = buildEthernet({ src: '00:50:56:00:00:01', dst: '00:50:56:00:00:02', ethertype: 0x88b5, payload: new Uint8Array(50) });
  const BATCH = 1000;
  const batchOn = (lab: ReturnType<typeof createLab>) => (): number => {
    for (let i = 0; i < BATCH; i++) lab.inject('vm0:eth0', frame);
    lab.run();
    return BATCH;
  };
  const plain = rate(1500, batchOn(createLab(doc, { stackFactory: noopFactory })));

  const counted = createLab(doc, { stackFactory: noopFactory });
  let events = 0;
  const off = counted.trace.subscribe(() => void events++);
  const withSubscriber = rate(1500, batchOn(counted));
  off();

  const dir = mkdtempSync(path.join(tmpdir(), 'vswitch-lab-bench-'));
  try {
    const file = path.join(dir, 'all.pcapng');
    const lab = createLab(doc, { stackFactory: noopFactory, wallClockStartMs: Date.now() });
    const session = new CaptureSession(lab, { file });
    const captured = rate(1500, batchOn(lab));
    session.stop();
    const size = statSync(file).size;
    console.log(`engine unicast VM->VM (VST, 64 B), no trace subscriber:              ${fmt(plain)} frames/s`);
    console.log(`engine unicast, a trace subscriber that counts:                      ${fmt(withSubscriber)} frames/s = ${((100 * withSubscriber) / plain).toFixed(1)}% of no capture`);
    console.log(
      `engine unicast, capture of all ${session.points.length} points to a pcapng file:          ${fmt(captured)} frames/s = ` +
        `${((100 * captured) / plain).toFixed(1)}% of no capture (target 50%), ${((100 * captured) / withSubscriber).toFixed(1)}% of a counting subscriber  ` +
        `[${fmt(session.packets)} packets, ${(size / 1e6).toFixed(0)} MB written]`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
