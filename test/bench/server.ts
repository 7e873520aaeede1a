/**
 * The server under load: a real server (real engine, topologies/default.json, real time) on a
 * random port; 100 socket.io clients connected; 1,000 frames/s sent over HTTP for 10 s
 * (POST /api/frames over a pool of 64 keep-alive connections, ICMP echo requests from web-01 to
 * web-02 and to the laptop behind tor-1, so every frame is also answered). Prints API latency
 * p50/p99 as the sender sees it and inside the server (a POST /api/frames answers once the
 * engine says the frame's events have settled, see routes/frames.ts), the CPU time of both
 * processes, what the live clients received, the server's event-loop delay, and its RSS and
 * heap before, at peak and after (after: following a GC when run with --expose-gc).
 *
 * The load runs in two child processes — this same file with `--load`: the live clients, then
 * (once they are connected) the sender — so that the server's event loop and memory figures are
 * the server's own, and the sender's latencies are not held up by the clients' JSON parsing. On a
 * 2-CPU machine the three processes share the CPUs: latencies include waiting for a CPU.
 *
 * `npm run bench -- server`, or alone:
 * `node --expose-gc --import tsx test/bench/server.ts [--clients N] [--connections N] [--rate N] [--seconds N]`.
 */
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { io as ioClient, type Socket } from 'socket.io-client';
import type { LiveUpdate } from '../../src/server/api-types.js';
import { startBenchServer } from './_bench-server.js';

const HERE = fileURLToPath(import.meta.url);
const ROOT = path.resolve(path.dirname(HERE), '../..');

interface LoadOptions {
  url: string;
  clients: number;
  /** keep-alive HTTP connections the sender uses (a pool, like a proxy or a browser's) */
  connections: number;
  rate: number;
  seconds: number;
}

interface LoadResult {
  clients: number;
  connectMs: number;
  sent: number;
  answered: number;
  statuses: Record<string, number>;
  failures: number;
  /** ms */
  p50: number;
  p99: number;
  max: number;
  achievedRate: number;
  updates: number;
  traceEvents: number;
  omitted: number;
  dropped: number;
  liveBytes: number;
  /** CPU seconds the load process used (user + system) */
  cpuSeconds: number;
}

