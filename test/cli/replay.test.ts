/**
 * `vswitch-lab replay` and the shared capture options (--pcap, --point, --format,
 * --capture-filter), run in-process through main(), with tshark reading what --pcap wrote.
 */
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { main } from '../../src/cli.js';
import { CaptureSession } from '../../src/capture/capture-session.js';
import { PcapngWriter } from '../../src/capture/pcapng-writer.js';
import { parseCaptureOptions, startCliCapture } from '../../src/cli/capture-options.js';
import { UsageError } from '../../src/cli/cli-args.js';
import { defaultMaxGapNs } from '../../src/cli/replay.js';
import { createLab } from '../../src/engine/index.js';
import { buildEthernet } from '../../src/wire/index.js';
import { A, B, START_MS, vstLab } from '../capture/capture-lab.js';
import { tempDir, tsharkFields } from '../capture/capture-tools.js';

const tmp = tempDir();
afterAll(() => tmp.remove());
afterEach(() => vi.restoreAllMocks());

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  const code = await main(args);
  vi.restoreAllMocks();
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** A topology file and a capture recorded at web-a:eth0 PortInput: broadcast, unicast to web-b, a forged frame. */
function fixtures(): { topo: string; pcap: string; all: string } {
  const topo = tmp.file('vst.json');
  writeFileSync(topo, JSON.stringify(vstLab()));
  const pcap = tmp.file('in.pcapng');
  const all = tmp.file('all.pcapng');
  const lab = createLab(vstLab(), { wallClockStartMs: START_MS });
  const s = new CaptureSession(lab, { file: pcap, points: ['web-a:eth0:PortInput'] });
  const s2 = new CaptureSession(lab, { file: all });
  for (const [src, dst] of [[A, 'ff:ff:ff:ff:ff:ff'], [A, B], ['00:50:56:aa:00:09', B]] as const) {
    lab.inject('web-a:eth0', buildEthernet({ src, dst, ethertype: 0x88b5, payload: new Uint8Array(46) }));
    lab.run({ forNs: 1_000_000 });
  }
  s.stop();
  s2.stop();
  return { topo, pcap, all };
}

describe('vswitch-lab replay', () => {
  const f = fixtures();

  it('replays a capture and prints deliveries per interface and drops per reason', async () => {
    const r = await cli(['replay', f.topo, f.pcap, '--into', 'web-a:eth0']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('replayed 3 of 3 packets into web-a:eth0 (original timing');
    expect(r.out).toMatch(/delivered {2}web-b:eth0 +2/);
    expect(r.out).toMatch(/delivered {2}pc-10:eth0 +1/);
    expect(r.out).toMatch(/dropped {4}FORGED_TRANSMIT +1 {2}\(S3\)/);
  });

  it('--json prints the summary', async () => {
    const r = await cli(['replay', f.topo, f.pcap, '--into', 'web-a:eth0', '--timing', 'asap', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as Record<string, unknown>;
    expect(j).toMatchObject({ into: 'web-a:eth0', timing: 'asap', injected: 3, framesDelivered: 2, dropsByReason: { FORGED_TRANSMIT: 1 } });
  });

  it('a capture of every point: a note on stderr; --capture-interface picks where frames entered', async () => {
    const r = await cli(['replay', f.topo, f.all, '--into', 'web-a:eth0']);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/has 13 capture interfaces; all their packets are replayed/);
    const one = await cli(['replay', f.topo, f.all, '--into', 'web-a:eth0', '--capture-interface', 'web-a:eth0 PortInput', '--json']);
    expect(one.code).toBe(0);
    expect(JSON.parse(one.out)).toMatchObject({ packets: 10, injected: 3, notSelected: 7 });
  });

  it('--pcap writes what the replay did, at the chosen points, readable by tshark', async () => {
    const out = tmp.file('replayed.pcapng');
    const r = await cli(['replay', f.topo, f.pcap, '--into', 'web-a:eth0', '--pcap', out, '--point', 'esxi-01:vmnic0:UplinkSnd,Drop']);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/captured 2 packets \(\d+ bytes\) at 2 of 2 capture points to .*replayed\.pcapng \(pcapng\)/);
    const rows = await tsharkFields(out, ['frame.interface_name', 'vlan.id', 'frame.comment']);
    expect(rows.map((x) => x[0])).toEqual(['esxi-01:vmnic0 UplinkSnd', 'Drop']);
    expect(rows[0]![1]).toBe('10');
    expect(rows[1]![2]).toMatch(/^dropped FORGED_TRANSMIT \(S3\)/);
  });

  it('--format pcap says on stderr what is lost', async () => {
    const out = tmp.file('replayed.pcap');
    const r = await cli(['replay', f.topo, f.pcap, '--into', 'web-a:eth0', '--pcap', out, '--format', 'pcap']);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/--format pcap writes classic pcap: packet comments .* are lost/);
  });

  it('bad input exits 2 with one clear line', async () => {
    const cases: [string[], RegExp][] = [
      [['replay', f.topo, f.pcap], /--into <node:iface> is required/],
      [['replay', f.topo, f.pcap, '--into', 'web-a:eth9'], /unknown interface "web-a:eth9"; did you mean web-a:eth0/],
      [['replay', f.topo, f.pcap, '--into', 'web-a:eth0', '--timing', 'slow'], /--timing: "slow" is not original or asap/],
      [['replay', f.topo, tmp.file('nope.pcap'), '--into', 'web-a:eth0'], /cannot read .*nope\.pcap: no such file/],
      [['replay', f.topo, f.topo, '--into', 'web-a:eth0'], /not a pcap or pcapng file: it starts with bytes/],
      [
        ['replay', f.topo, f.pcap, '--into', 'web-a:eth0', '--pcap', tmp.file('x.pcapng'), '--point', 'web-a:eth7'],
        /--point: unknown interface "web-a:eth7"; did you mean web-a:eth0.*\n\s+interfaces: esxi-01:vmnic0, /s,
      ],
      [['replay', f.topo, f.pcap, '--into', 'web-a:eth0', '--point', 'Drop'], /--point needs --pcap <file>/],
      [['replay', f.topo, f.pcap, '--into', 'web-a:eth0', '--pcap', tmp.file('x.pcapng'), '--format', 'snoop'], /--format: "snoop" is not pcapng, pcap, pcap-ns/],
      [['replay', f.topo, f.pcap, '--into', 'web-a:eth0', '--pcap', tmp.file('x.pcapng'), '--capture-filter', 'vlan=x'], /--capture-filter: vlan: "x" is not a VLAN ID/],
      [['replay', f.topo, f.pcap, '--into', 'web-a:eth0', '--pcap', tmp.file('no/such/dir/x.pcapng')], /--pcap: cannot write/],
    ];
    for (const [args, re] of cases) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err, args.join(' ')).toMatch(re);
      expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
    }
  });
});

