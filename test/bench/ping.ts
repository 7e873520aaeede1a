/**
 * Real-time ping latency (`npm run bench -- ping`): how much wall time the lab adds to a round
 * trip when its virtual clock follows the wall clock (issue: "well under 1 ms of added latency").
 * A real server on topologies/default.json, vmk0 on esxi-01 pinging the laptop behind tor-1 (two
 * links and a physical switch each way), ARP cached first:
 *   - in process: LabSession.startPing -> its result callback, and the virtual RTT it reports;
 *   - over HTTP: POST /api/ping against POST /api/decode (the same JSON request path, no lab work).
 * 200 samples each, p50 and p99 printed.
 */
import { startBenchServer } from './_bench-server.js';

const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const us = (ms: number): string => `${(ms * 1000).toFixed(0)} µs`;

interface PingResult {
  received: number;
  replies: { rttNs: number }[];
}

export async function run(samples = 200): Promise<void> {
  const server = await startBenchServer(samples * 4);
  try {
    const to = (server.session.state.topology.physicalHosts.find((h) => h.name === 'laptop')!.nics[0]!.ipv4 ?? '').split('/')[0]!;
    const post = async (route: string, body: unknown): Promise<string> =>
      (await fetch(new URL(route, server.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).text();
    const first = JSON.parse(await post('/api/ping', { from: 'esxi-01:vmk0', to, count: 1 })) as PingResult;
    if (first.received !== 1) throw new Error(`ping esxi-01:vmk0 -> ${to} got no reply`);

    const added: number[] = [];
    const virtual: number[] = [];
    for (let i = 0; i < samples; i++) {
      const t0 = performance.now();
      const r = await new Promise<PingResult>((resolve) => server.session.startPing('esxi-01:vmk0', to, { count: 1 }, (x) => resolve(x)));
      added.push(performance.now() - t0);
      virtual.push(r.replies[0]!.rttNs / 1e6);
    }
    const httpPing: number[] = [];
    const httpBase: number[] = [];
    for (let i = 0; i < samples; i++) {
      let t0 = performance.now();
      await post('/api/decode', { hex: 'ffffffffffff005056a100010806' });
      httpBase.push(performance.now() - t0);
      t0 = performance.now();
      await post('/api/ping', { from: 'esxi-01:vmk0', to, count: 1 });
      httpPing.push(performance.now() - t0);
    }
    console.log(`ping esxi-01:vmk0 -> laptop (${to}) in real time, ${samples} samples; virtual RTT ${us(pct(virtual, 50))}`);
    console.log(`  in process, startPing -> result: p50 ${us(pct(added, 50))}, p99 ${us(pct(added, 99))} (target: well under 1 ms)`);
    console.log(
      `  over HTTP, POST /api/ping: p50 ${us(pct(httpPing, 50))}, p99 ${us(pct(httpPing, 99))}; POST /api/decode p50 ${us(pct(httpBase, 50))}; ` +
        `added by the ping p50 ${us(pct(httpPing, 50) - pct(httpBase, 50))}`,
    );
  } finally {
    await server.close();
  }
}
