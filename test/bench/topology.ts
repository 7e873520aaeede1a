/**
 * Topology loading: parse + shape check + reference checks + warnings for a generated
 * 100-host x 50-VM topology (target: under 1 s); then bounded validation (issue 17): documents
 * of about 5 MB with 200,000 or more mistakes of three kinds (target: under 2 s of CPU each), the
 * size curve of one kind (linear: the time per issue stays flat), and a real server's event
 * loop while it validates a 5 MB upload (target: it never blocks more than 100 ms). Prints
 * figures; asserts nothing. Times are CPU time (user + system, GC threads included), median of
 * rounds; JSON.parse of the same text is printed for scale on a shared machine.
 */
import { request } from 'node:http';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../src/server/server.js';
import { countIssues } from '../../src/topology/issue.js';
import { loadTopologyText, validateTopology } from '../../src/topology/load.js';
import { loadTopologyFileSync } from '../../src/files/topology-file.js';
import type { TopologyInput } from '../../src/topology/schema.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const hex = (n: number) => n.toString(16).padStart(2, '0');
const mac = (prefix: string, n: number) => `${prefix}:${hex((n >> 16) & 0xff)}:${hex((n >> 8) & 0xff)}:${hex(n & 0xff)}`;

export function generateTopology(hostCount: number, vmsPerHost: number): TopologyInput {
  const t: Required<Pick<TopologyInput, 'hosts' | 'vms' | 'physicalSwitches' | 'links'>> & TopologyInput = {
    version: 1,
    name: `bench-${hostCount}x${vmsPerHost}`,
    hosts: [],
    vms: [],
    physicalSwitches: [{ name: 'core-1', ports: [] }],
    links: [],
  };
  let vmMac = 0;
  for (let h = 0; h < hostCount; h++) {
    const host = `esxi-${h + 1}`;
    t.hosts.push({
      name: host,
      nics: [
        { name: 'vmnic0', mac: mac('00:1b:21', h * 2) },
        { name: 'vmnic1', mac: mac('00:1b:21', h * 2 + 1) },
      ],
      vswitches: [
        {
          name: 'vSwitch0',
          uplinks: ['vmnic0', 'vmnic1'],
          policy: { teaming: { active: ['vmnic0'], standby: ['vmnic1'] } },
          portGroups: [
            { name: 'Management Network', vlan: 0 },
            { name: 'vMotion', vlan: 30 },
            { name: 'VM Network', vlan: 10 },
          ],
        },
      ],
      vmkernel: [
        { name: 'vmk0', portGroup: 'Management Network', mac: mac('00:1b:21', h * 2), ipv4: `10.0.${h >> 8}.${(h & 0xff) + 1}/16` },
        { name: 'vmk1', portGroup: 'vMotion', mac: mac('00:50:56', 0x700000 + h), ipv4: `10.30.${h >> 8}.${(h & 0xff) + 1}/16`, netstack: 'vmotion', services: ['vmotion'] },
      ],
    });
    for (let v = 0; v < vmsPerHost; v++) {
      vmMac++;
      t.vms.push({
        name: `vm-${h + 1}-${v + 1}`,
        host,
        nics: [{ name: 'eth0', portGroup: 'VM Network', mac: mac('00:50:56', vmMac), ipv4: `10.10.${vmMac >> 8}.${vmMac & 0xff}/16` }],
      });
    }
    for (const n of [0, 1]) {
      const port = `eth${h * 2 + n + 1}`;
      t.physicalSwitches[0]!.ports.push({ name: port, mode: 'trunk', allowedVlans: [1, 10, 30], nativeVlan: 1 });
      t.links.push({ a: `${host}:vmnic${n}`, b: `core-1:${port}` });
    }
  }
  return t;
}

/** Mistakes by the hundred thousand, each kind about 5 MB as text. */
export const MISTAKES: Record<string, (n: number) => Record<string, unknown>> = {
  'unknown fields': (n) => {
    const d: Record<string, unknown> = { version: 1, name: 'unknown-fields' };
    for (let i = 0; i < n; i++) d[`unknown-field-${i}`] = 1;
    return d;
  },
  'dangling links (2 per link)': (n) => ({
    version: 1,
    name: 'dangling',
    links: Array.from({ length: n / 2 }, (_, i) => ({ a: `sw-${i}:eth1`, b: `sw-${i}:eth2` })),
  }),
  'wrong types (3 per VM)': (n) => ({ version: 1, name: 'types', vms: Array.from({ length: Math.ceil(n / 3) }, (_, i) => ({ name: i, nics: 'none' })) }),
};

