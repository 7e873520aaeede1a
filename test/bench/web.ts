/**
 * Web UI bench (`npm run bench -- web`): a real server and headless Chromium (/usr/bin/chromium),
 * the generated 2,000-node topology of the browser tests, and figures printed, nothing asserted:
 *   - time from POST /api/topology to the graph drawn;
 *   - frame gaps (requestAnimationFrame) while the user wheels and drags the graph;
 *   - frame gaps while 10,000 frames/s are sent for 3 s (1,000-frame bursts every 100 ms), with
 *     what reached the page and what the server summarised;
 *   - how long a click takes after the stream.
 * A frame gap of ~16.7 ms is a 60 Hz display keeping up.
 */
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { openBrowser } from '../web/browser.js';
import { generatedTopology } from '../web/generated-topology.js';
import { ensureWebBuild, startLabServer } from '../web/lab-server.js';
import { simulationBrowser, simulationEngine } from './_simulation.js';

interface Gaps {
  frames: number;
  medianMs: number;
  p95Ms: number;
  maxMs: number;
}

const START_GAPS = `(() => { window.__gaps = []; window.__stop = false; let last = performance.now();
  const f = () => { const now = performance.now(); window.__gaps.push(now - last); last = now; if (!window.__stop) requestAnimationFrame(f); };
  requestAnimationFrame(f); })()`;
const STOP_GAPS = `(() => { window.__stop = true; const g = window.__gaps.slice(1).sort((a, b) => a - b);
  return { frames: g.length, medianMs: Math.round(g[Math.floor(g.length / 2)]), p95Ms: Math.round(g[Math.floor(g.length * 0.95)]), maxMs: Math.round(g[g.length - 1]) }; })()`;

const gapLine = (g: Gaps): string => `median ${g.medianMs} ms, p95 ${g.p95Ms} ms, worst ${g.maxMs} ms over ${g.frames} frames`;

export async function run(): Promise<void> {
  if (!existsSync('/usr/bin/chromium')) {
    console.log('web: not measured, /usr/bin/chromium is missing (apt-get install -y chromium)');
    return;
  }
  await ensureWebBuild();
  const server = await startLabServer('default');
  const ui = await openBrowser();
  try {
    const page = ui.page;
    page.setDefaultTimeout(60_000);
    const ev = <T>(expr: string): Promise<T> => page.evaluate<T>(expr);
    await page.goto(server.url);
    await page.waitForSelector('#conn.live');

    const doc = generatedTopology(70, 20);
    const t0 = await ev<number>('performance.now()');
    const res = await fetch(new URL('/api/topology', server.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ topology: doc }) });
    if (res.status !== 200) throw new Error(`loading the generated topology: HTTP ${res.status}`);
    await page.waitForFunction('window.vswitchLab.cy.nodes().length > 2000 && !window.vswitchLab.view.drawing');
    await page.waitForFunction('new Promise((r) => requestAnimationFrame(() => r(true)))');
    const shown = Math.round((await ev<number>('performance.now()')) - t0);
    const nodes = await ev<number>('window.vswitchLab.cy.nodes().length');
    const edges = await ev<number>('window.vswitchLab.cy.edges().length');
    console.log(`generated lab (${nodes} nodes, ${edges} edges): drawn ${shown} ms after POST /api/topology`);

    await ev(START_GAPS);
    await page.mouse.move(300, 300);
    for (let i = 0; i < 12; i++) {
      await page.mouse.wheel(0, -120);
      await page.waitForTimeout(30);
    }
    await page.mouse.down();
    for (let i = 0; i < 30; i++) {
      await page.mouse.move(300 + i * 8, 300 + i * 3);
      await page.waitForTimeout(16);
    }
    await page.mouse.up();
    console.log(`wheel and drag: frame gaps ${gapLine(await ev<Gaps>(STOP_GAPS))}`);

    const target = (doc as { vms: Array<{ name: string; nics: Array<{ mac: string; ipv4: string }> }> }).vms.find((v) => v.name === 'vm-1-5')!.nics[0]!;
    const body = JSON.stringify({ from: 'vm-1-1:eth0', count: 1000, frame: { kind: 'udp', dst: target.mac, dstIp: target.ipv4.split('/')[0], dstPort: 9 } });
    const before = await ev<number>('window.vswitchLab.store.length');
    await ev(START_GAPS);
    const sends: Promise<Response>[] = [];
    const start = performance.now();
    for (let i = 0; i < 30; i++) {
      sends.push(fetch(new URL('/api/frames', server.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body }));
      await new Promise((r) => setTimeout(r, Math.max(0, start + (i + 1) * 100 - performance.now())));
    }
    const statuses = (await Promise.all(sends)).map((r) => r.status);
    const done = (performance.now() - start) / 1000;
    await page.waitForTimeout(500);
    const stream = await ev<Gaps>(STOP_GAPS);
    const received = (await ev<number>('window.vswitchLab.store.length')) - before;
    const summarised = await ev<number>('window.vswitchLab.store.omitted');
    console.log(
      `10,000 frames/s for 3 s (${statuses.filter((s) => s === 200).length}/30 sends answered 200, server done after ${done.toFixed(2)} s): ` +
        `frame gaps ${gapLine(stream)}; ${received} events reached the page, ${summarised} summarised by the server`,
    );
    const clickStart = performance.now();
    await page.click('#tabbtn-inspect');
    console.log(`a click after the stream: ${Math.round(performance.now() - clickStart)} ms`);

    await bigLab(page, server.url);
    simulationEngine();
    await simulationBrowser(page, server.url);
  } finally {
    await ui.close();
    await server.close();
  }
}

