/**
 * POST /api/ping over the real engine (topologies/default.json: vmk0 and two VMs on esxi-01,
 * vmnic0 to tor-1, a laptop on tor-1) with the engine's asynchronous startPing: in real time a
 * ping takes the virtual time it needs, and virtual time follows the wall clock; paused or
 * stepped, it waits in the queue (202) and the student steps through it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { PingPending, PingResponse, PingStateEntry, TopologyState } from '../../src/server/api-types.js';
import type { TopologyDoc } from '../../src/topology/schema.js';
import { jsonOf, liveClient, startEngineServer, type EngineServer } from './helpers.js';

type PingResult = PingResponse;

const servers: EngineServer[] = [];
afterEach(async () => {
  while (servers.length > 0) await servers.pop()!.close();
});
async function server(options: Parameters<typeof startEngineServer>[1] = {}): Promise<EngineServer> {
  const s = await startEngineServer('default', { rateLimit: { burst: 1000, perSecond: 1000 }, ...options });
  servers.push(s);
  return s;
}
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const ip = (doc: TopologyDoc, node: string): string => doc.physicalHosts.find((h) => h.name === node)!.nics[0]!.ipv4!.split('/')[0]!;

describe('POST /api/ping in real time', () => {
  it('E2: the answer comes when the ping is over; its virtual time followed the wall clock; live clients get the result', async () => {
    const s = await server();
    const doc = (await s.get<TopologyState>('/api/topology')).topology;
    const live = await liveClient(s.url);
    try {
      const interval = 200;
      const v0 = (await s.get<{ now: number }>('/api/clock')).now;
      const t0 = performance.now();
      const res = await s.post('/api/ping', { from: 'esxi-01:vmk0', to: ip(doc, 'laptop'), count: 3, intervalMs: interval });
      const wall = performance.now() - t0;
      expect(res.status).toBe(200);
      const r = await jsonOf<PingResponse>(res);
      expect(r).toMatchObject({ transmitted: 3, received: 3, done: true });
      // the printout `vswitch-lab ping` prints: vmkping's wording from a vmk, a line per reply
      const to = ip(doc, 'laptop');
      expect(r.output[0]).toBe(`PING ${to} (${to}) from esxi-01:vmk0: 56 data bytes`);
      expect(r.output.filter((l) => l.startsWith(`64 bytes from ${to}: icmp_seq=`)).map((l) => /icmp_seq=(\d+)/.exec(l)![1])).toEqual(['1', '2', '3']);
      expect(r.output).toContain('3 packets transmitted, 3 packets received, 0% packet loss');
      // three probes `interval` apart: at least two intervals of wall time, and of virtual time
      // (a busy machine can only make it longer: no upper bound)
      expect(wall).toBeGreaterThanOrEqual(2 * interval - 5);
      const v1 = (await s.get<{ now: number }>('/api/clock')).now;
      expect(v1 - v0).toBeGreaterThanOrEqual(2 * interval * 1e6);
      const entry = (await live.waitFor((u) => (u.state ?? []).some((e) => e.kind === 'ping'))).state!.find((e) => e.kind === 'ping') as PingStateEntry;
      expect(entry).toEqual({ kind: 'ping', from: 'esxi-01:vmk0', to: ip(doc, 'laptop'), result: r });
    } finally {
      live.close();
    }
  });

  // How much wall time that is, is measured by `npm run bench -- ping` (in process and over HTTP).
  it('in real time the lab adds no timer to a round trip: the reply is processed before startPing returns', async () => {
    const s = await server();
    const doc = (await s.get<TopologyState>('/api/topology')).topology;
    const to = ip(doc, 'laptop');
    expect((await jsonOf<PingResult>(await s.post('/api/ping', { from: 'esxi-01:vmk0', to, count: 1 }))).received).toBe(1); // ARP cached
    for (let i = 0; i < 20; i++) {
      let result: PingResult | undefined;
      s.session.startPing('esxi-01:vmk0', to, { count: 1 }, (x) => {
        result = x;
      });
      // one probe across two links and tor-1 and back, answered within the same call
      expect(result?.received).toBe(1);
      expect(result!.replies[0]!.rttNs).toBeLessThan(1_000_000);
    }
  });

  it('waits at most pingWaitMs, then 202 while the ping runs on; its result still reaches live clients', async () => {
    const s = await server({ pingWaitMs: 100 });
    const doc = (await s.get<TopologyState>('/api/topology')).topology;
    const live = await liveClient(s.url);
    try {
      const res = await s.post('/api/ping', { from: 'esxi-01:vmk0', to: ip(doc, 'laptop'), count: 2, intervalMs: 400 });
      // 202, not the result: the answer came before the ping (400 ms of lab time) was over
      expect(res.status).toBe(202);
      const p = await jsonOf<PingPending>(res);
      expect(p).toMatchObject({ pending: true, from: 'esxi-01:vmk0', to: ip(doc, 'laptop') });
      expect(p.message).toMatch(/still running/);
      const entry = (await live.waitFor((u) => (u.state ?? []).some((e) => e.kind === 'ping'))).state!.find((e) => e.kind === 'ping') as PingStateEntry;
      expect(entry.result).toMatchObject({ transmitted: 2, received: 2 });
    } finally {
      live.close();
    }
  });

  it('a topology loaded while a ping waits: 409 at once, not after the wait', async () => {
    // the ping takes 50 s of lab time and the request would wait for all of it
    const s = await server({ pingWaitMs: 600_000 });
    const doc = (await s.get<TopologyState>('/api/topology')).topology;
    const sent = (): number => (s.session.lab.counters('esxi-01:vmk0') as { txFrames: number }).txFrames;
    const before = sent();
    const pending = s.post('/api/ping', { from: 'esxi-01:vmk0', to: ip(doc, 'laptop'), count: 6, intervalMs: 10_000 });
    while (sent() === before) await sleep(5); // the ping is under way

    expect((await s.post('/api/topology', { example: 'default' })).status).toBe(200);
    const res = await pending;
    expect(res.status).toBe(409);
    expect((await jsonOf<{ error: string }>(res)).error).toMatch(/topology was replaced/);
  });
});

describe('POST /api/ping with the clock paused or stepped', () => {
  it('step: 202 at once, the probe waits in the queue; each step moves it on (ARP, echo, reply); the result arrives live', async () => {
    const s = await server();
    const doc = (await s.get<TopologyState>('/api/topology')).topology;
    expect((await s.post('/api/clock', { mode: 'step' })).status).toBe(200);
    const live = await liveClient(s.url);
    try {
      const before = await s.get<Record<string, { txFrames: number }>>('/api/counters');
      const res = await s.post('/api/ping', { from: 'esxi-01:vmk0', to: ip(doc, 'laptop'), count: 1 });
      expect(res.status).toBe(202);
      const p = await jsonOf<PingPending>(res);
      expect(p.pending).toBe(true);
      expect(p.clock.mode).toBe('step');
      expect(p.clock.next).not.toBeNull();
      expect(p.message).toMatch(/step/);
      // nothing has moved yet
      expect(await s.get('/api/counters')).toEqual(before);
      let steps = 0;
      const done = (): boolean => live.updates.some((u) => (u.state ?? []).some((e) => e.kind === 'ping'));
      while (!done() && steps < 500) {
        expect((await s.post('/api/clock/step', { count: 1 })).status).toBe(200);
        steps++;
        if (steps % 10 === 0) await sleep(60); // a live tick
      }
      await live.waitFor((u) => (u.state ?? []).some((e) => e.kind === 'ping'));
      // the request, the ARP exchange and the echo and its reply each took steps
      expect(steps).toBeGreaterThan(4);
      const entry = live.updates.flatMap((u) => u.state ?? []).find((e) => e.kind === 'ping') as PingStateEntry;
      expect(entry.result).toMatchObject({ transmitted: 1, received: 1, done: true });
      const after = await s.get<Record<string, { txFrames: number }>>('/api/counters');
      expect(after['laptop:eth0']!.txFrames).toBeGreaterThan(before['laptop:eth0']!.txFrames);
    } finally {
      live.close();
    }
  });

  it('paused: 202; setting the clock to realtime runs the queued ping', async () => {
    const s = await server();
    const doc = (await s.get<TopologyState>('/api/topology')).topology;
    expect((await s.post('/api/clock', { mode: 'paused' })).status).toBe(200);
    const live = await liveClient(s.url);
    try {
      expect((await s.post('/api/ping', { from: 'esxi-01:vmk0', to: ip(doc, 'laptop'), count: 1 })).status).toBe(202);
      // a marker: an accepted change's live update; updates arrive in order, so a ping result sent
      // while paused would have come before it (no wait on the wall clock)
      expect((await s.post('/api/changes', { kind: 'vnic-connect', iface: 'web-02:eth0', connected: false })).status).toBeLessThan(300);
      await live.waitFor((u) => (u.state ?? []).some((e) => e.kind === 'change'));
      expect(live.updates.some((u) => (u.state ?? []).some((e) => e.kind === 'ping'))).toBe(false);
      expect((await s.post('/api/clock', { mode: 'realtime' })).status).toBe(200);
      const u = await live.waitFor((x) => (x.state ?? []).some((e) => e.kind === 'ping'));
      expect((u.state!.find((e) => e.kind === 'ping') as PingStateEntry).result).toMatchObject({ received: 1 });
    } finally {
      live.close();
    }
  });
});

describe('POST /api/ping refuses bad input, starting nothing', () => {
  it('unknown interface, not an endpoint, bad address or numbers, malformed JSON -> 400; the queue stays empty', async () => {
    const s = await server();
    expect((await s.post('/api/clock', { mode: 'paused' })).status).toBe(200);
    const cases: [unknown, RegExp][] = [
      [{ from: 'esxi-01:vmk9', to: '10.0.0.50' }, /esxi-01:vmk9/],
      [{ from: 'esxi-01:vmnic0', to: '10.0.0.50' }, /not an endpoint/],
      [{ from: 'esxi-01:vmk0', to: '10.0.0.300' }, /invalid request body/],
      [{ from: 'esxi-01:vmk0', to: '10.0.0.50', count: 0 }, /invalid request body/],
      [{ from: 'esxi-01:vmk0' }, /invalid request body/],
    ];
    for (const [body, says] of cases) {
      const res = await s.post('/api/ping', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await jsonOf<{ error: string }>(res)).error).toMatch(says);
    }
    const bad = await s.api('/api/ping', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"from":' });
    expect(bad.status).toBe(400);
    expect((await s.get<{ next: number | null }>('/api/clock')).next).toBeNull();
  });
});
