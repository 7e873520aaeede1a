import { describe, expect, it } from 'vitest';
import { CaptureFormatError } from '../../src/capture/capture-format-error.js';
import { readPcapng } from '../../src/capture/pcapng-reader.js';
import { PcapngWriter } from '../../src/capture/pcapng-writer.js';
import { ethFrame, memorySink } from './capture-tools.js';

const f1 = ethFrame('ff:ff:ff:ff:ff:ff', '00:50:56:aa:00:09', 0x0806, [0, 1, 8, 0, 6, 4, 0, 1]);
const f2 = ethFrame('00:50:56:aa:00:01', '00:50:56:aa:00:02', 0x0800, [0x45, 0, 0, 20], false); // 18 bytes: padding

/** Hand-built pcapng blocks in either byte order, independent of our writer. */
function builder(be = false) {
  const u16 = (v: number): Buffer => {
    const b = Buffer.alloc(2);
    if (be) b.writeUInt16BE(v);
    else b.writeUInt16LE(v);
    return b;
  };
  const u32 = (v: number): Buffer => {
    const b = Buffer.alloc(4);
    if (be) b.writeUInt32BE(v);
    else b.writeUInt32LE(v);
    return b;
  };
  const u64 = (v: bigint): Buffer => {
    const b = Buffer.alloc(8);
    if (be) b.writeBigUInt64BE(v);
    else b.writeBigUInt64LE(v);
    return b;
  };
  const padded = (b: Uint8Array): Buffer => Buffer.concat([Buffer.from(b), Buffer.alloc((4 - (b.length % 4)) % 4)]);
  const opt = (code: number, value: Uint8Array | string | number[]): Buffer => {
    const v = typeof value === 'string' ? Buffer.from(value) : Buffer.from(Uint8Array.from(value));
    return Buffer.concat([u16(code), u16(v.length), padded(v)]);
  };
  const opts = (...o: Buffer[]): Buffer => (o.length === 0 ? Buffer.alloc(0) : Buffer.concat([...o, u32(0)]));
  const block = (type: number, body: Buffer): Buffer => {
    const total = 12 + body.length;
    return Buffer.concat([u32(type), u32(total), body, u32(total)]);
  };
  return {
    u16,
    u32,
    u64,
    opt,
    shb: (...o: Buffer[]) => block(0x0a0d0d0a, Buffer.concat([u32(0x1a2b3c4d), u16(1), u16(0), u64(0xffff_ffff_ffff_ffffn), opts(...o)])),
    idb: (linkType: number, snapLen: number, ...o: Buffer[]) => block(1, Buffer.concat([u16(linkType), u16(0), u32(snapLen), opts(...o)])),
    epb: (iface: number, ts: bigint, data: Uint8Array, ...o: Buffer[]) =>
      block(6, Buffer.concat([u32(iface), u32(Number(ts >> 32n)), u32(Number(ts & 0xffff_ffffn)), u32(data.length), u32(data.length), padded(data), opts(...o)])),
    spb: (data: Uint8Array, orig = data.length) => block(3, Buffer.concat([u32(orig), padded(data)])),
    opb: (iface: number, drops: number, ts: bigint, data: Uint8Array, ...o: Buffer[]) =>
      block(2, Buffer.concat([u16(iface), u16(drops), u32(Number(ts >> 32n)), u32(Number(ts & 0xffff_ffffn)), u32(data.length), u32(data.length), padded(data), opts(...o)])),
    raw: block,
  };
}

function formatError(fn: () => unknown): CaptureFormatError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CaptureFormatError);
    return e as CaptureFormatError;
  }
  throw new Error('expected a CaptureFormatError');
}

