/**
 * The pcapng reader against capinfos (Wireshark 4.0) as the oracle, on damaged files: valid
 * captures our writer produces (1-3 interfaces, packets with comments, packet ids, drop counts,
 * directions; sometimes two sections), each damaged once — a byte, a block's type, a 32-bit
 * field, or cut short. Whatever capinfos refuses, we refuse; what we refuse and capinfos reads
 * is only a non-Ethernet interface (we replay Ethernet only) or a file capinfos takes for another
 * format; when both read it, both count the same packets (a packet block whose type was damaged
 * does not vanish from one count only).
 *
 * Bounded in `npm test` (40 runs, a capinfos process each); FUZZ_RUNS=2000 for a longer hunt.
 * Also: packet blocks damaged into an unknown type are counted, and an EPB over 262144 captured
 * bytes is refused as the pcap reader refuses such a record.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_SNAPLEN } from '../../src/capture/capture-file.js';
import { PcapngWriter } from '../../src/capture/pcapng-writer.js';
import { readPcapng } from '../../src/capture/pcapng-reader.js';
import { readPcap } from '../../src/capture/pcap-reader.js';
import { formatReplaySummary, replayCaptureFile } from '../../src/capture/replay.js';
import { createLab } from '../../src/engine/index.js';
import { START_MS, vstLab } from './capture-lab.js';
import { ethFrame, memorySink, tempDir, tool } from './capture-tools.js';

const tmp = tempDir();
afterAll(() => tmp.remove());
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);

interface Spec {
  interfaces: number;
  packets: { iface: number; size: number; comment: boolean; id: boolean; drops: boolean; dir: number }[];
  sections: number;
}

function build(spec: Spec): Buffer {
  const parts: Buffer[] = [];
  for (let s = 0; s < spec.sections; s++) {
    const m = memorySink();
    const w = new PcapngWriter({
      sink: m.sink,
      interfaces: Array.from({ length: spec.interfaces }, (_, i) => ({ name: `n${i}:eth0 PortInput`, ...(i === 1 ? { description: 'second' } : {}) })),
      shbOptions: s === 1 ? { comment: 'section two' } : {},
    });
    spec.packets.forEach((p, i) => {
      w.writePacket({
        interface: p.iface % spec.interfaces,
        timestampNs: 1_700_000_000_000_000_000n + BigInt(i) * 1_001n,
        data: ethFrame('00:50:56:aa:00:02', '00:50:56:aa:00:01', 0x88b5, Array.from({ length: p.size }, (_, k) => k & 0xff)),
        ...(p.comment ? { comment: `packet ${i}` } : {}),
        ...(p.id ? { packetId: i + 1 } : {}),
        ...(p.drops ? { dropCount: i } : {}),
        ...(p.dir > 0 ? { direction: p.dir === 1 ? ('inbound' as const) : ('outbound' as const) } : {}),
      });
    });
    w.end();
    parts.push(m.bytes());
  }
  return Buffer.concat(parts);
}

/** Offsets of the blocks of a (little-endian) file we wrote. */
function blockStarts(b: Buffer): number[] {
  const out: number[] = [];
  for (let o = 0; o + 8 <= b.length; o += b.readUInt32LE(o + 4)) out.push(o);
  return out;
}

type Damage = { kind: 'byte'; at: number; value: number } | { kind: 'type'; block: number; type: number } | { kind: 'word'; at: number; value: number } | { kind: 'cut'; at: number };

function damage(valid: Buffer, d: Damage): Buffer {
  const b = Buffer.from(valid);
  switch (d.kind) {
    case 'byte':
      b[Math.floor(d.at * b.length)] = d.value;
      return b;
    case 'type': {
      const starts = blockStarts(b).slice(1); // keep the first SHB: else it is not a pcapng at all
      if (starts.length > 0) b.writeUInt32LE(d.type, starts[Math.floor(d.block * starts.length)]);
      return b;
    }
    case 'word':
      b.writeUInt32LE(d.value, 4 * Math.floor(d.at * Math.floor(b.length / 4)));
      return b;
    case 'cut':
      return b.subarray(0, Math.floor(d.at * b.length));
  }
}

