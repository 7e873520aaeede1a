import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as ioClient, type Socket } from 'socket.io-client';
import type { LiveHello, LiveUpdate } from '../../src/server/api-types.js';
import { LiveEvents, type LiveSocket } from '../../src/server/live-events.js';
import type { TraceEvent } from '../../src/engine/index.js';
import type { Lab } from '../../src/engine/index.js';
import { startTestServer, type TestServer } from './helpers.js';

// a short broadcast from web-01 (default) and the same from web-10 (vlans: its own source MAC, or S3 drops it)
const FRAME_HEX = 'ffffffffffff005056a10001080600010800060400010050';
const FRAME_HEX_10 = 'ffffffffffff005056a11001080600010800060400010050';
/**
 * `n` frames of `bytes` bytes from web-01:eth0 (default topology) tagged VLAN 30: the VLAN ID 0 port
 * group drops each at ingress (V1, VLAN_MISMATCH). Runs them through the real engine at once and
 * answers how many trace events they made.
 */
function floodDrops(lab: Lab, n: number, bytes = 64): number {
  const frame = new Uint8Array(bytes);
  frame.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x50, 0x56, 0xa1, 0x00, 0x01, 0x81, 0x00, 0x00, 0x1e, 0x08, 0x00]);
  let events = 0;
  const stop = lab.trace.subscribe(() => events++);
  try {
    for (let i = 0; i < n; i++) lab.inject('web-01:eth0', frame);
    lab.run();
  } finally {
    stop();
  }
  return events;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function connect(s: TestServer): Promise<{ c: Socket; hello: LiveHello; updates: LiveUpdate[]; times: number[] }> {
  return new Promise((resolve, reject) => {
    const c = ioClient(s.url, { transports: ['websocket'], reconnection: false });
    const updates: LiveUpdate[] = [];
    const times: number[] = [];
    c.on('lab:update', (u: LiveUpdate) => {
      updates.push(u);
      times.push(performance.now());
    });
    c.on('lab:hello', (hello: LiveHello) => resolve({ c, hello, updates, times }));
    c.on('connect_error', reject);
  });
}

async function until(cond: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await sleep(10);
}

