/**
 * The web UI end to end: a real server (random port) serving web/dist, driven by headless
 * Chromium. One server and one browser for the whole file; the tests run in order and each
 * leaves the page where the next one expects it. Screenshots go to test-artifacts/.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/server.js';
import { ARTIFACTS, openBrowser, screenshot, type UiBrowser } from './browser.js';
import { generatedTopology } from './generated-topology.js';
import { assertWebBuilt, ROOT, startLabServer } from './lab-server.js';

let server: RunningServer;
let ui: UiBrowser;

beforeAll(async () => {
  assertWebBuilt();
  // one test streams 10,000 frames a second on purpose (the page must summarise): above the
  // server's default frame budget per client (1,000 a second), which would answer 429
  server = await startLabServer('default', { rateLimit: { burst: 100, perSecond: 50, frameBurst: 40_000, framesPerSecond: 20_000 } });
  ui = await openBrowser();
}, 180_000);

afterAll(async () => {
  await ui?.close();
  await server?.close();
});

const ev = <T>(expr: string): Promise<T> => ui.page.evaluate<T>(expr);

/** Rows of the (virtualised) event list that match a text filter typed into the UI. */
async function rowsMatching(text: string): Promise<string[]> {
  const page = ui.page;
  await page.fill('#event-filter', text);
  await page.waitForFunction('window.vswitchLab.list.drawn'); // the filtered rows are drawn
  const rows = await page.$$eval('.event-list .row[data-seq]', (els) => els.map((e) => e.textContent ?? ''));
  return rows;
}

/**
 * Waits until the page's event store holds every trace event the server's lab has emitted so far
 * (GET /api/simulation's traceSeq: the last event's seq), so "nothing more arrives" is a fact of
 * the live stream's order, not a time waited.
 */
async function storeCaughtUp(): Promise<void> {
  const { traceSeq } = (await (await fetch(new URL('/api/simulation', server.url))).json()) as { traceSeq: number };
  await ui.page.waitForFunction(`${traceSeq} === 0 || (window.vswitchLab.store.length > 0 && window.vswitchLab.store.at(window.vswitchLab.store.length - 1).seq >= ${traceSeq})`);
}

