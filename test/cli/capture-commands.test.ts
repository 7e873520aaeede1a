/**
 * `--pcap`, `--point`, `--format` on send, ping, test and run, with Wireshark's own tools as the
 * oracle: every file opens in capinfos and tshark without a warning, and shows the capture points
 * as interfaces (`esxi-01:vmnic0 UplinkSnd`), the engine's comments, shared packet ids per frame,
 * directions and real dates. Commands run in-process through src/cli.ts `main`.
 *
 * The lab (test/capture/capture-lab.ts): web-a and web-b in port group VLAN10 (VST, VLAN 10) on
 * esxi-01, uplink vmnic0 trunked to tor-1, pc-10 on an access port in VLAN 10; forged transmits
 * Reject (the default).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { A, vstLab } from '../capture/capture-lab.js';
import { tempDir, tool, tsharkFields } from '../capture/capture-tools.js';
import { hasStackTrace, runMain } from './run-cli.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

const FORGED = '00:50:56:aa:00:09';
const broadcast = { kind: 'ethernet', dst: 'ff:ff:ff:ff:ff:ff', ethertype: 0x88b5, payloadHex: '00' };

/** The lab as a topology file with a tests block and a timed scenario next to it. */
function labFiles(): { topo: string; scenario: string; tests: string } {
  const scenario = tmp.file('ping-scenario.json');
  writeFileSync(
    scenario,
    JSON.stringify({
      $schema: '../scenario.schema.json',
      name: 'web-a pings pc-10 across the trunk',
      duration: '1s',
      pings: [{ name: 'pc', from: 'web-a:eth0', to: '10.0.10.50', intervalMs: 100, count: 5 }],
      expect: { pings: [{ ping: 'pc', maxLost: 0 }], frames: [{ at: 'esxi-01:vmnic0', point: 'UplinkSnd', ping: 'pc', kind: 'icmp-echo-request', vlan: 10, min: 5, max: 5 }] },
    }),
  );
  const testCases = [
    { name: 'broadcast reaches web-b and pc-10', send: { from: 'web-a:eth0', frame: broadcast }, expect: { deliveredTo: ['web-b:eth0', 'pc-10:eth0'] } },
    { name: 'forged source dropped (S3)', send: { from: 'web-a:eth0', frame: { ...broadcast, src: FORGED } }, expect: { drop: { reason: 'FORGED_TRANSMIT' }, deliveredTo: [] } },
  ];
  const topo = tmp.file('vst.json');
  writeFileSync(topo, JSON.stringify({ ...vstLab(), tests: testCases, scenarios: ['ping-scenario.json'] }));
  const tests = tmp.file('tests.json');
  writeFileSync(tests, JSON.stringify({ tests: testCases }));
  return { topo, scenario, tests };
}

const files = labFiles();

/** capinfos must read the file without a complaint; returns its report. */
async function capinfos(file: string): Promise<string> {
  const r = await tool('capinfos', [file]);
  expect(r.stderr, `capinfos ${file}`).toBe('');
  expect(r.code, `capinfos ${file}`).toBe(0);
  return r.stdout;
}

interface Row {
  id: string;
  iface: string;
  vlan: string;
  dir: string;
  comment: string;
  epoch: number;
  rel: number;
  icmp: string;
  eth: string;
}

/** tshark's view of a capture (fails on any tshark warning). */
async function rows(file: string): Promise<Row[]> {
  const fields = ['frame.packet_id', 'frame.interface_name', 'vlan.id', 'frame.packet_flags_direction', 'frame.comment', 'frame.time_epoch', 'frame.time_relative', 'icmp.type', 'eth.src'];
  return (await tsharkFields(file, fields)).map(([id, iface, vlan, dir, comment, epoch, rel, icmp, eth]) => ({
    id: id ?? '',
    iface: iface ?? '',
    vlan: vlan ?? '',
    dir: dir ?? '',
    comment: comment ?? '',
    epoch: Number(epoch),
    rel: Number(rel),
    icmp: icmp ?? '',
    eth: eth ?? '',
  }));
}

const SUMMARY = /^captured (\d+) packets? \(\d+ bytes\) at (\d+) of (\d+) capture points? to (.+) \((pcapng|pcap)\)$/m;

