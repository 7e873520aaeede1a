/**
 * Tools on the graph's places, end to end (real server, headless Chromium): a cable's
 * impairments set from its context menu (rules L1–L4, seeded: the same seed loses the same pings)
 * and "Capture here" (a live capture of exactly that place's points, read back by tshark).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PingResponse, TopologyState } from '../../src/server/api-types.js';
import type { RunningServer } from '../../src/server/server.js';
import { ARTIFACTS, screenshot, type UiBrowser, openLabPage } from './browser.js';
import { assertWebBuilt, startLabServer, apiCall } from './lab-server.js';

let server: RunningServer;
let ui: UiBrowser;

beforeAll(async () => {
  assertWebBuilt();
  server = await startLabServer('default');
  ui = await openLabPage(server.url);
}, 180_000);

afterAll(async () => {
  await ui?.close();
  await server?.close();
});

const ev = <T>(expr: string): Promise<T> => ui.page.evaluate<T>(expr);
const js = (v: unknown): string => JSON.stringify(v);

const api = <T>(method: string, route: string, body?: unknown): Promise<{ status: number; body: T }> => apiCall<T>(server, method, route, body);

async function loadDefault(): Promise<void> {
  // the lab on the page may already be a default lab with two perfect cables (the test before
  // ends so): mark its elements, and wait for a drawing without the mark — the new lab's — so a
  // context menu is not opened on the old drawing and closed by the new topology arriving
  await ev('void window.vswitchLab.cy.elements().forEach((e) => { e.scratch("testBefore", true); })');
  const r = await api('POST', '/api/topology', { example: 'default' });
  expect(r.status).toBe(200);
  await ui.page.waitForFunction(
    'window.vswitchLab.cy.edges(".link").length === 2 && !window.vswitchLab.cy.edges(".impaired").length && !window.vswitchLab.cy.elements().some((e) => e.scratch("testBefore"))',
  );
}

const linkEdge = (iface: string) => `window.vswitchLab.cy.edges('.link').filter((e) => e.data('ifaces').includes(${js(iface)}))`;

/** Right-clicks the cable of `iface` on the graph and waits for the menu. */
async function cableMenu(iface: string): Promise<void> {
  const page = ui.page;
  const box = (await page.locator('#graph').boundingBox())!;
  const mid = await ev<{ x: number; y: number }>(`${linkEdge(iface)}.first().renderedMidpoint()`);
  await page.mouse.click(box.x + mid.x, box.y + mid.y, { button: 'right' });
  await page.waitForSelector('#context-menu:not([hidden]) button');
}

/** Sets the impairments of the cable at esxi-01:vmnic0 through its context menu and dialog. */
async function impairFromMenu(fields: Record<string, string>): Promise<void> {
  const page = ui.page;
  await cableMenu('esxi-01:vmnic0');
  await page.click('#context-menu button[data-action="impair"]');
  await page.waitForSelector('#impair-dialog[open]');
  for (const [k, v] of Object.entries(fields)) await page.fill(`#impair-${k}`, v);
  await page.click('#impair-apply');
  await page.waitForFunction(`!document.querySelector('#impair-dialog')?.open || document.querySelector('#impair-error')?.textContent`);
  expect(await page.textContent('#impair-error')).toBe('');
  await page.waitForFunction(`${linkEdge('esxi-01:vmnic0')}.hasClass('impaired')`);
}

/** 100 pings laptop -> web-01 across the impaired cable; answers the sequence numbers answered. */
async function pings(): Promise<number[]> {
  const r = await api<PingResponse>('POST', '/api/ping', { from: 'laptop:eth0', to: '10.0.0.21', count: 100, intervalMs: 10, timeoutMs: 200 });
  expect(r.status).toBe(200);
  expect(r.body.transmitted).toBe(100);
  return r.body.replies.map((x) => x.seq);
}

