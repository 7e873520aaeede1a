/**
 * CaptureSession on the real engine: a lab built from a small topology (capture-lab.ts: web-a and
 * web-b in port group VLAN10 on esxi-01, uplink vmnic0 trunked to tor-1, pc-10 on an access port
 * in VLAN 10), frames injected and run, and what the session holds checked for each mapping rule
 * (point -> interface, filter, timestamps, packet ids, recording bounds, streams, attach, stop).
 */
import { describe, expect, it } from 'vitest';
import { readCapture } from '../../src/capture/read-capture.js';
import { CaptureSession, encodeCapture } from '../../src/capture/capture-session.js';
import { createLab, type Lab } from '../../src/engine/index.js';
import { buildEthernet } from '../../src/wire/index.js';
import { A, B, START_MS, vstLab } from './capture-lab.js';
import { memorySink } from './capture-tools.js';

function newLab(startMs = START_MS): Lab {
  return createLab(vstLab(), { wallClockStartMs: startMs });
}

const untagged = buildEthernet({ src: A, dst: 'ff:ff:ff:ff:ff:ff', ethertype: 0x88b5, payload: new Uint8Array(46) });
const tagged = buildEthernet({ src: A, dst: 'ff:ff:ff:ff:ff:ff', ethertype: 0x88b5, payload: new Uint8Array(46), vlan: 10 });
const forged = buildEthernet({ src: '02:00:00:00:00:99', dst: 'ff:ff:ff:ff:ff:ff', ethertype: 0x88b5, payload: new Uint8Array(46) });

/**
 * One VST broadcast from web-a: web-a PortInput, web-b PortOutput and vmnic0 UplinkSnd (tagged 10)
 * at once; tor-1 eth1 PhysRx and eth2 PhysTx 1 µs later (the cable); pc-10 HostRx 1 µs after that.
 */
function broadcast(lab: Lab): number {
  const id = lab.inject('web-a:eth0', untagged);
  lab.run();
  return id;
}

const BROADCAST_POINTS = ['web-a:eth0:PortInput', 'web-b:eth0:PortOutput', 'esxi-01:vmnic0:UplinkSnd', 'tor-1:eth1:PhysRx', 'tor-1:eth2:PhysTx', 'pc-10:eth0:HostRx'];