const specArb: fc.Arbitrary<Spec> = fc.record({
  interfaces: fc.integer({ min: 1, max: 3 }),
  packets: fc.array(
    fc.record({ iface: fc.nat(2), size: fc.integer({ min: 0, max: 80 }), comment: fc.boolean(), id: fc.boolean(), drops: fc.boolean(), dir: fc.nat(2) }),
    { minLength: 0, maxLength: 4 },
  ),
  sections: fc.integer({ min: 1, max: 2 }),
});
const unit = fc.double({ min: 0, max: 0.999999, noNaN: true });
const damageArb: fc.Arbitrary<Damage> = fc.oneof(
  fc.record({ kind: fc.constant('byte' as const), at: unit, value: fc.nat(255) }),
  fc.record({ kind: fc.constant('type' as const), block: unit, type: fc.constantFrom(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0xbad, 0x40000bad, 0x80000001, 0x0a0d0d0a, 0xdeadbeef) }),
  fc.record({ kind: fc.constant('word' as const), at: unit, value: fc.oneof(fc.nat(300), fc.nat(0xffffffff)) }),
  fc.record({ kind: fc.constant('cut' as const), at: unit }),
);

function capinfos(file: string): { ok: boolean; type: string; packets: number | null; stderr: string } {
  try {
    const out = execFileSync('/usr/bin/capinfos', ['-t', '-c', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { ok: true, type: /File type:\s+(.*)/.exec(out)?.[1] ?? '', packets: Number(/Number of packets:\s+(\d+)/.exec(out)?.[1] ?? NaN), stderr: '' };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return { ok: false, type: /File type:\s+(.*)/.exec(e.stdout ?? '')?.[1] ?? '', packets: null, stderr: String(e.stderr ?? '') };
  }
}

describe('pcapng reader vs capinfos on damaged files (property)', () => {
  it(`refuses what capinfos refuses, counts what it counts (${RUNS} runs; FUZZ_RUNS for more)`, () => {
    const file = tmp.file('damaged.pcapng');
    fc.assert(
      fc.property(specArb, damageArb, (spec, d) => {
        const bytes = damage(build(spec), d);
        writeFileSync(file, bytes);
        const oracle = capinfos(file);
        let ours: { packets: number } | { error: string };
        try {
          ours = { packets: readPcapng(bytes).packets.length };
        } catch (err) {
          ours = { error: (err as Error).message };
        }
        if (!oracle.ok) {
          expect(ours, `capinfos refused it: ${oracle.stderr}`).toHaveProperty('error');
        } else if ('error' in ours) {
          const allowed = /is not Ethernet; vswitch-lab replays Ethernet captures only/.test(ours.error) || !/pcapng/.test(oracle.type);
          expect(allowed, `we refused (${ours.error}) what capinfos read as ${oracle.type}`).toBe(true);
        } else {
          expect(ours.packets, 'packets counted').toBe(oracle.packets);
        }
      }),
      { numRuns: RUNS },
    );
  }, 30_000 + RUNS * 1_000); // a capinfos process per run: a bound on runs, not a wall-clock assertion
});

describe('pcapng reader vs capinfos: the damages the property found, one by one', () => {
  // one interface, one EPB with a comment, a packet id and a drop count: blocks SHB, IDB, EPB
  const valid = build({ interfaces: 1, packets: [{ iface: 0, size: 10, comment: true, id: true, drops: true, dir: 1 }], sections: 1 });
  const [shb, idb, epb] = blockStarts(valid) as [number, number, number];
  /** offset of the first option `code` in the block at `at` whose options start at `from` */
  const optionAt = (at: number, from: number, code: number): number => {
    for (let o = at + from;; o += 4 + ((valid.readUInt16LE(o + 2) + 3) & ~3)) if (valid.readUInt16LE(o) === code) return o;
  };
  const epbOptions = 28 + ((valid.readUInt32LE(epb + 20) + 3) & ~3);
  const cases: [string, (b: Buffer) => void, RegExp][] = [
    ['epb_packetid of 4 bytes', (b) => b.writeUInt16LE(4, optionAt(epb, epbOptions, 5) + 2), /option 5 is 4 bytes long, not 8/],
    ['epb_dropcount of 4 bytes', (b) => b.writeUInt16LE(4, optionAt(epb, epbOptions, 4) + 2), /option 4 is 4 bytes long, not 8/],
    ['epb_flags of 8 bytes', (b) => b.writeUInt16LE(8, optionAt(epb, epbOptions, 2) + 2), /option 2 is 8 bytes long, not 4/],
    ['an SHB option running past its block', (b) => b.writeUInt16LE(200, shb + 24 + 2), /corrupt Section Header Block: option 4 of 200 bytes runs past/],
    ['opt_endofopt with a length past its block', (b) => b.writeUInt16LE(254, idb + valid.readUInt32LE(idb + 4) - 8 + 2), /corrupt Interface Description Block: option 0 of 254 bytes/],
    ['SHB version 1.1', (b) => b.writeUInt16LE(1, shb + 14), /unsupported pcapng version 1\.1/],
    ['an EPB turned into a Simple Packet Block', (b) => b.writeUInt32LE(3, epb), /corrupt Simple Packet Block: block total length/],
    ['an EPB turned into a Decryption Secrets Block', (b) => b.writeUInt32LE(10, epb), /corrupt Decryption Secrets Block: \d+ bytes of secrets run past/],
    ['an EPB turned into a Name Resolution Block', (b) => b.writeUInt32LE(4, epb), /corrupt Name Resolution Block/],
  ];
  it.each(cases)('%s: capinfos refuses it, and so do we', (_name, edit, ours) => {
    const b = Buffer.from(valid);
    edit(b);
    const file = tmp.file('one-damage.pcapng');
    writeFileSync(file, b);
    expect(capinfos(file).ok).toBe(false);
    expect(() => readPcapng(b)).toThrow(ours);
  });
});

describe('pcapng reader: damaged packet blocks', () => {
  it('a packet block whose type was damaged into an unknown one is skipped and counted, not lost silently', async () => {
    const good = build({ interfaces: 1, packets: [0, 1, 2].map(() => ({ iface: 0, size: 10, comment: false, id: true, drops: false, dir: 1 })), sections: 1 });
    const bad = Buffer.from(good);
    bad.writeUInt32LE(0x0000000e, blockStarts(bad)[3]); // the second EPB
    const read = readPcapng(bad);
    expect(read.packets.map((p) => p.packetId)).toEqual([1n, 3n]);
    expect(read.skippedBlocks).toEqual({ 'block of type 0x0000000e': 1 });
    const file = tmp.file('flipped.pcapng');
    writeFileSync(file, bad);
    expect((await tool('capinfos', ['-c', file])).stdout).toMatch(/Number of packets:\s+2\n/);
    // and replay says so
    const summary = await replayCaptureFile(createLab(vstLab(), { wallClockStartMs: START_MS }), file, { into: 'web-a:eth0' });
    expect(summary.blocksSkipped).toEqual({ 'block of type 0x0000000e': 1 });
    expect(formatReplaySummary(summary)).toContain('  skipped         1  block of type 0x0000000e (a type this reader does not know: a damaged packet block?)');
  });

  it('an EPB with more than 262144 captured bytes is refused, as the pcap reader refuses such a record', async () => {
    const capLen = MAX_SNAPLEN + 4;
    const m = memorySink();
    new PcapngWriter({ sink: m.sink, interfaces: [{ name: 'big', snapLen: 0 }] }).end();
    const head = m.bytes();
    const epb = Buffer.alloc(32 + capLen);
    epb.writeUInt32LE(6, 0);
    epb.writeUInt32LE(epb.length, 4);
    epb.writeUInt32LE(capLen, 20);
    epb.writeUInt32LE(capLen, 24);
    epb.writeUInt32LE(epb.length, epb.length - 4);
    expect(() => readPcapng(Buffer.concat([head, epb]))).toThrow(`corrupt Enhanced Packet Block: captured length ${capLen} is over the maximum of ${MAX_SNAPLEN} (at byte ${head.length + 20})`);
    const pcap = Buffer.alloc(24 + 16 + capLen);
    pcap.writeUInt32LE(0xa1b2c3d4, 0);
    pcap.writeUInt16LE(2, 4);
    pcap.writeUInt16LE(4, 6);
    pcap.writeUInt32LE(1, 20);
    pcap.writeUInt32LE(capLen, 32);
    pcap.writeUInt32LE(capLen, 36);
    await expect(readPcap(pcap)).rejects.toThrow(`corrupt pcap record: captured length ${capLen} is over the maximum of ${MAX_SNAPLEN}`);
    const file = tmp.file('big.pcapng');
    writeFileSync(file, Buffer.concat([head, epb]));
    expect((await tool('capinfos', [file])).code).not.toBe(0);
  });
});
