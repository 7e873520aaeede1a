/**
 * Replay: frames of a capture put into a lab at one interface, on the virtual clock. The round
 * trip: a capture written from a lab run, read back by readCapture and replayed into a fresh lab
 * gives the same deliveries.
 */
import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { CaptureSession } from '../../src/capture/capture-session.js';
import { readCapture } from '../../src/capture/read-capture.js';
import { formatReplaySummary, replayCapture } from '../../src/capture/replay.js';
import type { CaptureFile } from '../../src/capture/capture-file.js';
import { createLab, type Lab, LabError, type TraceEvent } from '../../src/engine/index.js';
import { buildEthernet, buildIcmpEcho, toHex } from '../../src/wire/index.js';
import { A, B, START_MS, vstLab } from './capture-lab.js';
import { tempDir, tool } from './capture-tools.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

function eth(src: string, dst: string, n = 0): Uint8Array {
  const payload = new Uint8Array(46);
  payload[0] = n;
  return buildEthernet({ src, dst, ethertype: 0x88b5, payload });
}

/** Every delivery of a lab while `fn` runs: [virtual time, to, frame hex], in order. */
function deliveries(lab: Lab, fn: () => void): string[][] {
  const out: string[][] = [];
  const off = lab.trace.subscribe((e: TraceEvent) => {
    if (e.action === 'deliver') out.push([String(e.time), e.port, toHex(e.frame!)]);
  });
  try {
    fn();
  } finally {
    off();
  }
  return out;
}

function fileOf(frames: Uint8Array[], gapsNs: bigint[] = []): CaptureFile {
  let t = 1_000_000_000n;
  return {
    format: 'pcapng',
    interfaces: [{ name: 'x PortInput', linkType: 1, snapLen: 0 }],
    packets: frames.map((data, i) => {
      t += gapsNs[i] ?? 0n;
      return { interface: 0, timestampNs: t, data, originalLength: data.length };
    }),
  };
}

