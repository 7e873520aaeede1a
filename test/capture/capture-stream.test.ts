/**
 * Streaming capture reading (capture-stream.ts): chunk by chunk, the same packets and the same
 * errors (with file offsets) as readCapture, which holds the whole file; and streaming replay
 * (replayCaptureFile, CaptureReplayer), whose memory does not grow with the file: it forgets
 * settled frames and never lets the file's frames pile up in the lab's queue.
 */
import { writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { CapturePacket } from '../../src/capture/capture-file.js';
import { CaptureFormatError } from '../../src/capture/capture-format-error.js';
import { streamCapture } from '../../src/capture/capture-stream.js';
import { PcapWriter } from '../../src/capture/pcap-writer.js';
import { PcapngWriter } from '../../src/capture/pcapng-writer.js';
import { MAX_PCAPNG_BLOCK_BYTES } from '../../src/capture/pcapng-reader.js';
import { readCapture } from '../../src/capture/read-capture.js';
import { CaptureReplayer, MAX_FRAMES_IN_FLIGHT, replayCapture, replayCaptureFile } from '../../src/capture/replay.js';
import { createLab } from '../../src/engine/index.js';
import { A, B, START_MS, vstLab } from './capture-lab.js';
import { ethFrame, memorySink, tempDir } from './capture-tools.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

function packetsOf(count: number, seed: number): { data: Buffer; ts: bigint; iface: number; comment?: string }[] {
  return Array.from({ length: count }, (_, i) => ({
    data: ethFrame(B, A, 0x88b5, Array.from({ length: (i * 37 + seed) % 300 }, (_, k) => (k + i) & 0xff)),
    ts: 1_700_000_000_000_000_000n + BigInt(i) * 1_234_567n,
    iface: (i + seed) % 2,
    ...(i % 3 === 0 ? { comment: `packet ${i}` } : {}),
  }));
}

function pcapngOf(ps: ReturnType<typeof packetsOf>): Buffer {
  const m = memorySink();
  const w = new PcapngWriter({ sink: m.sink, interfaces: [{ name: 'a PortInput' }, { name: 'b PortOutput' }] });
  for (const p of ps) w.writePacket({ interface: p.iface, timestampNs: p.ts, data: p.data, ...(p.comment ? { comment: p.comment } : {}) });
  return m.bytes();
}

function pcapOf(ps: ReturnType<typeof packetsOf>, resolution: 'us' | 'ns'): Buffer {
  const m = memorySink();
  const w = new PcapWriter({ sink: m.sink, resolution });
  for (const p of ps) w.writePacket({ interface: 0, timestampNs: p.ts, data: p.data });
  return m.bytes();
}

async function streamed(file: string, chunkBytes: number): Promise<{ packets: CapturePacket[]; info: Awaited<ReturnType<typeof streamCapture>> }> {
  const packets: CapturePacket[] = [];
  const info = await streamCapture(file, (p) => void packets.push({ ...p, data: Buffer.from(p.data) }), { chunkBytes });
  return { packets, info };
}

const plain = (ps: readonly CapturePacket[]): unknown[] => ps.map((p) => ({ ...p, data: Buffer.from(p.data).toString('hex') }));

async function errorOf(p: Promise<unknown>): Promise<CaptureFormatError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(CaptureFormatError);
  return err as CaptureFormatError;
}

