/**
 * A client's own frames are never summarised (issue 13 item 7): on a busy lab a batch lists the
 * most recent `maxTracePerBatch` events and counts the rest, but the frames a page sent (`keep`)
 * and its ping's ARP/ICMP frames (`watchPing`) are listed for that page whatever their age;
 * background events are what is summarised, and other clients still get the plain batch.
 */
import { describe, expect, it } from 'vitest';
import type { LiveHello, LiveUpdate } from '../../src/server/api-types.js';
import type { TraceAction, TraceEvent } from '../../src/engine/index.js';
import { isPingFrame, LiveEvents, type LiveSocket } from '../../src/server/live-events.js';

function socket(id: string): LiveSocket & { updates: LiveUpdate[] } {
  const s = {
    id,
    updates: [] as LiveUpdate[],
    emit(event: string, payload: unknown) {
      if (event === 'lab:update') s.updates.push(payload as LiveUpdate);
      return true;
    },
  };
  return s;
}

const UDP = Uint8Array.from([...Array(12).fill(0xaa), 0x08, 0x00, 0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17, ...Array(10).fill(0)]);
const ICMP = Uint8Array.from([...Array(12).fill(0xaa), 0x81, 0x00, 0x00, 0x0a, 0x08, 0x00, 0x45, 0, 0, 28, 0, 0, 0, 0, 64, 1, ...Array(10).fill(0)]);
const ARP = Uint8Array.from([...Array(12).fill(0xff), 0x08, 0x06, ...Array(28).fill(0)]);

let seq = 0;
const ev = (frameId: number, port: string, frame?: Uint8Array, action: TraceAction = 'deliver'): TraceEvent => ({
  seq: ++seq,
  time: seq,
  frameId,
  copyId: 1,
  parentCopyId: 0,
  node: port.split(':')[0]!,
  port,
  action,
  detail: '',
  ...(frame ? { frame, point: 'PortInput' as const } : {}),
});

