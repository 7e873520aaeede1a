/**
 * The live pcapng stream's bounded buffer (src/capture/live-stream.ts, what the server's
 * GET /api/capture/live writes through), with a real lab and a real Node stream as a reader that
 * does not read: one `count: 1000` send of full-size broadcasts, captured at several points, is
 * more than the 4 MiB the server holds for a reader, so packets are lost — and counted on the interface
 * (capture point) that lost them, as pcapng defines it: epb_dropcount on that interface's next
 * packet (tshark: frame.interface_id, frame.drop_count) and an Interface Statistics Block with
 * isb_osdrop (tshark reading the file as a file: pcapng.interface_id,
 * pcapng.options.option.data.interface.dropped_by_os).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { CaptureSession } from '../../src/capture/capture-session.js';
import { LiveCaptureStream } from '../../src/capture/live-stream.js';
import { createLab } from '../../src/engine/index.js';
import { buildEthernet } from '../../src/wire/index.js';
import { CaptureSource } from '../../src/server/capture-source.js';
import { defaultTopology } from '../server/helpers.js';
import { tempDir } from './capture-tools.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

const tshark = (args: string[]): string[][] =>
  execFileSync('/usr/bin/tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split('\t'));

describe('live capture stream: overflow of the 4 MiB buffer', () => {
  it('a single count: 1000 send into a reader that does not read overflows it; the losses are counted per interface (epb_dropcount, ISB isb_osdrop), tshark reads them', () => {
    const lab = createLab(defaultTopology(), { wallClockStartMs: 1_700_000_000_000 });
    const session = new CaptureSession(lab, { points: ['web-01', 'web-02', 'esxi-01', 'tor-1', 'laptop'] });
    // the reader: a real stream nobody reads yet (Wireshark busy drawing); `pending` is what it holds unread
    const reader = new PassThrough();
    const stream = new LiveCaptureStream({
      sink: (c) => void reader.write(c),
      interfaces: session.points.map((p) => ({ name: p.name, description: p.description })),
      pending: () => reader.writableLength,
      limitBytes: 4 * 1024 * 1024, // the server's default (liveCaptureBufferBytes)
    });
    session.subscribe((p) =>
      void stream.offer({ iface: p.pointIndex, timestampNs: p.timestampNs, data: p.data, packetId: p.frameId, comment: p.comment, ...(p.direction ? { direction: p.direction } : {}) })
    );
    const frame = (fill: number): Uint8Array => buildEthernet({ src: '00:50:56:a1:00:01', dst: 'ff:ff:ff:ff:ff:ff', ethertype: 0x88b5, payload: new Uint8Array(1500).fill(fill) });
    // what POST /api/frames does with count: 1000: 1000 broadcasts of 1514 bytes at once, seen at 7 points (~11 MB)
    for (let i = 0; i < 1000; i++) lab.inject('web-01:eth0', frame(0xab));
    lab.run();
    const got: Buffer[] = [];
    for (let c = reader.read() as Buffer | null; c !== null; c = reader.read() as Buffer | null) got.push(c); // the reader catches up
    lab.inject('web-01:eth0', frame(0xcd)); // one more frame: each point reports its losses on it
    lab.run();
    stream.end(true);
    session.stop();
    for (let c = reader.read() as Buffer | null; c !== null; c = reader.read() as Buffer | null) got.push(c);
    const file = tmp.file('live-overflow.pcapng');
    writeFileSync(file, Buffer.concat(got));

    const rows = tshark(['-r', file, '-T', 'fields', '-e', 'frame.interface_id', '-e', 'frame.drop_count']);
    const written = new Map<number, number>();
    const dropped = new Map<number, number>();
    for (const [iface, drops] of rows) {
      const i = Number(iface);
      written.set(i, (written.get(i) ?? 0) + 1);
      dropped.set(i, (dropped.get(i) ?? 0) + (drops ? Number(drops) : 0));
    }
    const ifaces = [...written.keys()].sort((a, b) => a - b);
    const summary = ifaces.map((i) => `${i} ${session.points[i]!.name}: ${written.get(i)} written, ${dropped.get(i)} lost`).join('; ');
    expect(ifaces.length, summary).toBe(7);
    // the buffer overflowed: every point that saw the frames after it was full lost some, and
    // every frame is accounted for on every point: written there, or counted lost there
    for (const i of ifaces) expect(dropped.get(i), summary).toBeGreaterThan(0);
    for (const i of ifaces) expect(written.get(i)! + dropped.get(i)!, summary).toBe(1001);
    expect(stream.lost.reduce((a, b) => a + b, 0)).toBe([...dropped.values()].reduce((a, b) => a + b, 0));

    // the Interface Statistics Blocks, read by tshark as a file: the losses, per interface
    // (the whole file is one record there: each field lists its values in block order)
    const [isbRow] = tshark([
      '-X',
      'read_format:MIME Files Format',
      '-r',
      file,
      '-T',
      'fields',
      '-e',
      'pcapng.block.type',
      '-e',
      'pcapng.interface_id',
      '-e',
      'pcapng.options.option.data.interface.dropped_by_os',
    ]);
    const [types, ids, drops] = isbRow!.map((f) => f.split(',').map(Number)) as [number[], number[], number[]];
    const osDrop = new Map<number, number>();
    let id = 0;
    let isbs = 0;
    for (const t of types) {
      if (t !== 5 && t !== 6) continue; // only EPBs and ISBs carry an interface id
      const iface = ids[id++]!;
      if (t === 5) osDrop.set(iface, drops[isbs++]!);
    }
    for (const i of ifaces) expect(osDrop.get(i), `isb_osdrop of ${session.points[i]!.name}`).toBe(dropped.get(i));
  });
});

describe('live capture stream: packet ids across topology loads', () => {
  it('a frame of the next lab does not reuse a packet id of the previous one (frame.packet_id == 1 is one frame)', () => {
    const source = new CaptureSource();
    const lab1 = createLab(defaultTopology());
    source.attach(lab1, 1_700_000_000_000_000_000n);
    const reader = new PassThrough();
    const points = source.select(['web-01:eth0:PortInput']);
    const stream = new LiveCaptureStream({ sink: (c) => void reader.write(c), interfaces: points, pending: () => reader.writableLength, limitBytes: 4 * 1024 * 1024 });
    source.subscribe(new Set(points.map((p) => p.id)), (p) => void stream.offer({ iface: 0, timestampNs: p.timestampNs, data: p.data, packetId: p.frameId }));
    const frame = buildEthernet({ src: '00:50:56:a1:00:01', dst: 'ff:ff:ff:ff:ff:ff', ethertype: 0x88b5, payload: new Uint8Array(46) });
    lab1.inject('web-01:eth0', frame);
    lab1.inject('web-01:eth0', frame);
    lab1.run();
    const lab2 = createLab(defaultTopology()); // what loading a topology does
    source.attach(lab2, 1_700_000_001_000_000_000n);
    lab2.inject('web-01:eth0', frame);
    lab2.run();
    stream.end(true);
    source.close();
    const file = tmp.file('ids.pcapng');
    const got: Buffer[] = [];
    for (let c = reader.read() as Buffer | null; c !== null; c = reader.read() as Buffer | null) got.push(c);
    writeFileSync(file, Buffer.concat(got));
    expect(tshark(['-r', file, '-T', 'fields', '-e', 'frame.packet_id']).map((r) => r[0])).toEqual(['1', '2', '3']);
  });
});
