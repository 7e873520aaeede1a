/**
 * Runtime actions from the web UI, end to end: a real server (random port) and headless Chromium.
 * Each test loads the example it needs (as another client would, over HTTP: the page follows over
 * socket.io), changes the running lab from the UI — link down/up, a port group's VLAN ID and
 * security, vNIC disconnect, vMotion by keyboard and by drag — and checks both what the graph and
 * panels show and what the engine then does with traffic sent from the UI.
 */
import { FAILOVER_RARPS } from '../../src/engine/index.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TopologyState, TraceEventJson } from '../../src/server/api-types.js';
import type { RunningServer } from '../../src/server/server.js';
import { holdFirstRequest, screenshot, type UiBrowser, openLabPage } from './browser.js';
import { assertWebBuilt, ROOT, startLabServer, apiCall } from './lab-server.js';

let server: RunningServer;
let ui: UiBrowser;

beforeAll(async () => {
  assertWebBuilt();
  server = await startLabServer('default');
  ui = await openLabPage(server.url, { timeoutMs: 10_000 });
}, 180_000);

afterAll(async () => {
  await ui?.close();
  await server?.close();
});

const ev = <T>(expr: string): Promise<T> => ui.page.evaluate<T>(expr);
const js = (v: unknown): string => JSON.stringify(v);

const api = <T>(method: string, route: string, body?: unknown): Promise<{ status: number; body: T }> => apiCall<T>(server, method, route, body);

/** Loads a topology as another client would; the page redraws it over socket.io. */
async function load(req: { example: string } | { topology: unknown }, name: string): Promise<void> {
  const r = await api('POST', '/api/topology', req);
  expect(r.status).toBe(200);
  await ui.page.waitForFunction(`document.querySelector('#topology-name')?.textContent === ${js(name)}`);
  await ui.page.waitForFunction('window.vswitchLab.cy.nodes().length > 0');
}

/** Selects a node by name with Find and shows the Inspect tab. */
async function inspect(ref: string, heading: string): Promise<void> {
  const page = ui.page;
  await page.click('#tabbtn-inspect');
  await page.fill('#find', ref);
  await page.press('#find', 'Enter');
  await page.waitForFunction(`document.querySelector('#inspect-panel h3')?.textContent === ${js(heading)}`);
}

/** The cable edge of an interface, as the graph draws it. */
const linkEdge = (iface: string) => `window.vswitchLab.cy.edges('.link').filter((e) => e.data('ifaces').includes(${js(iface)}))`;

/** Pings from the Send tab; answers the ping's summary line. */
async function ping(from: string, to: string): Promise<string> {
  const page = ui.page;
  await page.click('#tabbtn-send');
  await page.selectOption('#ping-from', from);
  await page.selectOption('#ping-to', to);
  await page.fill('#ping-count', '1');
  await page.click('#ping-button');
  await page.waitForFunction(`/packets transmitted/.test(document.querySelector('#ping-result')?.textContent ?? '')`, undefined, { timeout: 20_000 });
  return (await page.textContent('#ping-result')) ?? '';
}

/** Sends one frame from the Send tab; answers the trace events of that frame (from the page's store). */
async function send(from: string, kind: string, fields: { dstIp?: string; src?: string } = {}): Promise<TraceEventJson[]> {
  const page = ui.page;
  await page.click('#tabbtn-send');
  await page.selectOption('#send-from', from);
  await page.selectOption('#send-kind', kind);
  if (fields.dstIp !== undefined) await page.fill('#send-dst-ip', fields.dstIp);
  await page.fill('#send-src-mac', fields.src ?? '');
  const [res] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/api/frames')), page.click('#send-button')]);
  expect(res.status()).toBe(200);
  const { frameIds } = (await res.json()) as { frameIds: number[] };
  await page.waitForFunction(`/Sent frame/.test(document.querySelector('#send-result')?.textContent ?? '')`);
  return ev<TraceEventJson[]>(`window.vswitchLab.store.frameEvents(${frameIds[0]})`);
}