describe('live batches keep a client’s own frames', () => {
  it('isPingFrame: ARP, ICMP (behind a VLAN tag) and ICMPv6 are a ping’s; UDP is not', () => {
    expect(isPingFrame(ARP)).toBe(true);
    expect(isPingFrame(ICMP)).toBe(true);
    expect(isPingFrame(UDP)).toBe(false);
    const v6 = Uint8Array.from([...Array(12).fill(0), 0x86, 0xdd, 0x60, 0, 0, 0, 0, 8, 58, 64, ...Array(32).fill(0)]);
    expect(isPingFrame(v6)).toBe(true);
  });

  it('a sent frame older than the listed tail is listed for its sender (and named in own), summarised for the others; the counts add up', () => {
    const live = new LiveEvents({ maxTracePerBatch: 50, maxQueue: 5000, snapshot: () => ({}) as LiveHello, intervalMs: 1e9 });
    const me = socket('me');
    const other = socket('other');
    live.addClient(me);
    live.addClient(other);
    try {
      live.keep('me', [7]);
      live.keep('nobody', [8]); // an unknown client: ignored
      for (const p of ['web-01:eth0', 'esxi-01:vSwitch0', 'app-01:eth0']) live.onTrace(ev(7, p));
      for (let i = 0; i < 1000; i++) live.onTrace(ev(1000 + i, 'noise:eth0', undefined, i % 2 ? 'deliver' : 'drop'));
      live.flush();
      const mine = me.updates[0]!;
      expect(mine.trace!.filter((e) => e.frameId === 7).map((e) => e.port)).toEqual(['web-01:eth0', 'esxi-01:vSwitch0', 'app-01:eth0']);
      expect(mine.trace).toHaveLength(53);
      expect(mine.own).toEqual([7]);
      expect(mine.summary!.omitted).toBe(950); // background only
      expect(mine.trace!.map((e) => e.seq)).toEqual([...mine.trace!.map((e) => e.seq)].sort((a, b) => a - b));
      const theirs = other.updates[0]!;
      expect(theirs.trace).toHaveLength(50);
      expect(theirs.trace!.some((e) => e.frameId === 7)).toBe(false);
      expect(theirs.own).toBeUndefined();
      expect(theirs.summary!.omitted).toBe(953);
      expect(mine.summary!.byAction.deliver! + mine.summary!.byAction.drop!).toBe(950);
    } finally {
      live.close();
    }
  });

  it('while a ping runs, the ARP/ICMP frames seen at its interface are the pinger\'s, all their events listed; UDP noise at the same interface and frames after the ping are not', () => {
    const live = new LiveEvents({ maxTracePerBatch: 20, maxQueue: 5000, snapshot: () => ({}) as LiveHello, intervalMs: 1e9 });
    const me = socket('me');
    live.addClient(me);
    try {
      const unwatch = live.watchPing('me', 'web-01:eth0');
      // the echo reply: first seen at the target, then delivered at the pinger's interface
      live.onTrace(ev(21, 'app-01:eth0', ICMP));
      live.onTrace(ev(21, 'esxi-01:vSwitch0'));
      live.onTrace(ev(21, 'web-01:eth0', ICMP));
      live.onTrace(ev(22, 'web-01:eth0', ARP));
      live.onTrace(ev(23, 'web-01:eth0', UDP)); // background flood delivered there too
      unwatch();
      live.onTrace(ev(24, 'web-01:eth0', ICMP)); // after the ping ended
      for (let i = 0; i < 500; i++) live.onTrace(ev(2000 + i, 'noise:eth0', UDP));
      live.flush();
      const u = me.updates[0]!;
      expect(u.trace!.filter((e) => e.frameId < 100).map((e) => `${e.frameId}@${e.port}`)).toEqual(['21@app-01:eth0', '21@esxi-01:vSwitch0', '21@web-01:eth0', '22@web-01:eth0']);
      expect(new Set(u.own)).toEqual(new Set([21, 22]));
      expect(u.summary!.omitted).toBe(500 + 6 - 20 - 4);
    } finally {
      live.close();
    }
  });

  it('own events survive the ring\'s overflow (a client behind by more than maxQueue): listed, not counted as dropped; a ping\'s frames are also known by the pinger\'s MAC', () => {
    const live = new LiveEvents({ maxTracePerBatch: 20, maxQueue: 100, snapshot: () => ({}) as LiveHello, intervalMs: 1e9 });
    const me = socket('me');
    live.addClient(me);
    try {
      const mac = Uint8Array.from(Array(6).fill(0xaa));
      live.keep('me', [7]);
      live.onTrace(ev(7, 'web-01:eth0'));
      const unwatch = live.watchPing('me', 'web-01:eth0', mac);
      live.onTrace(ev(31, 'app-01:eth0', ICMP)); // a reply to the pinger's MAC, first seen far away
      unwatch();
      for (let i = 0; i < 1000; i++) live.onTrace(ev(4000 + i, 'noise:eth0'));
      live.flush();
      const u = me.updates[0]!;
      expect(u.trace!.slice(0, 2).map((e) => e.frameId)).toEqual([7, 31]);
      expect(u.trace).toHaveLength(22);
      expect(u.dropped).toBe(1002 - 100 - 2);
      expect(u.summary!.omitted).toBe(1002 - 22);
    } finally {
      live.close();
    }
  });

  it('a flood sent at a rate: its later frames are known by their bytes entering at its interface, as many as were asked; the same bytes elsewhere are not', () => {
    const live = new LiveEvents({ maxTracePerBatch: 5, maxQueue: 5000, snapshot: () => ({}) as LiveHello, intervalMs: 1e9 });
    const me = socket('me');
    live.addClient(me);
    try {
      live.watchSent('me', 'web-01:eth0', UDP, 2);
      const ingress = (f: number, port: string, frame: Uint8Array): TraceEvent => ({ ...ev(f, port, frame), action: 'ingress' });
      live.onTrace(ingress(41, 'web-01:eth0', UDP));
      live.onTrace(ev(41, 'web-02:eth0', UDP));
      live.onTrace(ingress(42, 'laptop:eth0', UDP)); // same bytes, another interface
      live.onTrace(ingress(43, 'web-01:eth0', ICMP)); // other bytes
      live.onTrace(ingress(44, 'web-01:eth0', UDP));
      live.onTrace(ingress(45, 'web-01:eth0', UDP)); // past the count
      for (let i = 0; i < 100; i++) live.onTrace(ev(5000 + i, 'noise:eth0'));
      live.flush();
      const u = me.updates[0]!;
      expect(u.trace!.filter((e) => e.frameId < 100).map((e) => `${e.frameId}@${e.port}`)).toEqual(['41@web-01:eth0', '41@web-02:eth0', '44@web-01:eth0']);
      expect(new Set(u.own)).toEqual(new Set([41, 44]));
    } finally {
      live.close();
    }
  });

  it('a client with no own frame in its window shares the plain batch; a new topology forgets kept frames', () => {
    const live = new LiveEvents({ maxTracePerBatch: 10, maxQueue: 5000, snapshot: () => ({}) as LiveHello, intervalMs: 1e9 });
    const me = socket('me');
    live.addClient(me);
    try {
      live.keep('me', [5]);
      live.topologyLoaded({} as never);
      live.onTrace(ev(5, 'web-01:eth0'));
      for (let i = 0; i < 100; i++) live.onTrace(ev(3000 + i, 'noise:eth0'));
      live.flush();
      const u = me.updates[0]!;
      expect(u.trace).toHaveLength(10);
      expect(u.own).toBeUndefined();
    } finally {
      live.close();
    }
  });
});
