/**
 * The capture fast path writes what the slow path writes, byte for byte:
 * - a CaptureSession listens through the lab's point taps and writes pcapng blocks with
 *   `writeEpb` into a 256 KiB buffer; the same packets taken from the lab's full trace stream
 *   (`trace.subscribe`, every event object) and encoded with `writePacket` (`encodeCapture`, the
 *   path every capture took before) give the same file. Same workload for every example
 *   topology, pcapng and pcap, file and recording, and across `attach`;
 * - PcapngWriter: `writeEpb` = `writePacket` with the same values, buffered or not, whatever the
 *   chunk boundaries; a buffered writer hands everything over at `end()`;
 * - tshark reads a fast-path file with no warning and the fields match the slow path's.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { CaptureSession, MIN_WIRE_FRAME, encodeCapture, type CapturedPacket } from '../../src/capture/capture-session.js';
import { POINT_DIRECTION } from '../../src/capture/capture-points.js';
import { PcapngWriter, encodeComment } from '../../src/capture/pcapng-writer.js';
import type { CapturePacketInput } from '../../src/capture/capture-file.js';
import { createLab, type Lab } from '../../src/engine/index.js';
import { TOPOLOGIES, load, viaRun, workload } from '../engine/workload.js';
import { START_MS } from './capture-lab.js';
import { memorySink, tempDir, tool, tsharkFields } from './capture-tools.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

const EPOCH_NS = BigInt(START_MS) * 1_000_000n;
const CABLE_POINTS = new Set(['UplinkRcv', 'UplinkSnd', 'PhysRx', 'PhysTx', 'HostRx', 'HostTx']);

/**
 * The packets of every point event on the lab's full trace stream, mapped by hand as the capture
 * rules say (O1): time = epoch + offset + event time, packet id = frame id + offset, Drop's
 * comment names where, a frame on a cable padded to 60 bytes.
 */
function fromTraceStream(lab: Lab, out: CapturedPacket[], offsetNs: bigint, idOffset: number): { off(): void; maxFrameId(): number } {
  let max = 0;
  const off = lab.trace.subscribe((e) => {
    if (e.point === undefined || e.frame === undefined) return;
    let data = e.frame.slice();
    if (CABLE_POINTS.has(e.point) && data.length < MIN_WIRE_FRAME) {
      data = new Uint8Array(MIN_WIRE_FRAME);
      data.set(e.frame);
    }
    max = Math.max(max, e.frameId);
    const p: CapturedPacket = {
      pointId: e.point === 'Drop' ? 'Drop' : `${e.port}:${e.point}`,
      pointIndex: -1,
      timestampNs: EPOCH_NS + offsetNs + BigInt(Math.round(e.time)),
      data,
      frameId: e.frameId + idOffset,
      comment: e.point === 'Drop' ? `${e.detail} (at ${e.port})` : e.detail,
    };
    const d = POINT_DIRECTION[e.point];
    if (d !== undefined) p.direction = d;
    out.push(p);
  });
  return { off, maxFrameId: () => max };
}

function capture(file: string, format: 'pcapng' | 'pcap'): { file: Buffer; recorded: Buffer; reference: Buffer; packets: number } {
  const doc = load(file);
  const path = tmp.file(`${file}.fast.${format}`);
  const lab = createLab(doc, { wallClockStartMs: START_MS });
  const session = new CaptureSession(lab, { file: path, format, record: true });
  const seen: CapturedPacket[] = [];
  const first = fromTraceStream(lab, seen, 0n, 0);
  workload(lab, doc, viaRun);
  first.off();
  // a second lab of the same topology continues the file (timestamps and packet ids go on)
  const next = createLab(doc, { wallClockStartMs: START_MS });
  session.attach(next);
  const second = fromTraceStream(next, seen, lab.nowNs() + 1_000_000n, first.maxFrameId());
  workload(next, doc, viaRun);
  second.off();
  session.stop();
  const reference = encodeCapture(session.points, seen, format);
  if (format === 'pcapng') writeFileSync(tmp.file(`${file}.slow.${format}`), reference);
  return { file: readFileSync(path), recorded: session.toBytes(format), reference, packets: session.packets };
}

describe('capture fast path: the same bytes as the trace-stream path', () => {
  for (const file of TOPOLOGIES) {
    for (const format of ['pcapng', 'pcap'] as const) {
      it(`${file} ${format}: file, recording and the trace stream's packets byte-identical`, () => {
        const fast = capture(file, format);
        expect(fast.packets).toBeGreaterThan(0);
        expect(fast.file.equals(fast.reference)).toBe(true);
        expect(fast.recorded.equals(fast.reference)).toBe(true);
      });
    }
  }

  it('tshark reads the fast-path file with no warning; fields as on the slow path', async () => {
    const fields = ['frame.interface_name', 'frame.comment', 'frame.packet_id', 'frame.packet_flags_direction', 'frame.time_epoch', 'vlan.id', 'eth.src', 'eth.dst'];
    const fast = await tsharkFields(tmp.file('multi-host.json.fast.pcapng'), fields);
    const slow = await tsharkFields(tmp.file('multi-host.json.slow.pcapng'), fields);
    expect(fast.length).toBeGreaterThan(100);
    expect(fast).toEqual(slow);
    const info = await tool('capinfos', [tmp.file('multi-host.json.fast.pcapng')]);
    expect(info.code).toBe(0);
    expect(info.stderr).toBe('');
    expect(info.stdout).toMatch(/Strict time order:\s+True/);
  });
});

