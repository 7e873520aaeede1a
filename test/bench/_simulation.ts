/**
 * Simulation mode figures for `npm run bench -- web` (issue 12):
 *   - the engine's history (src/engine/snapshot.ts): bytes kept per 10,000 processed events, and
 *     the CPU time of restoring the start, the middle and the end of a 10,000-event history, on
 *     the default lab and on a generated lab of ~10,000 interfaces (restore rebuilds the lab and
 *     re-runs its journal, so it grows with the lab's size and the events re-run);
 *   - the history past its limit on the ~10,000-interface lab (oldest dropped first): bytes kept
 *     against the limit, the CPU time of building the base ahead (prepareRestore: the lab as
 *     built plus the dropped part's inputs re-run) and of a restore in the window on it, and the
 *     heap the base holds;
 *   - step latency in the browser: a click on Step to the step's events in the page's list and
 *     the next animation frame, median of rounds, on the default lab and on a 2,000-node lab,
 *     with the CPU time that is ours per step: the page's main thread (Chromium's ThreadTime)
 *     and this process (the server runs in it).
 * Printed against targets (ok / MISSED), nothing asserted.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { createLab, type Lab } from '../../src/engine/index.js';
import { validateTopology } from '../../src/topology/load.js';
import { buildEthernet } from '../../src/wire/index.js';
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
    `simulation, ${name} (${ifaces} interfaces): history ${against('per 10,000 events', mbPer10k, 1, 'MB')} (journal of ${eventsKept} positions; heap grew ${heap.toFixed(1)} MB meanwhile, limit ${
      h.limitBytes / 1048576
    } MB); ` +
      `restore CPU: ${against('the start', back, 500, 'ms')}, ${against('the middle (5,000 events re-run)', mid, 500, 'ms')}, ${against('the end (10,000 re-run)', last, 1000, 'ms')}; ${
        against('the middle or end, prepared ahead (as the server does)', prep, 250, 'ms')
      }`,
  );
}

/** heap used after a full collection when node runs with --expose-gc, else as it stands */
function heapMb(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed / 1048576;
}

/** Broadcasts from the first vNICs, each stepped to its end, until `events` were processed (hundreds of events per input). */
function fillWithBroadcasts(lab: Lab, events: number): void {
  const vnics = lab.interfaces().filter((i) => i.kind === 'vnic' && i.portGroup !== undefined).slice(0, 20);
  let n = 0;
  let k = 0;
  while (n < events) {
    const v = vnics[k++ % vnics.length]!;
    lab.inject(v.id, buildEthernet({ src: v.mac!, dst: 'ff:ff:ff:ff:ff:ff', ethertype: 0x88b5, payload: new Uint8Array(46) }));
    while (n < events && lab.step()) n++;
  }
}

/**
 * The history past its limit: a 1 MB limit (the server's is 64 MB) so that 60,000 events of
 * broadcasts pass it (~20 bytes per event in the window; ~250 per broadcast in the window, ~130
 * once dropped: its inject and its steps); the re-run figures scale with the window and the
 * dropped part, not with the limit.
 */
