import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaptureFormatError } from '../../src/capture/capture-format-error.js';
import { readPcap } from '../../src/capture/pcap-reader.js';
import { PcapWriter } from '../../src/capture/pcap-writer.js';
import { openPcapngFile } from '../../src/capture/pcapng-writer.js';
import { readCapture } from '../../src/capture/read-capture.js';
import { ethFrame, memorySink, tempDir, tool, tsharkFields } from './capture-tools.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

const f1 = ethFrame('ff:ff:ff:ff:ff:ff', '00:50:56:aa:00:09', 0x0806, [0, 1, 8, 0, 6, 4, 0, 1]);
const f2 = ethFrame('00:50:56:aa:00:01', '00:50:56:aa:00:02', 0x0800, new Uint8Array(100));

/** A classic pcap built by hand, in either byte order. */
function pcapBytes(o: { be?: boolean; nano?: boolean; linkType?: number; records: Array<{ sec: number; frac: number; data: Uint8Array; orig?: number }> }): Buffer {
  const le = !o.be;
  const u16 = (v: number): Buffer => {
    const b = Buffer.alloc(2);
    if (le) b.writeUInt16LE(v);
    else b.writeUInt16BE(v);
    return b;
  };
  const u32 = (v: number): Buffer => {
    const b = Buffer.alloc(4);
    if (le) b.writeUInt32LE(v);
    else b.writeUInt32BE(v);
    return b;
  };
  const parts = [u32(o.nano ? 0xa1b23c4d : 0xa1b2c3d4), u16(2), u16(4), u32(0), u32(0), u32(65535), u32(o.linkType ?? 1)];
  for (const r of o.records) parts.push(u32(r.sec), u32(r.frac), u32(r.data.length), u32(r.orig ?? r.data.length), Buffer.from(r.data));
  return Buffer.concat(parts);
}

async function formatError(p: Promise<unknown>): Promise<CaptureFormatError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(CaptureFormatError);
  return err as CaptureFormatError;
}

const records = [
  { sec: 1_700_000_000, frac: 123_456, data: f1 },
  { sec: 1_700_000_001, frac: 999_999, data: f2, orig: 1514 },
];

describe('readPcap (pcap-parser behind a wrapper)', () => {
  it('reads a little-endian microsecond pcap', async () => {
    const f = await readPcap(pcapBytes({ records }));
    expect(f.format).toBe('pcap');
    expect(f.interfaces).toEqual([{ linkType: 1, snapLen: 65535 }]);
    expect(f.packets.map((p) => [p.interface, p.timestampNs, Buffer.from(p.data).toString('hex'), p.originalLength])).toEqual([
      [0, 1_700_000_000_123_456_000n, f1.toString('hex'), 60],
      [0, 1_700_000_001_999_999_000n, f2.toString('hex'), 1514],
    ]);
  });

  it('reads a big-endian pcap written by hand, and tshark agrees on it', async () => {
    const bytes = pcapBytes({ be: true, records });
    expect(bytes.subarray(0, 4).toString('hex')).toBe('a1b2c3d4');
    const file = tmp.file('big-endian.pcap');
    writeFileSync(file, bytes);
    expect(await tsharkFields(file, ['frame.time_epoch', 'eth.src'])).toEqual([
      ['1700000000.123456000', '00:50:56:aa:00:09'],
      ['1700000001.999999000', '00:50:56:aa:00:02'],
    ]);
    const f = await readPcap(file);
    expect(f.packets.map((p) => [p.timestampNs, p.data.length, p.originalLength])).toEqual([
      [1_700_000_000_123_456_000n, 60, 60],
      [1_700_000_001_999_999_000n, 114, 1514],
    ]);
  });

  it('reads nanosecond pcaps (magic a1b23c4d) in both byte orders', async () => {
    for (const be of [false, true]) {
      const f = await readPcap(pcapBytes({ be, nano: true, records: [{ sec: 5, frac: 123_456_789, data: f1 }] }));
      expect(f.packets.map((p) => p.timestampNs)).toEqual([5_123_456_789n]);
    }
  });

  it('reads a header-only pcap as zero packets', async () => {
    expect((await readPcap(pcapBytes({ records: [] }))).packets).toEqual([]);
  });

  it('reports a truncated last record (cut mid-record) with its offset', async () => {
    const bytes = pcapBytes({ records });
    const secondRecord = 24 + 16 + 60;
    const e = await formatError(readPcap(bytes.subarray(0, secondRecord + 16 + 50)));
    expect(e.offset).toBe(secondRecord);
    expect(e.message).toBe(`truncated pcap record: header says 114 captured bytes, only 50 remain (at byte ${secondRecord})`);
  });

  it('reports a record header cut short', async () => {
    const e = await formatError(readPcap(pcapBytes({ records }).subarray(0, 24 + 16 + 60 + 7)));
    expect(e.message).toBe('truncated pcap record header: 7 of 16 bytes (at byte 100)');
  });

  it('reports a file header cut short, and garbage', async () => {
    expect((await formatError(readPcap(pcapBytes({ records }).subarray(0, 10)))).message).toBe('truncated pcap file header: 10 of 24 bytes (at byte 0)');
    const garbage = Buffer.from('this is not a capture file at all, just text\n');
    expect((await formatError(readPcap(garbage))).message).toMatch(/^not a pcap file: magic number 74686973 is neither/);
  });

  it('reports an absurd captured length as corrupt, with its offset', async () => {
    const bytes = pcapBytes({ records });
    bytes.writeUInt32LE(0x7fff_0000, 24 + 8); // first record's captured length
    const e = await formatError(readPcap(bytes));
    expect(e.message).toBe('corrupt pcap record: captured length 2147418112 is over the maximum of 262144 (at byte 32)');
  });

  it('rejects a non-Ethernet link type with a clear message', async () => {
    const e = await formatError(readPcap(pcapBytes({ linkType: 105, records })));
    expect(e.message).toBe('link type 105 (IEEE 802.11) is not Ethernet; vswitch-lab replays Ethernet captures only (at byte 20)');
    expect((await formatError(readCapture(pcapBytes({ be: true, linkType: 113, records })))).detail).toMatch(/^link type 113 \(Linux cooked capture\) is not Ethernet/);
  });

  it('names the file when given a path', async () => {
    const file = tmp.file('garbage.pcap');
    writeFileSync(file, Buffer.from('d4c3b2a1', 'hex'));
    const e = await formatError(readPcap(file));
    expect(e.file).toBe(file);
    expect(e.message).toBe(`${file}: truncated pcap file header: 4 of 24 bytes (at byte 0)`);
  });
});