describe('socket.io live events', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => {
    await s.close();
  });

  it('hello carries the topology and clock; a load sends the new topology; a frame sends its trace events and counters', async () => {
    const { c, hello, updates } = await connect(s);
    try {
      expect(hello.topology.topology.name).toBe('default');
      expect(hello.clock.mode).toBe('realtime');

      await s.api('/api/topology', { method: 'POST', json: { example: 'vlans' } });
      await until(() => updates.some((u) => u.topology));
      const t = updates.find((u) => u.topology)!;
      expect(t.topology!.source).toBe('example:vlans');
      expect(t.clock).toBeDefined();

      const sent = (await (await s.api('/api/frames', { method: 'POST', json: { from: 'web-10:eth0', frame: { kind: 'hex', hex: FRAME_HEX_10 } } })).json()) as {
        frameIds: number[];
        events: unknown[];
      };
      const mine = () => updates.flatMap((u) => u.trace ?? []).filter((e) => e.frameId === sent.frameIds[0]);
      await until(() => mine().length >= sent.events.length);
      const trace = mine();
      // the live stream carries the same events the answer listed: in at web-10, delivered somewhere
      expect(trace.length).toBe(sent.events.length);
      expect(trace[0]).toMatchObject({ action: 'ingress', port: 'web-10:eth0', frameLength: FRAME_HEX_10.length / 2 });
      expect(trace.some((e) => e.action === 'deliver')).toBe(true);
      // frame bytes travel by default, as each point saw them: the UI decodes and colours them
      expect(trace[0]!.frameHex).toBe(FRAME_HEX_10);
      const withBytes = trace.filter((e) => e.frameLength !== undefined);
      expect(withBytes.length).toBeGreaterThan(1);
      expect(withBytes.every((e) => typeof e.frameHex === 'string' && e.frameHex.length === 2 * e.frameLength!)).toBe(true);
      await until(() => updates.some((u) => u.counters !== undefined));
      expect(updates.some((u) => u.counters !== undefined)).toBe(true);
    } finally {
      c.close();
    }
  });

  it('several clients get the same events, each with the frame bytes; frameHex: false sends the length only', async () => {
    const clients = await Promise.all([connect(s), connect(s), connect(s)]);
    const lean = await startTestServer({ live: { frameHex: false } });
    const leanClient = await connect(lean);
    try {
      const vlans = s.lab().topology.name === 'vlans';
      const hex = vlans ? FRAME_HEX_10 : FRAME_HEX;
      const sent = (await (await s.api('/api/frames', { method: 'POST', json: { from: vlans ? 'web-10:eth0' : 'web-01:eth0', frame: { kind: 'hex', hex } } })).json()) as { frameIds: number[] };
      const mine = (u: LiveUpdate[]): LiveUpdate['trace'] => u.flatMap((x) => x.trace ?? []).filter((e) => e.frameId === sent.frameIds[0]);
      await until(() => clients.every((c) => mine(c.updates)!.length >= 2));
      const first = mine(clients[0].updates)!;
      expect(first[0]!.frameHex).toBe(hex);
      expect(first.filter((e) => e.frameLength !== undefined).every((e) => typeof e.frameHex === 'string')).toBe(true);
      for (const c of clients) expect(mine(c.updates)).toEqual(first);

      await lean.api('/api/frames', { method: 'POST', json: { from: 'web-01:eth0', frame: { kind: 'hex', hex: FRAME_HEX } } });
      await until(() => leanClient.updates.flatMap((u) => u.trace ?? []).length >= 2);
      const leanTrace = leanClient.updates.flatMap((u) => u.trace ?? []);
      expect(leanTrace.length).toBeGreaterThanOrEqual(2);
      expect(leanTrace.every((e) => e.frameHex === undefined)).toBe(true);
      expect(leanTrace[0]!.frameLength).toBe(FRAME_HEX.length / 2);
    } finally {
      for (const c of clients) c.c.close();
      leanClient.c.close();
      await lean.close();
    }
  });

  it('throttling: a flood of trace events gives at most ~20 emits per second, the excess summarised', async () => {
    const { c, updates, times } = await connect(s);
    try {
      await sleep(100);
      updates.length = 0;
      times.length = 0;
      await s.api('/api/topology', { method: 'POST', json: { example: 'default' } });
      // heavy traffic over many ticks: 200 rounds of 300 dropped frames, a few ms apart
      let sent = 0;
      for (let round = 0; round < 200; round++) {
        sent += floodDrops(s.lab(), 300);
        await sleep(5);
      }
      const counted = () => updates.reduce((n, u) => n + (u.trace?.length ?? 0) + (u.summary?.omitted ?? 0), 0);
      await until(() => counted() >= sent, 60_000);
      expect(updates.length).toBeGreaterThan(5);
      // `batch` is the tick number: never two batches in one tick (receive times jitter under load; this does not)
      for (let i = 1; i < updates.length; i++) expect(updates[i]!.batch).toBeGreaterThan(updates[i - 1]!.batch);
      const listed = updates.reduce((n, u) => n + (u.trace?.length ?? 0), 0);
      const omitted = updates.reduce((n, u) => n + (u.summary?.omitted ?? 0), 0);
      expect(omitted).toBeGreaterThan(0);
      expect(updates.every((u) => (u.trace?.length ?? 0) <= 200)).toBe(true);
      // every event is either listed or counted
      expect(listed + omitted).toBe(sent);
      const drops = updates.reduce((n, u) => n + (u.summary?.dropsByReason.VLAN_MISMATCH ?? 0), 0);
      expect(drops).toBeGreaterThan(0);
    } finally {
      c.close();
    }
  });
});

