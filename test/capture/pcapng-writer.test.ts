import { afterAll, describe, expect, it } from 'vitest';
import { EpbTemplateCache, PcapngWriter, byteSwap32, openPcapngFile } from '../../src/capture/pcapng-writer.js';
import { readPcapng } from '../../src/capture/pcapng-reader.js';
import { ethFrame, memorySink, tempDir, tool, tsharkFields } from './capture-tools.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

const arp = ethFrame('ff:ff:ff:ff:ff:ff', '00:50:56:aa:00:09', 0x0806, [0, 1, 8, 0, 6, 4, 0, 1]);
const ipv4 = ethFrame('00:50:56:aa:00:01', '00:50:56:aa:00:02', 0x0800, [0x45, 0, 0, 20]);

/** Walks the blocks of a little-endian pcapng: [type, totalLength, offset]. */
function blocks(b: Buffer): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  for (let o = 0; o < b.length;) {
    const len = b.readUInt32LE(o + 4);
    expect(len % 4).toBe(0);
    expect(b.readUInt32LE(o + len - 4)).toBe(len);
    out.push([b.readUInt32LE(o), len, o]);
    o += len;
  }
  return out;
}

describe('byteSwap32 (the word stores of a big-endian host)', () => {
  it('puts the four bytes in the other order, as an unsigned 32-bit value', () => {
    // what a big-endian host stores for each value so that its bytes in memory are little-endian
    for (const v of [0, 1, 0x0102_0304, 0x8000_0000, 0xffff_ffff, 0x1a2b_3c4d, 174]) {
      const le = Buffer.alloc(4);
      le.writeUInt32LE(v);
      expect(byteSwap32(v)).toBe(le.readUInt32BE());
      expect(byteSwap32(byteSwap32(v))).toBe(v);
    }
  });
});

describe('EpbTemplateCache', () => {
  it('keeps a template per key and slot, and forgets them all once it holds 4,096 keys (bounded over a long capture)', () => {
    const w = new PcapngWriter({ sink: () => {}, interfaces: [{ name: 'a' }, { name: 'b' }] });
    const cache = new EpbTemplateCache<string>();
    const t0 = w.epbTemplate({ ifIndex: 0 });
    const t1 = w.epbTemplate({ ifIndex: 1, flags: 2 });
    cache.set('k', 0, t0);
    cache.set('k', 3, t1);
    expect(cache.get('k', 0)).toBe(t0);
    expect(cache.get('k', 3)).toBe(t1);
    expect(cache.get('k', 1)).toBeUndefined();
    expect(cache.get('other', 0)).toBeUndefined();
    for (let i = 1; i < 4096; i++) cache.set(`k${i}`, 0, t0);
    expect(cache.get('k', 3)).toBe(t1); // 4,096 keys: all kept
    cache.set('one more', 0, t1);
    expect(cache.get('k', 3)).toBeUndefined();
    expect(cache.get('k4095', 0)).toBeUndefined();
    expect(cache.get('one more', 0)).toBe(t1);
  });
});

