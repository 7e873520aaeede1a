/**
 * Regenerates docs/simulation.png (docs/web-ui.md's picture of simulation mode): the default lab
 * in simulation mode, a ping from web-01 to the laptop behind tor-1 (sent as the Send tab sends
 * it) stepped hop by hop until its echo request is delivered, the header showing the step, how
 * far back the history reaches and the Play speed menu (events or virtual time per second).
 *   npx tsx test/web/make-simulation-screenshot.ts [out.png]
 */
import path from 'node:path';
import { openBrowser } from './browser.js';
import { ensureWebBuild, ROOT, startLabServer } from './lab-server.js';

const out = process.argv[2] ?? path.join(ROOT, 'docs', 'simulation.png');
await ensureWebBuild();
const server = await startLabServer('default');
const ui = await openBrowser({ width: 1440, height: 900 });
try {
  const page = ui.page;
  page.setDefaultTimeout(60_000);
  await page.goto(server.url);
  await page.waitForSelector('#conn.live');
  if (await page.isVisible('.intro-close')) await page.click('.intro-close');
  await page.selectOption('#sim-mode', 'simulation');
  await page.waitForFunction('!document.querySelector("#sim-step").disabled');
  await page.selectOption('#sim-speed', 't1000');
  // the ping, as the Send tab sends it: in simulation mode it waits in the queue (202)
  const res = await fetch(new URL('/api/ping', server.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-vswitch-lab': '1' },
    body: JSON.stringify({ from: 'web-01:eth0', to: '10.0.0.50', count: 1 }),
  });
  if (res.status !== 202) throw new Error(`ping: HTTP ${res.status}`);
  await page.evaluate('window.vswitchLab.sim.refresh()');
  await page.waitForFunction('window.vswitchLab.sim.position && window.vswitchLab.sim.position.next !== null');
  // step until the echo request reaches the laptop, after the ARP request (each Step: one engine event, one hop)
  for (let n = 0; n < 80; n++) {
    const before = await page.evaluate('window.vswitchLab.sim.position.position');
    await page.click('#sim-step');
    await page.waitForFunction(`window.vswitchLab.sim.position.position > ${before as number}`);
    const replied = await page.evaluate(
      `Array.from({ length: window.vswitchLab.store.length }, (_, i) => window.vswitchLab.store.at(i)).filter((e) => e.action === 'deliver' && e.port === 'laptop:eth0').length >= 2`,
    );
    if (replied) break;
  }
  await page.waitForTimeout(800);
  await page.screenshot({ path: out });
  console.log(`wrote ${out}`);
} finally {
  await ui.close();
  await server.close();
}
