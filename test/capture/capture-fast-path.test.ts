/**
 * The capture fast path writes what the slow path writes, byte for byte:
 * - a CaptureSession listens through the lab's point taps and writes pcapng blocks with
 *   `writeEpbTemplate` into a 256 KiB buffer; the same packets taken from the lab's full trace stream
 *   (`trace.subscribe`, every event object) and encoded with `writePacket` (`encodeCapture`, the
 *   path every capture took before) give the same file. Same workload for every example
 *   topology, pcapng and pcap, file and recording, and across `attach`;
 * - PcapngWriter: blocks written with templates reused across packets = `writePacket` with the
 *   same values, buffered or not, whatever the chunk boundaries; a buffered writer hands
 *   everything over at `end()`;
 * - tshark reads a fast-path file with no warning and the fields match the slow path's.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { CaptureSession, MIN_WIRE_FRAME, encodeCapture, type CapturedPacket } from '../../src/capture/capture-session.js';
import { POINT_DIRECTION } from '../../src/capture/capture-points.js';
import { PcapngWriter, encodeComment, type EpbTemplate } from '../../src/capture/pcapng-writer.js';
import { readPcapng } from '../../src/capture/pcapng-reader.js';
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
  packetId: fc.option(fc.oneof(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.bigInt({ min: 0n, max: 0xffff_ffff_ffff_ffffn })), { nil: undefined }),
  dropCount: fc.option(fc.bigInt({ min: 0n, max: 0xffff_ffff_ffff_ffffn }), { nil: undefined, freq: 8 }),
  // a few texts again and again (the writers' template caches hit), and any text
  comment: fc.option(fc.oneof(fc.constantFrom('delivered', 'flooded', ''), fc.string({ maxLength: 80, unit: 'grapheme' })), { nil: undefined }),
});

const interfaces = [{ name: 'a' }, { name: 'b', snapLen: 100 }, { name: 'c' }];

function viaWritePacket(packets: CapturePacketInput[]): Buffer {
  const m = memorySink();
  const w = new PcapngWriter({ sink: m.sink, interfaces });
  for (const p of packets) w.writePacket(p);
  w.end();
  return m.bytes();
}

/**
 * The capture session's way: one template per interface, direction, packet id or not, and
 * comment, made once and reused for every later packet like it (the packet id, timestamp and
 * frame differ from packet to packet).
 */
function viaTemplates(packets: CapturePacketInput[], bufferBytes: number, sinkCopies: boolean): { bytes: Buffer; chunks: number } {
  const chunks: Buffer[] = [];
  // a sink that copies (as sinkCopies promises) or keeps the chunks as they are
  const w = new PcapngWriter({ sink: (c) => void chunks.push(sinkCopies ? Buffer.from(c) : (c as Buffer)), interfaces, bufferBytes, sinkCopies });
  const templates = new Map<string, EpbTemplate>();
  for (const p of packets) {
    const ts = p.timestampNs;
    const flags = p.direction === 'inbound' ? 1 : p.direction === 'outbound' ? 2 : 0;
    const comment = p.comment !== undefined && p.comment !== '' ? encodeComment(p.comment) : null;
    const id = p.packetId === undefined ? undefined : BigInt(p.packetId);
    let t: EpbTemplate | undefined;
    if (p.dropCount !== undefined || (id !== undefined && id > BigInt(Number.MAX_SAFE_INTEGER))) {
      // values a number cannot carry, or a drop count: fixed in a template for this packet
      t = w.epbTemplate({ ifIndex: p.interface, flags, comment, ...(id !== undefined ? { packetId: id } : {}), ...(p.dropCount !== undefined ? { dropCount: p.dropCount } : {}) });
    } else {
      const key = JSON.stringify([p.interface, flags, id !== undefined, p.comment ?? ''] as const);
      t = templates.get(key);
      if (t === undefined) {
        t = w.epbTemplate({ ifIndex: p.interface, flags, comment, ...(id !== undefined ? { packetId: 'each' as const } : {}) });
        templates.set(key, t);
      }
    }
    w.nextTime[0] = Number(ts >> 32n);
    w.nextTime[1] = Number(ts & 0xffff_ffffn);
    w.writeEpbTemplate(t, p.data, t.idAt >= 0 ? Number(id) : -1);
  }
  w.end();
  return { bytes: Buffer.concat(chunks), chunks: chunks.length };
}

