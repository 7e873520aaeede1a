/**
 * The server over the real engine (createLab, resolveFrameSpec, the topology loader) on
 * topologies/default.json: web-01, web-02 and vmk0 on esxi-01's vSwitch0, vmnic0 to tor-1, and a
 * laptop on tor-1.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as ioClient } from 'socket.io-client';
import type { LiveUpdate, SendFrameResponse } from '../../src/server/api-types.js';
import { loadTopologyFileSync } from '../../src/files/topology-file.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import type { TraceEvent } from '../../src/engine/index.js';
import { DEFAULT_TOPOLOGY, ROOT, enhancedPacketBlocks } from './helpers.js';

let s: RunningServer;
let base: string;
const tmp = mkdtempSync(path.join(tmpdir(), 'vswitch-lab-e2e-'));
const post = (p: string, body: unknown): Promise<Response> => fetch(base + p, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

beforeAll(async () => {
  s = await startServer({
    host: '127.0.0.1',
    port: 0,
    initial: { result: loadTopologyFileSync(DEFAULT_TOPOLOGY), source: DEFAULT_TOPOLOGY },
    staticDir: path.join(ROOT, 'test', 'server', 'no-such-dir'),
    sendSettleMs: 1000,
  });
  base = s.url.replace(/\/$/, '');
});
afterAll(async () => {
  await s.close();
});

describe('server over the real engine', () => {
  it('F2: an icmp-echo FrameSpec from web-01 to web-02 is delivered inside the vSwitch; the trace comes back', async () => {
    const res = await post('/api/frames', { from: 'web-01:eth0', frame: { kind: 'icmp-echo', dstIp: '10.0.0.22' } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as SendFrameResponse;
    expect(body.complete).toBe(true);
    const delivers = body.events.filter((e) => e.action === 'deliver').map((e) => e.port);
    expect(delivers).toEqual(['web-02:eth0']);
    expect(body.events[0]!.frameHex!.slice(0, 24)).toBe('005056a10002005056a10001'); // dst web-02, src web-01 (defaults)
  });

  it('real time: a frame crosses the lab (two links, a physical switch) within the kick that starts it: no timer added', async () => {
    const res = await post('/api/frames', { from: 'web-01:eth0', frame: { kind: 'icmp-echo', dstIp: '10.0.0.50' } });
    const body = (await res.json()) as SendFrameResponse;
    expect(body.events.some((e) => e.action === 'deliver' && e.port === 'laptop:eth0')).toBe(true);
    // In process: inject, then the clock driver's kick, 50 times: the laptop has it when kick() returns.
    const lab = s.session.lab;
    const clock = s.session.clock;
    const frame = Buffer.from(body.events[0]!.frameHex!, 'hex');
    let deliveredAt = 0;
    const stop = lab.trace.subscribe((e: TraceEvent) => {
      if (e.action === 'deliver' && e.port === 'laptop:eth0') deliveredAt = performance.now();
    });
    try {
      for (let i = 0; i < 50; i++) {
        deliveredAt = 0;
        clock.sync();
        lab.inject('web-01:eth0', frame);
        clock.kick();
        expect(deliveredAt).toBeGreaterThan(0); // delivered before kick() returned: no timer in between
        await new Promise((r) => setTimeout(r, 2));
      }
    } finally {
      stop();
    }
  });

  it('E2: ping from vmk0 to web-01 and to the laptop succeeds; an unknown interface is a 400', async () => {
    const r1 = (await (await post('/api/ping', { from: 'esxi-01:vmk0', to: '10.0.0.21', count: 1 })).json()) as { received: number; replies: unknown[] };
    expect(r1.received).toBe(1);
    const r2 = (await (await post('/api/ping', { from: 'esxi-01:vmk0', to: '10.0.0.50', count: 2, intervalMs: 10 })).json()) as { received: number };
    expect(r2.received).toBe(2);
    const bad = await post('/api/ping', { from: 'esxi-01:vmk9', to: '10.0.0.50' });
    expect(bad.status).toBe(400);
  });

  it('ARP caches and MAC tables reflect the traffic; counters count it', async () => {
    const arp = (await (await fetch(`${base}/api/arp/esxi-01:vmk0`)).json()) as { ip: string }[];
    expect(arp.map((e) => e.ip)).toContain('10.0.0.50');
    const table = (await (await fetch(`${base}/api/mac-tables/tor-1`)).json()) as unknown[];
    expect(table.length).toBeGreaterThan(0);
    const c = (await (await fetch(`${base}/api/counters/web-02:eth0`)).json()) as { rxFrames: number };
    expect(c.rxFrames).toBeGreaterThan(0);
    const ifs = (await (await fetch(`${base}/api/interfaces`)).json()) as { id: string }[];
    expect(ifs.map((i) => i.id)).toContain('esxi-01:vmnic0');
  });

  it('O2: explain is a dry run naming rules; counters do not move', async () => {
    const before = (await (await fetch(`${base}/api/counters/web-02:eth0`)).json()) as { rxFrames: number };
    const res = await post('/api/explain', { from: 'web-01:eth0', frame: { kind: 'icmp-echo', dstIp: '10.0.0.22' } });
    expect(res.status).toBe(200);
    const ex = (await res.json()) as { steps: { rule?: string }[]; copies: { at: string; delivered: boolean }[] };
    expect(ex.copies).toEqual([expect.objectContaining({ at: 'web-02:eth0', delivered: true })]);
    expect(ex.steps.some((st) => st.rule !== undefined)).toBe(true);
    const after = (await (await fetch(`${base}/api/counters/web-02:eth0`)).json()) as { rxFrames: number };
    expect(after.rxFrames).toBe(before.rxFrames);
  });

  it('a bad FrameSpec field is a 400 naming the field; nothing is sent', async () => {
    const before = (await (await fetch(`${base}/api/counters/web-01:eth0`)).json()) as { txFrames: number };
    const res = await post('/api/frames', { from: 'web-01:eth0', frame: { kind: 'udp', dstIp: '10.0.0.22', dstPort: 53, payloadHex: 'xyz' } });
    expect(res.status).toBe(400);
    const after = (await (await fetch(`${base}/api/counters/web-01:eth0`)).json()) as { txFrames: number };
    expect(after.txFrames).toBe(before.txFrames);
  });

  it('socket.io receives the trace events of a frame sent through the API', async () => {
    const c = ioClient(s.url, { transports: ['websocket'], reconnection: false });
    const updates: LiveUpdate[] = [];
    c.on('lab:update', (u: LiveUpdate) => updates.push(u));
    await new Promise<void>((r) => c.on('lab:hello', () => r()));
    try {
      const body = (await (await post('/api/frames', { from: 'web-01:eth0', frame: { kind: 'arp-request', targetIp: '10.0.0.22' } })).json()) as SendFrameResponse;
      const id = body.frameIds[0]!;
      // until the deliveries are heard (no deadline: the test's timeout guards a hang)
      while (!updates.some((u) => u.trace?.some((e) => e.frameId === id && e.action === 'deliver'))) await new Promise((r) => setTimeout(r, 20));
      const trace = updates.flatMap((u) => u.trace ?? []).filter((e) => e.frameId === id);
      expect(trace.filter((e) => e.action === 'deliver').map((e) => e.port)).toEqual(expect.arrayContaining(['web-02:eth0', 'esxi-01:vmk0', 'laptop:eth0']));
    } finally {
      c.close();
    }
  });

  it('O1: live capture at web-01 PortInput and vmnic0 UplinkSnd, read by tshark', async () => {
    const ac = new AbortController();
    const res = await fetch(`${base}/api/capture/live?points=web-01:eth0:PortInput,esxi-01:vmnic0:UplinkSnd`, { signal: ac.signal });
    const reader = res.body!.getReader();
    const chunks: Uint8Array[] = [(await reader.read()).value!];
    await post('/api/frames', { from: 'web-01:eth0', frame: { kind: 'icmp-echo', dstIp: '10.0.0.50' } });
    // read until two whole packet blocks have arrived (chunks may hold one packet or several; no deadline)
    while (enhancedPacketBlocks(Buffer.concat(chunks)) < 2) {
      const r = await reader.read();
      if (r.done) break;
      chunks.push(r.value);
    }
    ac.abort();
    const file = path.join(tmp, 'live.pcapng');
    writeFileSync(file, Buffer.concat(chunks));
    const out = execFileSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.interface_name', '-e', '_ws.col.Protocol', '-e', 'ip.dst'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out.trim().split('\n')).toEqual(['web-01:eth0 PortInput\tICMP\t10.0.0.50', 'esxi-01:vmnic0 UplinkSnd\tICMP\t10.0.0.50']);
  });

  it('runtime: a cable down stops the ping to the laptop, up again restores it; socket.io hears of it', async () => {
    const c = ioClient(s.url, { transports: ['websocket'], reconnection: false });
    const updates: LiveUpdate[] = [];
    c.on('lab:update', (u: LiveUpdate) => updates.push(u));
    await new Promise<void>((r) => c.on('lab:hello', () => r()));
    try {
      const down = await post('/api/links/state', { iface: 'esxi-01:vmnic0', up: false });
      expect(down.status).toBe(200);
      expect(((await down.json()) as { up: boolean }).up).toBe(false);
      const p1 = (await (await post('/api/ping', { from: 'esxi-01:vmk0', to: '10.0.0.50', count: 1, timeoutMs: 50 })).json()) as { received: number };
      expect(p1.received).toBe(0);
      expect((await post('/api/links/state', { iface: 'esxi-01:vmnic0', up: true })).status).toBe(200);
      const p2 = (await (await post('/api/ping', { from: 'esxi-01:vmk0', to: '10.0.0.50', count: 1 })).json()) as { received: number };
      expect(p2.received).toBe(1);
      const changes = (): unknown[] => updates.flatMap((u) => u.state ?? []).filter((e) => e.kind === 'change');
      while (changes().length < 2) await new Promise((r) => setTimeout(r, 20));
      // the older route is a wrapper over the runtime change `link`: clients hear of it as one
      expect(changes()).toEqual([
        { kind: 'change', change: { kind: 'link', iface: 'esxi-01:vmnic0', up: false }, rarps: expect.any(Number) },
        { kind: 'change', change: { kind: 'link', iface: 'esxi-01:vmnic0', up: true }, rarps: expect.any(Number) },
      ]);
    } finally {
      c.close();
    }
  });

  it('runtime: a disconnected vNIC receives nothing; bad requests change nothing', async () => {
    expect((await post('/api/vnics/state', { iface: 'web-02:eth0', connected: false })).status).toBe(200);
    const sent = (await (await post('/api/frames', { from: 'web-01:eth0', frame: { kind: 'icmp-echo', dstIp: '10.0.0.22' } })).json()) as SendFrameResponse;
    expect(sent.events.some((e) => e.action === 'deliver' && e.port === 'web-02:eth0')).toBe(false);
    expect((await post('/api/vnics/state', { iface: 'web-02:eth0', connected: true })).status).toBe(200);
    // a vmk is not a vNIC: refused (409), nothing changes
    const bad = await post('/api/vnics/state', { iface: 'esxi-01:vmk0', mac: '00:50:56:00:00:99' });
    expect(bad.status).toBe(409);
    expect((await post('/api/vnics/state', { iface: 'web-02:eth0' })).status).toBe(400);
    expect((await post('/api/links/state', { iface: 'tor-1:eth9', up: false })).status).toBe(400);
    const ifs = (await (await fetch(`${base}/api/interfaces`)).json()) as { id: string; up: boolean; mac?: string }[];
    expect(ifs.find((i) => i.id === 'esxi-01:vmk0')!.mac).toBe('00:1b:21:3a:4c:10');
    expect(ifs.every((i) => i.id.startsWith('tor-1') || i.up)).toBe(true);
  });
});
