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
    const ev = <T>(expr: string): Promise<T> => page.evaluate(expr) as Promise<T>;
    await page.goto(server.url);
    await page.waitForSelector('#conn.live');

    const doc = generatedTopology(70, 20);
    const t0 = await ev<number>('performance.now()');
    const res = await fetch(new URL('/api/topology', server.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ topology: doc }) });
    if (res.status !== 200) throw new Error(`loading the generated topology: HTTP ${res.status}`);
    await page.waitForFunction('window.vswitchLab.cy.nodes().length > 2000');
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

    simulationEngine();
    await simulationBrowser(page, server.url);
  } finally {
    await ui.close();
    await server.close();
  }
}