function windowFigures(name: string, topology: TopologyDoc): void {
  const limit = 1024 * 1024;
  const lab = createLab(topology, { history: true, historyLimitBytes: limit });
  const first = lab.snapshot();
  fillWithBroadcasts(lab, 60_000);
  const h = lab.history();
  if (!h.enabled) {
    console.log(`simulation history past its limit, ${name}: MISSED, switched off: ${h.reason ?? ''}`);
    return;
  }
  const window = h.end - h.oldest;
  const middle = lab.snapshotAt(h.oldest + Math.floor(window / 2))!;
  const end = lab.snapshot();
  let refused = false;
  try {
    lab.restore(first);
  } catch {
    refused = true;
  }
  const heap0 = heapMb();
  const prepare = cpuMs(1, () => lab.prepareRestore());
  const baseHeap = heapMb() - heap0;
  const onBase: number[] = [];
  for (let i = 0; i < 5; i++) {
    lab.prepareRestore();
    onBase.push(cpuMs(1, () => lab.restore(i % 2 === 0 ? middle : end)));
  }
  const unprepared = cpuMs(3, () => lab.restore(middle));
  const gcOn = (globalThis as { gc?: unknown }).gc !== undefined;
  console.log(
    `simulation history past its limit, ${name}: 60,000 events, ${h.dropped} oldest positions dropped, window ${window} positions back to virtual ${(h.oldestTime / 1e6).toFixed(3)} ms; ` +
      `${against('bytes kept', h.bytes / 1024, limit / 1024 + 1, 'kB')} (limit ${limit / 1024} kB); going back past the window ${refused ? 'refused: ok' : 'NOT refused: MISSED'}; ` +
      `CPU: ${against('base built ahead (idle time: build + dropped inputs re-run)', prepare, 2000, 'ms')}, ${against('restore in the window on the base', median(onBase), 250, 'ms')}, ` +
      `${against('restore with no base ready', unprepared, 2000, 'ms')}; the base holds ~${baseHeap.toFixed(1)} MB of heap${gcOn ? '' : ' (no --expose-gc: approximate)'}`,
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
  windowFigures('generated 100 hosts x 95 VMs', big);
}

interface StepFigures {
  /** click to drawn, wall ms, median */
  wall: number;
  /** the page's main-thread CPU per step, ms, median */
  pageCpu: number;
  /** this process's CPU per step (the server, and the driver's side of the browser protocol), ms, median */
  serverCpu: number;
}

/** Click on Step -> the step's events in the page's store and the next frame drawn; ms, median. */
async function stepLatency(page: Page, url: string, from: string, frame: Record<string, unknown>, rounds: number): Promise<StepFigures> {
  const ev = <T>(expr: string): Promise<T> => page.evaluate<T>(expr);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const threadMs = async (): Promise<number> => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    return (metrics.find((m) => m.name === 'ThreadTime')?.value ?? NaN) * 1000;
  };
  const post = (route: string, body: unknown) => fetch(new URL(route, url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await page.selectOption('#sim-mode', 'simulation');
  await page.waitForFunction('!document.querySelector("#sim-step").disabled');
  const xs: number[] = [];
  const pageCpu: number[] = [];
  const serverCpu: number[] = [];
  for (let i = 0; i < rounds; i++) {
    if (i % 4 === 0) {
      await post('/api/frames', { from, frame });
      await ev('window.vswitchLab.sim.refresh()');
      await page.waitForFunction('window.vswitchLab.sim.position && window.vswitchLab.sim.position.next !== null');
    }
    const before = await ev<number>('window.vswitchLab.store.length');
    const c0 = await threadMs();
    const s0 = process.cpuUsage();
    const t0 = await ev<number>('performance.now()');
    await page.click('#sim-step');
    await page.waitForFunction(`window.vswitchLab.store.length > ${before} || window.vswitchLab.sim.position.next === null`);
    await page.waitForFunction('new Promise((r) => requestAnimationFrame(() => r(true)))');
    xs.push((await ev<number>('performance.now()')) - t0);
    const s = process.cpuUsage(s0);
    serverCpu.push((s.user + s.system) / 1000);
    pageCpu.push((await threadMs()) - c0);
  }
  await page.selectOption('#sim-mode', 'realtime');
  await cdp.detach();
  return { wall: median(xs), pageCpu: median(pageCpu), serverCpu: median(serverCpu) };
}

const stepLine = (name: string, f: StepFigures, wallTarget: number, cpuTarget: number): string =>
  `${against(`${name}, click to drawn hop (wall)`, f.wall, wallTarget, 'ms')}, ${against('page main-thread CPU per step', f.pageCpu, cpuTarget, 'ms')}, ${
    against('server-process CPU per step', f.serverCpu, cpuTarget, 'ms')
  }`;

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
  console.log(`simulation step latency: ${stepLine('default lab', small, 100, 50)}; ${stepLine('2,000-node lab', big, 250, 100)}`);
}