describe('vswitch-lab replay --timing original: long gaps (capped, not replayed second by second)', () => {
  /** The teaming example with beacon probing (a beacon round every second), its uplinks cabled or not. */
  function beaconTopology(cabled: boolean): string {
    const t = JSON.parse(readFileSync(new URL('../../topologies/teaming.json', import.meta.url), 'utf8')) as {
      hosts: { vswitches: { policy: { teaming: { failureDetection: string } } }[] }[];
      links: { a: string; b: string }[];
    };
    t.hosts[0]!.vswitches[0]!.policy.teaming.failureDetection = 'beacon';
    if (!cabled) t.links = t.links.filter((l) => !l.a.startsWith('esxi-01:') && !l.b.startsWith('esxi-01:'));
    const file = tmp.file(`teaming-beacon-${cabled ? 'cabled' : 'uncabled'}.json`);
    writeFileSync(file, JSON.stringify(t));
    return file;
  }
  /** Two frames app-01 -> app-02, `gapNs` apart; pcapng (nanoseconds) or pcap-ns. */
  function twoFrames(name: string, gapNs: bigint): string {
    const m: Uint8Array[] = [];
    const w = new PcapngWriter({ sink: (c) => void m.push(c), interfaces: [{ name: 'app-01:eth0 PortInput' }] });
    const data = buildEthernet({ src: '00:50:56:a1:30:01', dst: '00:50:56:a1:30:02', ethertype: 0x88b5, payload: new Uint8Array(46) });
    w.writePacket({ interface: 0, timestampNs: 1_000_000_000n, data });
    w.writePacket({ interface: 0, timestampNs: 1_000_000_000n + gapNs, data });
    w.end();
    const file = tmp.file(name);
    writeFileSync(file, Buffer.concat(m));
    return file;
  }

  it('cabled uplinks, a 10-day gap: replays (exit 0, not "a loop between physical switches?"), the gap shortened to the longest timer + 1 s', async () => {
    const r = await cli(['replay', beaconTopology(true), twoFrames('ten-days.pcapng', 864_000n * 1_000_000_000n), '--into', 'app-01:eth0', '--json']);
    expect(r.err).not.toMatch(/loop/);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as Record<string, number>;
    expect(j).toMatchObject({ injected: 2, framesDelivered: 2, gapsShortened: 1, maxGapNs: 1201e9 });
    expect(j.virtualNs).toBeGreaterThanOrEqual(1201e9);
    expect(j.virtualNs).toBeLessThan(1202e9);
  });

  it('uncabled uplinks, timestamps 2^32 s apart: finishes, and the summary says the gap was shortened', async () => {
    const file = twoFrames('2-32.pcapng', (1n << 32n) * 1_000_000_000n);
    const r = await cli(['replay', beaconTopology(false), file, '--into', 'app-01:eth0', '--max-gap', '5']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('replayed 2 of 2 packets into app-01:eth0 (original timing, 5000.000 ms of virtual time)');
    expect(r.out).toContain('1 gap between packets longer than 5 s shortened to 5 s (--max-gap)');
  });

  it('gaps up to the longest gap are kept exactly; --max-gap is checked', async () => {
    const r = await cli(['replay', beaconTopology(false), twoFrames('short.pcapng', 7_123_456_789n), '--into', 'app-01:eth0', '--json']);
    expect(JSON.parse(r.out)).toMatchObject({ gapsShortened: 0, virtualNs: 7_123_456_789 });
    for (const bad of ['0', '-1', 'x', '', '86401']) {
      const b = await cli(['replay', beaconTopology(false), twoFrames('short.pcapng', 1n), '--into', 'app-01:eth0', `--max-gap=${bad}`]);
      expect(b.code, bad).toBe(2);
      expect(b.err).toMatch(/--max-gap: ".*" is not a number of seconds above 0 and at most 86400/);
    }
  });

  it('the default longest gap follows the topology: ARP cache timeout, physical switch MAC aging, at most a day', () => {
    const base = vstLab();
    expect(defaultMaxGapNs(base)).toBe(1201e9);
    expect(defaultMaxGapNs({ ...base, defaults: { ...base.defaults, arpCacheTimeoutSeconds: 60 } })).toBe(Math.max(61, ...base.physicalSwitches.map((s) => s.macAgingSeconds + 1)) * 1e9);
    expect(defaultMaxGapNs({ ...base, defaults: { ...base.defaults, arpCacheTimeoutSeconds: 10_000_000 } })).toBe(86_400e9);
  });
});

describe('vswitch-lab replay: warnings about what was read anyway', () => {
  it('a pcap with a microsecond field over 1,000,000: replayed (exit 0), with a warning on stderr', async () => {
    const topo = tmp.file('vst-w.json');
    writeFileSync(topo, JSON.stringify(vstLab()));
    const b = Buffer.alloc(24 + 16 + 60);
    b.writeUInt32LE(0xa1b2c3d4, 0);
    b.writeUInt16LE(2, 4);
    b.writeUInt16LE(4, 6);
    b.writeUInt32LE(1, 20);
    b.writeUInt32LE(1_234_567, 28);
    b.writeUInt32LE(60, 32);
    b.writeUInt32LE(60, 36);
    Buffer.from(buildEthernet({ src: A, dst: B, ethertype: 0x88b5, payload: new Uint8Array(46) })).copy(b, 40);
    const file = tmp.file('usec.pcap');
    writeFileSync(file, b);
    const r = await cli(['replay', topo, file, '--into', 'web-a:eth0']);
    expect(r.code).toBe(0);
    expect(r.err).toBe(
      `vswitch-lab replay: warning: ${file}: 1 record with a fraction of a second not below 1000000 (microseconds; the first at byte 28): read as the whole seconds it holds plus the rest, as Wireshark reads them`,
    );
    expect(r.out).toContain('replayed 1 of 1 packet into web-a:eth0');
  });
});

describe('capture options (the wiring other commands use)', () => {
  it('no --pcap: no capture, nothing to stop', () => {
    const c = startCliCapture(createLab(vstLab()), parseCaptureOptions({}));
    expect(c.session).toBeNull();
    c.stop();
    expect(c.summary()).toBe('');
  });

  it('format from the file name unless --format; points comma-separated or repeated', () => {
    expect(parseCaptureOptions({ pcap: 'a.pcap' })).toMatchObject({ format: 'pcap', formatGiven: false, points: [] });
    expect(parseCaptureOptions({ pcap: 'a.pcap', format: 'PCAPNG' })).toMatchObject({ format: 'pcapng', formatGiven: true });
    expect(parseCaptureOptions({ pcap: 'a.cap', point: ['a:eth0,Drop', ' b:eth0 '] })).toMatchObject({ format: 'pcapng', points: ['a:eth0', 'Drop', 'b:eth0'] });
    expect(() => parseCaptureOptions({ format: 'pcap' })).toThrow(UsageError);
  });

  it('attach: one file over several labs (one lab per test), packet ids not reused', async () => {
    const file = tmp.file('tests.pcapng');
    const lab1 = createLab(vstLab(), { wallClockStartMs: START_MS });
    const warn: string[] = [];
    const c = startCliCapture(lab1, parseCaptureOptions({ pcap: file, point: ['web-a:eth0:PortInput'] }), (l) => warn.push(l));
    const frame = buildEthernet({ src: A, dst: B, ethertype: 0x88b5, payload: new Uint8Array(46) });
    lab1.inject('web-a:eth0', frame);
    lab1.run();
    const lab2 = c.attach(createLab(vstLab(), { wallClockStartMs: START_MS }));
    lab2.inject('web-a:eth0', frame);
    lab2.run();
    c.stop();
    expect(warn).toEqual([]);
    expect(c.summary()).toMatch(/^captured 2 packets/);
    const rows = await tsharkFields(file, ['frame.packet_id', 'frame.time_relative']);
    expect(rows).toEqual([
      ['1', '0.000000000'],
      ['2', '0.001000000'],
    ]);
  });
});
