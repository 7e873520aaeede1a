/**
 * BPDU summaries named as Wireshark names them: STP configuration (with and without the TC flag)
 * and TCN, RSTP, MSTP and SPB BPDUs built byte by byte, read by tshark, and its Info column
 * compared with `describe`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe as suite, expect, it } from 'vitest';
import { describe } from '../../src/wire/index.js';
import { writePcap } from '../helpers/pcap-file.js';

const TSHARK = '/usr/bin/tshark';

const u16 = (v: number) => [v >> 8, v & 0xff];
const u32 = (v: number) => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
const mac = (s: string) => s.split(':').map((x) => parseInt(x, 16));

/** An 802.3 frame to 01:80:c2:00:00:00 with LLC 42 42 03 and `bpdu`, padded to 60 bytes. */
function frame(bpdu: number[]): Uint8Array {
  const payload = [0x42, 0x42, 0x03, ...bpdu];
  const bytes = [...mac('01:80:c2:00:00:00'), ...mac('00:11:22:33:44:55'), ...u16(payload.length), ...payload];
  while (bytes.length < 60) bytes.push(0);
  return Uint8Array.from(bytes);
}

/** Protocol id, version, type, flags, root, cost, bridge, port, the four timers. */
function config(version: number, type: number, flags: number, rootPrio = 0x8000, cost = 4, port = 0x8002): number[] {
  return [
    ...u16(0),
    version,
    type,
    flags,
    ...u16(rootPrio),
    ...mac('00:11:22:33:44:55'),
    ...u32(cost),
    ...u16(0x8001),
    ...mac('00:aa:bb:cc:dd:ee'),
    ...u16(port),
    ...u16(256),
    ...u16(20 * 256),
    ...u16(2 * 256),
    ...u16(15 * 256),
  ];
}

const mstConfig = [0, ...Array.from({ length: 32 }, (_, i) => (i < 7 ? 'region1'.charCodeAt(i) : 0)), ...u16(1), ...Array(16).fill(0)];
const mstBody = [...mstConfig, ...u32(0), ...u16(0x8001), ...mac('00:aa:bb:cc:dd:ee'), 20];

const CASES: Array<[string, number[]]> = [
  ['STP configuration', config(0, 0x00, 0)],
  ['STP configuration, topology change', config(0, 0x00, 0x01)],
  ['STP configuration, priority 4096 + VLAN 10 extension', config(0, 0x00, 0, 0x100a, 19, 0x8010)],
  ['STP topology change notification', [...u16(0), 0, 0x80]],
  ['RSTP', [...config(2, 0x02, 0x3c), 0]],
  ['RSTP, topology change', [...config(2, 0x02, 0x3d), 0]],
  ['MSTP', [...config(3, 0x02, 0x3c), 0, ...u16(mstBody.length), ...mstBody]],
  ['SPB', [...config(4, 0x02, 0x3c), 0, ...u16(mstBody.length), ...mstBody, ...u16(4), 0, 0, 0, 0]],
];

suite('BPDU summaries (Wireshark names)', () => {
  // never skipped: `npm test` installs tshark first (.ci/ensure-tools.sh)
  it('describe() says what tshark\'s Info column says for STP, TCN, RSTP, MSTP and SPB', () => {
    const frames = CASES.map(([, b]) => frame(b));
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'vswitch-lab-stp-')), 'bpdu.pcap');
    writePcap(file, frames);
    const out = execFileSync(TSHARK, ['-r', file, '-T', 'fields', '-e', '_ws.col.Info'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const info = out.trimEnd().split('\n');
    expect(info).toHaveLength(CASES.length);
    CASES.forEach(([name], i) => expect(describe(frames[i]!), name).toBe(info[i]));
    // and what they are, in words a test can read
    expect(info.map((l) => l.split(' ')[0])).toEqual(['Conf.', 'Conf.', 'Conf.', 'Topology', 'RST.', 'RST.', 'MST.', 'SPT.']);
  });

  it('a truncated BPDU is said to be malformed', () => {
    expect(describe(frame([0, 0, 0, 0, 0]).subarray(0, 22))).toBe('STP [malformed BPDU]');
  });
});