describe('readPcapng', () => {
  it('reads a big-endian file: IDB options, power-of-2 if_tsresol, if_tsoffset, EPB options, SPB, unknown blocks skipped', () => {
    const b = builder(true);
    const file = Buffer.concat([
      b.shb(b.opt(4, 'hand-built')),
      b.idb(1, 0, b.opt(2, 'tor-1:eth3'), b.opt(3, 'trunk'), b.opt(9, [0x8a]), b.opt(14, b.u64(100n))), // 2^-10 s, +100 s
      b.raw(0x0000_0bad, Buffer.from('skip me!')),
      b.epb(0, 3n * 1024n + 512n, f2, b.opt(2, b.u32(0x0000_0001)), b.opt(5, b.u64(0x0102_0304_0506_0708n)), b.opt(4, b.u64(3n)), b.opt(1, 'first'), b.opt(1, 'second')),
      b.raw(5, Buffer.alloc(20)), // interface statistics
      b.spb(f1),
    ]);
    const f = readPcapng(file);
    expect(f.interfaces).toEqual([{ name: 'tor-1:eth3', description: 'trunk', linkType: 1, snapLen: 0 }]);
    expect(f.packets).toEqual([
      {
        interface: 0,
        timestampNs: 103_500_000_000n,
        data: f2,
        originalLength: 18,
        direction: 'inbound',
        packetId: 0x0102_0304_0506_0708n,
        dropCount: 3n,
        comment: 'first\nsecond',
      },
      { interface: 0, timestampNs: 0n, data: f1, originalLength: 60 },
    ]);
  });

  it('defaults to microseconds without if_tsresol, and reads the obsolete Packet Block', () => {
    const b = builder();
    const f = readPcapng(Buffer.concat([b.shb(), b.idb(1, 65535), b.opb(0, 2, 1_500_000n, f1, b.opt(2, b.u32(2)))]));
    expect(f.packets).toEqual([{ interface: 0, timestampNs: 1_500_000_000n, data: f1, originalLength: 60, dropCount: 2n, direction: 'outbound' }]);
  });

  it('a Simple Packet Block holds min(original length, snap length) bytes, and nothing else (as Wireshark reads it)', () => {
    const b = builder();
    const f = readPcapng(Buffer.concat([b.shb(), b.idb(1, 20), b.spb(f1.subarray(0, 20), 60)]));
    expect([f.packets[0]!.data.length, f.packets[0]!.originalLength]).toEqual([20, 60]);
    // more data than that: Wireshark reads the trailing length right after 20 bytes and finds the block corrupt
    expect(() => readPcapng(Buffer.concat([b.shb(), b.idb(1, 20), b.spb(f1)]))).toThrow('corrupt Simple Packet Block: block total length 76 does not fit 20 bytes of packet data (36 bytes)');
  });

  it('makes interface ids global across sections (two concatenated captures, different byte orders)', () => {
    const m = memorySink();
    const w = new PcapngWriter({ sink: m.sink, interfaces: [{ name: 'a:eth0' }, { name: 'a:eth1' }] });
    w.writePacket({ interface: 1, timestampNs: 1n, data: f1 });
    const b = builder(true);
    const second = Buffer.concat([b.shb(), b.idb(1, 0, b.opt(2, 'b:eth0'), b.opt(9, [9])), b.epb(0, 2n, f2)]);
    const f = readPcapng(Buffer.concat([m.bytes(), second]));
    expect(f.interfaces.map((i) => i.name)).toEqual(['a:eth0', 'a:eth1', 'b:eth0']);
    expect(f.packets.map((p) => [p.interface, p.timestampNs])).toEqual([[1, 1n], [2, 2n]]);
    // A packet of the second section cannot name an interface of the first.
    const bad = Buffer.concat([m.bytes(), b.shb(), b.idb(1, 0), b.epb(1, 2n, f2)]);
    const start = m.bytes().length + 28 + 20;
    expect(formatError(() => readPcapng(bad)).message).toBe(
      `Enhanced Packet Block refers to interface 1, but its section declares 1 interface (at byte ${start + 8})`,
    );
  });

  it('rejects a packet on a non-Ethernet interface, naming it', () => {
    const b = builder();
    const head = Buffer.concat([b.shb(), b.idb(1, 0, b.opt(2, 'ok:eth0')), b.idb(105, 0, b.opt(2, 'wlan0'))]);
    expect(readPcapng(head).interfaces[1]!.linkType).toBe(105); // declared but unused: fine
    const e = formatError(() => readPcapng(Buffer.concat([head, b.epb(1, 0n, f1)])));
    expect(e.message).toBe(`interface 1 (wlan0): link type 105 (IEEE 802.11) is not Ethernet; vswitch-lab replays Ethernet captures only (at byte ${head.length + 8})`);
  });

  describe('corrupt and truncated files', () => {
    const b = builder();
    const good = Buffer.concat([b.shb(), b.idb(1, 0), b.epb(0, 1n, f1, b.opt(1, 'hello'))]);
    const epbAt = good.length - b.epb(0, 1n, f1, b.opt(1, 'hello')).length;

    it('a file cut mid-block', () => {
      const e = formatError(() => readPcapng(good.subarray(0, good.length - 10)));
      expect(e.message).toBe(`truncated Enhanced Packet Block: block total length ${good.length - epbAt}, only ${good.length - 10 - epbAt} bytes left in the file (at byte ${epbAt})`);
      expect(formatError(() => readPcapng(good.subarray(0, epbAt + 5))).message).toBe(`truncated block header: 5 bytes left, a block needs at least 12 (at byte ${epbAt})`);
    });

    it('a block total length that is not a multiple of 4', () => {
      const bad = Buffer.from(good);
      bad.writeUInt32LE(bad.readUInt32LE(epbAt + 4) + 2, epbAt + 4);
      expect(formatError(() => readPcapng(bad)).message).toMatch(new RegExp(`^corrupt Enhanced Packet Block: block total length \\d+ is not a multiple of 4 \\(at byte ${epbAt + 4}\\)$`));
    });

    it('a trailing block length that differs from the leading one', () => {
      const bad = Buffer.from(good);
      bad.writeUInt32LE(4, bad.length - 4);
      expect(formatError(() => readPcapng(bad)).message).toBe(
        `corrupt Enhanced Packet Block: trailing block total length 4 differs from the leading ${good.length - epbAt} (at byte ${good.length - 4})`,
      );
    });

    it('a captured length or an option running past its block', () => {
      const capLen = Buffer.from(good);
      capLen.writeUInt32LE(1000, epbAt + 20);
      expect(formatError(() => readPcapng(capLen)).message).toMatch(/^corrupt Enhanced Packet Block: captured length 1000 runs past the end of its \d+-byte block \(at byte \d+\)$/);
      const option = Buffer.from(good);
      const optAt = epbAt + 28 + 60;
      option.writeUInt16LE(200, optAt + 2);
      expect(formatError(() => readPcapng(option)).message).toBe(`corrupt Enhanced Packet Block: option 1 of 200 bytes runs past the end of its block (at byte ${optAt})`);
    });

    it('not a pcapng, a bad byte-order magic, an unsupported version', () => {
      expect(formatError(() => readPcapng(Buffer.from('garbage garbage garbage'))).message).toBe(
        'not a pcapng file: it does not start with a Section Header Block (0a0d0d0a) (at byte 0)',
      );
      const magic = Buffer.from(good);
      magic.writeUInt32LE(0xdeadbeef, 8);
      expect(formatError(() => readPcapng(magic)).message).toBe(
        'corrupt Section Header Block: byte-order magic bytes efbeadde are neither 4d3c2b1a (little-endian) nor 1a2b3c4d (big-endian) (at byte 8)',
      );
      const version = Buffer.from(good);
      version.writeUInt16LE(2, 12);
      expect(formatError(() => readPcapng(version)).message).toBe('unsupported pcapng version 2.0; only 1.0 (and the old 1.2) are read (at byte 12)');
      version.writeUInt16LE(1, 12);
      version.writeUInt16LE(1, 14);
      expect(formatError(() => readPcapng(version)).message).toBe('unsupported pcapng version 1.1; only 1.0 (and the old 1.2) are read (at byte 12)');
    });

    it('rejects inputs over the size limit', () => {
      expect(formatError(() => readPcapng(good, { maxBytes: 100 })).message).toMatch(/^capture is \d+ bytes, over the limit of 100 bytes/);
    });
  });
});
