/**
 * CaptureSession against a scripted lab: trace events are fed by hand, so each mapping rule
 * (point -> interface, filter, timestamps, packet ids, recording bounds, attach) is checked alone.
 */
import { describe, expect, it } from 'vitest';
import { readCapture } from '../../src/capture/read-capture.js';
import { CaptureSession, encodeCapture, type CaptureLab } from '../../src/capture/capture-session.js';
import type { CaptureInterfaceInfo } from '../../src/capture/capture-points.js';
import type { TraceEvent } from '../../src/engine/index.js';
import { buildEthernet } from '../../src/wire/index.js';
import { memorySink } from './capture-tools.js';

const IFACES: CaptureInterfaceInfo[] = [
  { id: 'esxi-01:vmnic0', kind: 'uplink', host: 'esxi-01', vswitch: 'vSwitch0' },
  { id: 'a:eth0', kind: 'vnic', host: 'esxi-01', vswitch: 'vSwitch0', portGroup: 'VLAN10', vlan: 10 },
  { id: 'b:eth0', kind: 'vnic', host: 'esxi-01', vswitch: 'vSwitch0', portGroup: 'VLAN10', vlan: 10 },
];

class FakeLab implements CaptureLab {
  readonly listeners = new Set<(e: TraceEvent) => void>();
  readonly trace = {
    subscribe: (l: (e: TraceEvent) => void) => {
      this.listeners.add(l);
      return () => this.listeners.delete(l);
    },
  };
  now = 0;
  seq = 0;
  constructor(private readonly startMs = 1_700_000_000_000) {}
  interfaces(): CaptureInterfaceInfo[] {
    return IFACES;
  }
  wallClockNs(): number {
    return this.startMs * 1e6 + this.now;
  }
  emit(e: Partial<TraceEvent> & Pick<TraceEvent, 'port' | 'action'>): void {
    const event: TraceEvent = { seq: ++this.seq, time: this.now, frameId: 1, copyId: 1, parentCopyId: 0, node: e.port.split(':')[0]!, detail: '', ...e };
    for (const l of this.listeners) l(event);
  }
}

const A = '00:50:56:aa:00:01';
const B = '00:50:56:aa:00:02';
const untagged = buildEthernet({ src: A, dst: 'ff:ff:ff:ff:ff:ff', ethertype: 0x88b5, payload: new Uint8Array(46) });
const tagged = buildEthernet({ src: A, dst: 'ff:ff:ff:ff:ff:ff', ethertype: 0x88b5, payload: new Uint8Array(46), vlan: 10 });

/** One VST broadcast from a: PortInput, a lookup (no point), UplinkSnd tagged, b PortOutput. */
function broadcast(lab: FakeLab, frameId = 1): void {
  lab.emit({ frameId, port: 'a:eth0', action: 'ingress', point: 'PortInput', frame: untagged, detail: 'vNIC a:eth0 sends' });
  lab.emit({ frameId, port: 'esxi-01:vSwitch0', action: 'lookup', vlan: 10, detail: 'VLAN 10: broadcast' });
  lab.emit({ frameId, copyId: 2, parentCopyId: 1, port: 'b:eth0', action: 'deliver', vlan: 10, point: 'PortOutput', frame: untagged, detail: 'delivered to b:eth0 (VLAN 10) (F5)' });
  lab.now += 1000;
  lab.emit({ frameId, copyId: 3, parentCopyId: 1, port: 'esxi-01:vmnic0', action: 'tx', vlan: 10, point: 'UplinkSnd', frame: tagged, detail: 'VLAN 10: tagged out vmnic0 (F5, T2)' });
}