describe('PcapngWriter templates and buffering', () => {
  it('reused templates write the bytes writePacket writes, unbuffered and buffered, reused buffer or not', () => {
    fc.assert(
      fc.property(fc.array(packetArb, { maxLength: 40 }), fc.constantFrom(0, 64, 200, 1024, 65536), fc.boolean(), (packets, bufferBytes, sinkCopies) => {
        const expected = viaWritePacket(packets);
        expect(viaTemplates(packets, bufferBytes, sinkCopies).bytes.equals(expected)).toBe(true);
        // and the reader gets back what was written, field by field
        const read = readPcapng(expected);
        expect(read.packets.length).toBe(packets.length);
        packets.forEach((p, i) => {
          const r = read.packets[i]!;
          const snap = interfaces[p.interface]!.snapLen ?? Infinity;
          expect(r.interface).toBe(p.interface);
          expect(r.timestampNs).toBe(p.timestampNs);
          expect(Buffer.from(r.data).equals(Buffer.from(p.data.subarray(0, snap)))).toBe(true);
          expect(r.originalLength).toBe(p.data.length);
          expect(r.direction).toBe(p.direction);
          expect(r.packetId).toBe(p.packetId === undefined ? undefined : BigInt(p.packetId));
          expect(r.dropCount).toBe(p.dropCount);
          expect(r.comment).toBe(p.comment === '' ? undefined : p.comment);
        });
      }),
      { numRuns: 200 },
    );
  });

  it('writePacket\'s template cache keeps apart packets that share a comment: interface, direction, packet id or not', () => {
    const base = { timestampNs: 5n, data: new Uint8Array(20).fill(7), comment: 'delivered' };
    const packets: CapturePacketInput[] = [
      { ...base, interface: 0, direction: 'inbound', packetId: 1 },
      { ...base, interface: 0, direction: 'outbound', packetId: 2 },
      { ...base, interface: 0, packetId: 3 },
      { ...base, interface: 0, direction: 'outbound' },
      { ...base, interface: 2, direction: 'outbound', packetId: 4 },
      { ...base, interface: 0, direction: 'inbound', packetId: 5 },
    ];
    const read = readPcapng(viaWritePacket(packets)).packets;
    expect(read.map((r) => [r.interface, r.direction, r.packetId, r.comment])).toEqual([
      [0, 'inbound', 1n, 'delivered'],
      [0, 'outbound', 2n, 'delivered'],
      [0, undefined, 3n, 'delivered'],
      [0, 'outbound', undefined, 'delivered'],
      [2, 'outbound', 4n, 'delivered'],
      [0, 'inbound', 5n, 'delivered'],
    ]);
  });

  it('a buffered writer hands the sink few large chunks, the rest at end(), and nothing after end()', () => {
    const packets: CapturePacketInput[] = Array.from({ length: 1000 }, (_, i) => ({
      interface: 0,
      timestampNs: BigInt(i),
      data: new Uint8Array(64).fill(i & 0xff),
      packetId: i,
      comment: `packet ${i % 7}`,
    }));
    const { bytes, chunks } = viaTemplates(packets, 16 * 1024, true);
    expect(bytes.equals(viaWritePacket(packets))).toBe(true);
    // header chunk + one per full 16 KiB buffer + the rest at end()
    expect(chunks).toBeLessThan(2 + Math.ceil(bytes.length / (16 * 1024)) + 1);
    const m = memorySink();
    const w = new PcapngWriter({ sink: m.sink, interfaces, bufferBytes: 4096, sinkCopies: true });
    const headerChunks = m.chunks.length;
    const t = w.epbTemplate({ ifIndex: 0, flags: 1, packetId: 'each', comment: encodeComment('x') });
    w.writeEpbTemplate(t, new Uint8Array(60), 7);
    expect(m.chunks.length).toBe(headerChunks); // still in the buffer
    w.end();
    expect(m.chunks.length).toBe(headerChunks + 1);
    expect(() => w.writeEpbTemplate(t, new Uint8Array(60), 7)).toThrow(/after end/);
  });

  it('templates refuse what writePacket refuses: unknown interface, packet id out of range, a bad comment option; and another writer\'s template', () => {
    const w = new PcapngWriter({ sink: () => {}, interfaces });
    expect(() => w.epbTemplate({ ifIndex: 3 })).toThrow(/interface 3 is not one of the 3 declared/);
    expect(() => w.writePacket({ interface: 3, timestampNs: 0n, data: new Uint8Array(14) })).toThrow(/interface 3 is not one of the 3 declared/);
    expect(() => w.epbTemplate({ ifIndex: 0, packetId: 2n ** 64n })).toThrow(/packet id/);
    expect(() => w.epbTemplate({ ifIndex: 0, comment: new Uint8Array(6) })).toThrow(/comment option/);
    const t = w.epbTemplate({ ifIndex: 0, packetId: 'each' });
    expect(() => w.writeEpbTemplate(t, new Uint8Array(14), 2 ** 60)).toThrow(/packet id/);
    expect(() => w.writeEpbTemplate(t, new Uint8Array(14), -1)).toThrow(/packet id/);
    const other = new PcapngWriter({ sink: () => {}, interfaces });
    expect(() => other.writeEpbTemplate(t, new Uint8Array(14), 1)).toThrow(/another writer/);
    expect(w.packetsWritten).toBe(0);
    expect(other.packetsWritten).toBe(0);
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