const deliveredTo = (events: TraceEventJson[]) => events.filter((e) => e.action === 'deliver').map((e) => e.port ?? e.node);
const drops = (events: TraceEventJson[]) => events.filter((e) => e.action === 'drop').map((e) => `${e.port ?? e.node} ${e.reason} (${e.rule})`);

/** Chromium logs each 4xx answer as a console error: take the ones a test caused on purpose. */
function takeConsoleErrors(from: number, status: number, route: string): void {
  const mine = ui.errors.slice(from);
  expect(mine.length).toBeGreaterThan(0);
  for (const e of mine) {
    expect(e.text).toContain(`status of ${status}`);
    expect(e.url.endsWith(route)).toBe(true);
  }
  ui.errors.splice(from);
}

/** Current topology as the server runs it. */
const current = async () => (await api<TopologyState>('GET', '/api/topology')).body;

describe('runtime actions from the web UI', { timeout: 60_000 }, () => {
  it('link down from the context menu: the edge turns red and dashed, a ping across it fails; up from the Inspect tab and it works again', async () => {
    const page = ui.page;
    await load({ example: 'default' }, 'default');
    expect(await ping('laptop:eth0', '10.0.0.21')).toContain('1 received');

    // right-click the cable esxi-01:vmnic0 — tor-1:eth1 on the graph
    const box = (await page.locator('#graph').boundingBox())!;
    const mid = await ev<{ x: number; y: number }>(`${linkEdge('esxi-01:vmnic0')}.first().renderedMidpoint()`);
    await page.mouse.click(box.x + mid.x, box.y + mid.y, { button: 'right' });
    await page.waitForSelector('#context-menu button[data-action="link"]');
    await expect(page.textContent('#context-menu button[data-action="link"]')).resolves.toContain('Take link down');
    await page.click('#context-menu button[data-action="link"]');
    await page.waitForFunction(`${linkEdge('esxi-01:vmnic0')}.hasClass('down')`);
    const style = await ev<{ line: string; colour: string }>(`(() => { const e = ${linkEdge('esxi-01:vmnic0')}.first(); return { line: e.style('line-style'), colour: e.style('line-color') }; })()`);
    expect(style).toEqual({ line: 'dashed', colour: 'rgb(224,49,49)' });
    expect((await current()).topology.links.find((l) => l.a === 'esxi-01:vmnic0')!.up).toBe(false);
    // the event list shows the change
    await page.fill('#event-filter', 'change: link esxi-01:vmnic0');
    await page.waitForSelector('.event-list .row.a-change');
    await page.fill('#event-filter', '');
    await screenshot(page, 'ui-link-down.png');

    // vmnic0 was the only uplink: the laptop cannot reach web-01 any more
    expect(await ping('laptop:eth0', '10.0.0.21')).toContain('0 received');

    // bring it back up from the Inspect tab of the link
    await page.click('#tabbtn-inspect');
    await ev(`void ${linkEdge('esxi-01:vmnic0')}.first().select()`);
    await page.click('#inspect-panel button[data-action="link"][data-iface="esxi-01:vmnic0"]');
    await page.waitForFunction(`!${linkEdge('esxi-01:vmnic0')}.hasClass('down')`);
    await page.waitForFunction(`document.querySelector('#inspect-panel .action-status')?.textContent?.includes('link esxi-01:vmnic0 up')`);
    expect(await ev<string>(`${linkEdge('esxi-01:vmnic0')}.first().style('line-style')`)).toBe('solid');
    expect(await ping('laptop:eth0', '10.0.0.21')).toContain('1 received');

    // a change made elsewhere (curl, another page) is drawn too, and announced
    const r = await api<{ ok: boolean; rarps: number }>('POST', '/api/changes', { kind: 'link', iface: 'tor-1:eth2', up: false });
    expect(r.body.ok).toBe(true);
    await page.waitForFunction(`${linkEdge('laptop:eth0')}.hasClass('down')`);
    await page.waitForSelector('.toast:has-text("Lab changed: link tor-1:eth2 down")');
    expect(await ping('laptop:eth0', '10.0.0.21')).toContain('0 received');
    await api('POST', '/api/changes', { kind: 'link', iface: 'laptop:eth0', up: true });
    await page.waitForFunction(`!${linkEdge('laptop:eth0')}.hasClass('down')`);
  });

  it('teaming.json: vmnic0 down from its Inspect tab fails over to vmnic1 (RARPs of notify switches listed), the ping still works', async () => {
    const page = ui.page;
    await load({ example: 'teaming' }, JSON.parse(readFileSync(path.join(ROOT, 'topologies', 'teaming.json'), 'utf8')).name as string);
    const positions = await ev<Record<string, { x: number; y: number }>>('window.vswitchLab.view.positions()');
    await inspect('esxi-01:vmnic0', 'Uplink vmnic0 on esxi-01');
    // the uplink says which ports it carries now (T2: all three, vmnic1 is standby)
    const pinnedHere = `[...document.querySelectorAll('#inspect-panel th')].find((th) => th.textContent === 'ports pinned here')?.nextElementSibling?.textContent`;
    await page.waitForFunction(`${pinnedHere} === 'esxi-01:vmk0, app-01:eth0, app-02:eth0'`);
    // the redraw touches what changed only: no element is removed or re-added for a cable
    await ev(`(() => { window.__churn = 0; window.vswitchLab.cy.on('add remove', () => { window.__churn++; }); })()`);
    const seqBefore = await ev<number>('window.vswitchLab.store.length ? window.vswitchLab.store.at(window.vswitchLab.store.length - 1).seq : 0');
    await page.click('#inspect-panel button[data-action="link"][data-iface="esxi-01:vmnic0"]');
    await page.waitForFunction(`${linkEdge('esxi-01:vmnic0')}.hasClass('down')`);
    // app-01, app-02 and vmk0 were pinned to vmnic0: each is announced out of vmnic1 (T7),
    // FAILOVER_RARPS times (KB 343401: "around 5")
    await page.waitForFunction(`/RARPs sent \\(T7\\)/.test(document.querySelector('#inspect-panel .action-status')?.textContent ?? '')`);
    const status = (await page.textContent('#inspect-panel .action-status'))!;
    const rarps = Number(/(\d+) RARPs sent/.exec(status)![1]);
    expect(rarps).toBe(3 * FAILOVER_RARPS);
    // the redraw kept every node where it was, and the selection
    expect(await ev('window.vswitchLab.view.positions()')).toEqual(positions);
    expect(await ev<number>('window.__churn')).toBe(0);
    expect(await page.textContent('#inspect-panel h3')).toBe('Uplink vmnic0 on esxi-01');
    await expect(page.textContent('#inspect-panel')).resolves.toContain('tor-1:eth1 (down)');
    // failed over: vmnic0 carries nothing now, app-01's frames leave by vmnic1
    await page.waitForFunction(`${pinnedHere} === 'none'`);
    await inspect('app-01', 'VM app-01');
    await page.waitForFunction(
      `[...document.querySelectorAll('#inspect-panel th')].find((th) => th.textContent === 'uplink')?.nextElementSibling?.textContent === 'vmnic1'`,
    );
    await expect(page.textContent('#inspect-panel')).resolves.toContain('Route based on originating virtual port (T2)');
    // the event list has the change and the RARPs out of vmnic1
    await page.waitForFunction(
      `(() => { const s = window.vswitchLab.store; const out = []; for (let i = 0; i < s.length; i++) { const e = s.at(i); if (e.seq > ${seqBefore} && e.action === 'tx' && e.port === 'esxi-01:vmnic1' && s.protocol(e) === 'RARP') out.push(e); } return out.length === ${rarps}; })()`,
    );
    await page.fill('#event-filter', 'RARP for app-01:eth0 out vmnic1');
    await page.waitForSelector('.event-list .row:has-text("esxi-01:vmnic1")');
    await page.fill('#event-filter', '');

    // the client still reaches app-01, now through vmnic1
    const seqPing = await ev<number>('window.vswitchLab.store.at(window.vswitchLab.store.length - 1).seq');
    expect(await ping('client:eth0', '10.0.0.21')).toContain('1 received');
    await page.waitForFunction(
      `(() => { const s = window.vswitchLab.store; for (let i = 0; i < s.length; i++) { const e = s.at(i); if (e.seq > ${seqPing} && e.action === 'deliver' && e.port === 'client:eth0' && s.frameTypeOf(e) === 'ICMP echo reply') return true; } return false; })()`,
    );
    const uplinks = await ev<string[]>(
      `(() => { const s = window.vswitchLab.store; const u = new Set(); for (let i = 0; i < s.length; i++) { const e = s.at(i); if (e.seq > ${seqPing} && s.protocol(e) === 'ICMP' && /^esxi-01:vmnic/.test(e.port ?? '')) u.add(e.port); } return [...u]; })()`,
    );
    expect(uplinks).toEqual(['esxi-01:vmnic1']);
  });

  it('changes a port group VLAN ID from the Inspect tab: label, legend and where a broadcast goes follow', async () => {
    const page = ui.page;
    await load({ example: 'vlans' }, JSON.parse(readFileSync(path.join(ROOT, 'topologies', 'vlans.json'), 'utf8')).name as string);
    // before: web-10's broadcast stays in VLAN 10 (pc-10), db-20 (VLAN 20) never sees it
    const before = await send('web-10:eth0', 'broadcast');
    expect(deliveredTo(before)).toContain('pc-10:eth0');
    expect(deliveredTo(before)).not.toContain('db-20:eth0');

    await inspect('esxi-01/VLAN10-Web', 'Port group "VLAN10-Web"');
    await page.fill('#pg-vlan', '20');
    await page.click('#pg-vlan-apply');
    await page.waitForFunction(`window.vswitchLab.cy.getElementById('pg:esxi-01/VLAN10-Web').data('label') === 'VLAN10-Web\\nVLAN 20'`);
    await page.waitForFunction(`document.querySelector('#pg-vlan-status')?.textContent?.includes('VLAN 20')`);
    // the panel redrew with the new value, still on the same port group
    await expect(page.textContent('#inspect-panel .vlan-badge')).resolves.toBe('VLAN 20');
    expect(await page.inputValue('#pg-vlan')).toBe('20');
    // the vNIC edge takes the colour of VLAN 20; VLAN 10 is gone from the legend (no port group has it)
    const colours = await ev<{ web: string; db: string }>(
      `({ web: window.vswitchLab.cy.getElementById('nic:web-10:eth0').data('colour'), db: window.vswitchLab.cy.getElementById('nic:db-20:eth0').data('colour') })`,
    );
    expect(colours.web).toBe(colours.db);
    await expect(page.textContent('#legend')).resolves.not.toMatch(/VLAN 10(?!\d)/);
    expect((await current()).topology.hosts[0]!.vswitches[0]!.portGroups.find((p) => p.name === 'VLAN10-Web')!.vlan).toBe(20);
    await screenshot(page, 'ui-vlan-change.png');

    // after: the same broadcast is in VLAN 20 — db-20 and pc-20 get it, pc-10 no longer
    const after = await send('web-10:eth0', 'broadcast');
    expect(deliveredTo(after)).toEqual(expect.arrayContaining(['db-20:eth0', 'pc-20:eth0']));
    expect(deliveredTo(after)).not.toContain('pc-10:eth0');

    // a VLAN ID out of range: the server's 400 next to the field, nothing changed
    const errorsBefore = ui.errors.length;
    await page.click('#tabbtn-inspect');
    expect(await page.textContent('#inspect-panel h3')).toBe('Port group "VLAN10-Web"');
    await page.fill('#pg-vlan', '5000');
    await page.click('#pg-vlan-apply');
    await page.waitForFunction(`document.querySelector('#pg-vlan-status')?.classList.contains('bad')`);
    await expect(page.textContent('#pg-vlan-status')).resolves.toContain('vlan');
    expect(await page.getAttribute('#pg-vlan', 'aria-invalid')).toBe('true');
    takeConsoleErrors(errorsBefore, 400, '/api/changes');
    expect((await current()).topology.hosts[0]!.vswitches[0]!.portGroups.find((p) => p.name === 'VLAN10-Web')!.vlan).toBe(20);
  });

  it('security.json: the policy view shows where values come from; Forged transmits Reject on "Nested" from the UI drops the inner VM\'s frame', async () => {
    const page = ui.page;
    await load({ example: 'security' }, JSON.parse(readFileSync(path.join(ROOT, 'topologies', 'security.json'), 'utf8')).name as string);
    const forged = { dstIp: '10.0.0.31', src: '00:50:56:b2:00:01' };
    // "Nested" accepts forged transmits: the inner VM's ARP request gets through
    const before = await send('nested-esxi:eth0', 'arp-request', forged);
    expect(drops(before)).toEqual([]);
    expect(deliveredTo(before)).toContain('admin-vm:eth0');

    await inspect('esxi-01/Nested', 'Port group "Nested"');
    await page.waitForSelector('#inspect-panel table.policy');
    const row = (field: string) => page.textContent(`#inspect-panel table.policy tr[data-field="${field}"]`);
    // the port group overrides promiscuous and forged transmits; MAC changes come from the topology defaults
    expect(await row('promiscuous')).toBe('Promiscuous mode (S1)Acceptport group');
    expect(await row('forgedTransmits')).toBe('Forged transmits (S3)Acceptport group');
    expect(await row('macChanges')).toBe('MAC address changes (S2)Rejecttopology defaults');
    expect(await row('loadBalancing')).toBe('Load balancing (T2–T5)srcidbuilt-in default');
    // "Inherit" says what it would inherit
    await expect(page.textContent('#pg-sec-forgedTransmits option[value="inherit"]')).resolves.toBe('Inherit (Reject, topology defaults)');
    expect(await page.inputValue('#pg-sec-forgedTransmits')).toBe('accept');

    await page.selectOption('#pg-sec-forgedTransmits', 'reject');
    await page.click('#pg-security-apply');
    await page.waitForFunction(`document.querySelector('#inspect-panel tr[data-field="forgedTransmits"]')?.textContent === 'Forged transmits (S3)Rejectport group'`);
    await expect(page.textContent('#pg-security-status')).resolves.toContain('Forged transmits (S3) Reject');
    expect(await page.inputValue('#pg-sec-forgedTransmits')).toBe('reject');
    // the server says so too
    const pol = await api<{ policy: { security: { forgedTransmits: { value: string; source: string } } } }>('GET', '/api/policy?host=esxi-01&portGroup=Nested');
    expect(pol.body.policy.security.forgedTransmits).toEqual({ value: 'reject', source: 'portgroup' });

    const after = await send('nested-esxi:eth0', 'arp-request', forged);
    expect(drops(after)).toEqual(['nested-esxi:eth0 FORGED_TRANSMIT (S3)']);
    expect(deliveredTo(after)).toEqual([]);
    await page.waitForSelector('#outcomes li.bad:has-text("dropped at nested-esxi:eth0: FORGED_TRANSMIT (S3)")', { timeout: 15_000 });

    // Inherit removes the override: the value and its source come from the level above
    await inspect('esxi-01/Nested', 'Port group "Nested"');
    await page.selectOption('#pg-sec-promiscuous', 'inherit');
    await page.click('#pg-security-apply');
    await page.waitForFunction(`document.querySelector('#inspect-panel tr[data-field="promiscuous"]')?.textContent === 'Promiscuous mode (S1)Rejecttopology defaults'`);
    const pg = (await current()).topology.hosts[0]!.vswitches[0]!.portGroups.find((p) => p.name === 'Nested')!;
    expect(pg.policy?.security).toEqual({ forgedTransmits: 'reject' });
    await screenshot(page, 'ui-security-change.png');
  });

  it('disconnects a vNIC from the graph: its edge is drawn down and frames to it are no longer delivered', async () => {
    const page = ui.page;
    await load({ example: 'default' }, 'default');
    const box = (await page.locator('#graph').boundingBox())!;
    const p = await ev<{ x: number; y: number }>(`window.vswitchLab.cy.getElementById('vm:web-02').renderedPosition()`);
    await page.mouse.click(box.x + p.x, box.y + p.y, { button: 'right' });
    await page.click('#context-menu button[data-action="vnic"]:has-text("Disconnect web-02:eth0")');
    await page.waitForFunction(`window.vswitchLab.cy.getElementById('nic:web-02:eth0').hasClass('down')`);
    expect((await current()).topology.vms.find((v) => v.name === 'web-02')!.nics[0]!.connected).toBe(false);
    const events = await send('web-01:eth0', 'arp-request', { dstIp: '10.0.0.22' });
    expect(deliveredTo(events)).not.toContain('web-02:eth0');
    expect(deliveredTo(events)).toContain('laptop:eth0');
    // and back, from the VM's Inspect tab
    await inspect('web-02', 'VM web-02');
    await page.click('#inspect-panel button[data-action="vnic"][data-iface="web-02:eth0"]');
    await page.waitForFunction(`!window.vswitchLab.cy.getElementById('nic:web-02:eth0').hasClass('down')`);
    expect(deliveredTo(await send('web-01:eth0', 'arp-request', { dstIp: '10.0.0.22' }))).toContain('web-02:eth0');
  });

  describe('vMotion', () => {
    /** multi-host.json plus esxi-03, which has no "Prod-VLAN10": a migration there is refused (E3). */
    function withThirdHost(): { name: string } {
      const doc = JSON.parse(readFileSync(path.join(ROOT, 'topologies', 'multi-host.json'), 'utf8')) as {
        name: string;
        hosts: unknown[];
        layout?: unknown;
        tests?: unknown;
      };
      doc.name = 'multi-host + esxi-03';
      delete doc.layout;
      delete doc.tests;
      doc.hosts.push({
        name: 'esxi-03',
        nics: [{ name: 'vmnic0', mac: '00:1b:21:3a:4c:30' }],
        vswitches: [{ name: 'vSwitch0', uplinks: ['vmnic0'], portGroups: [{ name: 'Management Network', vlan: 0 }] }],
        vmkernel: [],
      });
      return doc;
    }

    const parentOf = (vm: string) => ev<string>(`window.vswitchLab.cy.getElementById('vm:${vm}').parent().id()`);
    /**
     * Is the VM drawn in the host: its child, over the area the host's other nodes cover (or the
     * row above them), not stretching the box back to where it came from?
     */
    const inside = (vm: string, host: string) =>
      ev<boolean>(`(() => { const cy = window.vswitchLab.cy; const n = cy.getElementById('vm:${vm}'); const p = n.position();
        const b = cy.getElementById('h:${host}').descendants().filter((x) => x.isChildless() && x.id() !== n.id()).boundingBox({ includeLabels: false });
        return n.parent().id() === 'h:${host}' && p.x >= b.x1 && p.x <= b.x2 && p.y <= b.y2 && p.y >= b.y1 - 120; })()`);
    /** Host boxes must not overlap after a migration redraw. */
    const hostsOverlap = () =>
      ev<boolean>(`(() => { const hs = window.vswitchLab.cy.nodes('.host').map((h) => h.boundingBox({ includeLabels: false }));
        return hs.some((a, i) => hs.some((b, j) => i < j && a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2)); })()`);

    it('migrates a VM with the keyboard ("Migrate to…" in the Inspect tab): drawn inside the new host, RARP listed', async () => {
      const page = ui.page;
      const doc = withThirdHost();
      await load({ topology: doc }, doc.name);
      const seqBefore = await ev<number>('window.vswitchLab.store.length ? window.vswitchLab.store.at(window.vswitchLab.store.length - 1).seq : 0');
      await inspect('app-01', 'VM app-01');
      expect(await parentOf('app-01')).toBe('h:esxi-01');
      // keyboard only: Tab to the select, choose with the arrows, Enter on the button
      await page.focus('#migrate-to');
      expect(await page.$$eval('#migrate-to option', (os) => os.map((o) => o.getAttribute('value')))).toEqual(['esxi-02', 'esxi-03']);
      await page.keyboard.press('Tab');
      expect(await ev<string>('document.activeElement.id')).toBe('migrate-button');
      await page.keyboard.press('Enter');
      await page.waitForFunction(`window.vswitchLab.cy.getElementById('vm:app-01').parent().id() === 'h:esxi-02'`);
      expect(await inside('app-01', 'esxi-02')).toBe(true);
      expect(await hostsOverlap()).toBe(false);
      await page.waitForFunction(`document.querySelector('#migrate-status')?.textContent?.includes('vMotion app-01 → esxi-02')`);
      await expect(page.textContent('#inspect-panel')).resolves.toContain('Hostesxi-02');
      expect((await current()).topology.vms.find((v) => v.name === 'app-01')!.host).toBe('esxi-02');
      // the event list: the change (E3), then the RARP notify switches sends from the new host (T7)
      await page.waitForFunction(
        `(() => { const s = window.vswitchLab.store; let change = false, rarp = false; for (let i = 0; i < s.length; i++) { const e = s.at(i); if (e.seq <= ${seqBefore}) continue;
          if (e.action === 'change' && e.rule === 'E3') change = true; if (change && e.action === 'notify' && e.node === 'esxi-02' && e.port === 'app-01:eth0') rarp = true; } return change && rarp; })()`,
      );
      await page.fill('#event-filter', 'vMotion');
      await page.waitForSelector('.event-list .row.a-change:has-text("app-01 now runs on esxi-02")');
      await page.fill('#event-filter', '');
      // and client-10 reaches app-01 on its new host
      expect(await ping('client-10:eth0', '10.0.10.21')).toContain('1 received');
      await screenshot(page, 'ui-migrate-keyboard.png');
    });

    it('refuses a migration to a host without the port group: the reason next to the action, nothing changes', async () => {
      const page = ui.page;
      await inspect('app-01', 'VM app-01');
      const before = JSON.stringify((await current()).topology);
      const positions = await ev<unknown>('window.vswitchLab.view.positions()');
      const errorsBefore = ui.errors.length;
      await page.selectOption('#migrate-to', 'esxi-03');
      await page.click('#migrate-button');
      await page.waitForFunction(`document.querySelector('#migrate-status')?.classList.contains('bad')`);
      await expect(page.textContent('#migrate-status')).resolves.toBe('✕ vMotion refused (E3): esxi-03 has no port group "Prod-VLAN10" for app-01:eth0');
      takeConsoleErrors(errorsBefore, 409, '/api/changes');
      expect(JSON.stringify((await current()).topology)).toBe(before);
      expect(await parentOf('app-01')).toBe('h:esxi-02');
      expect(await ev('window.vswitchLab.view.positions()')).toEqual(positions);
    });

    it('migrates a VM by dragging it onto another host (with a confirmation); a refused drop puts it back', async () => {
      const page = ui.page;
      await page.click('#fit');
      await page.waitForFunction('window.vswitchLab.view.settled'); // the fit animation is over
      const box = (await page.locator('#graph').boundingBox())!;
      const at = async (id: string) => {
        const p = await ev<{ x: number; y: number }>(`window.vswitchLab.cy.getElementById(${js(id)}).renderedPosition()`);
        return { x: box.x + p.x, y: box.y + p.y };
      };
      const drag = async (from: { x: number; y: number }, to: { x: number; y: number }) => {
        await page.mouse.move(from.x, from.y);
        await page.mouse.down();
        for (let i = 1; i <= 12; i++) await page.mouse.move(from.x + ((to.x - from.x) * i) / 12, from.y + ((to.y - from.y) * i) / 12);
        await page.mouse.up();
      };

      // app-01 (on esxi-02 now) dropped onto esxi-03, whose box is empty but for its vSwitch: refused
      const start = await ev<{ x: number; y: number }>(`window.vswitchLab.cy.getElementById('vm:app-01').position()`);
      const errorsBefore = ui.errors.length;
      await drag(await at('vm:app-01'), await at('if:esxi-03:vmnic0'));
      await page.waitForSelector('#migrate-dialog[open]');
      await expect(page.textContent('#migrate-text')).resolves.toContain('Migrate app-01 from esxi-02 to esxi-03?');
      await page.click('#migrate-confirm');
      await page.waitForFunction(`(document.querySelector('#migrate-error')?.textContent ?? '') !== ''`);
      await expect(page.textContent('#migrate-error')).resolves.toBe('vMotion refused (E3): esxi-03 has no port group "Prod-VLAN10" for app-01:eth0');
      takeConsoleErrors(errorsBefore, 409, '/api/changes');
      expect(await ev(`window.vswitchLab.cy.getElementById('vm:app-01').position()`)).toEqual(start);
      expect(await parentOf('app-01')).toBe('h:esxi-02');
      await screenshot(page, 'ui-migrate-refused.png');
      await page.click('#migrate-cancel');
      await page.waitForFunction(`!document.querySelector('#migrate-dialog').open`);

      // cancelled (Escape): back where it was
      await drag(await at('vm:app-01'), await at('if:esxi-01:vmk0'));
      await page.waitForSelector('#migrate-dialog[open]');
      await expect(page.textContent('#migrate-text')).resolves.toContain('Migrate app-01 from esxi-02 to esxi-01?');
      await page.keyboard.press('Escape');
      await page.waitForFunction(`!document.querySelector('#migrate-dialog').open`);
      expect(await ev(`window.vswitchLab.cy.getElementById('vm:app-01').position()`)).toEqual(start);
      expect(await parentOf('app-01')).toBe('h:esxi-02');

      // dropped on esxi-01, next to where it came from, and confirmed
      const target = await at('if:esxi-01:vmk1');
      const drop = { x: target.x, y: target.y - 0 };
      await drag(await at('vm:app-01'), { x: drop.x + 60, y: drop.y });
      await page.waitForSelector('#migrate-dialog[open]');
      await expect(page.textContent('#migrate-text')).resolves.toContain('Migrate app-01 from esxi-02 to esxi-01?');
      await page.click('#migrate-confirm');
      await page.waitForFunction(`window.vswitchLab.cy.getElementById('vm:app-01').parent().id() === 'h:esxi-01'`);
      await page.waitForFunction(`!document.querySelector('#migrate-dialog').open`);
      expect(await inside('app-01', 'esxi-01')).toBe(true);
      expect((await current()).topology.vms.find((v) => v.name === 'app-01')!.host).toBe('esxi-01');
      // drawn where it was dropped
      const dropped = await at('vm:app-01');
      expect(Math.abs(dropped.x - (drop.x + 60))).toBeLessThan(3);
      expect(Math.abs(dropped.y - drop.y)).toBeLessThan(3);
      await screenshot(page, 'ui-migrate-drag.png');
    });
  });

  it('Inspect\'s refresh that reaches the server after another client replaced the lab asks nothing of the new lab (no 404): the server answers 204 and the panel redraws for the new lab', async () => {
    const page = ui.page;
    await load({ example: 'default' }, 'default');
    await inspect('web-01', 'VM web-01');
    await page.waitForFunction(`!document.querySelector('#inspect-panel')?.textContent?.includes('loading')`);
    const errorsBefore = ui.errors.length;
    // the race, made certain: the refresh's first read leaves the page while web-01's lab still
    // runs and reaches the server only after another client loaded a lab without web-01
    const held = await holdFirstRequest(
      page,
      '**/api/counters/**',
      { hold: 'request' },
      async () => {
        expect((await api('POST', '/api/topology', { example: 'vlans' })).status).toBe(200);
      },
      async () => {
        const answered = page.waitForResponse((r) => r.url().includes('/api/counters/web-01'));
        // counters change (a frame from web-01, sent by another client): the panel refreshes its live parts
        expect((await api('POST', '/api/frames', { from: 'web-01:eth0', frame: { kind: 'ethernet', src: '00:50:56:a1:00:01', dst: 'ff:ff:ff:ff:ff:ff', ethertype: 0x88b5 } })).status).toBe(200);
        expect((await answered).status()).toBe(204);
        await page.waitForFunction(`document.querySelector('#topology-name')?.textContent === 'vlans'`);
      },
    );
    expect(held).toBe(true);
    // the new lab has no web-01: the panel shows no selection, and nothing failed on the page
    await page.waitForFunction(`!document.querySelector('#inspect-panel h3')`);
    expect(ui.errors.slice(errorsBefore)).toEqual([]);
  });

  it('logged no errors in the browser console (besides the refusals the tests asked for)', () => {
    expect(ui.errors).toEqual([]);
  });
});
