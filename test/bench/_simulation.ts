/**
 * Simulation mode figures for `npm run bench -- web` (issue 12):
 *   - the engine's history (src/engine/snapshot.ts): bytes kept per 10,000 processed events, and
 *     the CPU time of restoring the start, the middle and the end of a 10,000-event history, on
 *     the default lab and on a generated lab of ~10,000 interfaces (restore rebuilds the lab and
 *     re-runs its journal, so it grows with the lab's size and the events re-run);
 *   - step latency in the browser: a click on Step to the step's events in the page's list and
 *     the next animation frame, median of rounds, on the default lab and on a 2,000-node lab.
 * Printed against targets, nothing asserted.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { createLab, type Lab } from '../../src/engine/index.js';
import { validateTopology } from '../../src/topology/load.js';
import type { TopologyDoc } from '../../src/topology/schema.js';
import { generatedTopology } from '../web/generated-topology.js';
import { ROOT } from '../web/lab-server.js';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const against = (name: string, value: number, target: number, unit: string): string =>
  `${name}: ${value < 10 ? value.toFixed(2) : Math.round(value)} ${unit} (target < ${target} ${unit}) ${value < target ? 'ok' : 'MISSED'}`;

function doc(value: unknown): TopologyDoc {
  const r = validateTopology(value);
  if (!r.ok) throw new Error(`bench topology invalid: ${JSON.stringify(r.errors.slice(0, 3))}`);
  return r.topology;
}

/** CPU ms of `fn`, median of `rounds`. */
function cpuMs(rounds: number, fn: () => void): number {
  const xs: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const c0 = process.cpuUsage();
    fn();
    const c = process.cpuUsage(c0);
    xs.push((c.user + c.system) / 1000);
  }
  return median(xs);
}

/** Pings between endpoint pairs, stepped, until `events` were processed. */
function fillHistory(lab: Lab, pairs: Array<[string, string]>, events: number): void {
  let n = 0;
  let k = 0;
  while (n < events) {
    const [from, to] = pairs[k++ % pairs.length]!;
    lab.startPing(from, to, { count: 1, timeoutMs: 50 }, () => {});
    while (n < events && lab.step()) n++;
  }
}

function engineFigures(name: string, topology: TopologyDoc, pairs: Array<[string, string]>): void {
  const lab = createLab(topology, { history: true });
  const ifaces = lab.interfaces().length;
  const start = lab.snapshot();
  const heap0 = process.memoryUsage().heapUsed;
  fillHistory(lab, pairs, 5000);
  const middle = lab.snapshot();
  fillHistory(lab, pairs, 5000);
  const end = lab.snapshot();
  const h = lab.history();
  const eventsKept = end.position - start.position;
  const mbPer10k = (h.bytes / 1048576) * (10_000 / eventsKept);
  const back = cpuMs(5, () => lab.restore(start));
  const mid = cpuMs(5, () => lab.restore(middle));
  const last = cpuMs(5, () => lab.restore(end));
  // with the fresh lab built ahead (the server calls prepareRestore after answering)
  const prepared: number[] = [];
  for (let i = 0; i < 5; i++) {
    lab.prepareRestore();
    prepared.push(cpuMs(1, () => lab.restore(i % 2 === 0 ? middle : end)));
  }
  const prep = median(prepared);
  const heap = (process.memoryUsage().heapUsed - heap0) / 1048576;
  console.log(
    `simulation, ${name} (${ifaces} interfaces): history ${against('per 10,000 events', mbPer10k, 1, 'MB')} (journal of ${eventsKept} positions; heap grew ${heap.toFixed(1)} MB meanwhile, limit ${h.limitBytes / 1048576} MB); ` +
      `restore CPU: ${against('the start', back, 500, 'ms')}, ${against('the middle (5,000 events re-run)', mid, 500, 'ms')}, ${against('the end (10,000 re-run)', last, 1000, 'ms')}; ${against('the middle or end, prepared ahead (as the server does)', prep, 250, 'ms')}`,
  );
}

export function simulationEngine(): void {
  const def = doc(JSON.parse(readFileSync(path.join(ROOT, 'topologies', 'default.json'), 'utf8')));
  engineFigures('default lab', def, [
    ['web-01:eth0', '10.0.0.22'],
    ['web-02:eth0', '10.0.0.21'],
  ]);
  // ~10,000 interfaces: 100 hosts x (2 vmnics + vmk + 95 vNICs) + 10 racks x 20 ports
  const big = doc(generatedTopology(100, 95));
  const vms = (big.vms as Array<{ name: string; nics: Array<{ ipv4?: string }> }>).slice(0, 40);
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i + 4 < vms.length; i++) pairs.push([`${vms[i]!.name}:eth0`, vms[i + 4]!.nics[0]!.ipv4!.split('/')[0]!]);
  engineFigures('generated 100 hosts x 95 VMs', big, pairs);
}

/** Click on Step -> the step's events in the page's store and the next frame drawn; ms, median. */
async function stepLatency(page: Page, url: string, from: string, frame: Record<string, unknown>, rounds: number): Promise<number> {
  const ev = <T>(expr: string): Promise<T> => page.evaluate(expr) as Promise<T>;
  const post = (route: string, body: unknown) => fetch(new URL(route, url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await page.selectOption('#sim-mode', 'simulation');
  await page.waitForFunction('!document.querySelector("#sim-step").disabled');
  const xs: number[] = [];
  for (let i = 0; i < rounds; i++) {
    if (i % 4 === 0) {
      await post('/api/frames', { from, frame });
      await ev('window.vswitchLab.sim.refresh()');
      await page.waitForFunction('window.vswitchLab.sim.position && window.vswitchLab.sim.position.next !== null');
    }
    const before = await ev<number>('window.vswitchLab.store.length');
    const t0 = await ev<number>('performance.now()');
    await page.click('#sim-step');
    await page.waitForFunction(`window.vswitchLab.store.length > ${before} || window.vswitchLab.sim.position.next === null`);
    await page.waitForFunction('new Promise((r) => requestAnimationFrame(() => r(true)))');
    xs.push((await ev<number>('performance.now()')) - t0);
  }
  await page.selectOption('#sim-mode', 'realtime');
  return median(xs);
}

export async function simulationBrowser(page: Page, url: string): Promise<void> {
  const load = async (body: unknown, nodes: number) => {
    const res = await fetch(new URL('/api/topology', url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (res.status !== 200) throw new Error(`loading a topology: HTTP ${res.status}`);
    await page.waitForFunction(`window.vswitchLab.cy.nodes().length >= ${nodes}`, undefined, { timeout: 120_000 });
  };
  await load({ example: 'default' }, 5);
  const small = await stepLatency(page, url, 'web-01:eth0', { kind: 'arp-request', targetIp: '10.0.0.22' }, 12);
  await load({ topology: generatedTopology(70, 20) }, 2000);
  const big = await stepLatency(page, url, 'vm-1-1:eth0', { kind: 'arp-request', targetIp: '10.10.0.5' }, 12);
  console.log(`simulation step latency (click on Step to its hop drawn): ${against('default lab', small, 100, 'ms')}; ${against('2,000-node lab', big, 250, 'ms')}`);
}
