/**
 * A real server for the benchmarks: topologies/default.json, real time, 127.0.0.1 on a random
 * port, no web UI, and a frame-send rate limit the load can pass (the default, burst 100 requests
 * and 50/s per client, 2000 frames and 1000/s, would refuse a load generator).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, type RunningServer } from '../../src/server/server.js';
import { loadTopologyFileSync } from '../../src/files/topology-file.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function startBenchServer(requestsPerSecond: number): Promise<RunningServer> {
  const file = path.join(ROOT, 'topologies', 'default.json');
  return startServer({
    host: '127.0.0.1',
    port: 0,
    initial: { result: loadTopologyFileSync(file), source: file },
    staticDir: path.join(ROOT, 'test', 'bench', 'no-web-ui'),
    rateLimit: { burst: requestsPerSecond, perSecond: requestsPerSecond, frameBurst: requestsPerSecond, framesPerSecond: requestsPerSecond },
  });
}