describe('PcapngWriter: block layout', () => {
  it('writes the SHB and one IDB per interface before any packet, in one chunk', () => {
    const m = memorySink();
    new PcapngWriter({ sink: m.sink, interfaces: [{ name: 'esxi-01:vmnic0 UplinkRcv' }, { name: 'web-01:eth0', description: 'vNIC' }] });
    expect(m.chunks).toHaveLength(1);
    const b = m.bytes();
    expect(blocks(b).map(([t]) => t)).toEqual([0x0a0d0d0a, 1, 1]);
    expect(b.readUInt32LE(8)).toBe(0x1a2b3c4d);
    expect(b.includes(Buffer.from('vswitch-lab'))).toBe(true);
    const f = readPcapng(b);
    expect(f.interfaces).toEqual([
      { name: 'esxi-01:vmnic0 UplinkRcv', linkType: 1, snapLen: 262144 },
      { name: 'web-01:eth0', description: 'vNIC', linkType: 1, snapLen: 262144 },
    ]);
  });

  it('encodes epb_flags, epb_packetid, opt_comment and padding in one sink call per packet', () => {
    const m = memorySink();
    const w = new PcapngWriter({ sink: m.sink, interfaces: [{ name: 'a:eth0' }] });
    const frame = arp.subarray(0, 42); // 42 bytes: 2 bytes of padding
    w.writePacket({ interface: 0, timestampNs: 0x1_0000_0002n, data: frame, direction: 'outbound', packetId: 7, comment: 'abcde' });
    expect(m.chunks).toHaveLength(2);
    const epb = Buffer.from(m.chunks[1]!);
    // 28 fixed + 44 data + flags 8 + packet id 12 + comment 4+8 + endofopt 4 + trailing 4
    expect(epb.length).toBe(28 + 44 + 8 + 12 + 12 + 4 + 4);
    expect(epb.readUInt32LE(0)).toBe(6);
    expect(epb.readUInt32LE(12)).toBe(1); // timestamp high
    expect(epb.readUInt32LE(16)).toBe(2); // timestamp low
    expect(epb.readUInt32LE(20)).toBe(42);
    expect(epb.subarray(28 + 42, 28 + 44)).toEqual(Buffer.alloc(2));
    let o = 28 + 44;
    expect([epb.readUInt16LE(o), epb.readUInt16LE(o + 2), epb.readUInt32LE(o + 4)]).toEqual([2, 4, 2]);
    o += 8;
    expect([epb.readUInt16LE(o), epb.readUInt16LE(o + 2), epb.readBigUInt64LE(o + 4)]).toEqual([5, 8, 7n]);
    o += 12;
    expect([epb.readUInt16LE(o), epb.readUInt16LE(o + 2), epb.toString('utf8', o + 4, o + 9)]).toEqual([1, 5, 'abcde']);
    expect(epb.subarray(o + 9, o + 12)).toEqual(Buffer.alloc(3));
    o += 12;
    expect(epb.readUInt32LE(o)).toBe(0); // opt_endofopt
    expect(epb.readUInt32LE(o + 4)).toBe(epb.length);
  });

  it('writes no options at all for a bare packet', () => {
    const m = memorySink();
    const w = new PcapngWriter({ sink: m.sink, interfaces: [{ name: 'a:eth0' }] });
    w.writePacket({ interface: 0, timestampNs: 5n, data: ipv4 });
    expect(m.chunks[1]!.length).toBe(28 + 60 + 4);
  });

  it('cuts packets to the snap length and keeps their original length', () => {
    const m = memorySink();
    const w = new PcapngWriter({ sink: m.sink, interfaces: [{ name: 'a:eth0', snapLen: 20 }] });
    w.writePacket({ interface: 0, timestampNs: 1n, data: ipv4 });
    w.writePacket({ interface: 0, timestampNs: 2n, data: ipv4.subarray(0, 14), originalLength: 1514 });
    const f = readPcapng(m.bytes());
    expect(f.interfaces[0]!.snapLen).toBe(20);
    expect(f.packets.map((p) => [p.data.length, p.originalLength])).toEqual([[20, 60], [14, 1514]]);
    expect(Buffer.from(f.packets[0]!.data)).toEqual(ipv4.subarray(0, 20));
  });

  it('rejects an unknown interface, a negative timestamp and writes after end()', () => {
    const w = new PcapngWriter({ sink: () => {}, interfaces: [{ name: 'a:eth0' }] });
    expect(() => w.writePacket({ interface: 1, timestampNs: 0n, data: arp })).toThrow(/interface 1 is not one of the 1 declared/);
    expect(() => w.writePacket({ interface: 0, timestampNs: -1n, data: arp })).toThrow(/out of range/);
    expect(() => w.writePacket({ interface: 0, timestampNs: 0n, data: arp, packetId: -1 })).toThrow(/packet id/);
    w.end();
    expect(() => w.writePacket({ interface: 0, timestampNs: 0n, data: arp })).toThrow(/after end/);
  });

  it('cuts a comment over 65535 UTF-8 bytes at a character boundary', () => {
    const m = memorySink();
    const w = new PcapngWriter({ sink: m.sink, interfaces: [{ name: 'a:eth0' }] });
    w.writePacket({ interface: 0, timestampNs: 0n, data: arp, comment: '€'.repeat(30000) }); // 90000 bytes
    const c = readPcapng(m.bytes()).packets[0]!.comment!;
    expect(c).toBe('€'.repeat(21845)); // 65535 / 3
  });
});