describe('bounded per-client queues', () => {
  function fakeSocket(): LiveSocket & { busy: boolean; emitted: { event: string; payload: unknown }[] } {
    const sock = {
      id: 'slow',
      busy: true,
      emitted: [] as { event: string; payload: unknown }[],
      emit(event: string, payload: unknown) {
        sock.emitted.push({ event, payload });
        return true;
      },
      get conn() {
        return { writeBuffer: sock.busy ? [1] : [], transport: { writable: !sock.busy } };
      },
    };
    return sock;
  }
  const ev = (i: number): TraceEvent => ({
    seq: i,
    time: i,
    frameId: i,
    copyId: 1,
    parentCopyId: 0,
    node: 'a',
    port: 'a:eth0',
    action: i % 2 ? 'deliver' : 'drop',
    detail: '',
    ...(i % 2 ? {} : { reason: 'FORGED_TRANSMIT' as const }),
  });

  it('a client that never reads keeps at most maxQueue events; the oldest are dropped and counted', () => {
    const live = new LiveEvents({ maxQueue: 1000, snapshot: () => ({}) as LiveHello, intervalMs: 1e9 });
    const sock = fakeSocket();
    live.addClient(sock);
    try {
      const heapBefore = process.memoryUsage().heapUsed;
      for (let i = 0; i < 200_000; i++) {
        live.onTrace(ev(i));
        if (i % 10_000 === 0) live.flush(); // ticks happen; the client stays busy
      }
      const stats = live.clientStats('slow')!;
      expect(stats.queued).toBe(1000);
      expect(stats.dropped).toBe(199_000);
      expect(sock.emitted.filter((e) => e.event === 'lab:update')).toHaveLength(0);
      expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(50 * 1024 * 1024);

      sock.busy = false;
      live.flush();
      const u = sock.emitted.find((e) => e.event === 'lab:update')!.payload as LiveUpdate;
      expect(u.dropped).toBe(199_000);
      expect(u.trace).toHaveLength(200);
      expect(u.trace![199]!.seq).toBe(199_999); // the most recent are kept
      expect(u.summary!.omitted).toBe(199_000 + 800);
      expect(u.summary!.dropsByReason.FORGED_TRANSMIT).toBe(100_000 - 100);
      expect(live.clientStats('slow')!.queued).toBe(0);
    } finally {
      live.close();
    }
  });

  it('one shared queue: a stalled client loses only its own events; a client that keeps up loses none; a late joiner starts from when it joined', () => {
    const live = new LiveEvents({ maxQueue: 100, maxTracePerBatch: 1000, snapshot: () => ({}) as LiveHello, intervalMs: 1e9 });
    const slow = fakeSocket();
    const fast = Object.assign(fakeSocket(), { id: 'fast', busy: false });
    const fast2 = Object.assign(fakeSocket(), { id: 'fast2', busy: false });
    live.addClient(slow);
    live.addClient(fast);
    live.addClient(fast2);
    try {
      const updatesOf = (s: typeof fast): LiveUpdate[] => s.emitted.filter((e) => e.event === 'lab:update').map((e) => e.payload as LiveUpdate);
      for (let i = 0; i < 1000; i++) {
        live.onTrace(ev(i));
        if (i % 50 === 49) live.flush();
      }
      // the clients that kept up got every event, in order, nothing lost
      for (const f of [fast, fast2]) {
        const got = updatesOf(f).flatMap((u) => u.trace ?? []).map((e) => e.seq);
        expect(got).toEqual(Array.from({ length: 1000 }, (_, i) => i));
        expect(updatesOf(f).some((u) => u.dropped !== undefined || u.summary !== undefined)).toBe(false);
      }
      // in step from their second batch on: the same batch object for both (one encoding through socket.io)
      expect(updatesOf(fast)[0]).toEqual(updatesOf(fast2)[0]);
      expect(updatesOf(fast).slice(1).every((u, i) => u === updatesOf(fast2)[i + 1])).toBe(true);
      // the stalled one: its queue bound, the rest counted
      expect(live.clientStats('slow')).toMatchObject({ queued: 100, dropped: 900 });
      const late = Object.assign(fakeSocket(), { id: 'late', busy: false });
      live.addClient(late);
      live.onTrace(ev(1000));
      slow.busy = false;
      live.flush();
      const s = updatesOf(slow)[0]!;
      // event 1000 pushed out one more of its full queue
      expect(s.dropped).toBe(901);
      expect(s.trace!.map((e) => e.seq)).toEqual(Array.from({ length: 100 }, (_, i) => 901 + i));
      expect(updatesOf(late).flatMap((u) => u.trace ?? []).map((e) => e.seq)).toEqual([1000]);
      expect(updatesOf(fast).at(-1)!.trace!.map((e) => e.seq)).toEqual([1000]);
    } finally {
      live.close();
    }
  });

  it('a stalled websocket client does not make the server buffer without bound', async () => {
    // big batches (frames as hex, the default) so that the kernel's socket buffers fill within a second
    const s = await startTestServer({ live: { maxTracePerBatch: 2000, maxQueue: 3000 } });
    try {
      const c = ioClient(s.url, { transports: ['websocket'], reconnection: false });
      await new Promise<void>((r) => c.on('lab:hello', () => r()));
      // stop reading from the TCP socket
      const ws = (c.io.engine.transport as unknown as { ws: { _socket: { pause(): void } } }).ws;
      ws._socket.pause();
      const id = [...(s.io.sockets.sockets.keys())][0]!;
      for (let round = 0; round < 40; round++) {
        floodDrops(s.lab(), 300, 1500);
        await sleep(25);
      }
      const stats = s.live.clientStats(id)!;
      // the client stopped keeping up: the server skipped it and dropped the oldest events
      expect(stats.dropped).toBeGreaterThan(0);
      expect(stats.queued).toBeLessThanOrEqual(stats.capacity);
      const conn = s.io.sockets.sockets.get(id)!.conn as unknown as { writeBuffer: unknown[] };
      expect(conn.writeBuffer.length).toBeLessThanOrEqual(1);
      c.close();
    } finally {
      await s.close();
    }
  });
});
