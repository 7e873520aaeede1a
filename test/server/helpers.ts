import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTopologyFileSync } from '../../src/files/topology-file.js';
import type { TopologyDoc } from '../../src/topology/schema.js';
import { startServer, type RunningServer, type StartOptions } from '../../src/server/server.js';
import { io as ioClient, type Socket } from 'socket.io-client';
import type { LiveHello, LiveUpdate } from '../../src/server/api-types.js';
import { createLab, type Lab, type LabOptions } from '../../src/engine/index.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DEFAULT_TOPOLOGY = path.join(ROOT, 'topologies', 'default.json');

export function defaultTopology(): TopologyDoc {
  const r = loadTopologyFileSync(DEFAULT_TOPOLOGY);
  if (!r.ok) throw new Error(`default.json invalid: ${JSON.stringify(r.errors)}`);
  return r.topology;
}

export interface TestServer extends RunningServer {
  /** every lab the server made, oldest first (a topology load makes a new one) */
  labs: Lab[];
  /** the current lab */
  lab(): Lab;
  /** how many frames the server injected into each lab (by lab) */
  injected(lab?: Lab): number;
  api(p: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
}

export interface TestServerOptions extends Partial<StartOptions> {
  /** options of every lab the server makes (e.g. a long link latency to keep frames in flight) */
  lab?: LabOptions;
}

/**
 * A real server on 127.0.0.1, random port, over the real engine on topologies/default.json. It
 * records the labs it makes and counts the frames injected into each (for "nothing injected").
 */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const { lab: labOptions, ...serverOptions } = options;
  const labs: Lab[] = [];
  const counts = new WeakMap<Lab, number>();
  const r = loadTopologyFileSync(DEFAULT_TOPOLOGY);
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    initial: { result: r, source: DEFAULT_TOPOLOGY },
    createLab: (t) => {
      const l = createLab(t, { history: true, ...labOptions });
      const inject = l.inject.bind(l);
      counts.set(l, 0);
      l.inject = (...args: Parameters<Lab['inject']>) => {
        counts.set(l, (counts.get(l) ?? 0) + 1);
        return inject(...args);
      };
      labs.push(l);
      return l;
    },
    staticDir: path.join(ROOT, 'test', 'server', 'no-such-dir'),
    sendSettleMs: 500,
    ...serverOptions,
  });
  const base = server.url.replace(/\/$/, '');
  const current = (): Lab => {
    const l = labs[labs.length - 1];
    if (!l) throw new Error('the server made no lab');
    return l;
  };
  return Object.assign(server, {
    labs,
    lab: current,
    injected: (l?: Lab) => counts.get(l ?? current()) ?? 0,
    api: (p: string, init: RequestInit & { json?: unknown } = {}) => {
      const { json, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (json !== undefined) headers.set('content-type', 'application/json');
      return fetch(base + p, { ...rest, headers, ...(json !== undefined ? { body: JSON.stringify(json) } : {}) });
    },
  });
}

export interface EngineServer extends RunningServer {
  base: string;
  api(p: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
  get<T = unknown>(p: string): Promise<T>;
  post(p: string, body: unknown): Promise<Response>;
}

/** A real server on 127.0.0.1, random port, over the real engine, on `topologies/<example>.json`. */
export async function startEngineServer(example = 'default', options: Partial<StartOptions> = {}): Promise<EngineServer> {
  const file = path.join(ROOT, 'topologies', `${example}.json`);
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    initial: { result: loadTopologyFileSync(file), source: file },
    staticDir: path.join(ROOT, 'test', 'server', 'no-such-dir'),
    sendSettleMs: 1000,
    ...options,
  });
  const base = server.url.replace(/\/$/, '');
  const api = (p: string, init: RequestInit & { json?: unknown } = {}): Promise<Response> => {
    const { json, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (json !== undefined) headers.set('content-type', 'application/json');
    return fetch(base + p, { ...rest, headers, ...(json !== undefined ? { body: JSON.stringify(json) } : {}) });
  };
  return Object.assign(server, {
    base,
    api,
    get: async <T = unknown>(p: string): Promise<T> => {
      const res = await api(p);
      if (res.status !== 200) throw new Error(`GET ${p}: ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    },
    post: (p: string, body: unknown) => api(p, { method: 'POST', json: body }),
  });
}

/** Reads a JSON answer, checking it is never a stack trace. */
export async function jsonOf<T = Record<string, unknown>>(res: Response): Promise<T> {
  const text = await res.text();
  if (/\n\s+at /.test(text)) throw new Error(`a stack trace in the answer: ${text}`);
  return JSON.parse(text) as T;
}

export interface LiveClient {
  socket: Socket;
  hello: LiveHello;
  updates: LiveUpdate[];
  /** Resolves with the first batch (received so far or later) that `pred` accepts; rejects after `ms`. */
  waitFor(pred: (u: LiveUpdate) => boolean, ms?: number): Promise<LiveUpdate>;
  close(): void;
}

/** A socket.io client of `url`, connected (its lab:hello received). */
export async function liveClient(url: string): Promise<LiveClient> {
  const socket = ioClient(url, { transports: ['websocket'], reconnection: false });
  const updates: LiveUpdate[] = [];
  socket.on('lab:update', (u: LiveUpdate) => updates.push(u));
  const hello = await new Promise<LiveHello>((resolve, reject) => {
    socket.once('lab:hello', resolve);
    socket.once('connect_error', reject);
  });
  return {
    socket,
    hello,
    updates,
    waitFor: async (pred, ms = 30_000) => {
      const end = Date.now() + ms;
      for (;;) {
        const u = updates.find(pred);
        if (u) return u;
        if (Date.now() > end) throw new Error(`no matching lab:update within ${ms} ms (${updates.length} received)`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    close: () => socket.close(),
  };
}

/** Whole enhanced packet blocks (type 6) in a little-endian pcapng byte stream. */
export function enhancedPacketBlocks(b: Buffer): number {
  let n = 0;
  for (let off = 0; off + 12 <= b.length;) {
    const len = b.readUInt32LE(off + 4);
    if (len < 12 || off + len > b.length) break;
    if (b.readUInt32LE(off) === 6) n++;
    off += len;
  }
  return n;
}