describe('PcapngWriter: Wireshark reads what we write', () => {
  const interfaces = [
    { name: 'esxi-01:vmnic0 UplinkRcv', description: 'uplink vmnic0 of vSwitch0, frames from the wire' },
    { name: 'esxi-01:vmnic0 UplinkSnd' },
    { name: 'web-01:eth0' },
  ];
  const packets = [
    { interface: 0, timestampNs: 1_700_000_000_123_456_789n, data: arp, direction: 'inbound' as const, packetId: 42, comment: 'VLAN 10: tagged out vmnic0 (V2, T2)' },
    {
      interface: 2,
      timestampNs: 1_700_000_000_123_456_790n,
      data: arp,
      direction: 'outbound' as const,
      packetId: 42n,
      comment: 'dropped FORGED_TRANSMIT (S3): source 00:50:56:aa:00:09 is not the effective MAC',
    },
    { interface: 1, timestampNs: 1_700_000_001_000_000_001n, data: ipv4, packetId: 2n ** 63n + 5n, comment: 'Grüße — ünïcödé ✓' },
    { interface: 2, timestampNs: 1_700_000_002_000_000_000n, data: ipv4 },
  ];

  it('capinfos and tshark open it cleanly; names, comments, ids, directions and ns timestamps match', async () => {
    const file = tmp.file('three-interfaces.pcapng');
    const w = openPcapngFile(file, interfaces, { comment: 'written by the capture tests' });
    for (const p of packets) w.writePacket(p);
    w.close();
    w.close(); // idempotent

    const info = await tool('capinfos', [file]);
    expect(info.stderr).toBe('');
    expect(info.code).toBe(0);
    expect(info.stdout).toMatch(/Number of packets:\s+4/);
    expect(info.stdout).toMatch(/Number of interfaces in file: 3/);
    expect(info.stdout).toMatch(/Capture application: vswitch-lab/);
    expect(info.stdout).toMatch(/File timestamp precision:\s+nanoseconds \(9\)/);

    const rows = await tsharkFields(file, ['frame.interface_name', 'frame.comment', 'frame.packet_id', 'frame.packet_flags_direction', 'frame.time_epoch', 'eth.src']);
    expect(rows).toEqual([
      ['esxi-01:vmnic0 UplinkRcv', 'VLAN 10: tagged out vmnic0 (V2, T2)', '42', '0x00000001', '1700000000.123456789', '00:50:56:aa:00:09'],
      ['web-01:eth0', 'dropped FORGED_TRANSMIT (S3): source 00:50:56:aa:00:09 is not the effective MAC', '42', '0x00000002', '1700000000.123456790', '00:50:56:aa:00:09'],
      ['esxi-01:vmnic0 UplinkSnd', 'Grüße — ünïcödé ✓', (2n ** 63n + 5n).toString(), '', '1700000001.000000001', '00:50:56:aa:00:02'],
      ['web-01:eth0', '', '', '', '1700000002.000000000', '00:50:56:aa:00:02'],
    ]);

    // The display filter the docs recommend selects every copy of one frame.
    const r = await tool('tshark', ['-r', file, '-Y', 'frame.packet_id == 42', '-T', 'fields', '-e', 'frame.number']);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim().split('\n')).toEqual(['1', '2']);
  });
});