describe('CaptureSession on a scripted trace stream', () => {
  it('O1: maps point events to their interfaces; events without a point are not packets', async () => {
    const lab = new FakeLab();
    const mem = memorySink();
    const s = new CaptureSession(lab, { sink: mem.sink });
    broadcast(lab);
    s.stop();
    expect(s.packets).toBe(3);
    expect(s.countsByPoint()).toEqual({ 'a:eth0:PortInput': 1, 'b:eth0:PortOutput': 1, 'esxi-01:vmnic0:UplinkSnd': 1 });
    const file = await readCapture(mem.bytes());
    expect(file.interfaces.map((i) => i.name)).toEqual([
      'esxi-01:vmnic0 UplinkRcv', 'esxi-01:vmnic0 UplinkSnd', 'a:eth0 PortInput', 'a:eth0 PortOutput', 'b:eth0 PortInput', 'b:eth0 PortOutput', 'Drop',
    ]);
    expect(file.packets.map((p) => [file.interfaces[p.interface]!.name, p.direction, p.packetId, p.comment])).toEqual([
      ['a:eth0 PortInput', 'inbound', 1n, 'vNIC a:eth0 sends'],
      ['b:eth0 PortOutput', 'outbound', 1n, 'delivered to b:eth0 (VLAN 10) (F5)'],
      ['esxi-01:vmnic0 UplinkSnd', 'outbound', 1n, 'VLAN 10: tagged out vmnic0 (F5, T2)'],
    ]);
    expect(Buffer.from(file.packets[2]!.data).equals(Buffer.from(tagged))).toBe(true);
  });

  it('O1: timestamps are the virtual clock anchored at the lab start (wall clock), in ns', async () => {
    const lab = new FakeLab(1_700_000_000_123);
    const mem = memorySink();
    const s = new CaptureSession(lab, { sink: mem.sink });
    expect(s.epochNs).toBe(1_700_000_000_123_000_000n);
    broadcast(lab);
    s.stop();
    const file = await readCapture(mem.bytes());
    expect(file.packets.map((p) => p.timestampNs - s.epochNs)).toEqual([0n, 0n, 1000n]);
  });

  it('a lab without a wall-clock start is anchored at the moment the capture starts', () => {
    const lab = new FakeLab(0);
    lab.now = 5000;
    const before = BigInt(Date.now()) * 1_000_000n;
    const s = new CaptureSession(lab, {});
    const after = BigInt(Date.now()) * 1_000_000n;
    expect(s.epochNs + 5000n >= before && s.epochNs + 5000n <= after).toBe(true);
    s.stop();
  });

  it('O1: Drop packets carry the reason line and where it happened', () => {
    const lab = new FakeLab();
    const s = new CaptureSession(lab, { points: ['Drop'], record: true });
    lab.emit({ port: 'a:eth0', action: 'ingress', point: 'PortInput', frame: untagged });
    lab.emit({ port: 'a:eth0', action: 'drop', reason: 'FORGED_TRANSMIT', rule: 'S3', point: 'Drop', frame: untagged, detail: 'dropped FORGED_TRANSMIT (S3): source x is not the effective MAC y' });
    const got = s.recorded();
    expect(got).toHaveLength(1);
    expect(got[0]!.pointId).toBe('Drop');
    expect(got[0]!.comment).toBe('dropped FORGED_TRANSMIT (S3): source x is not the effective MAC y (at a:eth0)');
    expect(got[0]!.direction).toBeUndefined();
  });

  it('selected points only; a pcapng file declares exactly them', async () => {
    const lab = new FakeLab();
    const mem = memorySink();
    const s = new CaptureSession(lab, { sink: mem.sink, points: ['esxi-01:vmnic0:UplinkSnd', 'b:eth0'] });
    broadcast(lab);
    s.stop();
    const file = await readCapture(mem.bytes());
    expect(file.interfaces.map((i) => i.name)).toEqual(['esxi-01:vmnic0 UplinkSnd', 'b:eth0 PortInput', 'b:eth0 PortOutput']);
    expect(file.packets.map((p) => p.interface)).toEqual([2, 0]);
  });

  it('filters: VLAN of an untagged VST frame is its port group VLAN; direction', () => {
    const lab = new FakeLab();
    const v10 = new CaptureSession(lab, { record: true, filter: { vlan: 10 } });
    const v20 = new CaptureSession(lab, { record: true, filter: { vlan: 20 } });
    const out = new CaptureSession(lab, { record: true, filter: { direction: 'outbound' } });
    const mac = new CaptureSession(lab, { record: true, filter: { srcMac: B } });
    broadcast(lab);
    expect(v10.packets).toBe(3);
    expect(v20.packets).toBe(0);
    expect(out.recorded().map((p) => p.pointId)).toEqual(['b:eth0:PortOutput', 'esxi-01:vmnic0:UplinkSnd']);
    expect(mac.packets).toBe(0);
    expect(v20.summary()).toContain('filter vlan=20 (3 left out)');
  });

  it('recording is bounded: oldest packets are overwritten and counted', () => {
    const lab = new FakeLab();
    const s = new CaptureSession(lab, { record: { maxPackets: 4 } });
    for (let i = 1; i <= 3; i++) broadcast(lab, i);
    const st = s.status();
    expect(st.captured).toBe(9);
    expect(st.recorded).toBe(4);
    expect(st.overwritten).toBe(5);
    expect(st.limit).toBe(4);
    expect(s.recorded().map((p) => p.frameId)).toEqual([2, 3, 3, 3]);
    s.clear();
    expect(s.status().recorded).toBe(0);
  });

  it('recorded packets own their bytes', () => {
    const lab = new FakeLab();
    const s = new CaptureSession(lab, { record: true, points: ['a:eth0:PortInput'] });
    const bytes = untagged.slice();
    lab.emit({ port: 'a:eth0', action: 'ingress', point: 'PortInput', frame: bytes });
    bytes[0] = 0x42;
    expect(s.recorded()[0]!.data[0]).toBe(0xff);
  });

  it('download (toBytes) and live stream (from now) give pcapng files with the chosen points', async () => {
    const lab = new FakeLab();
    const s = new CaptureSession(lab, { record: true });
    broadcast(lab, 1);
    const live = memorySink();
    const stream = s.stream(live.sink, { pointIds: new Set(['b:eth0:PortOutput', 'Drop']) });
    const seen: number[] = [];
    const off = s.subscribe((p) => seen.push(p.frameId), new Set(['b:eth0:PortOutput']));
    broadcast(lab, 2);
    stream.stop();
    off();
    broadcast(lab, 3);
    expect(stream.packets).toBe(1);
    expect(seen).toEqual([2]);
    const liveFile = await readCapture(live.bytes());
    expect(liveFile.interfaces.map((i) => i.name)).toEqual(['b:eth0 PortOutput', 'Drop']);
    expect(liveFile.packets.map((p) => p.packetId)).toEqual([2n]);
    const all = await readCapture(s.toBytes());
    expect(all.packets).toHaveLength(9);
    const some = await readCapture(s.toBytes('pcapng', new Set(['esxi-01:vmnic0:UplinkSnd'])));
    expect(some.interfaces.map((i) => i.name)).toEqual(['esxi-01:vmnic0 UplinkSnd']);
    expect(some.packets.map((p) => p.packetId)).toEqual([1n, 2n, 3n]);
    const pcap = await readCapture(s.toBytes('pcap-ns'));
    expect(pcap.format).toBe('pcap');
    expect(pcap.packets).toHaveLength(9);
    // encodeCapture is the same as toBytes for the same packets
    expect(encodeCapture(s.points, s.recorded()).equals(s.toBytes())).toBe(true);
    s.stop();
  });

  it('attach: a second lab continues the timeline and the packet ids', async () => {
    const lab1 = new FakeLab();
    const mem = memorySink();
    const s = new CaptureSession(lab1, { sink: mem.sink, points: ['a:eth0:PortInput'] });
    broadcast(lab1, 1);
    broadcast(lab1, 2);
    const lab2 = new FakeLab();
    s.attach(lab2);
    broadcast(lab1, 3); // the old lab is no longer heard
    broadcast(lab2, 1);
    s.stop();
    const file = await readCapture(mem.bytes());
    expect(file.packets.map((p) => p.packetId)).toEqual([1n, 2n, 3n]);
    const ts = file.packets.map((p) => p.timestampNs - s.epochNs);
    expect(ts).toEqual([0n, 1000n, 2000n + 1_000_000n]);
  });

  it('stop is idempotent and ends outputs; nothing is written after', () => {
    const lab = new FakeLab();
    const mem = memorySink();
    const s = new CaptureSession(lab, { sink: mem.sink });
    s.stop();
    s.stop();
    const n = mem.chunks.length;
    broadcast(lab);
    expect(mem.chunks.length).toBe(n);
    expect(s.isStopped).toBe(true);
    expect(lab.listeners.size).toBe(0);
  });
});