describe('CaptureSession on the real engine', () => {
  it('O1: maps point events to their interfaces, in stream order, with direction, frame id and decision', async () => {
    const lab = newLab();
    const mem = memorySink();
    const s = new CaptureSession(lab, { sink: mem.sink });
    broadcast(lab);
    s.stop();
    expect(s.packets).toBe(6);
    expect(s.countsByPoint()).toEqual(Object.fromEntries(BROADCAST_POINTS.map((p) => [p, 1])));
    const file = await readCapture(mem.bytes());
    expect(file.interfaces.map((i) => i.name)).toEqual([
      'esxi-01:vmnic0 UplinkRcv',
      'esxi-01:vmnic0 UplinkSnd',
      'web-a:eth0 PortInput',
      'web-a:eth0 PortOutput',
      'web-b:eth0 PortInput',
      'web-b:eth0 PortOutput',
      'tor-1:eth1 PhysRx',
      'tor-1:eth1 PhysTx',
      'tor-1:eth2 PhysRx',
      'tor-1:eth2 PhysTx',
      'pc-10:eth0 HostRx',
      'pc-10:eth0 HostTx',
      'Drop',
    ]);
    expect(file.packets.map((p) => [file.interfaces[p.interface]!.name, p.direction, p.packetId, p.comment])).toEqual([
      ['web-a:eth0 PortInput', 'inbound', 1n, 'vNIC web-a:eth0 sends into port group "VLAN10" on esxi-01:vSwitch0'],
      ['web-b:eth0 PortOutput', 'outbound', 1n, 'delivered to web-b:eth0 (VLAN 10) (F5)'],
      ['esxi-01:vmnic0 UplinkSnd', 'outbound', 1n, 'VLAN 10: tagged out vmnic0 (F5, T2)'],
      ['tor-1:eth1 PhysRx', 'inbound', 1n, 'arrives on tor-1:eth1'],
      ['tor-1:eth2 PhysTx', 'outbound', 1n, 'VLAN 10: untagged out eth2 (access, P2)'],
      ['pc-10:eth0 HostRx', 'inbound', 1n, 'delivered to pc-10:eth0 (E1)'],
    ]);
    // the bytes as they are at each point: tagged on the trunk, untagged at the ports
    expect(Buffer.from(file.packets[0]!.data).equals(Buffer.from(untagged))).toBe(true);
    expect(Buffer.from(file.packets[2]!.data).equals(Buffer.from(tagged))).toBe(true);
    expect(Buffer.from(file.packets[3]!.data).equals(Buffer.from(tagged))).toBe(true);
    expect(Buffer.from(file.packets[4]!.data).equals(Buffer.from(untagged))).toBe(true);
  });

  it('O1: timestamps are the virtual clock anchored at the lab start (wall clock), in ns', async () => {
    const lab = newLab(START_MS + 123);
    const mem = memorySink();
    const s = new CaptureSession(lab, { sink: mem.sink });
    expect(s.epochNs).toBe(BigInt(START_MS + 123) * 1_000_000n);
    broadcast(lab);
    lab.run({ forNs: 5000 });
    broadcast(lab);
    s.stop();
    const file = await readCapture(mem.bytes());
    expect(file.packets.map((p) => p.timestampNs - s.epochNs)).toEqual([0n, 0n, 0n, 1000n, 1000n, 2000n, 7000n, 7000n, 7000n, 8000n, 8000n, 9000n]);
  });

  it('a lab without a wall-clock start is anchored at the moment the capture starts', () => {
    const lab = createLab(vstLab());
    lab.run({ forNs: 5000 });
    const before = BigInt(Date.now()) * 1_000_000n;
    const s = new CaptureSession(lab, {});
    const after = BigInt(Date.now()) * 1_000_000n;
    expect(s.epochNs + 5000n >= before && s.epochNs + 5000n <= after).toBe(true);
    s.stop();
  });

  it('O1: Drop packets carry the reason line and where it happened, and no direction', () => {
    const lab = newLab();
    const s = new CaptureSession(lab, { points: ['Drop'], record: true });
    lab.inject('web-a:eth0', forged);
    lab.run();
    const got = s.recorded();
    expect(got).toHaveLength(1);
    expect(got[0]!.pointId).toBe('Drop');
    expect(got[0]!.comment).toBe('dropped FORGED_TRANSMIT (S3): source 02:00:00:00:00:99 is not the effective MAC 00:50:56:aa:00:01 (at web-a:eth0)');
    expect(got[0]!.direction).toBeUndefined();
    expect(Buffer.from(got[0]!.data).equals(Buffer.from(forged))).toBe(true);
  });

  it('selected points only; a pcapng file declares exactly them', async () => {
    const lab = newLab();
    const mem = memorySink();
    const s = new CaptureSession(lab, { sink: mem.sink, points: ['esxi-01:vmnic0:UplinkSnd', 'web-b:eth0'] });
    broadcast(lab);
    s.stop();
    const file = await readCapture(mem.bytes());
    expect(file.interfaces.map((i) => i.name)).toEqual(['esxi-01:vmnic0 UplinkSnd', 'web-b:eth0 PortInput', 'web-b:eth0 PortOutput']);
    expect(file.packets.map((p) => p.interface)).toEqual([2, 0]);
  });

  it('filters: VLAN of an untagged frame is its port group / access VLAN (a physical host NIC knows none); direction; MAC', () => {
    const lab = newLab();
    const v10 = new CaptureSession(lab, { record: true, filter: { vlan: 10 } });
    const v20 = new CaptureSession(lab, { record: true, filter: { vlan: 20 } });
    const out = new CaptureSession(lab, { record: true, filter: { direction: 'outbound' } });
    const mac = new CaptureSession(lab, { record: true, filter: { srcMac: B } });
    broadcast(lab);
    expect(v10.recorded().map((p) => p.pointId)).toEqual(BROADCAST_POINTS.filter((p) => p !== 'pc-10:eth0:HostRx'));
    expect(v20.packets).toBe(0);
    expect(out.recorded().map((p) => p.pointId)).toEqual(['web-b:eth0:PortOutput', 'esxi-01:vmnic0:UplinkSnd', 'tor-1:eth2:PhysTx']);
    expect(mac.packets).toBe(0);
    expect(v20.summary()).toContain('filter vlan=20 (6 left out)');
  });

  it('recording is bounded: oldest packets are overwritten and counted', () => {
    const lab = newLab();
    const s = new CaptureSession(lab, { record: { maxPackets: 8 } });
    for (let i = 1; i <= 3; i++) expect(broadcast(lab)).toBe(i);
    const st = s.status();
    expect(st.captured).toBe(18);
    expect(st.recorded).toBe(8);
    expect(st.overwritten).toBe(10);
    expect(st.limit).toBe(8);
    expect(s.recorded().map((p) => p.frameId)).toEqual([2, 2, 3, 3, 3, 3, 3, 3]);
    s.clear();
    expect(s.status().recorded).toBe(0);
  });

  it('recorded packets own their bytes (a frame the lab owns, changed after the run)', () => {
    const lab = newLab();
    const s = new CaptureSession(lab, { record: true, points: ['web-a:eth0:PortInput'] });
    const bytes = untagged.slice();
    lab.injectOwned('web-a:eth0', bytes);
    lab.run();
    bytes[0] = 0x42;
    expect(s.recorded()[0]!.data[0]).toBe(0xff);
  });

  it('download (toBytes) and live stream (from now) give pcapng files with the chosen points', async () => {
    const lab = newLab();
    const s = new CaptureSession(lab, { record: true });
    broadcast(lab);
    const live = memorySink();
    const stream = s.stream(live.sink, { pointIds: new Set(['web-b:eth0:PortOutput', 'Drop']) });
    const seen: number[] = [];
    const off = s.subscribe((p) => seen.push(p.frameId), new Set(['web-b:eth0:PortOutput']));
    broadcast(lab);
    stream.stop();
    off();
    broadcast(lab);
    expect(stream.packets).toBe(1);
    expect(seen).toEqual([2]);
    const liveFile = await readCapture(live.bytes());
    expect(liveFile.interfaces.map((i) => i.name)).toEqual(['web-b:eth0 PortOutput', 'Drop']);
    expect(liveFile.packets.map((p) => p.packetId)).toEqual([2n]);
    const all = await readCapture(s.toBytes());
    expect(all.packets).toHaveLength(18);
    const some = await readCapture(s.toBytes('pcapng', new Set(['esxi-01:vmnic0:UplinkSnd'])));
    expect(some.interfaces.map((i) => i.name)).toEqual(['esxi-01:vmnic0 UplinkSnd']);
    expect(some.packets.map((p) => p.packetId)).toEqual([1n, 2n, 3n]);
    const pcap = await readCapture(s.toBytes('pcap-ns'));
    expect(pcap.format).toBe('pcap');
    expect(pcap.packets).toHaveLength(18);
    // encodeCapture is the same as toBytes for the same packets
    expect(encodeCapture(s.points, s.recorded()).equals(s.toBytes())).toBe(true);
    s.stop();
  });

  it('attach: a second lab continues the timeline and the packet ids; the old lab is no longer heard', async () => {
    const lab1 = newLab();
    const mem = memorySink();
    const s = new CaptureSession(lab1, { sink: mem.sink, points: ['web-a:eth0:PortInput'] });
    broadcast(lab1);
    lab1.run({ forNs: 1000 });
    broadcast(lab1);
    const lab2 = newLab();
    s.attach(lab2);
    broadcast(lab1); // the old lab is no longer heard
    broadcast(lab2);
    s.stop();
    const file = await readCapture(mem.bytes());
    expect(file.packets.map((p) => p.packetId)).toEqual([1n, 2n, 3n]);
    const ts = file.packets.map((p) => p.timestampNs - s.epochNs);
    // lab1 sent at 0 and 3000 (after the first broadcast's 2 µs and 1 µs more); it stood at 5000 when left
    expect(ts).toEqual([0n, 3000n, 5000n + 1_000_000n]);
  });

  it('stop is idempotent and ends outputs; nothing is captured or written after', () => {
    const lab = newLab();
    const mem = memorySink();
    const s = new CaptureSession(lab, { sink: mem.sink, record: true });
    broadcast(lab);
    s.stop();
    s.stop();
    const n = mem.chunks.length;
    broadcast(lab);
    expect(mem.chunks.length).toBe(n);
    expect(s.isStopped).toBe(true);
    expect(s.packets).toBe(6);
    expect(s.recorded()).toHaveLength(6);
  });
});
