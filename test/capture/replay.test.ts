/**
 * Replay: frames of a capture put into a lab at one interface, on the virtual clock. The round
 * trip: a capture written from a lab run, read back by readCapture and replayed into a fresh lab
 * gives the same deliveries.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { CaptureSession } from '../../src/capture/capture-session.js';
import { readCapture } from '../../src/capture/read-capture.js';
import { formatReplaySummary, replayCapture } from '../../src/capture/replay.js';
import type { CaptureFile } from '../../src/capture/capture-file.js';
import { createLab, type Lab } from '../../src/engine/lab.js';
import { LabError } from '../../src/engine/lab-error.js';
import type { TraceEvent } from '../../src/engine/trace.js';
import { buildEthernet, buildIcmpEcho, toHex } from '../../src/wire/index.js';
import { A, B, START_MS, vstLab } from './capture-lab.js';
import { tempDir } from './capture-tools.js';

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
    expect(() => replayCapture(createLab(vstLab()), file, { into: 'web-a:eth0', interfaces: ['web-a:eth0 PortInptu'] })).toThrow(/no interface "web-a:eth0 PortInptu"; did you mean "web-a:eth0 PortInput"/);
    expect(() => replayCapture(createLab(vstLab()), file, { into: 'web-a:eth0', interfaces: [5] })).toThrow(/capture interface 5 does not exist/);
  });

  it('an unknown --into interface is a LabError naming near ones; nothing is injected', () => {
    const lab = createLab(vstLab());
    expect(() => replayCapture(lab, fileOf([eth(A, B)]), { into: 'web-a:eth1' })).toThrow(LabError);
    expect(() => replayCapture(lab, fileOf([eth(A, B)]), { into: 'web-a:eth1' })).toThrow(/did you mean web-a:eth0/);
    expect(lab.nextEventTime()).toBeNull();
  });
});
