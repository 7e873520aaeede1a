/**
 * Captures of a real lab, read by the real tshark 4.0 and capinfos: interface names, comments,
 * shared packet ids, directions and tags at each capture point (O1).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { CaptureSession } from '../../src/capture/capture-session.js';
import { readCapture } from '../../src/capture/read-capture.js';
import { createLab } from '../../src/engine/index.js';
import { buildEthernet } from '../../src/wire/index.js';
import { A, START_MS, vstLab } from './capture-lab.js';
import { tempDir, tool, tsharkFields } from './capture-tools.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

const FIELDS = ['frame.interface_name', 'frame.comment', 'frame.packet_id', 'frame.packet_flags_direction', 'vlan.id'];

function bcast(src = A): Uint8Array {
  return buildEthernet({ src, dst: 'ff:ff:ff:ff:ff:ff', ethertype: 0x88b5, payload: new Uint8Array(46) });
}

describe('captures of a lab, read by tshark and capinfos', () => {
  it('O1, V2: a VST broadcast: untagged at PortInput, tagged at UplinkSnd, untagged at the other VM\'s PortOutput; one packet id', async () => {
    const file = tmp.file('vst.pcapng');
    const lab = createLab(vstLab(), { wallClockStartMs: START_MS });
    const s = new CaptureSession(lab, { file });
    const id = lab.inject('web-a:eth0', bcast());
    lab.run();
    s.stop();
    const rows = await tsharkFields(file, FIELDS);
    const p = String(id);
    expect(rows).toEqual([
      ['web-a:eth0 PortInput', 'vNIC web-a:eth0 sends into port group "VLAN10" on esxi-01:vSwitch0', p, '0x00000001', ''],
      ['web-b:eth0 PortOutput', 'delivered to web-b:eth0 (VLAN 10) (F5)', p, '0x00000002', ''],
      ['esxi-01:vmnic0 UplinkSnd', 'VLAN 10: tagged out vmnic0 (F5, T2)', p, '0x00000002', '10'],
      ['tor-1:eth1 PhysRx', 'arrives on tor-1:eth1', p, '0x00000001', '10'],
      ['tor-1:eth2 PhysTx', 'VLAN 10: untagged out eth2 (access, P2)', p, '0x00000002', ''],
      ['pc-10:eth0 HostRx', 'delivered to pc-10:eth0 (E1)', p, '0x00000001', ''],
    ]);
    // every point declared before the first packet, with names and descriptions
    const info = await tool('capinfos', [file]);
    expect(info.code).toBe(0);
    expect(info.stdout).toMatch(/File type:\s+Wireshark\/\.\.\. - pcapng/);
    expect(info.stdout).toMatch(/Number of interfaces in file: 13/);
    expect(info.stdout).toMatch(/Name = esxi-01:vmnic0 UplinkRcv/);
    expect(info.stdout).toMatch(/Description = VM vNIC web-a:eth0: vSwitch0 on esxi-01, port group "VLAN10", VLAN 10; PortInput: /);
    expect(info.stdout).toMatch(/Name = Drop/);
    expect(info.stdout).toMatch(/File timestamp precision:\s+nanoseconds \(9\)/);
    expect(info.stdout).toMatch(/Strict time order:\s+True/);
    // the virtual clock anchored at the lab's start: the link hop is 1000 ns
    const times = await tsharkFields(file, ['frame.time_epoch']);
    expect(times.map((r) => r[0])).toEqual(['1700000000.000000000', '1700000000.000000000', '1700000000.000000000', '1700000000.000001000', '1700000000.000001000', '1700000000.000002000']);
  });

  it('O1, S3: a drop appears on Drop with its reason and where; frame.packet_id follows one frame', async () => {
    const file = tmp.file('drop.pcapng');
    const lab = createLab(vstLab(), { wallClockStartMs: START_MS });
    const s = new CaptureSession(lab, { file, points: ['web-a:eth0', 'esxi-01:vmnic0', 'Drop'] });
    const good = lab.inject('web-a:eth0', bcast());
    lab.run();
    const forged = lab.inject('web-a:eth0', bcast('00:50:56:aa:00:09'));
    lab.run();
    s.stop();
    const r = await tool('tshark', ['-r', file, '-Y', 'frame.comment contains "FORGED_TRANSMIT"', '-T', 'fields', '-E', 'separator=/t', ...FIELDS.flatMap((f) => ['-e', f])]);
    expect(r.stderr).toBe('');
    expect(r.stdout.replace(/\n$/, '').split('\n').map((l) => l.split('\t'))).toEqual([
      ['Drop', 'dropped FORGED_TRANSMIT (S3): source 00:50:56:aa:00:09 is not the effective MAC 00:50:56:aa:00:01 (at web-a:eth0)', String(forged), '', ''],
    ]);
    const one = await tool('tshark', ['-r', file, '-Y', `frame.packet_id == ${good}`, '-T', 'fields', '-e', 'frame.interface_name']);
    expect(one.stdout.trim().split('\n')).toEqual(['web-a:eth0 PortInput', 'esxi-01:vmnic0 UplinkSnd']);
    const two = await tool('tshark', ['-r', file, '-Y', `frame.packet_id == ${forged}`, '-T', 'fields', '-e', 'frame.interface_name']);
    expect(two.stdout.trim().split('\n')).toEqual(['web-a:eth0 PortInput', 'Drop']);
  });

  it('O1, E1: a ping gives request and reply different packet ids, ARP included; filters by VLAN and protocol', async () => {
    const file = tmp.file('ping.pcapng');
    const lab = createLab(vstLab(), { wallClockStartMs: START_MS });
    const s = new CaptureSession(lab, { file, points: ['esxi-01:vmnic0'], filter: { ipProto: 'icmp' } });
    const result = lab.ping('web-a:eth0', '10.0.10.50', { count: 2 }) as { received: number };
    s.stop();
    expect(result.received).toBe(2);
    const rows = await tsharkFields(file, ['frame.interface_name', 'frame.packet_id', 'icmp.type', 'vlan.id']);
    expect(rows.map((r) => [r[0], r[2], r[3]])).toEqual([
      ['esxi-01:vmnic0 UplinkSnd', '8', '10'],
      ['esxi-01:vmnic0 UplinkRcv', '0', '10'],
      ['esxi-01:vmnic0 UplinkSnd', '8', '10'],
      ['esxi-01:vmnic0 UplinkRcv', '0', '10'],
    ]);
    expect(new Set(rows.map((r) => r[1])).size).toBe(4);
  });

  it('classic pcap (us and ns): one stream, tshark and capinfos read it; the same frames as pcapng', async () => {
    const lab = createLab(vstLab(), { wallClockStartMs: START_MS });
    const us = new CaptureSession(lab, { file: tmp.file('vst.pcap') });
    const ns = new CaptureSession(lab, { file: tmp.file('vst-ns.pcap'), format: 'pcap-ns' });
    const ng = new CaptureSession(lab, { file: tmp.file('vst2.pcapng') });
    lab.inject('web-a:eth0', bcast());
    lab.run();
    for (const s of [us, ns, ng]) s.stop();
    expect(us.format).toBe('pcap');
    const iu = await tool('capinfos', [tmp.file('vst.pcap')]);
    expect(iu.stdout).toMatch(/File type:\s+Wireshark\/tcpdump\/\.\.\. - pcap/);
    expect(iu.stdout).toMatch(/Number of packets:\s+6/);
    expect(iu.stdout).toMatch(/File timestamp precision:\s+microseconds \(6\)/);
    const inn = await tool('capinfos', [tmp.file('vst-ns.pcap')]);
    expect(inn.stdout).toMatch(/File timestamp precision:\s+nanoseconds \(9\)/);
    const vlans = await tsharkFields(tmp.file('vst.pcap'), ['frame.number', 'vlan.id']);
    expect(vlans.map((r) => r[1] ?? '')).toEqual(['', '', '10', '10', '', '']);
    const a = await readCapture(tmp.file('vst-ns.pcap'));
    const b = await readCapture(tmp.file('vst2.pcapng'));
    expect(a.packets.map((p) => [Buffer.from(p.data).toString('hex'), p.timestampNs])).toEqual(b.packets.map((p) => [Buffer.from(p.data).toString('hex'), p.timestampNs]));
  });

  it('our reader reads what tshark rewrites of our capture (editcap round trip keeps comments and ids)', async () => {
    const lab = createLab(vstLab(), { wallClockStartMs: START_MS });
    const s = new CaptureSession(lab, { file: tmp.file('orig.pcapng') });
    lab.inject('web-a:eth0', bcast());
    lab.run();
    s.stop();
    const w = await tool('tshark', ['-r', tmp.file('orig.pcapng'), '-w', tmp.file('rewritten.pcapng'), '-F', 'pcapng']);
    expect(w.code).toBe(0);
    const ours = await readCapture(tmp.file('orig.pcapng'));
    const theirs = await readCapture(tmp.file('rewritten.pcapng'));
    expect(theirs.interfaces.map((i) => i.name)).toEqual(ours.interfaces.map((i) => i.name));
    expect(theirs.packets.map((p) => [p.interface, p.comment, p.packetId, p.direction])).toEqual(ours.packets.map((p) => [p.interface, p.comment, p.packetId, p.direction]));
  });
});

describe('captures on the wire: frames padded to 60 bytes as a NIC pads them', () => {
  it.each(['pcapng', 'pcap'] as const)('%s: a 42-byte frame is 42 bytes at PortInput/PortOutput, 60 bytes (zero padded) at UplinkSnd, PhysRx, PhysTx, HostRx', async (format) => {
    const file = tmp.file(`short.${format}`);
    const lab = createLab(vstLab(), { wallClockStartMs: START_MS });
    const s = new CaptureSession(lab, { file, format, points: ['web-a:eth0:PortInput', 'web-b:eth0:PortOutput', 'esxi-01:vmnic0:UplinkSnd', 'tor-1', 'pc-10:eth0:HostRx'] });
    const short = buildEthernet({ src: A, dst: 'ff:ff:ff:ff:ff:ff', ethertype: 0x88b5, payload: new Uint8Array(28).fill(0x11) }).slice(0, 42); // (buildEthernet pads)
    expect(short.length).toBe(42);
    lab.inject('web-a:eth0', short);
    lab.run();
    s.stop();
    if (format === 'pcapng') {
      const rows = await tsharkFields(file, ['frame.interface_name', 'frame.len']);
      const byPoint = Object.fromEntries(rows.map(([name, len]) => [name!.split(' ')[1]!, Number(len)]));
      expect(byPoint).toEqual({ PortInput: 42, PortOutput: 42, UplinkSnd: 60, PhysRx: 60, PhysTx: 60, HostRx: 60 });
      // the padding is zeros after the frame's own bytes (tagged or not at that point)
      const read = await readCapture(file);
      for (const p of read.packets.filter((x) => x.data.length === 60)) expect(Buffer.from(p.data.subarray(p.data.length - 14)).every((b) => b === 0)).toBe(true);
    } else {
      const lens = (await tsharkFields(file, ['frame.len'])).map((r) => Number(r[0]));
      expect(lens.filter((l) => l === 42)).toHaveLength(2);
      expect(lens.filter((l) => l === 60).length).toBeGreaterThanOrEqual(4);
    }
    // the lab's frames keep their length: the receiving VM got the 42 bytes
    const read = await readCapture(file);
    expect(read.packets.map((p) => p.data.length).sort((a, b) => a - b)[0]).toBe(42);
  });
});
