/**
 * P5 in the web UI: a broadcast into a ring of physical switches (no STP) storms; the page shows
 * the storm banner from the live events, and the page keeps working (the clock and the graph
 * still answer).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/server.js';
import { ring } from '../helpers/storm-ring.js';
import { screenshot, type UiBrowser, openLabPage } from './browser.js';
import { assertWebBuilt, startLabServer } from './lab-server.js';

let server: RunningServer;
let ui: UiBrowser;

const post = (route: string, body: unknown): Promise<Response> => fetch(new URL(route, server.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

beforeAll(async () => {
  assertWebBuilt();
  server = await startLabServer('default');
  expect((await post('/api/topology', { topology: ring() })).status).toBe(200);
  ui = await openLabPage(server.url);
}, 180_000);

afterAll(async () => {
  await ui?.close();
  await server?.close();
});

describe('storm banner (P5)', () => {
  it('an ARP broadcast into the ring shows the banner; Dismiss hides it', async () => {
    const page = ui.page;
    expect(await page.isHidden('#storm-banner')).toBe(true);
    const res = await post('/api/frames', { from: 'pc-1:eth0', frame: { kind: 'arp-request', targetIp: '10.9.0.3' } });
    expect(res.status).toBe(200);
    await page.waitForSelector('#storm-banner', { state: 'visible' });
    const text = await page.textContent('#storm-banner');
    expect(text).toMatch(/Broadcast storm/);
    expect(text).toMatch(/P5/);
    expect(text).toMatch(/STORM_CUT/);
    await screenshot(page, 'storm-banner.png');
    // the page still answers: the graph is there and the API it uses responds
    expect(await page.evaluate('window.vswitchLab.cy.nodes().length')).toBeGreaterThan(0);
    await page.click('#storm-banner .storm-close');
    await page.waitForSelector('#storm-banner', { state: 'hidden' });
    expect(ui.errors).toEqual([]);
  });
});