describe('send --pcap', () => {
  it('a VST broadcast: untagged at PortInput, tagged 10 at UplinkSnd, untagged at the other VM, one packet id', async () => {
    const file = tmp.file('send.pcapng');
    const before = Date.now() / 1000;
    const r = await runMain(['send', files.topo, '--from', 'web-a:eth0', '--ethertype', '0x88b5', '--pcap', file, '--json']);
    const after = Date.now() / 1000;
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { deliveries: { to: string }[] };
    expect(out.deliveries.map((d) => d.to).sort()).toEqual(['pc-10:eth0', 'web-b:eth0']);
    const m = SUMMARY.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    expect(m![4]).toBe(file);

    const info = await capinfos(file);
    expect(info).toMatch(/File type:\s+Wireshark\/\.\.\. - pcapng/);
    expect(info).toMatch(/Name = web-a:eth0 PortInput/);
    expect(info).toMatch(/Name = esxi-01:vmnic0 UplinkSnd/);
    expect(info).toMatch(/Name = Drop/);
    const got = await rows(file);
    expect(String(got.length)).toBe(m![1]);
    const at = (iface: string) => got.find((x) => x.iface === iface);
    const input = at('web-a:eth0 PortInput');
    const uplink = at('esxi-01:vmnic0 UplinkSnd');
    const other = at('web-b:eth0 PortOutput');
    expect(input).toMatchObject({ vlan: '', dir: '0x00000001' });
    expect(input!.comment).toContain('web-a:eth0 sends into port group "VLAN10"');
    expect(uplink).toMatchObject({ vlan: '10', dir: '0x00000002' });
    expect(uplink!.comment).toMatch(/VLAN 10: tagged out vmnic0 \(F\d+, T\d+\)/);
    expect(other).toMatchObject({ vlan: '', dir: '0x00000002' });
    expect(other!.comment).toMatch(/^delivered to web-b:eth0/);
    expect(new Set([input!.id, uplink!.id, other!.id]).size).toBe(1);
    expect(input!.id).toMatch(/^\d+$/);
    // The sender's own port never gets its broadcast back.
    expect(at('web-a:eth0 PortOutput')).toBeUndefined();
    // Real dates: the lab's virtual time 0 is when the command ran.
    for (const x of got) {
      expect(x.epoch).toBeGreaterThanOrEqual(Math.floor(before) - 1);
      expect(x.epoch).toBeLessThanOrEqual(after + 1);
    }
  });

  it('a forged frame appears on Drop with its reason and where', async () => {
    const file = tmp.file('forged.pcapng');
    const r = await runMain(['send', files.topo, '--from', 'web-a:eth0', '--src', FORGED, '--ethertype', '0x88b5', '--pcap', file, '--point', 'web-a:eth0:PortInput', '--point', 'Drop']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/dropped\s+web-a:eth0\s+\[S3\]\s+FORGED_TRANSMIT/);
    expect(r.stderr).toMatch(/captured 2 packets \(\d+ bytes\) at 2 of 2 capture points/);
    await capinfos(file);
    const got = await rows(file);
    expect(got.map((x) => x.iface)).toEqual(['web-a:eth0 PortInput', 'Drop']);
    expect(got[1]!.comment).toBe(`dropped FORGED_TRANSMIT (S3): source ${FORGED} is not the effective MAC ${A} (at web-a:eth0)`);
    expect(got[1]!.eth).toBe(FORGED);
    expect(got[0]!.id).toBe(got[1]!.id);
  });
});

