/**
 * POST /api/frames answers when the engine says the frame settled (Lab.frameSettled), not by
 * polling: the engine's signal itself (real Lab, with and without shaping), the answer's timing
 * against the virtual clock (real lab with slow cables), the ways a wait ends incomplete, that
 * no wait outlives its request, and that live fan-out encodes a bounded number of batches.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLab, resolveFrameSpec, type TraceEvent } from '../../src/engine/index.js';
import type { LiveHello, LiveUpdate, SendFrameResponse } from '../../src/server/api-types.js';
import { LiveEvents } from '../../src/server/live-events.js';
import { loadTopologyFileSync } from '../../src/files/topology-file.js';
import { DEFAULT_TOPOLOGY, ROOT, startEngineServer, startTestServer } from './helpers.js';

function labOf(file: string) {
  const r = loadTopologyFileSync(file);
  if (!r.ok) throw new Error(`${file} does not load`);
  return createLab(r.topology);
}

// web-01 -> broadcast (ARP-like) and web-01 -> web-02 (unicast), as hex
const BROADCAST = 'ffffffffffff005056a100010806' + '0001080006040001005056a100010a000015000000000000000a000016';
const UNICAST = '005056a10002005056a100010800' + '00'.repeat(46);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('Lab.frameSettled (the engine says when a frame has nothing left to happen)', () => {
  it('false while any event of the frame is queued, true right after its last one ran; other frames do not count', () => {
    const lab = labOf(DEFAULT_TOPOLOGY);
    const events: TraceEvent[] = [];
    lab.trace.subscribe((e) => events.push(e));
    const bytes = resolveFrameSpec(lab, 'web-01:eth0', { kind: 'icmp-echo', dstIp: '10.0.0.50' });
    const a = lab.inject('web-01:eth0', bytes);
    const b = lab.inject('web-01:eth0', bytes);
    expect(lab.frameSettled(a)).toBe(false);
    expect(lab.frameSettled(b)).toBe(false);
    // step until a's last event: every step before it leaves a unsettled
    let lastOfA = -1;
    const settledAfter: boolean[] = [];
    while (lab.step()) {
      settledAfter.push(lab.frameSettled(a));
      if (events.at(-1)?.frameId === a) lastOfA = settledAfter.length - 1;
    }
    expect(lastOfA).toBeGreaterThan(0);
    // a went through a physical switch to the laptop: several steps, settled from its last one on
    expect(settledAfter.slice(0, lastOfA).every((s) => !s)).toBe(true);
    expect(settledAfter.slice(lastOfA).every((s) => s)).toBe(true);
    expect(events.some((e) => e.frameId === a && e.action === 'deliver' && e.port === 'laptop:eth0')).toBe(true);
    expect(lab.frameSettled(b)).toBe(true);
  });

  it('explain (a dry run on a private queue, even one cut short) leaves the signal as it was', () => {
    const lab = labOf(DEFAULT_TOPOLOGY);
    const bytes = resolveFrameSpec(lab, 'web-01:eth0', { kind: 'icmp-echo', dstIp: '10.0.0.50' });
    lab.explain('web-01:eth0', bytes);
    const id = lab.inject('web-01:eth0', bytes); // explain numbered its frame like this one
    expect(lab.frameSettled(id)).toBe(false);
    lab.run();
    expect(lab.frameSettled(id)).toBe(true);
  });

  it('a queued timer (ARP aging, beacons, a ping interval) belongs to no frame: frame ids on any slot settle while it waits', () => {
    const lab = labOf(DEFAULT_TOPOLOGY);
    const bytes = resolveFrameSpec(lab, 'web-01:eth0', { kind: 'icmp-echo', dstIp: '10.0.0.22' });
    lab.fabric.scheduleTimer(10_000_000_000, () => {}); // 10 s of virtual time away
    // inject until a frame id that shares its slot with the ids a timer would use (id 0 mod 4096)
    let id = lab.inject('web-01:eth0', bytes);
    while (id % 4096 !== 0) id = lab.inject('web-01:eth0', bytes);
    lab.run({ forNs: 1_000_000 }); // every frame crosses the vSwitch; the timer stays queued
    expect(lab.nextEventTime()).not.toBeNull();
    expect(lab.frameSettled(id)).toBe(true);
    expect(lab.frameSettled(id - 1)).toBe(true);
  });

  it('Q1: a frame waiting in a shaping queue is not settled (no event of it is queued meanwhile)', () => {
    const lab = labOf(path.join(ROOT, 'topologies', 'shaping.json'));
    const sink = lab.interfaces().find((i) => i.id === 'sink:eth0')!;
    const frame = new Uint8Array(1514);
    frame.set(Buffer.from(sink.mac!.replaceAll(':', ''), 'hex'), 0);
    frame.set(Buffer.from(lab.effectiveMac('bulk-01:eth0').replaceAll(':', ''), 'hex'), 6);
    frame[12] = 0x08;
    // more than the 125 000-byte burst: the last frames wait in the shaper
    const ids: number[] = [];
    for (let i = 0; i < 120; i++) ids.push(lab.inject('bulk-01:eth0', frame));
    lab.run({ forNs: 1_000_000 }); // 1 ms: the burst leaves, the rest waits for tokens
    const last = ids.at(-1)!;
    expect(lab.fabric.queuedOfFrame(last)).toBe(0); // nothing of it on the queue...
    expect(lab.frameSettled(last)).toBe(false); // ...but it is still to be sent
    // a frame of an unshaped VM settles meanwhile: the shaper holds bulk-01's copies, not every frame
    frame.set(Buffer.from(lab.effectiveMac('free-01:eth0').replaceAll(':', ''), 'hex'), 6);
    const free = lab.inject('free-01:eth0', frame);
    expect(lab.frameSettled(free)).toBe(false);
    lab.run({ forNs: 1_000_000 });
    expect(lab.counters('sink:eth0').rxFrames).toBeGreaterThan(0);
    expect(lab.frameSettled(free)).toBe(true);
    expect(lab.frameSettled(last)).toBe(false);
    lab.run();
    expect(lab.frameSettled(last)).toBe(true);
  });
});

describe('POST /api/frames waits for the engine, not a poll', () => {
  it('a broadcast whose cable hops take 150 ms each (virtual = wall time in real time): answered after its last event, complete, with it', async () => {
    const s = await startTestServer({ sendSettleMs: 20_000, lab: { linkLatencyNs: 150e6 } });
    try {
      const res = await s.api('/api/frames', { method: 'POST', json: { from: 'web-01:eth0', frame: { kind: 'hex', hex: BROADCAST } } });
      const body = (await res.json()) as SendFrameResponse;
      expect(body.complete).toBe(true);
      // the last event is the delivery at the physical host, two cables (300 ms of lab time) after the first
      const last = body.events.at(-1)!;
      expect(last).toMatchObject({ action: 'deliver', point: 'HostRx' });
      expect(last.time - body.events[0]!.time).toBeGreaterThanOrEqual(300e6);
      expect(s.session.frameWaits.size).toBe(0);
    } finally {
      await s.close();
    }
  });

  it('a frame that settles within the kick is answered at once; 200 in parallel leave no wait behind', async () => {
    const s = await startTestServer({ sendSettleMs: 20_000, rateLimit: { burst: 1000, perSecond: 1000 } });
    try {
      const send = () => s.api('/api/frames', { method: 'POST', json: { from: 'web-01:eth0', frame: { kind: 'hex', hex: UNICAST } } });
      const first = await send();
      const b = (await first.json()) as SendFrameResponse;
      expect(b.complete).toBe(true);
      const bodies = await Promise.all(Array.from({ length: 200 }, async () => (await (await send()).json()) as SendFrameResponse));
      // each answer has its own frame's events, and only them: in at web-01, out at web-02
      for (const body of bodies) {
        expect(body.complete).toBe(true);
        expect(body.events.every((e) => e.frameId === body.frameIds[0])).toBe(true);
        expect(body.events.filter((e) => e.point !== undefined).map((e) => `${e.port}:${e.point}`)).toEqual(['web-01:eth0:PortInput', 'web-02:eth0:PortOutput']);
      }
      expect(new Set(bodies.map((x) => x.frameIds[0])).size).toBe(200);
      expect(s.session.frameWaits.size).toBe(0);
      expect(s.session.frameWaits.pending.size).toBe(0);
    } finally {
      await s.close();
    }
  });

  it('ends incomplete at the deadline, when the clock is paused, and when another topology is loaded', async () => {
    const body = { from: 'web-01:eth0', frame: { kind: 'hex', hex: BROADCAST } };
    // cables take 10 s of lab time: the broadcast's copy on the uplink is still in flight when each wait ends
    const s = await startTestServer({ sendSettleMs: 150, lab: { linkLatencyNs: 10e9 } });
    try {
      const r1 = (await (await s.api('/api/frames', { method: 'POST', json: body })).json()) as SendFrameResponse;
      expect(r1.complete).toBe(false);
      // what happened before the deadline is there (the local delivery), the physical side is not
      expect(r1.events.some((e) => e.action === 'deliver' && e.port === 'web-02:eth0')).toBe(true);
      expect(r1.events.some((e) => e.point === 'HostRx')).toBe(false);
    } finally {
      await s.close();
    }

    const s2 = await startTestServer({ sendSettleMs: 600_000, lab: { linkLatencyNs: 10e9 } });
    try {
      const pending = s2.api('/api/frames', { method: 'POST', json: body });
      while (s2.session.frameWaits.size === 0) await sleep(5); // the request is waiting
      await s2.api('/api/clock', { method: 'POST', json: { mode: 'paused' } });
      const r2 = (await (await pending).json()) as SendFrameResponse;
      expect(r2.complete).toBe(false);

      await s2.api('/api/clock', { method: 'POST', json: { mode: 'realtime' } });
      const pending3 = s2.api('/api/frames', { method: 'POST', json: body });
      while (s2.session.frameWaits.size === 0) await sleep(5);
      const reload = await s2.api('/api/topology', { method: 'POST', json: { example: 'default' } });
      expect(reload.status).toBeLessThan(300);
      const r3 = (await (await pending3).json()) as SendFrameResponse;
      expect(r3.complete).toBe(false);
      expect(s2.session.frameWaits.size).toBe(0);
    } finally {
      await s2.close();
    }
  });

  it('over the real engine: the answer lists exactly the trace events of its frame, complete', async () => {
    const s = await startEngineServer();
    try {
      const all: TraceEvent[] = [];
      const stop = s.session.lab.trace.subscribe((e) => all.push(e));
      const res = await s.post('/api/frames', { from: 'web-01:eth0', frame: { kind: 'icmp-echo', dstIp: '10.0.0.50' } });
      stop();
      const body = (await res.json()) as SendFrameResponse;
      expect(body.complete).toBe(true);
      const id = body.frameIds[0]!;
      const expected = all.filter((e) => e.frameId === id).map((e) => e.seq);
      expect(expected.length).toBeGreaterThan(3);
      expect(body.events.map((e) => e.seq)).toEqual(expected);
    } finally {
      await s.close();
    }
  });
});

describe('live fan-out: a bounded number of encodings per tick', () => {
  it('clients at many different cursors: at most maxGroupsPerTick distinct batches a tick, the clients that waited longest first, until all share one batch again', () => {
    const live = new LiveEvents({ maxGroupsPerTick: 2, snapshot: () => ({}) as LiveHello, intervalMs: 1e9 });
    const socks = Array.from({ length: 10 }, (_, k) => {
      const sock = {
        id: `c${k}`,
        busy: false,
        got: [] as LiveUpdate[],
        emit(event: string, payload: unknown) {
          if (event === 'lab:update') sock.got.push(payload as LiveUpdate);
          return true;
        },
        get conn() {
          return { writeBuffer: sock.busy ? [1] : [], transport: { writable: !sock.busy } };
        },
      };
      return sock;
    });
    try {
      let seq = 0;
      // each client joins after a few more events: 10 different cursors
      for (const sk of socks) {
        live.addClient(sk);
        for (let i = 0; i < 3; i++) live.onTrace({ seq: seq++, time: 0, frameId: 1, copyId: 1, parentCopyId: 0, node: 'a', port: 'a:eth0', action: 'deliver', detail: '' });
      }
      const distinctPerTick: number[] = [];
      for (let t = 0; t < 12; t++) {
        if (t > 0) live.onTrace({ seq: seq++, time: 0, frameId: 1, copyId: 1, parentCopyId: 0, node: 'a', port: 'a:eth0', action: 'deliver', detail: '' });
        const before = socks.map((sk) => sk.got.length);
        live.flush();
        const sent = socks.filter((sk, k) => sk.got.length > before[k]!).map((sk) => sk.got.at(-1));
        distinctPerTick.push(new Set(sent).size);
      }
      expect(Math.max(...distinctPerTick)).toBeLessThanOrEqual(2);
      // every event reached every client, in order, none lost or counted twice
      for (const [k, sk] of socks.entries()) {
        const seqs = sk.got.flatMap((u) => u.trace ?? []).map((e) => e.seq);
        expect(seqs).toEqual(Array.from({ length: seq - 3 * k }, (_, i) => 3 * k + i));
      }
      // once caught up, they move together: the last tick had one batch object for all
      expect(distinctPerTick.at(-1)).toBe(1);
    } finally {
      live.close();
    }
  });
});