describe('replay', () => {
  it('round trip: capture a lab run at PortInput, read it back, replay into a fresh lab: same deliveries', async () => {
    const file = tmp.file('run.pcapng');
    const lab1 = createLab(vstLab(), { wallClockStartMs: START_MS });
    const s = new CaptureSession(lab1, { file, points: ['web-a:eth0:PortInput'] });
    const frames = [
      eth(A, 'ff:ff:ff:ff:ff:ff', 1),
      eth(A, B, 2),
      eth(A, 'f8:75:a4:10:00:50', 3),
      eth('00:50:56:aa:00:09', B, 4), // forged: dropped
      buildIcmpEcho({ type: 'request', srcMac: A, dstMac: B, srcIp: '10.0.10.1', dstIp: '10.0.10.2' }), // web-b answers
    ];
    const original = deliveries(lab1, () => {
      for (const f of frames) {
        lab1.inject('web-a:eth0', f);
        lab1.run({ forNs: 1_000_000 });
      }
      lab1.run();
    });
    s.stop();
    const read = await readCapture(file);
    expect(read.packets).toHaveLength(frames.length);
    const lab2 = createLab(vstLab(), { wallClockStartMs: START_MS });
    let summary: ReturnType<typeof replayCapture> | undefined;
    const replayed = deliveries(lab2, () => {
      summary = replayCapture(lab2, read, { into: 'web-a:eth0' });
    });
    expect(replayed).toEqual(original);
    expect(summary!.injected).toBe(5);
    expect(summary!.dropsByReason.FORGED_TRANSMIT).toBe(1);
    expect(summary!.reactionFrames).toBeGreaterThan(0); // the echo reply
  });

  it('summary: deliveries per interface, drops per reason, frames not delivered', () => {
    const lab = createLab(vstLab());
    const s = replayCapture(lab, fileOf([eth(A, 'ff:ff:ff:ff:ff:ff'), eth(A, B), eth('00:50:56:aa:00:09', B)]), { into: 'web-a:eth0', timing: 'asap' });
    expect(s).toMatchObject({
      packets: 3,
      injected: 3,
      framesDelivered: 2,
      framesNotDelivered: 1,
      deliveredTo: { 'web-b:eth0': 2, 'pc-10:eth0': 1 },
      drops: 1,
      dropsByReason: { FORGED_TRANSMIT: 1 },
    });
    const text = formatReplaySummary(s).join('\n');
    expect(text).toContain('replayed 3 of 3 packets into web-a:eth0 (asap timing');
    expect(text).toMatch(/delivered {2}web-b:eth0 +2/);
    expect(text).toMatch(/dropped {4}FORGED_TRANSMIT +1 {2}\(S3\)/);
    expect(text).toContain('2 frames delivered (3 copies), 1 not delivered, 1 copy dropped');
  });

  it('original timing keeps the gaps on the virtual clock; asap does not', () => {
    const frames = [eth(A, B, 1), eth(A, B, 2), eth(A, B, 3)];
    const gaps = [0n, 5_000_000n, 250_000_000n];
    const times = (timing: 'original' | 'asap'): number[] => {
      const lab = createLab(vstLab());
      const t: number[] = [];
      lab.trace.subscribe((e) => {
        if (e.point === 'PortInput') t.push(e.time);
      });
      replayCapture(lab, fileOf(frames, gaps), { into: 'web-a:eth0', timing });
      return t;
    };
    expect(times('original')).toEqual([0, 5_000_000, 255_000_000]);
    expect(times('asap')).toEqual([0, 0, 0]);
  });

  it('into an uplink: frames arrive from the wire (tags as in the file)', () => {
    const lab = createLab(vstLab());
    const tagged = buildEthernet({ src: 'f8:75:a4:10:00:50', dst: B, ethertype: 0x88b5, payload: new Uint8Array(46), vlan: 10 });
    const s = replayCapture(lab, fileOf([tagged]), { into: 'esxi-01:vmnic0' });
    expect(s.deliveredTo).toEqual({ 'web-b:eth0': 1 });
  });

  it('picks packets of some capture interfaces; skips what cannot be a frame', () => {
    const file: CaptureFile = {
      format: 'pcapng',
      interfaces: [
        { name: 'web-a:eth0 PortInput', linkType: 1, snapLen: 0 },
        { name: 'web-b:eth0 PortOutput', linkType: 1, snapLen: 0 },
      ],
      packets: [
        { interface: 0, timestampNs: 0n, data: eth(A, B), originalLength: 60 },
        { interface: 1, timestampNs: 0n, data: eth(A, B), originalLength: 60 },
        { interface: 0, timestampNs: 0n, data: new Uint8Array(10), originalLength: 10 },
        { interface: 0, timestampNs: 0n, data: eth(A, B).subarray(0, 40), originalLength: 60 },
      ],
    };
    const s = replayCapture(createLab(vstLab()), file, { into: 'web-a:eth0', interfaces: ['web-a:eth0 PortInput'] });
    expect(s.notSelected).toBe(1);
    expect(s.injected).toBe(1);
    expect(s.skipped).toEqual({ 'shorter than an Ethernet header (14 bytes)': 1, 'cut by the capture snap length': 1 });
    expect(replayCapture(createLab(vstLab()), file, { into: 'web-a:eth0', interfaces: [1] }).injected).toBe(1);
    expect(() => replayCapture(createLab(vstLab()), file, { into: 'web-a:eth0', interfaces: ['web-a:eth0 PortInptu'] })).toThrow(
      /no interface "web-a:eth0 PortInptu"; did you mean "web-a:eth0 PortInput"/,
    );
    expect(() => replayCapture(createLab(vstLab()), file, { into: 'web-a:eth0', interfaces: [5] })).toThrow(/capture interface 5 does not exist/);
  });

  it('an unknown --into interface is a LabError naming near ones; nothing is injected', () => {
    const lab = createLab(vstLab());
    expect(() => replayCapture(lab, fileOf([eth(A, B)]), { into: 'web-a:eth1' })).toThrow(LabError);
    expect(() => replayCapture(lab, fileOf([eth(A, B)]), { into: 'web-a:eth1' })).toThrow(/did you mean web-a:eth0/);
    expect(lab.nextEventTime()).toBeNull();
  });
});