/** A figure against its target: `name: 812 ms (target < 3000 ms) met`. */
const against = (name: string, value: number, target: number, unit = 'ms'): string => `${name}: ${Math.round(value)} ${unit} (target < ${target} ${unit}) ${value < target ? 'met' : 'MISSED'}`;

/**
 * The big lab of issue 13: 40 hosts x 50 VMs (~2,400 nodes) on this machine's software rendering:
 * drawn after load (and the longest main-thread task meanwhile), pan/zoom frame gaps, a link-down
 * confirmed on the page, and the Capture tab's point list opened.
 */
export async function bigLab(page: Page, url: string): Promise<void> {
  const ev = <T>(expr: string): Promise<T> => page.evaluate<T>(expr);
  // the page's main-thread CPU time (Chromium's ThreadTime metric), ms: wall time on a shared
  // 2-CPU machine counts the other processes' turns too
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const cpuMs = async (): Promise<number> => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    return (metrics.find((m) => m.name === 'ThreadTime')?.value ?? NaN) * 1000;
  };
  const doc = generatedTopology(40, 50);
  await page.click('#tabbtn-send');
  await ev(
    `(() => { window.__long = []; window.__lo?.disconnect(); window.__lo = new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push(e.duration); }); window.__lo.observe({ type: 'longtask' }); })()`,
  );
  // when the page hears of the new topology (its socket.io update), then when it is drawn
  await ev(
    `(() => { window.__heard = 0; const cy = window.vswitchLab.cy; window.__heardFn = () => { if (!window.__heard) window.__heard = performance.now(); }; cy.one('remove add', window.__heardFn); })()`,
  );
  // the main thread's tasks in CPU time too (a trace's thread durations): on a loaded machine a
  // task's wall time counts the other processes' turns
  const traced: Array<{ name: string; ph: string; pid: number; tid: number; tdur?: number; args?: { name?: string } }> = [];
  const onTrace = (d: { value: object[] }): void => void traced.push(...(d.value as typeof traced));
  cdp.on('Tracing.dataCollected', onTrace);
  await cdp.send('Tracing.start', { categories: 'devtools.timeline,disabled-by-default-devtools.timeline', transferMode: 'ReportEvents' });
  const cpu0 = await cpuMs();
  const t0 = await ev<number>('performance.now()');
  const res = await fetch(new URL('/api/topology', url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ topology: doc }) });
  if (res.status !== 200) throw new Error(`loading the 40x50 topology: HTTP ${res.status}`);
  const answered = (await ev<number>('performance.now()')) - t0;
  // elements in, then prepared in slices (view.drawing) and drawn
  await page.waitForFunction('window.vswitchLab.cy.nodes().length > 2400 && !window.vswitchLab.view.drawing', undefined, { timeout: 120_000 });
  await page.waitForFunction('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))');
  const end = await ev<number>('performance.now()');
  const loadCpu = (await cpuMs()) - cpu0;
  const heard = await ev<number>('window.__heard');
  await page.waitForTimeout(500);
  const longest = await ev<number>('Math.max(0, ...window.__long)');
  const traceDone = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
  await cdp.send('Tracing.end');
  await traceDone;
  cdp.off('Tracing.dataCollected', onTrace);
  const main = traced.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  const longestCpu = Math.max(0, ...traced.filter((e) => e.name === 'RunTask' && e.ph === 'X' && e.pid === main?.pid && e.tid === main?.tid).map((e) => (e.tdur ?? 0) / 1000));
  const nodes = await ev<number>('window.vswitchLab.cy.nodes().length');
  console.log(
    `big lab 40 hosts x 50 VMs (${nodes} nodes): the server answered POST /api/topology in ${Math.round(answered)} ms; ` +
      `${against('drawn after the page got the topology', end - (heard || t0), 3000)} (${against('page main-thread CPU', loadCpu, 3000)}); ${against('longest main-thread task', longest, 200)} ` +
      `(${against('its CPU time', longestCpu, 200)})`,
  );

  await ev(START_GAPS);
  const box = (await page.locator('#graph').boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  for (let i = 0; i < 10; i++) {
    await page.mouse.wheel(0, i < 5 ? -120 : 120);
    await page.waitForTimeout(30);
  }
  // drag the background (a corner of the fitted graph: no node there) to pan
  await page.mouse.move(box.x + 8, box.y + 8);
  await page.mouse.down();
  for (let i = 0; i < 30; i++) {
    await page.mouse.move(box.x + 8 + i * 8, box.y + 8 + i * 3);
    await page.waitForTimeout(16);
  }
  await page.mouse.up();
  const gaps = await ev<Gaps>(STOP_GAPS);
  console.log(`big lab pan/zoom: ${against('frame gap p95', gaps.p95Ms, 50)} (${gapLine(gaps)})`);

  await page.waitForTimeout(1000);
  const lc0 = await cpuMs();
  const l0 = await ev<number>('performance.now()');
  const ch = await fetch(new URL('/api/changes', url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'link', iface: 'esxi-001:vmnic0', up: false }),
  });
  if (ch.status !== 200) throw new Error(`link down: HTTP ${ch.status}`);
  await page.waitForFunction(`window.vswitchLab.cy.edges('.link.down').length > 0`, undefined, { timeout: 60_000 });
  const linkDown = (await ev<number>('performance.now()')) - l0;
  const linkCpu = (await cpuMs()) - lc0;
  console.log(`big lab: ${against('link-down confirmed on the page', linkDown, 500)} (${against('page main-thread CPU', linkCpu, 500)}; the server's answer is in the wall time)`);
  await page.waitForTimeout(2000);

  // from the tab's click in the page to the frame that shows rows (Playwright's own click first
  // waits for the button to be stable over animation frames: not the page's time)
  const cc0 = await cpuMs();
  const capOpen = await ev<number>(`new Promise((resolve) => {
    const t0 = performance.now();
    document.getElementById('tabbtn-capture').click();
    const shown = () => { if (document.querySelector('.cap-list .cap-row')) requestAnimationFrame(() => resolve(performance.now() - t0)); else requestAnimationFrame(shown); };
    shown(); })`);
  const capCpu = (await cpuMs()) - cc0;
  const rows = await ev<number>(`document.querySelectorAll('.cap-list .cap-row').length`);
  console.log(`big lab: ${against('capture-point list open', capOpen, 200)} (${against('page main-thread CPU', capCpu, 200)}; ${rows} rows in the page)`);
  await cdp.detach();
}