const pct = (sorted: number[], p: number): number => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!);
const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MB`;

/** The child: connects the clients, sends the frames, prints one JSON line. */
async function load(o: LoadOptions): Promise<LoadResult> {
  const cpu0 = process.cpuUsage();
  const sockets: Socket[] = [];
  let updates = 0;
  let traceEvents = 0;
  let omitted = 0;
  let dropped = 0;
  let liveBytes = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: o.clients }, () => {
      const s = ioClient(o.url, { transports: ['websocket'], reconnection: false, forceNew: true });
      sockets.push(s);
      s.on('lab:update', (u: LiveUpdate) => {
        updates++;
        traceEvents += u.trace?.length ?? 0;
        omitted += u.summary?.omitted ?? 0;
        dropped += u.dropped ?? 0;
      });
      // bytes as they come off the wire (before parsing)
      s.io.engine.on('data', (d: unknown) => {
        liveBytes += typeof d === 'string' ? d.length : d instanceof ArrayBuffer ? d.byteLength : 0;
      });
      return new Promise<void>((resolve, reject) => {
        s.once('lab:hello', () => resolve());
        s.once('connect_error', reject);
      });
    }),
  );
  const connectMs = performance.now() - t0;
  console.log('ready'); // the parent starts the sender once the clients are connected

  // node:http over a bounded keep-alive pool: requests beyond it queue in the sender (and that
  // wait counts in the latency). fetch() opened a connection per concurrent request and spent
  // ~1 ms of the sender's CPU per request, so its latency measured the sender, not the server.
  const agent = new Agent({ keepAlive: true, maxSockets: o.connections });
  const target = new URL(`${o.url}api/frames`);
  const post = (body: string): Promise<number> =>
    new Promise<number>((resolve, reject) => {
      const req = request(target, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.on('data', () => {});
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  const bodies = ['10.0.0.22', '10.0.0.50'].map((dstIp) => JSON.stringify({ from: 'web-01:eth0', frame: { kind: 'icmp-echo', dstIp } }));
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let sent = 0;
  let failures = 0;
  let inFlight = 0;
  const maxInFlight = 2000;
  const start = performance.now();
  const end = start + o.seconds * 1000;
  const pending: Promise<void>[] = [];
  const sendOne = async (): Promise<void> => {
    const body = bodies[sent % bodies.length]!;
    sent++;
    inFlight++;
    const t = performance.now();
    try {
      const status = await post(body);
      statuses[status] = (statuses[status] ?? 0) + 1;
      latencies.push(performance.now() - t);
    } catch {
      failures++;
    } finally {
      inFlight--;
    }
  };
  if (o.rate === 0) {
    // live clients only: until the parent says the sender is done (stdin closed)
    process.stdin.resume();
    await new Promise((r) => process.stdin.once('end', r));
  }
  while (o.rate > 0 && performance.now() < end) {
    const due = Math.floor(((performance.now() - start) / 1000) * o.rate);
    while (sent < due && inFlight < maxInFlight) pending.push(sendOne());
    await new Promise((r) => setTimeout(r, 2));
  }
  const sendSeconds = (performance.now() - start) / 1000;
  await Promise.all(pending);
  await new Promise((r) => setTimeout(r, 300)); // last live batches
  for (const s of sockets) s.close();
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    clients: sockets.length,
    connectMs,
    sent,
    answered: latencies.length,
    statuses,
    failures,
    p50: pct(latencies, 50),
    p99: pct(latencies, 99),
    max: latencies[latencies.length - 1] ?? NaN,
    achievedRate: sent / sendSeconds,
    updates,
    traceEvents,
    omitted,
    dropped,
    liveBytes,
    cpuSeconds: ((u) => (u.user + u.system) / 1e6)(process.cpuUsage(cpu0)),
  };
}

function memory(): { rss: number; heap: number } {
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed };
}

export async function run(options: Partial<Omit<LoadOptions, 'url'>> = {}): Promise<void> {
  const clients = options.clients ?? 100;
  const connections = options.connections ?? 64;
  const rate = options.rate ?? 1000;
  const seconds = options.seconds ?? 10;
  const server = await startBenchServer(rate * 2);
  try {
    // a first frame warms the engine, the ARP caches and the JIT
    await fetch(`${server.url}api/frames`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: 'web-01:eth0', frame: { kind: 'icmp-echo', dstIp: '10.0.0.50' } }),
    });
    const before = memory();
    let peak = before;
    const sampler = setInterval(() => {
      const m = memory();
      peak = { rss: Math.max(peak.rss, m.rss), heap: Math.max(peak.heap, m.heap) };
    }, 100);
    // server-side time of each POST /api/frames: request parsed -> response finished
    const serverTimes: number[] = [];
    const onRequest = (req: { method?: string; url?: string }, res: { once(ev: 'finish', fn: () => void): unknown }): void => {
      if (req.method !== 'POST' || req.url !== '/api/frames') return;
      const t = performance.now();
      res.once('finish', () => serverTimes.push(performance.now() - t));
    };
    server.http.prependListener('request', onRequest);
    let opened = 0;
    const onConnection = (): void => {
      opened++;
    };
    server.http.on('connection', onConnection);
    const cpu0 = process.cpuUsage();
    const RESOLUTION_MS = 10;
    const lag = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    const load0 = loadavg()[0]!;
    lag.enable();
    const t0 = performance.now();
    // two load processes: the live clients (parsing ~100 MB/s of JSON would hold up a sender
    // in the same event loop, and its latencies would be its own), then the sender
    const spawnLoad = (role: { clients: number; rate: number }, onReady?: () => void): Promise<LoadResult> => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', HERE, '--load', server.url, '--clients', String(role.clients), '--connections', String(connections), '--rate', String(role.rate), '--seconds', String(seconds)],
        { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] },
      );
      if (role.rate === 0) liveStdin = child.stdin;
      else child.stdin.end();
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        if (onReady && out.includes('ready\n')) {
          onReady();
          onReady = undefined;
        }
      });
      return new Promise<LoadResult>((resolve, reject) =>
        child.on('close', (code) => {
          if (code !== 0) reject(new Error(`a load process failed (exit ${code}): ${out}`));
          else resolve(JSON.parse(out.trim().split('\n').pop()!) as LoadResult);
        })
      );
    };
    let liveStdin: NodeJS.WritableStream | undefined;
    const live = spawnLoad({ clients, rate: 0 }, () => {
      const sender = spawnLoad({ clients: 0, rate });
      // the clients stop when the sender is done
      sender.finally(() => liveStdin?.end()).catch(() => {});
      senderDone(sender);
    });
    let senderDone!: (p: Promise<LoadResult>) => void;
    const senderStarted = new Promise<Promise<LoadResult>>((r) => (senderDone = r));
    live.catch(() => senderDone(Promise.reject(new Error('the live clients failed'))));
    const liveResult = await live;
    const sendResult = await (await senderStarted);
    const r: LoadResult = {
      ...sendResult,
      clients: liveResult.clients,
      connectMs: liveResult.connectMs,
      updates: liveResult.updates,
      traceEvents: liveResult.traceEvents,
      omitted: liveResult.omitted,
      dropped: liveResult.dropped,
      liveBytes: liveResult.liveBytes,
      cpuSeconds: sendResult.cpuSeconds + liveResult.cpuSeconds,
    };
    const wall = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    server.http.off('request', onRequest);
    server.http.off('connection', onConnection);
    serverTimes.sort((a, b) => a - b);
    lag.disable();
    clearInterval(sampler);
    // with --expose-gc: what stays reachable once the load is over
    (globalThis as { gc?: () => void }).gc?.();
    const after = memory();
    const statuses = Object.entries(r.statuses)
      .map(([s, n]) => `${s}×${n}`)
      .join(' ');
    const lagMs = (v: number): string => Math.max(0, v / 1e6 - RESOLUTION_MS).toFixed(1);
    console.log(
      `server: default topology, real time, ${r.clients} socket.io clients (connected in ${r.connectMs.toFixed(0)} ms), ${wall.toFixed(1)} s; ` +
        `${availableParallelism()} CPUs, load average ${load0.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after (the load runs in two more processes)`,
    );
    console.log(
      `POST /api/frames  sent ${r.sent} at ${
        r.achievedRate.toFixed(0)
      }/s (target ${rate}/s for ${seconds} s); answers ${statuses}; failures ${r.failures}; ${opened} TCP connections opened (pool of ${connections})`,
    );
    console.log(`API latency       p50 ${r.p50.toFixed(1)} ms  p99 ${r.p99.toFixed(1)} ms  max ${r.max.toFixed(1)} ms  (an answer waits until the frame's events settle)`);
    console.log(
      `  in the server   p50 ${pct(serverTimes, 50).toFixed(1)} ms  p99 ${pct(serverTimes, 99).toFixed(1)} ms  max ${
        (serverTimes[serverTimes.length - 1] ?? NaN).toFixed(1)
      } ms  (request parsed -> response finished)`,
    );
    console.log(
      `CPU               server ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s, sender ${sendResult.cpuSeconds.toFixed(1)} s, live clients ${liveResult.cpuSeconds.toFixed(1)} s, in ${
        wall.toFixed(1)
      } s`,
    );
    console.log(
      `live              ${r.updates} lab:update batches (${
        (r.updates / r.clients / seconds).toFixed(1)
      }/s per client), ${r.traceEvents} trace events listed, ${r.omitted} summarised, ${r.dropped} dropped; ${mb(r.liveBytes)} received in all`,
    );
    console.log(`event-loop delay  p50 ${lagMs(lag.percentile(50))} ms  p99 ${lagMs(lag.percentile(99))} ms  max ${lagMs(lag.max)} ms  (server process)`);
    console.log(`server memory     RSS ${mb(before.rss)} before, ${mb(peak.rss)} peak, ${mb(after.rss)} after; heap ${mb(before.heap)} before, ${mb(peak.heap)} peak, ${mb(after.heap)} after`);
  } finally {
    await server.close();
  }
}

const argv1 = process.argv[1];
if (argv1 !== undefined && pathToFileURL(path.resolve(argv1)).href === import.meta.url) {
  const { values } = parseArgs({
    options: { load: { type: 'string' }, clients: { type: 'string' }, connections: { type: 'string' }, rate: { type: 'string' }, seconds: { type: 'string' } },
  });
  const num = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v));
  if (values.load !== undefined) {
    const r = await load({ url: values.load, clients: num(values.clients) ?? 100, connections: num(values.connections) ?? 64, rate: num(values.rate) ?? 1000, seconds: num(values.seconds) ?? 10 });
    console.log(JSON.stringify(r));
    process.exit(0);
  } else {
    const opts: Partial<Omit<LoadOptions, 'url'>> = {};
    const c = num(values.clients);
    const rt = num(values.rate);
    const sc = num(values.seconds);
    if (c !== undefined) opts.clients = c;
    const cn = num(values.connections);
    if (cn !== undefined) opts.connections = cn;
    if (rt !== undefined) opts.rate = rt;
    if (sc !== undefined) opts.seconds = sc;
    await run(opts);
    process.exit(0);
  }
}