function cpuMs(fn: () => void): number {
  const c = process.cpuUsage();
  fn();
  const u = process.cpuUsage(c);
  return (u.user + u.system) / 1000;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function medianCpuMs(rounds: number, fn: () => void): number {
  return cpuRounds(rounds, fn).median;
}

interface Rounds {
  median: number;
  min: number;
  max: number;
}

/** CPU time of `fn` over `rounds` rounds (after one warm-up round that reaches the optimised code). */
function cpuRounds(rounds: number, fn: () => void): Rounds {
  fn();
  const t: number[] = [];
  for (let i = 0; i < rounds; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    t.push(cpuMs(fn));
  }
  return { median: median(t), min: Math.min(...t), max: Math.max(...t) };
}

const VALIDATION_TARGET_MS = 2000;

function againstTarget(r: Rounds): string {
  return `median ${r.median.toFixed(0)} ms (min ${r.min.toFixed(0)}, max ${r.max.toFixed(0)}) vs < ${VALIDATION_TARGET_MS} ms: ${r.median < VALIDATION_TARGET_MS ? 'met' : 'MISSED'}`;
}

export async function boundedValidation(): Promise<void> {
  const rounds = 5;
  console.log(`bounded validation: ~5 MB documents, 200,000+ issues, CPU time of ${rounds} rounds after a warm-up (target < ${VALIDATION_TARGET_MS} ms each)`);
  for (const [kind, make] of Object.entries(MISTAKES)) {
    const text = JSON.stringify(make(200_000), null, 1);
    let issues = 0;
    // text (a file, or a {text} upload): positions for the issues listed
    const load = cpuRounds(rounds, () => {
      const r = loadTopologyText(text);
      issues = countIssues(r.errors);
    });
    const parse = medianCpuMs(3, () => JSON.parse(text));
    const value = JSON.parse(text) as unknown;
    const validate = cpuRounds(rounds, () => validateTopology(value));
    console.log(`  ${kind}: ${(text.length / 1e6).toFixed(1)} MB, ${issues} issues (JSON.parse alone ${parse.toFixed(0)} ms)`);
    console.log(`    text with line:column: ${againstTarget(load)}`);
    console.log(`    parsed value:          ${againstTarget(validate)}`);
  }
  console.log('size curve (unknown fields, text with positions): linear means flat µs per issue');
  for (const n of [25_000, 50_000, 100_000, 200_000]) {
    const text = JSON.stringify(MISTAKES['unknown fields']!(n), null, 1);
    const ms = medianCpuMs(3, () => loadTopologyText(text));
    console.log(`  ${String(n).padStart(7)} issues: ${ms.toFixed(0).padStart(5)} ms, ${((ms * 1000) / n).toFixed(1)} µs per issue`);
  }
}

function post(url: string, route: string, body: string | Buffer): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(route, url), { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

export async function eventLoopWhileValidating(): Promise<void> {
  const file = path.join(ROOT, 'topologies', 'default.json');
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    initial: { result: loadTopologyFileSync(file), source: file },
    staticDir: path.join(ROOT, 'test', 'bench', 'no-web-ui'),
  });
  try {
    console.log(
      `server event loop while it validates a 5 MB upload (POST /api/topology/validate; max delay, target < 100 ms; wall time: load average ${
        loadavg()[0]!.toFixed(1)
      } on ${availableParallelism()} CPUs stretches it):`,
    );
    console.log('  (left on the event loop: reading the body and handing its text to the worker, which parses it; the small answer back)');
    // warm the validation worker up, so its start is not measured
    await post(server.url, '/api/topology/validate', JSON.stringify({ example: 'default' }));
    for (const [kind, make] of Object.entries(MISTAKES)) {
      // encoded before the watch starts: the client's own work is not the server's
      const body = Buffer.from(JSON.stringify({ topology: make(kind.startsWith('unknown') ? 190_000 : 200_000) }));
      const h = monitorEventLoopDelay({ resolution: 5 });
      h.enable();
      const t0 = performance.now();
      const res = await post(server.url, '/api/topology/validate', body);
      const wall = performance.now() - t0;
      h.disable();
      const maxMs = h.max / 1e6;
      console.log(
        `  ${kind}: ${(body.length / 1e6).toFixed(1)} MB -> ${res.status} (${(res.bytes / 1024).toFixed(0)} KB answer) in ${wall.toFixed(0)} ms; event loop max delay ${maxMs.toFixed(0)} ms, p99 ${
          (h.percentile(99) / 1e6).toFixed(0)
        } ms (${maxMs < 100 ? 'ok' : 'MISSED'})`,
      );
    }
  } finally {
    await server.close();
  }
}

export async function run(): Promise<void> {
  const text = JSON.stringify(generateTopology(100, 50), null, 2);
  const first = performance.now();
  const r = loadTopologyText(text);
  const firstMs = performance.now() - first;
  if (!r.ok) {
    console.log(`generated topology is invalid: ${r.errors[0]?.path} ${r.errors[0]?.message}`);
    return;
  }
  const runs = 5;
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) loadTopologyText(text);
  const avg = (performance.now() - t0) / runs;
  const bad = text.replace('"portGroup": "VM Network"', '"portGroup": "VM Netwrok"');
  const t1 = performance.now();
  const invalid = loadTopologyText(bad);
  const invalidMs = performance.now() - t1;
  console.log(`topology 100 hosts x 50 VMs (${(text.length / 1024 / 1024).toFixed(2)} MB, ${r.topology.vms.length} VMs, ${r.topology.links.length} links)`);
  console.log(`  load+validate: first ${firstMs.toFixed(0)} ms, mean of ${runs} ${avg.toFixed(0)} ms (target < 1000 ms)`);
  console.log(`  invalid copy (1 error, located): ${invalidMs.toFixed(0)} ms, ${invalid.ok ? 0 : invalid.errors.length} error`);
  await boundedValidation();
  await eventLoopWhileValidating();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await run();