describe('readers read what editcap and tshark write', () => {
  const source = tmp.file('source.pcapng');
  const written = [
    { interface: 0, timestampNs: 1_700_000_000_123_456_789n, data: f1, direction: 'inbound' as const, packetId: 42, comment: 'VLAN 10: tagged out vmnic0 (V2, T2)' },
    {
      interface: 1,
      timestampNs: 1_700_000_000_500_000_001n,
      data: f2,
      direction: 'outbound' as const,
      packetId: 43,
      comment: 'dropped FORGED_TRANSMIT (S3): source 00:50:56:aa:00:09 is not the effective MAC',
    },
    { interface: 0, timestampNs: 1_700_000_002_000_000_000n, data: f2 },
  ];
  beforeAll(() => {
    const w = openPcapngFile(source, [{ name: 'esxi-01:vmnic0 UplinkRcv' }, { name: 'web-01:eth0' }]);
    for (const p of written) w.writePacket(p);
    w.close();
  });

  it('editcap -F pcap (microseconds)', async () => {
    const out = tmp.file('editcap.pcap');
    const r = await tool('editcap', ['-F', 'pcap', source, out]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const f = await readCapture(out);
    expect(f.format).toBe('pcap');
    expect(f.packets.map((p) => [p.timestampNs, Buffer.from(p.data)])).toEqual(written.map((p) => [(p.timestampNs / 1000n) * 1000n, p.data]));
  });

  it('editcap -F nsecpcap (nanoseconds)', async () => {
    const out = tmp.file('editcap-ns.pcap');
    const r = await tool('editcap', ['-F', 'nsecpcap', source, out]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const f = await readCapture(out);
    expect(f.packets.map((p) => [p.timestampNs, Buffer.from(p.data)])).toEqual(written.map((p) => [p.timestampNs, p.data]));
  });

  it('editcap -F modpcap is rejected clearly', async () => {
    const out = tmp.file('editcap-mod.pcap');
    expect((await tool('editcap', ['-F', 'modpcap', source, out])).code).toBe(0);
    const e = await formatError(readCapture(out));
    expect(e.detail).toBe('modified (Kuznetzov) pcap format is not supported; convert it with editcap -F pcap');
  });

  it('tshark -F pcapng -w keeps interfaces, comments, packet ids and directions we can read', async () => {
    const out = tmp.file('tshark.pcapng');
    const r = await tool('tshark', ['-r', source, '-F', 'pcapng', '-w', out]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const f = await readCapture(out);
    expect(f.format).toBe('pcapng');
    expect(f.interfaces.map((i) => i.name)).toEqual(['esxi-01:vmnic0 UplinkRcv', 'web-01:eth0']);
    expect(f.packets.map((p) => ({ ...p, data: Buffer.from(p.data) }))).toEqual(
      written.map((p) => ({
        interface: p.interface,
        timestampNs: p.timestampNs,
        data: p.data,
        originalLength: p.data.length,
        ...(p.direction ? { direction: p.direction } : {}),
        ...(p.packetId !== undefined ? { packetId: BigInt(p.packetId) } : {}),
        ...(p.comment ? { comment: p.comment } : {}),
      })),
    );
  });

  it('reads back what our own pcap writer wrote', async () => {
    const m = memorySink();
    const w = new PcapWriter({ sink: m.sink, resolution: 'ns' });
    for (const p of written) w.writePacket(p);
    const f = await readCapture(m.bytes());
    expect(f.packets.map((p) => [p.timestampNs, Buffer.from(p.data)])).toEqual(written.map((p) => [p.timestampNs, p.data]));
  });
});
