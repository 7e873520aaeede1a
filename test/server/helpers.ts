import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTopologyFileSync } from '../../src/topology/load.js';
import type { TopologyDoc } from '../../src/topology/schema.js';
import { startServer, type RunningServer, type StartOptions } from '../../src/server/server.js';
import { FakeLab } from './fake-lab.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DEFAULT_TOPOLOGY = path.join(ROOT, 'topologies', 'default.json');

export function defaultTopology(): TopologyDoc {
  const r = loadTopologyFileSync(DEFAULT_TOPOLOGY);
  if (!r.ok) throw new Error(`default.json invalid: ${JSON.stringify(r.errors)}`);
  return r.topology;
}

export interface TestServer extends RunningServer {
  labs: FakeLab[];
  /** the current fake lab */
  lab(): FakeLab;
  api(p: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
}

/** A real server on 127.0.0.1, random port, over the scripted FakeLab. */
export async function startTestServer(options: Partial<StartOptions> = {}): Promise<TestServer> {
  const labs: FakeLab[] = [];
  const r = loadTopologyFileSync(DEFAULT_TOPOLOGY);
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    initial: { result: r, source: DEFAULT_TOPOLOGY },
    createLab: (t) => {
      const l = new FakeLab(t);
      labs.push(l);
      return l;
    },
    staticDir: path.join(ROOT, 'test', 'server', 'no-such-dir'),
    sendSettleMs: 500,
    ...options,
  });
  const base = server.url.replace(/\/$/, '');
  return Object.assign(server, {
    labs,
    lab: () => labs[labs.length - 1]!,
    api: (p: string, init: RequestInit & { json?: unknown } = {}) => {
      const { json, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (json !== undefined) headers.set('content-type', 'application/json');
      return fetch(base + p, { ...rest, headers, ...(json !== undefined ? { body: JSON.stringify(json) } : {}) });
    },
  });
}