describe('web UI', () => {
  it('loads the default topology and draws every node of it', async () => {
    const page = ui.page;
    await page.goto(server.url);
    await page.waitForFunction('window.vswitchLab && window.vswitchLab.cy.nodes().length > 0');
    await page.waitForSelector('#conn.live');
    const refs = await ev<string[]>('window.vswitchLab.cy.nodes().map((n) => n.data("ref"))');
    const t = server.session.state.topology;
    const expected = [
      ...t.hosts.map((h) => h.name),
      ...t.hosts.flatMap((h) => h.vswitches.map((v) => `${h.name}/${v.name}`)),
      ...t.hosts.flatMap((h) => h.vswitches.flatMap((v) => v.portGroups.map((p) => `${h.name}/${p.name}`))),
      ...t.hosts.flatMap((h) => h.nics.map((n) => `${h.name}:${n.name}`)),
      ...t.hosts.flatMap((h) => h.vmkernel.map((k) => `${h.name}:${k.name}`)),
      ...t.vms.map((v) => v.name),
      ...t.physicalSwitches.map((s) => s.name),
      ...t.physicalSwitches.flatMap((s) => s.ports.map((p) => `${s.name}:${p.name}`)),
      ...t.physicalHosts.map((p) => p.name),
    ];
    expect(refs.sort()).toEqual(expected.sort());
    expect(refs).toEqual(expect.arrayContaining(['esxi-01', 'web-01', 'web-02', 'esxi-01:vmk0', 'esxi-01:vmnic0', 'tor-1', 'tor-1:eth1', 'laptop', 'esxi-01/VM Network']));
    // parents: a VM inside its host, a port group inside its vSwitch inside the host
    expect(await ev<string>('window.vswitchLab.cy.getElementById("vm:web-01").parent().id()')).toBe('h:esxi-01');
    expect(await ev<string>('window.vswitchLab.cy.getElementById("pg:esxi-01/VM Network").parent().id()')).toBe('vs:esxi-01/vSwitch0');
    // edges: every link plus every vNIC and vmk
    const edges = await ev<number>('window.vswitchLab.cy.edges().length');
    expect(edges).toBe(t.links.length + t.vms.reduce((n, v) => n + v.nics.length, 0) + t.hosts.reduce((n, h) => n + h.vmkernel.length, 0));
    // tidy layout: VMs above their port group, the port group inside vSwitch0, tor-1 below the host
    const y = (id: string) => ev<number>(`window.vswitchLab.cy.getElementById(${JSON.stringify(id)}).position().y`);
    expect(await y('vm:web-01')).toBe(await y('vm:web-02'));
    expect(await y('vm:web-01')).toBeLessThan(await y('pg:esxi-01/VM Network'));
    expect(await y('pg:esxi-01/VM Network')).toBeLessThan(await y('if:esxi-01:vmnic0'));
    expect(await y('if:esxi-01:vmnic0')).toBeLessThan(await y('if:tor-1:eth1'));
    const overlap = await ev<boolean>(`(() => { const a = window.vswitchLab.cy.getElementById('h:esxi-01').boundingBox(); const b = window.vswitchLab.cy.getElementById('ps:tor-1').boundingBox();
      return a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2; })()`);
    expect(overlap).toBe(false);
    await expect(page.textContent('#legend')).resolves.toContain('VLAN 0 (untagged)');
    await expect(page.textContent('#topology-name')).resolves.toBe('default');
    await screenshot(page, 'ui-default.png');
  });

  it('pings web-01 -> web-02 from the UI: ARP and ICMP in the event list, delivery highlighted', async () => {
    const page = ui.page;
    await page.selectOption('#ping-from', 'web-01:eth0');
    await page.selectOption('#ping-to', '10.0.0.22');
    await page.click('#ping-button');
    await page.waitForFunction(`document.querySelector('#ping-result')?.textContent?.includes('1 received')`);
    // printed as ping(8) prints it (the CLI's printout): header, the reply from the target, statistics
    const printed = (await page.textContent('#ping-result'))!;
    expect(printed).toMatch(/^PING 10\.0\.0\.22 \(10\.0\.0\.22\) 56\(84\) bytes of data\./);
    expect(printed).toMatch(/\n64 bytes from 10\.0\.0\.22: icmp_seq=1 ttl=64 time=[\d.]+ ms\n/);
    expect(printed).toContain('--- 10.0.0.22 ping statistics ---');
    // the animation reaches web-02 and marks the delivery there
    await page.waitForSelector('#outcomes li.ok:has-text("delivered to web-02:eth0")', { timeout: 20_000 });
    await page.waitForSelector('#outcomes li.ok:has-text("delivered to web-01:eth0")', { timeout: 20_000 });
    const marks = await ev<Array<{ kind: string; iface: string; nodeId: string }>>('window.vswitchLab.view.currentMarks()');
    expect(marks).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'deliver', iface: 'web-02:eth0', nodeId: 'vm:web-02' })]));
    expect(await ev<boolean>('window.vswitchLab.cy.getElementById("vm:web-02").hasClass("delivered")')).toBe(true);
    await screenshot(page, 'ui-ping.png');
    for (const type of ['ARP request 10.0.0.22?', 'ARP reply 10.0.0.22', 'ICMP echo request', 'ICMP echo reply']) {
      const rows = await rowsMatching(type);
      expect(rows.length, type).toBeGreaterThan(0);
      expect(rows.some((r) => r.includes('deliver')), `${type} delivered`).toBe(true);
    }
    await page.fill('#event-filter', '');
  });

  it('filters the event list by protocol', async () => {
    const page = ui.page;
    await page.click('.proto-menu summary');
    await page.uncheck('input[data-proto="ARP"]');
    await page.waitForFunction('window.vswitchLab.list.drawn'); // the filtered rows are drawn
    const types = await page.$$eval('.event-list .row[data-seq] .c-proto', (els) => els.map((e) => e.textContent ?? ''));
    expect(types.length).toBeGreaterThan(0);
    expect(types.some((t) => t.startsWith('ARP'))).toBe(false);
    expect(types.some((t) => t.startsWith('ICMP'))).toBe(true);
    await page.check('input[data-proto="ARP"]');
    await page.click('.proto-menu summary');
  });

  it('clicking an event shows its explain trace with rule IDs and the decoded frame (bytes from the live stream)', async () => {
    const page = ui.page;
    const rows = await rowsMatching('ICMP echo request');
    expect(rows.length).toBeGreaterThan(0);
    await page.click('.event-list .row.a-deliver');
    const details = page.locator('#event-details');
    await expect(details.textContent()).resolves.toContain('Explain trace');
    const steps = await page.$$eval('#event-details ol.trace li', (els) => els.map((e) => e.textContent ?? ''));
    expect(steps.length).toBeGreaterThan(2);
    expect(steps.some((s) => s.startsWith('F2') && s.includes('Known local unicast'))).toBe(true);
    expect(steps.some((s) => s.startsWith('V1'))).toBe(true);
    // the ping's events reached the page over socket.io only (POST /api/ping answers no events):
    // their bytes come with the live stream by default, and the server decodes them
    const seq = Number(await page.getAttribute('.event-list .row.a-deliver', 'data-seq'));
    expect(await ev<boolean>(`typeof window.vswitchLab.store.bySeqGet(${seq}).frameHex === 'string'`)).toBe(true);
    await page.waitForSelector('#event-details ul.tree');
    const tree = await page.textContent('#event-details ul.tree');
    expect(tree).toContain('Ethernet II');
    expect(tree).toContain('ICMP');
    expect(tree).toMatch(/Echo \(ping\) request|echo request/i);
    await expect(page.textContent('#event-details .summary-line')).resolves.toMatch(/10\.0\.0\.21.*10\.0\.0\.22/);
    await page.fill('#event-filter', '');
  });

  it('explains a bad field next to that field (server 400 details)', async () => {
    const page = ui.page;
    await page.click('#tabbtn-send');
    await page.selectOption('#send-from', 'web-01:eth0');
    await page.selectOption('#send-kind', 'arp-request');
    await page.fill('#send-dst-ip', '10.0.0.999');
    const before = ui.errors.length;
    await page.click('#send-button');
    await page.waitForFunction(`(document.querySelector('#send-dst-ip-error')?.textContent ?? '') !== ''`);
    // Chromium logs every 4xx response in the console: this one is the point of the test
    expect(ui.errors.slice(before)).toEqual([{ text: expect.stringContaining('status of 400'), url: expect.stringMatching(/\/api\/frames$/) }]);
    ui.errors.splice(before);
    await expect(page.textContent('#send-dst-ip-error')).resolves.toContain('10.0.0.999');
    await expect(page.getAttribute('#send-dst-ip', 'aria-invalid')).resolves.toBe('true');
    await page.fill('#send-dst-ip', '');
  });

  it('downloads a capture of chosen points that tshark reads', async () => {
    const page = ui.page;
    await page.click('#tabbtn-capture');
    await page.waitForSelector('input[data-point="web-02:eth0:PortOutput"]');
    await page.check('input[data-point="web-02:eth0:PortOutput"]');
    await page.check('input[data-point="esxi-01:vmnic0:UplinkSnd"]');
    const cmd = await page.inputValue('#wireshark-command');
    const m = /^curl -sN '(http:\/\/127\.0\.0\.1:\d+\/api\/capture\/live\?[^']+)' \| wireshark -k -i -$/.exec(cmd);
    expect(m, cmd).not.toBeNull();
    const live = new URL(m![1]!);
    expect(live.searchParams.get('points')!.split(',').sort()).toEqual(['esxi-01:vmnic0:UplinkSnd', 'web-02:eth0:PortOutput']);
    expect(live.searchParams.get('format')).toBe('pcapng');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#capture-download')]);
    const file = path.join(ARTIFACTS, 'ui-capture.pcapng');
    await download.saveAs(file);
    const lines = execFileSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.interface_name', '-e', '_ws.col.Protocol', '-e', '_ws.col.Info'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    })
      .trim()
      .split('\n');
    // web-02 got the ARP request (broadcast) and the echo request; the broadcast also left by vmnic0
    expect(lines.some((l) => l.startsWith('web-02:eth0 PortOutput') && l.includes('ARP') && l.includes('Who has 10.0.0.22'))).toBe(true);
    expect(lines.some((l) => l.startsWith('web-02:eth0 PortOutput') && l.includes('ICMP') && l.includes('Echo (ping) request'))).toBe(true);
    expect(lines.some((l) => l.startsWith('esxi-01:vmnic0 UplinkSnd') && l.includes('ARP'))).toBe(true);
    // and the pcap variant
    await page.check('#cap-format-pcap');
    const [dl2] = await Promise.all([page.waitForEvent('download'), page.click('#capture-download')]);
    const file2 = path.join(ARTIFACTS, 'ui-capture.pcap');
    await dl2.saveAs(file2);
    expect(execFileSync('capinfos', ['-t', file2], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })).toMatch(/File type:\s+Wireshark\/tcpdump\/\.\.\. - (nanosecond )?pcap\n/);
    expect(readFileSync(file2).length).toBeGreaterThan(24);
    await screenshot(page, 'ui-capture.png');
  });

  it('inspects a port group: effective policy with where each value comes from', async () => {
    const page = ui.page;
    await page.click('#tabbtn-inspect');
    await page.fill('#find', 'esxi-01/VM Network');
    await page.press('#find', 'Enter');
    await page.waitForSelector('#inspect-panel table.policy');
    const text = await page.textContent('#inspect-panel');
    // vSwitch0 states Reject/Accept/Accept; the port group does not override (default.json)
    expect(text).toMatch(/Forged transmits \(S3\)AcceptvSwitch/);
    expect(text).toMatch(/Promiscuous mode \(S1\)RejectvSwitch/);
    expect(text).toContain('VLAN 0 (untagged)');
    await page.waitForFunction(`!document.querySelector('#inspect-panel')?.textContent?.includes('loading')`);
    await expect(page.textContent('#inspect-panel')).resolves.toContain('Counters · web-01:eth0');
  });

  it('keyboard: shortcuts reach the tabs, the graph search and the player', async () => {
    const page = ui.page;
    await page.locator('body').focus();
    await page.keyboard.press('Escape');
    await page.evaluate('document.activeElement && document.activeElement.blur()');
    await page.keyboard.press('4');
    await expect(page.getAttribute('#tabbtn-topology', 'aria-selected')).resolves.toBe('true');
    await page.keyboard.press('1');
    await expect(page.getAttribute('#tabbtn-send', 'aria-selected')).resolves.toBe('true');
    await page.keyboard.press('ArrowRight');
    await expect(page.getAttribute('#tabbtn-inspect', 'aria-selected')).resolves.toBe('true');
    await page.evaluate('document.activeElement && document.activeElement.blur()');
    await page.keyboard.press('g');
    await page.keyboard.type('laptop');
    await page.keyboard.press('Enter');
    await page.waitForFunction(`document.querySelector('#inspect-panel h3')?.textContent === 'Physical host laptop'`);
    await page.evaluate('document.activeElement && document.activeElement.blur()');
    // space in real time stops the clock (simulation mode); then it plays and pauses the simulation
    await page.keyboard.press(' ');
    await page.waitForFunction(`document.querySelector('#sim-mode').value === 'simulation'`);
    expect(await page.getAttribute('#sim-play', 'aria-pressed')).toBe('false');
    await page.keyboard.press(' ');
    expect(await page.getAttribute('#sim-play', 'aria-pressed')).toBe('true');
    await page.keyboard.press(' ');
    expect(await page.getAttribute('#sim-play', 'aria-pressed')).toBe('false');
    await page.selectOption('#sim-mode', 'realtime');
    await page.waitForFunction('document.querySelector("#sim-step").disabled');
  });

  it('security.json: a forged frame is dropped, marked where it happened, with its reason', async () => {
    const page = ui.page;
    await page.click('#tabbtn-topology');
    await page.selectOption('#example-select', 'security');
    await page.click('#load-example');
    const name = JSON.parse(readFileSync(path.join(ROOT, 'topologies', 'security.json'), 'utf8')).name as string;
    await page.waitForFunction(`document.querySelector('#topology-name')?.textContent === ${JSON.stringify(name)}`);
    await page.waitForFunction('window.vswitchLab.cy.getElementById("vm:nested-esxi-locked").length === 1');
    await page.click('#tabbtn-send');
    await page.selectOption('#send-from', 'nested-esxi-locked:eth0');
    await page.selectOption('#send-kind', 'arp-request');
    await page.fill('#send-dst-ip', '10.0.0.31');
    await page.fill('#send-src-mac', '00:50:56:b2:00:01');
    // dry run first: the same verdict, nothing sent
    const eventsBefore = await ev<number>('window.vswitchLab.store.length');
    await page.click('#explain-button');
    await page.waitForSelector('#send-result ol.trace li.a-drop');
    await expect(page.textContent('#send-result')).resolves.toContain('Explain (dry run');
    await expect(page.textContent('#send-result ol.trace li.a-drop')).resolves.toContain('FORGED_TRANSMIT');
    const [sent] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/api/frames')), page.click('#send-button')]);
    const { frameIds } = (await sent.json()) as { frameIds: number[] };
    await page.waitForFunction(`document.querySelector('#send-result')?.textContent?.includes('1 dropped')`);
    await page.waitForSelector('#outcomes li.bad:has-text("dropped at nested-esxi-locked:eth0: FORGED_TRANSMIT (S3)")', { timeout: 15_000 });
    // live updates arrive in order: every event after the dry run's moment is the sent frame's, so the dry run added none
    const after = await ev<number[]>(`Array.from({ length: window.vswitchLab.store.length - ${eventsBefore} }, (_, i) => window.vswitchLab.store.at(${eventsBefore} + i).frameId)`);
    expect(after.length).toBeGreaterThan(0);
    expect(new Set(after)).toEqual(new Set(frameIds));
    const marks = await ev<Array<{ kind: string; text: string; nodeId: string }>>('window.vswitchLab.view.currentMarks()');
    expect(marks).toEqual(expect.arrayContaining([{ kind: 'drop', text: 'FORGED_TRANSMIT (S3)', nodeId: 'vm:nested-esxi-locked', iface: 'nested-esxi-locked:eth0', at: expect.any(Number) }]));
    await page.check('#drops-only');
    await page.waitForFunction('window.vswitchLab.list.drawn'); // the filtered rows are drawn
    const rows = await page.$$eval('.event-list .row[data-seq]', (els) => els.map((e) => e.textContent ?? ''));
    expect(rows.length).toBe(1);
    expect(rows[0]).toContain('drop S3');
    expect(rows[0]).toContain('FORGED_TRANSMIT');
    await page.click('.event-list .row.a-drop');
    await page.waitForSelector('#event-details .sentence.bad');
    const details = await page.textContent('#event-details');
    expect(details).toContain('S3');
    expect(details).toContain('Forged transmits');
    expect(details).toContain('00:50:56:b2:00:01');
    await screenshot(page, 'ui-forged-drop.png');
    await page.uncheck('#drops-only');
    // the same ARP request from the vNIC's own MAC: the Send tab's explain draws the copy tree
    // (copy-tree.ts), each copy's branch row with its steps indented under it
    await page.fill('#send-src-mac', '');
    await page.click('#explain-button');
    await page.waitForSelector('#send-result ol.trace li.copy-branch');
    const branch = (await page.textContent('#send-result ol.trace li.copy-branch'))!;
    expect(branch).toMatch(/^[├└]─ copy \d+ → \S+:\S+$/);
    const indents = await page.$$eval('#send-result ol.trace li:not(.copy-branch)', (els) => els.map((e) => parseFloat(/padding-left:\s*([\d.]+)px/.exec(e.getAttribute('style') ?? '')?.[1] ?? '0')));
    expect(indents[0]).toBe(0);
    expect(Math.max(...indents)).toBeGreaterThan(0);
  });

  it('lab clock: in simulation mode a frame waits; Step moves it on', async () => {
    const page = ui.page;
    await page.selectOption('#sim-mode', 'simulation');
    await page.waitForFunction('!document.querySelector("#sim-step").disabled');
    await page.selectOption('#send-from', 'admin-vm:eth0');
    await page.selectOption('#send-kind', 'arp-request');
    await page.fill('#send-src-mac', '');
    await page.fill('#send-dst-ip', '10.0.0.41');
    await page.click('#send-button');
    await page.waitForFunction(`document.querySelector('#send-result')?.textContent?.includes('still travelling')`);
    await expect(page.textContent('#clock-now')).resolves.toContain('next event at');
    await storeCaughtUp();
    const before = await ev<number>('window.vswitchLab.store.length');
    for (let i = 0; i < 3; i++) await page.click('#sim-step');
    await page.waitForFunction(`window.vswitchLab.store.length > ${before}`);
    await page.selectOption('#sim-mode', 'realtime');
    await page.waitForFunction('document.querySelector("#sim-step").disabled');
    await page.waitForSelector('#outcomes li.ok:has-text("delivered to nested-esxi:eth0")', { timeout: 15_000 });
  });

  it('lab clock: a ping in simulation mode waits in the queue, then ends when the clock runs', async () => {
    const page = ui.page;
    await page.selectOption('#sim-mode', 'simulation');
    await page.waitForFunction('!document.querySelector("#sim-step").disabled');
    await page.selectOption('#ping-from', 'admin-vm:eth0');
    await page.selectOption('#ping-to', '10.0.0.41');
    await page.fill('#ping-count', '1');
    const [res] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/api/ping')), page.click('#ping-button')]);
    expect(res.status()).toBe(202);
    await page.waitForSelector('#ping-pending');
    await expect(page.textContent('#ping-result')).resolves.not.toContain('packets transmitted');
    // one event: the echo request starts on its way, the ping is not over
    const before = await ev<number>('window.vswitchLab.store.length');
    await page.click('#sim-step');
    await page.waitForFunction(`window.vswitchLab.store.length > ${before}`);
    await storeCaughtUp(); // a result the step made would have come with its events
    await expect(page.textContent('#ping-result')).resolves.not.toContain('packets transmitted');
    // real time runs the rest: the result arrives over socket.io
    await page.selectOption('#sim-mode', 'realtime');
    await page.waitForFunction(`document.querySelector('#ping-result')?.textContent?.includes('1 packets transmitted, 1 received')`, undefined, { timeout: 15_000 });
    expect(await page.$('#ping-pending')).toBeNull();
  });

  it('opening a broken topology file lists the paths of its errors and keeps the lab', async () => {
    const page = ui.page;
    const before = await page.textContent('#topology-name');
    await page.click('#tabbtn-topology');
    // the panel counts what the loaded file holds, "1 physical switch" in the singular
    const loaded = ((await (await fetch(new URL('/api/topology', server.url))).json()) as { topology: { hosts: unknown[]; vms: unknown[]; physicalSwitches: unknown[]; links: unknown[] } }).topology;
    const n = (k: number, one: string, many = `${one}s`) => `${k} ${k === 1 ? one : many}`;
    await expect(page.textContent('.topo-info')).resolves.toContain(
      `${n(loaded.hosts.length, 'host')}, ${n(loaded.vms.length, 'VM')}, ${n(loaded.physicalSwitches.length, 'physical switch', 'physical switches')}, ${n(loaded.links.length, 'link')}`,
    );
    const broken = {
      version: 1,
      name: 'broken',
      hosts: [{ name: 'esxi-01', vswitches: [{ name: 'vSwitch0', portGroups: [{ name: 'VM Network', vlan: 5000 }] }] }],
      vms: [{ name: 'vm-1', host: 'esxi-01', nics: [{ name: 'eth0', portGroup: 'VM Network', mac: '00:50:56:zz:00:01' }] }],
    };
    await page.setInputFiles('#topology-file', { name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(broken, null, 2)) });
    await page.waitForSelector('#topology-issues .issue-list.error');
    const paths = await page.$$eval('#topology-issues .issue-list.error .issue-path', (els) => els.map((e) => e.textContent));
    expect(paths).toEqual(expect.arrayContaining(['hosts[0].vswitches[0].portGroups[0].vlan', 'vms[0].nics[0].mac']));
    await expect(page.textContent('#topology-issues')).resolves.toContain('VLAN ID must be 0..4095');
    await expect(page.textContent('#topology-issues')).resolves.toContain('the running lab is unchanged');
    expect(await page.textContent('#topology-name')).toBe(before);
    await screenshot(page, 'ui-broken-topology.png');
  });

  it('downloads the current topology with the positions in its layout block', async () => {
    const page = ui.page;
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-topology')]);
    const file = path.join(ARTIFACTS, 'ui-topology.json');
    await download.saveAs(file);
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { name: string; layout: { positions: Record<string, { x: number; y: number }> } };
    expect(doc.name).toBe(await page.textContent('#topology-name'));
    expect(Object.keys(doc.layout.positions)).toEqual(expect.arrayContaining(['nested-esxi', 'admin-vm', 'esxi-01:vmk0', 'esxi-01/Nested', 'esxi-01', 'tor-1']));
    // the server accepts it back, and the graph is drawn exactly where the file says
    doc.layout.positions['admin-vm'] = { x: doc.layout.positions['admin-vm']!.x + 400, y: -300 };
    const res = await fetch(new URL('/api/topology', server.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ topology: doc }) });
    expect(res.status).toBe(200);
    await page.waitForFunction('window.vswitchLab.cy.getElementById("vm:admin-vm").position().y === -300');
    const moved = await ev<{ x: number; y: number }>('window.vswitchLab.cy.getElementById("vm:admin-vm").position()');
    expect(moved).toEqual(doc.layout.positions['admin-vm']);
    const vmk = await ev<{ x: number; y: number }>('window.vswitchLab.cy.getElementById("if:esxi-01:vmk0").position()');
    expect(vmk).toEqual(doc.layout.positions['esxi-01:vmk0']);
  });

  // Behaviour only: how fast is for `npm run bench -- web` (frame gaps, draw time), not for a test.
  it('a 2,000-node generated topology is drawn and follows wheel and drag; a 10k frames/s stream is summarised, not piled into the page', async () => {
    const page = ui.page;
    if (!(await ev<boolean>('Boolean(window.vswitchLab)'))) {
      await page.goto(server.url);
      await page.waitForSelector('#conn.live', { timeout: 60_000 });
    }
    const doc = generatedTopology(70, 20);
    const res = await fetch(new URL('/api/topology', server.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ topology: doc }) });
    expect(res.status).toBe(200);
    await page.waitForFunction('window.vswitchLab.cy.nodes().length > 2000 && !window.vswitchLab.view.drawing', undefined, { timeout: 60_000 });
    const expectedNodes = (doc as { hosts: unknown[]; vms: unknown[] }).vms.length;
    expect(await ev<number>('window.vswitchLab.cy.nodes("[kind = \'vm\']").length')).toBe(expectedNodes);

    // wheel zooms in, drag pans
    const zoom0 = await ev<number>('window.vswitchLab.cy.zoom()');
    await page.mouse.move(300, 300);
    for (let i = 0; i < 6; i++) {
      await page.mouse.wheel(0, -120);
      await page.waitForTimeout(30);
    }
    await page.waitForFunction(`window.vswitchLab.cy.zoom() > ${zoom0}`);
    // drag from a point of the graph where no node is (a node or a host box would move instead)
    const empty = await ev<{ x: number; y: number } | null>(`(() => {
      const cy = window.vswitchLab.cy; const r = document.getElementById('graph').getBoundingClientRect();
      const boxes = cy.nodes().map((n) => n.renderedBoundingBox());
      for (let y = 20; y < r.height - 20; y += 20) for (let x = 20; x < r.width - 20; x += 20)
        if (!boxes.some((b) => x >= b.x1 - 5 && x <= b.x2 + 5 && y >= b.y1 - 5 && y <= b.y2 + 5)) return { x: r.left + x, y: r.top + y };
      return null; })()`);
    expect(empty).not.toBeNull();
    const pan0 = await ev<{ x: number; y: number }>('window.vswitchLab.cy.pan()');
    await page.mouse.move(empty!.x, empty!.y);
    await page.mouse.down();
    for (let i = 1; i <= 10; i++) await page.mouse.move(empty!.x + i * 8, empty!.y + i * 3);
    await page.mouse.up();
    const pan1 = await ev<{ x: number; y: number }>('window.vswitchLab.cy.pan()');
    expect(Math.hypot(pan1.x - pan0.x, pan1.y - pan0.y)).toBeGreaterThan(0);

    // 30 sends of 1,000 frames, one every 100 ms: every send answered, the page gets a bounded
    // share (the server summarises what a client cannot usefully show), the event list stays
    // virtualised, and the page still answers a click
    const target = (doc as { vms: Array<{ name: string; nics: Array<{ mac: string; ipv4: string }> }> }).vms.find((v) => v.name === 'vm-1-5')!.nics[0]!;
    const body = JSON.stringify({ from: 'vm-1-1:eth0', count: 1000, frame: { kind: 'udp', dst: target.mac, dstIp: target.ipv4.split('/')[0], dstPort: 9 } });
    const before = await ev<number>('window.vswitchLab.store.length');
    const omittedBefore = await ev<number>('window.vswitchLab.store.omitted');
    const sends: Promise<Response>[] = [];
    const start = performance.now();
    for (let i = 0; i < 30; i++) {
      sends.push(fetch(new URL('/api/frames', server.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body }));
      await new Promise((r) => setTimeout(r, Math.max(0, start + (i + 1) * 100 - performance.now())));
    }
    expect((await Promise.all(sends)).map((r) => r.status)).toEqual(Array(30).fill(200));
    await page.waitForFunction(`window.vswitchLab.store.omitted > ${omittedBefore}`);
    const received = (await ev<number>('window.vswitchLab.store.length')) - before;
    expect(received).toBeGreaterThan(1000);
    expect(received).toBeLessThan(30_000 * 2); // each frame is an ingress and a deliver: not all of them
    expect(await page.$$eval('.event-list .row[data-seq]', (els) => els.length)).toBeLessThan(100);
    await page.click('#tabbtn-inspect');
    await page.waitForSelector('#tabbtn-inspect[aria-selected="true"]');
    await screenshot(page, 'ui-generated-2000.png');
  }, 120_000);

  it('logged no errors in the browser console', () => {
    expect(ui.errors).toEqual([]);
  });
});
