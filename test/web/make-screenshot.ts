/**
 * Regenerates docs/screenshot.png (the README's picture): vlans.json, a ping from web-10 to pc-10
 * with its ICMP echo request open in the details pane, and a second ping from db-20 in flight
 * (the frame on the trunk labelled with its VLAN 20 tag).
 *   npx tsx test/web/make-screenshot.ts [out.png]
 */
import path from 'node:path';
import { openBrowser } from './browser.js';
import { ensureWebBuild, ROOT, startLabServer } from './lab-server.js';

const out = process.argv[2] ?? path.join(ROOT, 'docs', 'screenshot.png');
await ensureWebBuild();
const server = await startLabServer('vlans');
const ui = await openBrowser();
try {
  const page = ui.page;
  await page.goto(server.url);
  await page.waitForSelector('#conn.live');
  // the lab's introduction opens over the graph on load: closed, as a learner does after reading it
  await page.click('#lab-intro-card .intro-close');
  await page.selectOption('#ping-from', 'web-10:eth0');
  await page.selectOption('#ping-to', '10.0.10.50');
  await page.click('#ping-button');
  await page.waitForSelector('#outcomes li.ok:has-text("delivered to web-10:eth0")', { timeout: 30_000 });
  await page.fill('#event-filter', 'delivered to pc-10');
  await page.waitForTimeout(200);
  await page.click('.event-list .row.a-deliver:has-text("ICMP echo request")');
  await page.fill('#event-filter', '');
  await page.click('#clear-marks');
  await page.selectOption('#ping-from', 'db-20:eth0');
  await page.selectOption('#ping-to', '10.0.20.50');
  await page.click('#ping-button');
  // the ARP request of db-20 leaves by vmnic0 tagged 20 about five hops in
  await page.waitForFunction(
    `window.vswitchLab.store.length > 0 && window.vswitchLab.view.tokenCount > 0 && [...document.querySelectorAll('#outcomes li')].some((li) => li.textContent.includes('sniffer'))`,
    undefined,
    { timeout: 30_000 },
  );
  await page.waitForTimeout(1300);
  await page.screenshot({ path: out });
  console.log(`wrote ${out}`);
} finally {
  await ui.close();
  await server.close();
}
