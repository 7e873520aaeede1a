import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fromHex, toHex, toHexDump, FrameInputError, buildArp } from '../../src/wire/index.js';

// The first 22 bytes of a broadcast ARP request from 00:50:56:aa:00:01.
const BYTES = 'ffffffffffff005056aa00010806000108000604' + '0001';

describe('fromHex accepts the forms people paste', () => {
  const cases: Array<[string, string]> = [
    ['plain hex stream (Wireshark "Copy as Hex Stream")', 'ffffffffffff005056aa00010806000108000604 0001'.replace(' ', '')],
    ['upper case, spaced bytes', 'FF FF FF FF FF FF 00 50 56 AA 00 01 08 06 00 01 08 00 06 04 00 01'],
    ['groups of four', 'ffff ffff ffff 0050 56aa 0001 0806 0001 0800 0604 0001'],
    ['colon-separated', 'ff:ff:ff:ff:ff:ff:00:50:56:aa:00:01:08:06:00:01:08:00:06:04:00:01'],
    ['dash-separated', 'ff-ff-ff-ff-ff-ff-00-50-56-aa-00-01-08-06-00-01-08-00-06-04-00-01'],
    ['0x-prefixed C array', '0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x50, 0x56, 0xaa, 0x00, 0x01,\n 0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01'],
    ['0x-prefixed stream', '0xffffffffffff005056aa00010806000108000604 0001'],
    ['several lines with blank lines and CRLF', 'ffffffffffff\r\n\r\n005056aa0001\r\n0806000108000604\r\n0001\r\n'],
    [
      'xxd',
      '00000000: ffff ffff ffff 0050 56aa 0001 0806 0001  .......PV.......\n00000010: 0800 0604 0001                           ......\n',
    ],
    [
      'hexdump -C (with its closing length line)',
      '00000000  ff ff ff ff ff ff 00 50  56 aa 00 01 08 06 00 01  |.......PV.......|\n00000010  08 00 06 04 00 01                                 |......|\n00000016\n',
    ],
    [
      'Wireshark "Copy as Hex Dump" / tshark -x',
      '0000   ff ff ff ff ff ff 00 50 56 aa 00 01 08 06 00 01   .......PV.......\n0010   08 00 06 04 00 01                                 ......',
    ],
    ['tcpdump -XX', '\t0x0000:  ffff ffff ffff 0050 56aa 0001 0806 0001  .......PV.......\n\t0x0010:  0800 0604 0001                           ......'],
  ];
  for (const [name, text] of cases) {
    it(name, () => {
      expect(toHex(fromHex(text))).toBe(BYTES);
    });
  }

  it('an ASCII column that looks like hex is not read as bytes', () => {
    // bytes "abcdef0123456789" are printable: the ASCII column reads "abcdef0123456789"
    const ascii = Array.from('abcdef0123456789', (c) => c.charCodeAt(0).toString(16)).join(' ');
    const dump = `00000000  ${ascii.slice(0, 23)}  ${ascii.slice(24)}  |abcdef0123456789|`;
    expect(new TextDecoder().decode(fromHex(dump))).toBe('abcdef0123456789');
    const ws = `0000   ${ascii}   abcdef0123456789`;
    expect(new TextDecoder().decode(fromHex(ws))).toBe('abcdef0123456789');
  });

  it('reads what the real xxd and hexdump -C print', () => {
    const frame = buildArp({ op: 'request', srcMac: '00:50:56:aa:00:01', senderIp: '10.0.0.1', targetIp: '10.0.0.2' });
    const dir = mkdtempSync(path.join(tmpdir(), 'wire-hex-'));
    const file = path.join(dir, 'f.bin');
    writeFileSync(file, frame);
    for (const [cmd, args] of [['xxd', [file]], ['hexdump', ['-C', file]]] as const) {
      let out: string;
      try {
        out = execFileSync(cmd, [...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      } catch {
        continue; // tool not installed
      }
      expect(toHex(fromHex(out)), cmd).toBe(toHex(frame));
    }
  });

  it('round-trips toHex and toHexDump', () => {
    const frame = buildArp({ op: 'request', srcMac: '00:50:56:aa:00:01', senderIp: '10.0.0.1', targetIp: '10.0.0.2', vlan: 5 });
    expect(fromHex(toHex(frame))).toEqual(frame);
    expect(fromHex(toHex(frame, ' '))).toEqual(frame);
    expect(fromHex(toHexDump(frame))).toEqual(frame);
  });
});

describe('fromHex refuses what is not a frame, saying why', () => {
  it('empty input', () => {
    expect(() => fromHex('')).toThrow(/no hex digits/);
    expect(() => fromHex('  \n ')).toThrow(FrameInputError);
    expect(() => fromHex('0x')).toThrow(/no hex digits/);
  });
  it('odd number of digits', () => {
    expect(() => fromHex('fff')).toThrow(/odd number of hex digits \(3\)/);
  });
  it('a character that is not hex, with its position', () => {
    expect(() => fromHex('ff fg')).toThrow(/"g" at position 5 is not a hex digit/);
  });
  it('too long', () => {
    expect(() => fromHex('00'.repeat(9023))).toThrow(/too long: 9023 bytes, at most 9022/);
    expect(fromHex('00'.repeat(9022)).length).toBe(9022);
    expect(() => fromHex('00'.repeat(11), 10)).toThrow(/at most 10/);
  });
  it('names the hex field', () => {
    try {
      fromHex('zz');
      expect.unreachable();
    } catch (e) {
      expect((e as FrameInputError).field).toBe('hex');
    }
  });
});