describe('replay: what capture headers say about the packets', () => {
  const crc = (b: Uint8Array): Buffer => {
    let c = 0xffffffff;
    for (const x of b) {
      c ^= x;
      for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
    }
    const out = Buffer.alloc(4);
    out.writeUInt32LE((c ^ 0xffffffff) >>> 0);
    return out;
  };
  const frame = Buffer.from(eth(A, B, 7));
  const withFcs = Buffer.concat([frame, crc(frame)]);

  /** A classic pcap: link type 1 with the FCS bits of the link-type field (FCS present, 2 x 16 bits). */
  function pcapWithFcs(): Buffer {
    const b = Buffer.alloc(24 + 16 + withFcs.length);
    b.writeUInt32LE(0xa1b2c3d4, 0);
    b.writeUInt16LE(2, 4);
    b.writeUInt16LE(4, 6);
    b.writeUInt32LE(262144, 16);
    b.writeUInt32LE((1 | 0x04000000 | (2 << 28)) >>> 0, 20);
    b.writeUInt32LE(100, 24);
    b.writeUInt32LE(withFcs.length, 32);
    b.writeUInt32LE(withFcs.length, 36);
    withFcs.copy(b, 40);
    return b;
  }
  /** A pcapng whose interface says if_fcslen = 4. */
  function pcapngWithFcs(): Buffer {
    const opt = (code: number, value: Buffer): Buffer => {
      const h = Buffer.alloc(4);
      h.writeUInt16LE(code, 0);
      h.writeUInt16LE(value.length, 2);
      return Buffer.concat([h, value, Buffer.alloc((4 - (value.length % 4)) % 4)]);
    };
    const block = (type: number, body: Buffer): Buffer => {
      const h = Buffer.alloc(8);
      h.writeUInt32LE(type, 0);
      h.writeUInt32LE(body.length + 12, 4);
      const t = Buffer.alloc(4);
      t.writeUInt32LE(body.length + 12, 0);
      return Buffer.concat([h, body, t]);
    };
    const shb = Buffer.alloc(16);
    shb.writeUInt32LE(0x1a2b3c4d, 0);
    shb.writeUInt16LE(1, 4);
    shb.writeBigInt64LE(-1n, 8);
    const idb = Buffer.alloc(8);
    idb.writeUInt16LE(1, 0);
    const epb = Buffer.alloc(20);
    epb.writeUInt32LE(withFcs.length, 12);
    epb.writeUInt32LE(withFcs.length, 16);
    return Buffer.concat([
      block(0x0a0d0d0a, shb),
      block(1, Buffer.concat([idb, opt(2, Buffer.from('tor-1:eth1 PhysRx')), opt(13, Buffer.from([4])), opt(0, Buffer.alloc(0))])),
      block(6, Buffer.concat([epb, withFcs, Buffer.alloc((4 - (withFcs.length % 4)) % 4)])),
    ]);
  }

  it.each([
    ['pcap (FCS bits of the link-type field)', pcapWithFcs],
    ['pcapng (if_fcslen)', pcapngWithFcs],
  ])('%s: tshark sees the frame check sequence; replay cuts it off before injecting', async (_name, make) => {
    const file = tmp.file('fcs.cap');
    writeFileSync(file, make());
    const r = await tool('tshark', ['-r', file, '-o', 'eth.check_fcs:TRUE', '-T', 'fields', '-e', 'eth.fcs.status']);
    expect(r.stdout.trim()).toBe('1'); // tshark found the FCS and it is good
    const read = await readCapture(file);
    expect(read.interfaces[0]!.fcsLen).toBe(4);
    const lab = createLab(vstLab(), { wallClockStartMs: START_MS });
    let s: ReturnType<typeof replayCapture> | undefined;
    const got = deliveries(lab, () => {
      s = replayCapture(lab, read, { into: 'web-a:eth0' });
    });
    expect(s!.fcsStripped).toBe(1);
    expect(got.map((d) => d[2])).toEqual([toHex(frame)]);
    expect(formatReplaySummary(s!)).toContain('  1 packet had a frame check sequence (the capture says so): cut off before injection');
  });

  it('a pcap record whose microseconds are 1,000,000 or more: read as tshark reads the file, normalised, with a warning', async () => {
    const b = Buffer.alloc(24 + 2 * (16 + 60));
    b.writeUInt32LE(0xa1b2c3d4, 0);
    b.writeUInt16LE(2, 4);
    b.writeUInt16LE(4, 6);
    b.writeUInt32LE(262144, 16);
    b.writeUInt32LE(1, 20);
    for (const [i, [sec, us]] of ([[100, 2_500_000], [103, 1]] as const).entries()) {
      const o = 24 + i * 76;
      b.writeUInt32LE(sec, o);
      b.writeUInt32LE(us, o + 4);
      b.writeUInt32LE(60, o + 8);
      b.writeUInt32LE(60, o + 12);
      frame.copy(b, o + 16);
    }
    const file = tmp.file('usec.pcap');
    writeFileSync(file, b);
    expect((await tool('tshark', ['-r', file])).code).toBe(0);
    const read = await readCapture(file);
    expect(read.packets.map((p) => p.timestampNs)).toEqual([102_500_000_000n, 103_000_001_000n]);
    expect(read.warnings).toEqual([
      '1 record with a fraction of a second not below 1000000 (microseconds; the first at byte 28): read as the whole seconds it holds plus the rest, as Wireshark reads them',
    ]);
  });
});