describe('the graph\'s places: impairments and capture here', { timeout: 120_000 }, () => {
  it('a 2% loss set from the cable\'s context menu loses pings, the same ones again with the same seed, others with another seed', async () => {
    const page = ui.page;
    await loadDefault();
    expect(await pings()).toHaveLength(100);

    await impairFromMenu({ lossPercent: '2', seed: '1' });
    const doc = (await api<TopologyState>('GET', '/api/topology')).body.topology;
    expect(doc.links.find((l) => l.a === 'esxi-01:vmnic0')!.impairments).toMatchObject({ lossPercent: 2, seed: 1 });
    const label = await ev<string>(`${linkEdge('esxi-01:vmnic0')}.first().data('label')`);
    expect(label).toContain('⚠ loss 2%');
    const first = await pings();
    expect(first.length).toBeLessThan(100);
    expect(first.length).toBeGreaterThan(90);
    // the lost frames are drops with their own reason and rule, in the page's event list too
    // the lab's introduction card (when the page shows one) would hide the cable in the screenshot
    if (await page.isVisible('.lab-intro .intro-close')) await page.click('.lab-intro .intro-close');
    await page.waitForFunction(
      `(() => { const s = window.vswitchLab.store; for (let i = 0; i < s.length; i++) { const e = s.at(i); if (e.reason === 'LINK_LOSS' && e.rule === 'L1') return true; } return false; })()`,
    );
    await screenshot(page, 'ui-impairments.png');

    // the same lab, the same steps (a clean ping first: ARP resolved), the same seed: the same pings are lost
    await loadDefault();
    expect(await pings()).toHaveLength(100);
    await impairFromMenu({ lossPercent: '2', seed: '1' });
    expect(await pings()).toEqual(first);

    // another seed: other pings
    await loadDefault();
    expect(await pings()).toHaveLength(100);
    await impairFromMenu({ lossPercent: '2', seed: '4' });
    const other = await pings();
    expect(other).not.toEqual(first);

    // a bad value: the server's reason in the dialog, nothing changed
    await cableMenu('esxi-01:vmnic0');
    await page.click('#context-menu button[data-action="impair"]');
    await page.fill('#impair-lossPercent', '150');
    await page.click('#impair-apply');
    await page.waitForFunction(`/lossPercent/.test(document.querySelector('#impair-error')?.textContent ?? '')`);
    await page.click('#impair-cancel');
    // "Perfect cable" removes them
    await cableMenu('esxi-01:vmnic0');
    await page.click('#context-menu button[data-action="impair"]');
    await page.click('#impair-remove');
    await page.waitForFunction(`!${linkEdge('esxi-01:vmnic0')}.hasClass('impaired')`);
    expect((await api<TopologyState>('GET', '/api/topology')).body.topology.links.find((l) => l.a === 'esxi-01:vmnic0')!.impairments).toBeUndefined();
  });

  it('capture here on a cable: a marker while it runs, the live command and a pcapng whose interfaces are only that cable\'s points', async () => {
    const page = ui.page;
    await loadDefault();
    await cableMenu('esxi-01:vmnic0');
    await page.click('#context-menu button[data-action="capture-here"]');
    await page.waitForSelector('#here-status[data-running="true"]');
    await page.waitForFunction(`${linkEdge('esxi-01:vmnic0')}.hasClass('capturing')`);
    const points = ['esxi-01:vmnic0:UplinkRcv', 'esxi-01:vmnic0:UplinkSnd', 'tor-1:eth1:PhysRx', 'tor-1:eth1:PhysTx'];
    const cmd = await page.inputValue('#here-command');
    const m = /^curl -sN '(http:\/\/127\.0\.0\.1:\d+\/api\/capture\/live\?[^']+)' \| wireshark -k -i -$/.exec(cmd);
    expect(m, cmd).not.toBeNull();
    expect(new URL(m![1]!).searchParams.get('points')!.split(',').sort()).toEqual(points);
    await expect(page.textContent('#here-pcap-warning')).resolves.toMatch(/interface names.*comments/);

    // traffic across the cable (and some that does not cross it: web-01 -> web-02 stays in the host)
    expect((await api<PingResponse>('POST', '/api/ping', { from: 'laptop:eth0', to: '10.0.0.21', count: 2, intervalMs: 10 })).body.received).toBe(2);
    expect((await api<PingResponse>('POST', '/api/ping', { from: 'web-01:eth0', to: '10.0.0.22', count: 1 })).body.received).toBe(1);
    await page.waitForFunction(`Number(document.querySelector('#here-status')?.dataset.packets) >= 8`);
    if (await page.isVisible('.lab-intro .intro-close')) await page.click('.lab-intro .intro-close');
    await screenshot(page, 'ui-capture-here.png');
    await page.click('#here-stop');
    await page.waitForSelector('#here-status[data-running="false"]');
    await page.waitForFunction(`!${linkEdge('esxi-01:vmnic0')}.hasClass('capturing')`);

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#here-download')]);
    const file = path.join(ARTIFACTS, 'ui-capture-here.pcapng');
    await download.saveAs(file);
    // the file's interfaces: exactly the cable's four points
    const info = execFileSync('capinfos', ['-I', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const names = [...info.matchAll(/^\s*Name = (.+)$/gm)].map((x) => x[1]!.trim()).sort();
    expect(names).toEqual(['esxi-01:vmnic0 UplinkRcv', 'esxi-01:vmnic0 UplinkSnd', 'tor-1:eth1 PhysRx', 'tor-1:eth1 PhysTx']);
    const lines = execFileSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.interface_name', '-e', '_ws.col.Info'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim().split('\n');
    expect(lines.some((l) => l.startsWith('esxi-01:vmnic0 UplinkRcv') && l.includes('Echo (ping) request'))).toBe(true);
    expect(lines.some((l) => l.startsWith('tor-1:eth1 PhysRx') && l.includes('Echo (ping) reply'))).toBe(true);
    // web-01 -> web-02 stays inside esxi-01: only its ARP broadcast leaves by the uplink (F5), never the echo
    expect(lines.some((l) => l.includes('Echo') && l.includes('10.0.0.22'))).toBe(false);
    const shown = Number(await page.getAttribute('#here-status', 'data-packets'));
    expect(lines).toHaveLength(shown);
  });

  it('capture here on a vNIC (from its VM) takes only that vNIC\'s points', async () => {
    const page = ui.page;
    await loadDefault();
    const box = (await page.locator('#graph').boundingBox())!;
    const pos = await ev<{ x: number; y: number }>(`window.vswitchLab.cy.nodes().filter((n) => n.data('kind') === 'vm' && n.data('ref') === 'web-02').first().renderedPosition()`);
    await page.mouse.click(box.x + pos.x, box.y + pos.y, { button: 'right' });
    await page.click('#context-menu button[data-action="capture-here"]');
    await page.waitForSelector('#here-status[data-running="true"]');
    expect((await api<PingResponse>('POST', '/api/ping', { from: 'web-01:eth0', to: '10.0.0.22', count: 1 })).body.received).toBe(1);
    await page.waitForFunction(`Number(document.querySelector('#here-status')?.dataset.packets) >= 2`);
    await page.click('#here-stop');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#here-download')]);
    const file = path.join(ARTIFACTS, 'ui-capture-here-vnic.pcapng');
    await download.saveAs(file);
    const info = execFileSync('capinfos', ['-I', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect([...info.matchAll(/^\s*Name = (.+)$/gm)].map((x) => x[1]!.trim()).sort()).toEqual(['web-02:eth0 PortInput', 'web-02:eth0 PortOutput']);
    await page.click('#here-close');
    await page.waitForSelector('#capture-here[hidden]', { state: 'attached' });
  });
});
