import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { CaptureDirection } from '../../src/capture/capture-file.js';
import { CaptureFormatError } from '../../src/capture/capture-format-error.js';
import { PcapWriter } from '../../src/capture/pcap-writer.js';
import { PcapngWriter } from '../../src/capture/pcapng-writer.js';
import { readCapture, sniffCaptureFormat } from '../../src/capture/read-capture.js';
import { ethFrame, memorySink, tempDir } from './capture-tools.js';

const tmp = tempDir();
afterAll(() => tmp.remove());
const frame = ethFrame('00:50:56:aa:00:01', '00:50:56:aa:00:02', 0x0800, [0x45]);

async function formatError(p: Promise<unknown>): Promise<CaptureFormatError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(CaptureFormatError);
  return err as CaptureFormatError;
}

function pcapng(): Buffer {
  const m = memorySink();
  const w = new PcapngWriter({ sink: m.sink, interfaces: [{ name: 'web-01:eth0' }] });
  w.writePacket({ interface: 0, timestampNs: 9n, data: frame, comment: 'hi' });
  return m.bytes();
}
function pcap(resolution: 'us' | 'ns'): Buffer {
  const m = memorySink();
  new PcapWriter({ sink: m.sink, resolution }).writePacket({ interface: 0, timestampNs: 9000n, data: frame });
  return m.bytes();
}

describe('readCapture: format sniffing', () => {
  it('dispatches on the magic number', async () => {
    expect(sniffCaptureFormat(pcapng())).toBe('pcapng');
    expect(sniffCaptureFormat(pcap('us'))).toBe('pcap');
    expect(sniffCaptureFormat(pcap('ns'))).toBe('pcap');
    expect((await readCapture(pcapng())).packets[0]!.comment).toBe('hi');
    expect((await readCapture(pcap('ns'))).packets[0]!.timestampNs).toBe(9000n);
    expect((await readCapture(new Uint8Array(pcap('us')))).format).toBe('pcap'); // a plain Uint8Array, not a Buffer
  });

  it('garbage, short, empty and gzip inputs give clear errors', async () => {
    expect((await formatError(readCapture(Buffer.from('GET / HTTP/1.1\r\n')))).message).toBe('not a pcap or pcapng file: it starts with bytes 47 45 54 20 (at byte 0)');
    expect((await formatError(readCapture(Buffer.from([0xd4, 0xc3])))).message).toBe('not a capture file: only 2 bytes (at byte 0)');
    expect((await formatError(readCapture(new Uint8Array(0)))).message).toBe('not a capture file: only 0 bytes (at byte 0)');
    expect((await formatError(readCapture(Buffer.from([0x1f, 0x8b, 8, 0, 0])))).message).toBe('the file is gzip-compressed; gunzip it first (at byte 0)');
  });

  it('checks the size limit before reading a file, and names the file', async () => {
    const file = tmp.file('small.pcapng');
    writeFileSync(file, pcapng());
    expect((await readCapture(file)).interfaces[0]!.name).toBe('web-01:eth0');
    const e = await formatError(readCapture(file, { maxBytes: 64 }));
    expect(e.message).toMatch(new RegExp(`^${file}: capture is \\d+ bytes, over the limit of 64 bytes`));
    expect((await formatError(readCapture(pcap('us'), { maxBytes: 10 }))).detail).toMatch(/^capture is 100 bytes, over the limit of 10 bytes/);
  });

  it('passes file-system errors through as they are (ENOENT is not a format problem)', async () => {
    await expect(readCapture(tmp.file('missing.pcap'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('round trips (property)', () => {
  const packetArb = fc.record({
    interface: fc.integer({ min: 0, max: 2 }),
    timestampNs: fc.bigInt({ min: 0n, max: 2n ** 32n * 1_000_000_000n - 1n }),
    data: fc.uint8Array({ minLength: 14, maxLength: 300 }),
    direction: fc.option(fc.constantFrom<CaptureDirection>('inbound', 'outbound'), { nil: undefined }),
    packetId: fc.option(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), { nil: undefined }),
    comment: fc.option(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }), { nil: undefined }),
  });

  it('pcapng: everything we write reads back identically', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(packetArb, { maxLength: 20 }), async (packets) => {
        const m = memorySink();
        const w = new PcapngWriter({ sink: m.sink, interfaces: [{ name: 'a:eth0' }, { name: 'b:eth0' }, { name: 'esxi-01:vmnic1 UplinkSnd' }] });
        for (const p of packets) w.writePacket(p);
        const f = await readCapture(m.bytes());
        expect(f.packets.map((p) => ({ ...p, data: Array.from(p.data) }))).toEqual(
          packets.map((p) => ({
            interface: p.interface,
            timestampNs: p.timestampNs,
            data: Array.from(p.data),
            originalLength: p.data.length,
            ...(p.direction ? { direction: p.direction } : {}),
            ...(p.packetId !== undefined ? { packetId: p.packetId } : {}),
            ...(p.comment !== undefined ? { comment: p.comment } : {}),
          })),
        );
      }),
      { numRuns: 100 },
    );
  });

  it('pcap: data, lengths and (resolution-cut) timestamps read back', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom<'us' | 'ns'>('us', 'ns'), fc.array(packetArb, { maxLength: 20 }), async (resolution, packets) => {
        const m = memorySink();
        const w = new PcapWriter({ sink: m.sink, resolution });
        for (const p of packets) w.writePacket(p);
        const f = await readCapture(m.bytes());
        const unit = resolution === 'us' ? 1000n : 1n;
        expect(f.packets.map((p) => [p.timestampNs, Array.from(p.data), p.originalLength])).toEqual(
          packets.map((p) => [(p.timestampNs / unit) * unit, Array.from(p.data), p.data.length]),
        );
      }),
      { numRuns: 100 },
    );
  });
});

describe('live streaming', () => {
  // As `curl -sN ... | wireshark -k -i -` will: tshark captures from a pipe (Node's own stdio
  // "pipes" are sockets, which tshark refuses, hence the `cat |`).
  it('tshark capturing from a pipe (-i -) sees the interfaces and packets as we write them', async () => {
    const tshark = '/usr/bin/tshark -i - -T fields -e frame.interface_name -e frame.comment';
    const child = spawn('/bin/sh', ['-c', `cat | exec ${tshark}`], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const done = new Promise<number | null>((resolve) => child.on('close', resolve));
    const w = new PcapngWriter({ sink: (c) => void child.stdin.write(c), interfaces: [{ name: 'esxi-01:vmk0' }, { name: 'esxi-01:vmnic0 UplinkSnd' }] });
    w.writePacket({ interface: 1, timestampNs: 1n, data: frame, comment: 'VLAN 10: tagged out vmnic0 (V2, T2)' });
    w.writePacket({ interface: 0, timestampNs: 2n, data: frame });
    w.end();
    child.stdin.end();
    expect(await done).toBe(0);
    expect(err).toMatch(/\b2 packets captured/);
    expect(err).not.toMatch(/warn|error|invalid|corrupt/i);
    expect(out).toBe('esxi-01:vmnic0 UplinkSnd\tVLAN 10: tagged out vmnic0 (V2, T2)\nesxi-01:vmk0\t\n');
  });
});