describe('ping --pcap', () => {
  it('ARP then echo request and reply, tagged on the uplink, request and reply with their own ids', async () => {
    const file = tmp.file('ping.pcapng');
    const r = await runMain(['ping', files.topo, 'web-a:eth0', '10.0.10.50', '-c', '2', '--pcap', file, '--point', 'web-a:eth0', '--point', 'esxi-01:vmnic0']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('2 packets transmitted, 2 received, 0% packet loss');
    expect(r.stderr).toMatch(/at 4 of 4 capture points/);
    const info = await capinfos(file);
    for (const name of ['web-a:eth0 PortInput', 'web-a:eth0 PortOutput', 'esxi-01:vmnic0 UplinkRcv', 'esxi-01:vmnic0 UplinkSnd']) expect(info).toContain(`Name = ${name}`);
    const got = await rows(file);
    const requests = got.filter((x) => x.icmp === '8');
    const replies = got.filter((x) => x.icmp === '0');
    expect(requests.map((x) => `${x.iface}/${x.vlan}`)).toEqual(['web-a:eth0 PortInput/', 'esxi-01:vmnic0 UplinkSnd/10', 'web-a:eth0 PortInput/', 'esxi-01:vmnic0 UplinkSnd/10']);
    expect(replies.map((x) => `${x.iface}/${x.vlan}`)).toEqual(['esxi-01:vmnic0 UplinkRcv/10', 'web-a:eth0 PortOutput/', 'esxi-01:vmnic0 UplinkRcv/10', 'web-a:eth0 PortOutput/']);
    // a frame keeps its id from port to uplink; each request and each reply is a frame of its own
    expect(requests[0]!.id).toBe(requests[1]!.id);
    expect(replies[0]!.id).toBe(replies[1]!.id);
    expect(new Set([requests[0]!.id, requests[2]!.id, replies[0]!.id, replies[2]!.id]).size).toBe(4);
    // ping's 1 s interval, on the virtual clock
    expect(requests[2]!.rel - requests[0]!.rel).toBeCloseTo(1, 4); // (the first waited a few µs for ARP)
    // ARP came first (E1): the first packet is the request for 10.0.10.50
    expect(got[0]!.comment).toContain('web-a:eth0 sends into port group');
    expect(got[0]!.icmp).toBe('');
  });

  it('--format pcap: classic pcap that tshark reads, the loss said on stderr', async () => {
    const file = tmp.file('ping-classic.out');
    const r = await runMain(['ping', files.topo, 'web-a:eth0', '10.0.10.50', '-c', '1', '--pcap', file, '--format', 'pcap', '--point', 'esxi-01:vmnic0:UplinkSnd']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/--format pcap writes classic pcap: packet comments .* are lost/);
    expect(r.stderr).toMatch(/\(pcap\)$/m);
    const info = await capinfos(file);
    expect(info).toMatch(/File type:\s+Wireshark\/tcpdump\/\.\.\. - pcap\n/);
    expect(info).toMatch(/File timestamp precision:\s+microseconds/);
    const got = await rows(file);
    expect(got.map((x) => x.vlan)).toEqual(['10', '10']); // the ARP request and the echo request, tagged
    expect(got.every((x) => x.iface === '' && x.comment === '' && x.id === '')).toBe(true);
  });
});

describe('test --pcap', () => {
  it('one file over every test\'s fresh lab and the timed scenario\'s, ids and times never going back', async () => {
    const file = tmp.file('tests.pcapng');
    const r = await runMain(['test', files.topo, '--pcap', file, '--point', 'web-a:eth0:PortInput,esxi-01:vmnic0:UplinkSnd,Drop', '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { passed: number; failed: number; results: unknown[]; scenarios: { pings: { transmitted: number }[] }[] };
    expect(out).toMatchObject({ passed: 3, failed: 0 });
    expect(r.stderr).toMatch(SUMMARY);
    await capinfos(file);
    const got = await rows(file);
    const inputs = got.filter((x) => x.iface === 'web-a:eth0 PortInput');
    // test 1: the broadcast; test 2: the forged frame; the scenario: ARP + 5 echo requests
    expect(inputs[0]!.eth).toBe(A);
    expect(inputs[1]!.eth).toBe(FORGED);
    expect(inputs.filter((x) => x.icmp === '8')).toHaveLength(out.scenarios[0]!.pings[0]!.transmitted);
    const drops = got.filter((x) => x.iface === 'Drop');
    expect(drops).toHaveLength(1);
    expect(drops[0]!.comment).toMatch(/^dropped FORGED_TRANSMIT \(S3\)/);
    // each lab restarts at packet id 1 and virtual time 0; the file goes on counting
    const ids = got.map((x) => Number(x.id));
    const times = got.map((x) => x.rel);
    for (let i = 1; i < got.length; i++) {
      expect(ids[i]!).toBeGreaterThanOrEqual(ids[i - 1]!);
      expect(times[i]!).toBeGreaterThanOrEqual(times[i - 1]!);
    }
    expect(new Set([inputs[0]!.id, inputs[1]!.id, inputs[2]!.id]).size).toBe(3);
    // the scenario's echo requests, 100 ms apart, after both tests
    const echoes = got.filter((x) => x.icmp === '8' && x.iface === 'esxi-01:vmnic0 UplinkSnd');
    expect(echoes).toHaveLength(5);
    expect(echoes.every((x) => x.vlan === '10')).toBe(true);
    // (the first waits for ARP: a few µs)
    expect(echoes[2]!.rel - echoes[1]!.rel).toBeCloseTo(0.1, 9);
    expect(echoes[1]!.rel - echoes[0]!.rel).toBeCloseTo(0.1, 4);
    expect(echoes[0]!.rel).toBeGreaterThan(drops[0]!.rel);
  });

  it('a list-of-tests file: only its tests, captured', async () => {
    const file = tmp.file('list.pcapng');
    const r = await runMain(['test', files.topo, files.tests, '--pcap', file, '--point', 'Drop']);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/^2 passed, 0 failed$/m);
    expect(r.stderr).toMatch(/captured 1 packet \(\d+ bytes\) at 1 of 1 capture point to /);
    await capinfos(file);
    expect((await rows(file)).map((x) => x.iface)).toEqual(['Drop']);
  });
});

describe('run --pcap', () => {
  it('the scenario on its virtual clock: 5 echo requests 100 ms apart, tagged on the uplink; --json stdout stays one document', async () => {
    const file = tmp.file('run.pcapng');
    const r = await runMain(['run', files.topo, files.scenario, '--json', '--pcap', file, '--point', 'esxi-01:vmnic0:UplinkSnd', '--capture-filter', 'proto=icmp']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { passed: boolean; scenarios: { pings: { transmitted: number; received: number }[] }[] };
    expect(out.passed).toBe(true);
    expect(r.stderr).toMatch(/captured 5 packets \(\d+ bytes\) at 1 of 1 capture point to .*run\.pcapng \(pcapng\), filter .*proto/);
    const info = await capinfos(file);
    expect(info).toMatch(/Number of packets:\s+5\n/);
    expect(info).toContain('Name = esxi-01:vmnic0 UplinkSnd');
    const got = await rows(file);
    expect(got.map((x) => x.icmp)).toEqual(['8', '8', '8', '8', '8']);
    expect(got.every((x) => x.vlan === '10' && x.dir === '0x00000002')).toBe(true);
    expect(got.every((x) => /^VLAN 10: tagged out vmnic0/.test(x.comment))).toBe(true);
    // 100 ms apart on the virtual clock (the first waited a few µs for ARP)
    got.slice(1).forEach((x, i) => expect(x.rel - got[1]!.rel).toBeCloseTo(i * 0.1, 9));
    expect(got[1]!.rel - got[0]!.rel).toBeCloseTo(0.1, 4);
    expect(new Set(got.map((x) => x.id)).size).toBe(5);
  });

  it('every scenario the topology lists, into one file, classic pcap when the name says .pcap', async () => {
    const file = tmp.file('run-all.pcap');
    const r = await runMain(['run', files.topo, '--pcap', file]);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stderr).toMatch(/is a \.pcap name, so it writes classic pcap/);
    const info = await capinfos(file);
    expect(info).toMatch(/ - pcap\n/);
    expect((await rows(file)).filter((x) => x.icmp === '8').length).toBeGreaterThanOrEqual(5);
  });
});

describe('bad capture options: exit 2, the problem named, the valid ones listed, no file left', () => {
  const commands: [string, string[]][] = [
    ['send', ['send', files.topo, '--from', 'web-a:eth0', '--rarp']],
    ['ping', ['ping', files.topo, 'web-a:eth0', '10.0.10.50', '-c', '1']],
    ['test', ['test', files.topo]],
    ['run', ['run', files.topo]],
  ];
  for (const [name, args] of commands) {
    it(name, async () => {
      const cases: [string, RegExp][] = [
        ['web-a:eth7', /--point: unknown interface "web-a:eth7"; did you mean web-a:eth0/],
        ['web-a:eth0:UplinkSnd', /--point: web-a:eth0 is a VM vNIC: its points are PortInput, PortOutput, not UplinkSnd/],
        ['PortIn', /--point: "PortIn" is neither a point name/],
      ];
      for (const [point, re] of cases) {
        const file = tmp.file(`bad-${name}-${point.replace(/:/g, '_')}.pcapng`);
        const r = await runMain([...args, '--pcap', file, '--point', point]);
        expect(r.code, `${name} --point ${point}`).toBe(2);
        expect(r.stderr).toMatch(new RegExp(`^vswitch-lab ${name}: `));
        expect(r.stderr).toMatch(re);
        expect(r.stderr).toMatch(/interfaces: esxi-01:vmnic0, web-a:eth0, web-b:eth0, tor-1:eth1, tor-1:eth2, pc-10:eth0/);
        expect(r.stderr).toMatch(/points: PortInput, PortOutput, UplinkRcv, UplinkSnd, PhysRx, PhysTx, HostRx, HostTx, Drop/);
        expect(r.stdout).toBe('');
        expect(hasStackTrace(r.stderr)).toBe(false);
        expect(existsSync(file), `${file} left behind`).toBe(false);
      }
      const noPcap = await runMain([...args, '--point', 'Drop']);
      expect(noPcap.code).toBe(2);
      expect(noPcap.stderr).toContain('--point needs --pcap <file>');
      const format = await runMain([...args, '--pcap', tmp.file('f.pcapng'), '--format', 'snoop']);
      expect(format.code).toBe(2);
      expect(format.stderr).toContain('--format: "snoop" is not pcapng, pcap, pcap-ns');
      expect(existsSync(tmp.file('f.pcapng'))).toBe(false);
    });
  }

  it('bad input found while the lab runs (a scenario step from an unknown interface): exit 2 and the capture removed', async () => {
    const scenario = tmp.file('bad-step.json');
    writeFileSync(
      scenario,
      JSON.stringify({ name: 'bad step', duration: '1s', pings: [{ from: 'web-a:eth0', to: '10.0.10.50', count: 2 }], steps: [{ at: '0.5s', send: { from: 'web-a:eth9', frame: { kind: 'rarp' } } }] }),
    );
    const file = tmp.file('aborted.pcapng');
    const r = await runMain(['run', files.topo, scenario, '--pcap', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^vswitch-lab run: .*bad-step\.json: step at 0\.500s: .*web-a:eth9/);
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(existsSync(file)).toBe(false);
  });
});