describe('streamCapture', () => {
  it('reads pcapng, pcap and pcap-ns in small chunks: the same packets as readCapture (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 0, max: 99 }),
        fc.integer({ min: 4096, max: 9000 }),
        fc.constantFrom('pcapng', 'us', 'ns'),
        async (count, seed, chunk, kind) => {
          const ps = packetsOf(count, seed);
          const bytes = kind === 'pcapng' ? pcapngOf(ps) : pcapOf(ps, kind);
          const file = tmp.file(`p-${kind}.cap`);
          writeFileSync(file, bytes);
          const whole = await readCapture(bytes);
          const s = await streamed(file, chunk);
          expect(s.info.packets).toBe(count);
          expect(s.info.interfaces).toEqual(whole.interfaces);
          expect(plain(s.packets)).toEqual(plain(whole.packets));
        },
      ),
      { numRuns: 25 },
    );
  });

  it('a file cut anywhere: the same error, at the same file offset, as readCapture (property)', async () => {
    const ng = pcapngOf(packetsOf(40, 1));
    const pc = pcapOf(packetsOf(40, 2), 'us');
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.double({ min: 0, max: 1, noNaN: true }), async (isNg, where) => {
        const full = isNg ? ng : pc;
        const cut = full.subarray(0, Math.floor(where * (full.length - 1)));
        const file = tmp.file('cut.cap');
        writeFileSync(file, cut);
        const a = await readCapture(cut).then(() => null, (e: unknown) => e as CaptureFormatError);
        const b = await streamed(file, 4096).then(() => null, (e: unknown) => e as CaptureFormatError);
        expect(b?.message).toBe(a === null ? undefined : `${file}: ${a.message}`);
      }),
      { numRuns: 40 },
    );
  });

  it('holds one block at most, not the file: a pcapng block over the limit is refused before it is read', async () => {
    const ng = pcapngOf([]);
    const big = Buffer.alloc(12);
    big.writeUInt32LE(0xbad, 0);
    big.writeUInt32LE(MAX_PCAPNG_BLOCK_BYTES + 4, 4);
    const file = tmp.file('big-block.pcapng');
    writeFileSync(file, Buffer.concat([ng, big]));
    expect((await errorOf(streamed(file, 4096))).message).toBe(
      `${file}: corrupt Custom Block: block total length ${MAX_PCAPNG_BLOCK_BYTES + 4} is over the limit of ${MAX_PCAPNG_BLOCK_BYTES} bytes held at once (at byte ${ng.length + 4})`,
    );
  });
});

describe('streaming replay', () => {
  it('replayCaptureFile gives the summary replayCapture gives for the same file in memory', async () => {
    const ps = packetsOf(50, 3).map((p) => ({ ...p, iface: 0 }));
    const bytes = pcapngOf(ps);
    const file = tmp.file('replay.pcapng');
    writeFileSync(file, bytes);
    const inMemory = replayCapture(createLab(vstLab(), { wallClockStartMs: START_MS }), await readCapture(bytes), { into: 'web-a:eth0' });
    const streamedSummary = await replayCaptureFile(createLab(vstLab(), { wallClockStartMs: START_MS }), file, { into: 'web-a:eth0' });
    expect(streamedSummary).toEqual(inMemory);
    expect(streamedSummary.framesDelivered).toBe(50);
  });

  it('a bad file is refused before any frame enters the lab', async () => {
    const bytes = pcapngOf(packetsOf(20, 4));
    const file = tmp.file('bad-end.pcapng');
    writeFileSync(file, bytes.subarray(0, bytes.length - 3));
    const lab = createLab(vstLab(), { wallClockStartMs: START_MS });
    let events = 0;
    lab.trace.subscribe(() => void events++);
    await errorOf(replayCaptureFile(lab, file, { into: 'web-a:eth0' }));
    expect(events).toBe(0);
  });

  it('forgets frames once they have settled: what it follows does not grow with the packets', () => {
    const lab = createLab(vstLab(), { wallClockStartMs: START_MS, historyLimitBytes: 0 });
    const r = new CaptureReplayer(lab, [{ linkType: 1, snapLen: 0 }], { into: 'web-a:eth0' });
    const data = ethFrame(B, A, 0x88b5);
    let most = 0;
    for (let i = 0; i < 30_000; i++) {
      r.push({ interface: 0, timestampNs: BigInt(i) * 1000n, data, originalLength: data.length });
      most = Math.max(most, r.following);
    }
    expect(most).toBeLessThanOrEqual(2 * 4096);
    const s = r.finish();
    expect([s.framesDelivered, s.deliveries, r.following]).toEqual([30_000, 30_000, 0]);
  });

  it('packets at one instant enter at once, but at most MAX_FRAMES_IN_FLIGHT frames of the file are in the lab: then it runs until idle', () => {
    const lab = createLab(vstLab(), { wallClockStartMs: START_MS, historyLimitBytes: 0 });
    const r = new CaptureReplayer(lab, [{ linkType: 1, snapLen: 0 }], { into: 'web-a:eth0' });
    const data = ethFrame(B, A, 0x88b5);
    const n = MAX_FRAMES_IN_FLIGHT + 10;
    let most = 0;
    for (let i = 0; i < n; i++) {
      r.push({ interface: 0, timestampNs: 5n, data, originalLength: data.length }); // a Simple Packet Block file: every timestamp 0
      most = Math.max(most, r.following);
    }
    expect(most).toBeLessThanOrEqual(MAX_FRAMES_IN_FLIGHT);
    const s = r.finish();
    expect(s.burstsSettled).toBe(1);
    expect([s.injected, s.framesDelivered]).toEqual([n, n]);
  });
});
