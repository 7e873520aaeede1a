/**
 * IPv6 endpoints from the browser (E4): the ping form offers the configured IPv6 addresses as
 * targets, a ping -6 prints the reply lines, and Inspect shows the endpoint's neighbour cache
 * next to its ARP cache. A real server (random port) on the vlans example and headless Chromium.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/server.js';
import { type UiBrowser, openLabPage } from './browser.js';
import { assertWebBuilt, startLabServer } from './lab-server.js';

let server: RunningServer;
let ui: UiBrowser;

beforeAll(async () => {
  assertWebBuilt();
  server = await startLabServer('vlans');
  ui = await openLabPage(server.url);
}, 180_000);

afterAll(async () => {
  await ui?.close();
  await server?.close();
});

const js = (v: unknown): string => JSON.stringify(v);

describe('IPv6 from the UI (E4)', { timeout: 90_000 }, () => {
  it('the ping form lists IPv6 targets; ping -6 web-10 -> pc-10 prints the replies and Inspect shows the neighbour entry', async () => {
    const page = ui.page;
    await page.click('#tabbtn-send');
    const targets = await page.$$eval('#ping-to option', (os) => os.map((o) => o.getAttribute('value') ?? ''));
    // every configured IPv6 address of the vlans example, beside the IPv4 ones
    expect(targets).toEqual(expect.arrayContaining(['2001:db8:10::21', '2001:db8:20::21', '2001:db8:10::50', '10.0.10.50']));
    // an endpoint without IPv6 offers no IPv6 target
    expect(targets.filter((t) => t.includes(':'))).toHaveLength(3);

    await page.selectOption('#ping-from', 'web-10:eth0');
    await page.selectOption('#ping-to', '2001:db8:10::50');
    await page.fill('#ping-count', '2');
    await expect(page.textContent('#ping-command')).resolves.toBe('ping -c 2 -6 2001:db8:10::50  (on web-10)');
    await page.click('#ping-button');
    await page.waitForFunction(`/packets transmitted/.test(document.querySelector('#ping-result')?.textContent ?? '')`, undefined, { timeout: 30_000 });
    const out = (await page.textContent('#ping-result')) ?? '';
    expect(out).toContain('PING 2001:db8:10::50(2001:db8:10::50) 56 data bytes');
    expect(out).toMatch(/64 bytes from 2001:db8:10::50: icmp_seq=1 /);
    expect(out).toMatch(/64 bytes from 2001:db8:10::50: icmp_seq=2 /);
    expect(out).toContain('2 packets transmitted, 2 received, 0% packet loss');

    // Inspect web-10: its neighbour cache holds pc-10, next to its ARP cache
    await page.click('#tabbtn-inspect');
    await page.fill('#find', 'web-10');
    await page.press('#find', 'Enter');
    await page.waitForFunction(`document.querySelector('#inspect-panel h3')?.textContent === ${js('VM web-10')}`);
    const titles = await page.$$eval('#inspect-panel section h4', (hs) => hs.map((x) => x.textContent));
    const arp = titles.indexOf('ARP cache · web-10:eth0');
    expect(arp).toBeGreaterThanOrEqual(0);
    expect(titles[arp + 1]).toBe('IPv6 neighbour cache · web-10:eth0');
    const section = page.locator('#inspect-panel section', { has: page.locator('h4', { hasText: 'IPv6 neighbour cache · web-10:eth0' }) });
    await section.locator('td', { hasText: '2001:db8:10::50' }).waitFor();
    const row = (await section.locator('tr', { has: page.locator('td', { hasText: '2001:db8:10::50' }) }).textContent()) ?? '';
    expect(row).toContain('f8:75:a4:10:00:50');
    expect(row).toMatch(/REACHABLE|STALE/);

    // a VM without IPv6 has no neighbour cache section
    await page.fill('#find', 'legacy-01');
    await page.press('#find', 'Enter');
    await page.waitForFunction(`document.querySelector('#inspect-panel h3')?.textContent === ${js('VM legacy-01')}`);
    expect(await page.locator('#inspect-panel section h4', { hasText: 'neighbour cache' }).count()).toBe(0);
  });
});