const packetArb = fc.record({
  interface: fc.integer({ min: 0, max: 2 }),
  timestampNs: fc.bigInt({ min: 0n, max: 0xffff_ffff_ffff_ffffn }),
  data: fc.uint8Array({ minLength: 0, maxLength: 300 }),
  direction: fc.constantFrom(undefined, 'inbound' as const, 'outbound' as const),
  packetId: fc.option(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), { nil: undefined }),
  comment: fc.option(fc.string({ maxLength: 80, unit: 'grapheme' }), { nil: undefined }),
});

const interfaces = [{ name: 'a' }, { name: 'b', snapLen: 100 }, { name: 'c' }];

function viaWritePacket(packets: CapturePacketInput[]): Buffer {
  const m = memorySink();
  const w = new PcapngWriter({ sink: m.sink, interfaces });
  for (const p of packets) w.writePacket(p);
  w.end();
  return m.bytes();
}

function viaWriteEpb(packets: CapturePacketInput[], bufferBytes: number, sinkCopies: boolean): { bytes: Buffer; chunks: number } {
  const chunks: Buffer[] = [];
  // a sink that copies (as sinkCopies promises) or keeps the chunks as they are
  const w = new PcapngWriter({ sink: (c) => void chunks.push(sinkCopies ? Buffer.from(c) : (c as Buffer)), interfaces, bufferBytes, sinkCopies });
  for (const p of packets) {
    const ts = p.timestampNs;
    const flags = p.direction === 'inbound' ? 1 : p.direction === 'outbound' ? 2 : 0;
    const comment = p.comment !== undefined && p.comment !== '' ? encodeComment(p.comment) : null;
    w.writeEpb(p.interface, Number(ts >> 32n), Number(ts & 0xffff_ffffn), p.data, flags, p.packetId === undefined ? -1 : Number(p.packetId), comment);
  }
  w.end();
  return { bytes: Buffer.concat(chunks), chunks: chunks.length };
}

describe('PcapngWriter.writeEpb and buffering', () => {
  it('writeEpb writes the bytes writePacket writes, unbuffered and buffered, reused buffer or not', () => {
    fc.assert(
      fc.property(fc.array(packetArb, { maxLength: 40 }), fc.constantFrom(0, 64, 200, 1024, 65536), fc.boolean(), (packets, bufferBytes, sinkCopies) => {
        const expected = viaWritePacket(packets);
        expect(viaWriteEpb(packets, bufferBytes, sinkCopies).bytes.equals(expected)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('a buffered writer hands the sink few large chunks, the rest at end(), and nothing after end()', () => {
    const packets: CapturePacketInput[] = Array.from({ length: 1000 }, (_, i) => ({
      interface: 0,
      timestampNs: BigInt(i),
      data: new Uint8Array(64).fill(i & 0xff),
      packetId: i,
      comment: `packet ${i}`,
    }));
    const { bytes, chunks } = viaWriteEpb(packets, 16 * 1024, true);
    expect(bytes.equals(viaWritePacket(packets))).toBe(true);
    // header chunk + one per full 16 KiB buffer + the rest at end()
    expect(chunks).toBeLessThan(2 + Math.ceil(bytes.length / (16 * 1024)) + 1);
    const m = memorySink();
    const w = new PcapngWriter({ sink: m.sink, interfaces, bufferBytes: 4096, sinkCopies: true });
    const headerChunks = m.chunks.length;
    w.writeEpb(0, 0, 1, new Uint8Array(60), 1, 7, encodeComment('x'));
    expect(m.chunks.length).toBe(headerChunks); // still in the buffer
    w.end();
    expect(m.chunks.length).toBe(headerChunks + 1);
    expect(() => w.writeEpb(0, 0, 1, new Uint8Array(60), 1, 7, null)).toThrow(/after end/);
  });

  it('writeEpb refuses what writePacket refuses: unknown interface, timestamp or packet id out of range', () => {
    const w = new PcapngWriter({ sink: () => {}, interfaces });
    expect(() => w.writeEpb(3, 0, 0, new Uint8Array(14), 0, -1, null)).toThrow(/interface 3 is not one of the 3 declared/);
    expect(() => w.writeEpb(0, 2 ** 32, 0, new Uint8Array(14), 0, -1, null)).toThrow(/timestamp .* out of range/);
    expect(() => w.writeEpb(0, 0, -1, new Uint8Array(14), 0, -1, null)).toThrow(/timestamp .* out of range/);
    expect(() => w.writeEpb(0, 0, 0, new Uint8Array(14), 0, 2 ** 60, null)).toThrow(/packet id/);
    expect(w.packetsWritten).toBe(0);
  });
});

describe('comments only when asked', () => {
  it('comments: false writes no opt_comment (tshark: no frame.comment) and everything else as with comments', async () => {
    const doc = load('multi-host.json');
    const run = (comments: boolean): string => {
      const path = tmp.file(`multi-host.comments-${comments}.pcapng`);
      const lab = createLab(doc, { wallClockStartMs: START_MS });
      const session = new CaptureSession(lab, { file: path, comments });
      workload(lab, doc, viaRun);
      session.stop();
      return path;
    };
    const fields = ['frame.interface_name', 'frame.packet_id', 'frame.packet_flags_direction', 'frame.time_epoch', 'frame.len', 'eth.src', 'eth.dst'];
    const withComments = run(true);
    const without = run(false);
    const a = await tsharkFields(withComments, [...fields, 'frame.comment']);
    const b = await tsharkFields(without, [...fields, 'frame.comment']);
    expect(a.length).toBeGreaterThan(100);
    expect(b.map((r) => r.slice(0, fields.length))).toEqual(a.map((r) => r.slice(0, fields.length)));
    expect(a.every((r) => r[fields.length] !== '')).toBe(true);
    expect(b.every((r) => r[fields.length] === '')).toBe(true);
    expect(readFileSync(without).length).toBeLessThan(readFileSync(withComments).length);
  });
});
