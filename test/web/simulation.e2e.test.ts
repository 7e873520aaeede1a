/**
 * Simulation mode in headless Chromium over a real server (random port) and the real engine:
 * nothing is listed before Step; each Step lists exactly the events of one engine event (no
 * more than the lab's present); Back removes the last step from the list and the graph; clicking
 * an earlier event jumps the lab there and Inspect shows that moment's MAC table; a cable pulled
 * while paused is honoured by the next steps. The re-fire list keeps the page's sends across a
 * reload, re-sends one, and "save as test" downloads a topology that `vswitch-lab test` passes;
 * a selected frame's path has one ✕ with its reason per dropped leg, marks that overlap nothing,
 * and a node click shows what that node did with the frame.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';
import type { RunningServer } from '../../src/server/server.js';
import type { TraceEventJson } from '../../src/server/api-types.js';
import { screenshot, type UiBrowser, openLabPage } from './browser.js';
import { assertWebBuilt, startLabServer, apiCall } from './lab-server.js';

let server: RunningServer;
let ui: UiBrowser;

beforeAll(async () => {
  assertWebBuilt();
  server = await startLabServer('default');
  ui = await openLabPage(server.url, { viewport: { width: 1440, height: 900 } });
}, 180_000);

afterAll(async () => {
  await ui?.close();
  await server?.close();
});

const ev = <T>(expr: string): Promise<T> => ui.page.evaluate<T>(expr);

const api = <T>(method: string, route: string, body?: unknown): Promise<{ status: number; body: T }> => apiCall<T>(server, method, route, body);

const broadcast = (from: string, src: string) => ({ from, frame: { kind: 'ethernet', src, dst: 'ff:ff:ff:ff:ff:ff', ethertype: 0x88b5 } });
const position = () => ev<{ position: number; traceSeq: number; next: number | null }>('window.vswitchLab.sim.position');
const storeSeqs = () => ev<number[]>('Array.from({ length: window.vswitchLab.store.length }, (_, i) => window.vswitchLab.store.at(i).seq)');

/** One click on Step; waits until the page has the step's answer; returns the events it added. */
async function step(): Promise<number[]> {
  const before = await position();
  const seqs = await storeSeqs();
  await ui.page.click('#sim-step');
  await ui.page.waitForFunction(`window.vswitchLab.sim.position.position > ${before.position}`);
  const after = await storeSeqs();
  return after.filter((s) => !seqs.includes(s));
}

async function macTableOfTor(): Promise<string> {
  const page = ui.page;
  await page.click('#tabbtn-inspect');
  await page.fill('#find', 'tor-1');
  await page.press('#find', 'Enter');
  await page.waitForFunction(`document.querySelector('#inspect-panel h3')?.textContent === 'Physical switch tor-1'`);
  await page.waitForFunction(`!document.querySelector('#inspect-panel')?.textContent?.includes('loading')`);
  return (await page.textContent('#inspect-panel')) ?? '';
}

describe('simulation mode', () => {
  it('lists nothing before Step, one engine event per Step, Back removes the last one, a click jumps back in time', async () => {
    const page = ui.page;
    await page.selectOption('#sim-mode', 'simulation');
    await page.waitForFunction('!document.querySelector("#sim-step").disabled');
    expect((await api('POST', '/api/frames', broadcast('web-01:eth0', '00:50:56:a1:00:01'))).status).toBe(200);
    // (sent by another client: the page asks for the clock again, as a send from its own Send tab does)
    await ev('window.vswitchLab.sim.refresh()');
    // the clock shows the queued event; the list stays empty: nothing has happened yet
    await page.waitForFunction(`document.querySelector('#clock-now')?.textContent?.includes('next event at')`);
    expect(await ev<number>('window.vswitchLab.store.length')).toBe(0);

    // N steps: N engine events, each adding its own events and nothing past the lab's present
    const perStep: number[][] = [];
    for (let n = 0; n < 3; n++) {
      const added = await step();
      expect(added.length).toBeGreaterThan(0);
      perStep.push(added);
      const p = await position();
      expect(Math.max(...(await storeSeqs()))).toBe(p.traceSeq);
    }
    expect(await storeSeqs()).toEqual(perStep.flat());

    // Back: the last step's events leave the list (and the graph's marks)
    const before = await position();
    await page.click('#sim-back');
    await page.waitForFunction(`window.vswitchLab.sim.position.position === ${before.position - 1}`);
    await page.waitForFunction(`window.vswitchLab.store.length === ${perStep[0]!.length + perStep[1]!.length}`);
    expect(await storeSeqs()).toEqual([...perStep[0]!, ...perStep[1]!]);
    const marks = await ev<Array<{ text: string }>>('window.vswitchLab.view.currentMarks()');
    expect(marks.length).toBe(0);

    // Play runs the rest at 100 events a second; tor-1 then knows web-01's MAC
    await page.selectOption('#sim-speed', 'e100');
    await page.click('#sim-play');
    await page.waitForFunction('window.vswitchLab.sim.position.next === null', undefined, { timeout: 30_000 });
    await page.click('#sim-play');
    await page.waitForFunction(`document.querySelector('#sim-play').getAttribute('aria-pressed') === 'false'`);
    expect(await macTableOfTor()).toContain('00:50:56:a1:00:01');
    await screenshot(page, 'simulation-end.png');

    // a click on the first event: the lab as it was right after the engine event it belongs to
    // (the first step); tor-1 has learned nothing yet
    const first = perStep[0]![0]!;
    await page.click(`.event-list .row[data-seq="${first}"]`);
    await page.waitForFunction(`window.vswitchLab.sim.position.traceSeq === ${perStep[0]!.at(-1)!}`);
    await page.waitForFunction(`window.vswitchLab.store.length === ${perStep[0]!.length}`);
    expect(await macTableOfTor()).not.toContain('00:50:56:a1:00:01');
  }, 120_000);

  it('Play by virtual time (1 µs per second): the clock moves by time, every event due is processed as the clock passes it, hop by hop', async () => {
    const page = ui.page;
    await page.selectOption('#sim-mode', 'simulation');
    await page.waitForFunction('!document.querySelector("#sim-step").disabled');
    // back to the moment simulation started: nothing queued
    await page.click('#sim-reset');
    await page.waitForFunction('window.vswitchLab.sim.position.next === null');
    const start = await api<{ clock: { now: number; next: number | null } }>('GET', '/api/simulation');
    expect(start.body.clock.next).toBeNull();
    const t0 = start.body.clock.now;
    const seq0 = (await position()).traceSeq;
    expect((await api('POST', '/api/frames', broadcast('web-02:eth0', '00:50:56:a1:00:02'))).status).toBe(200);
    await ev('window.vswitchLab.sim.refresh()');
    await page.waitForFunction('window.vswitchLab.sim.position.next !== null');
    await ev('window.vswitchLab.sim.trail.length = 0');
    // 1 µs of virtual time per wall second; the broadcast's hops are 1 µs apart (link latency)
    await page.selectOption('#sim-speed', 't1000');
    await page.click('#sim-play');
    await page.waitForFunction('window.vswitchLab.sim.position.next === null', undefined, { timeout: 60_000 });
    await page.click('#sim-play');
    await page.waitForFunction(`document.querySelector('#sim-play').getAttribute('aria-pressed') === 'false'`);
    const trail = await ev<Array<{ ns: number; now: number; next: number | null; stepped: number; times: number[] }>>('window.vswitchLab.sim.trail.slice()');
    // each request moved the clock by the virtual time asked (at most 500 ns: 1 µs/s for at most half a wall second), never to an event
    let now = t0;
    for (const t of trail) {
      expect(t.ns).toBeGreaterThan(0);
      expect(t.ns).toBeLessThanOrEqual(500);
      expect(t.now).toBe(now + t.ns);
      // every event due was processed, none later: the next one lies after the clock
      expect(t.times.every((x) => x >= now && x <= t.now)).toBe(true);
      if (t.next !== null) expect(t.next).toBeGreaterThan(t.now);
      now = t.now;
    }
    // the hops came one virtual instant at a time, over several requests: the picture follows the clock
    const withEvents = trail.filter((t) => t.stepped > 0);
    expect(withEvents.length).toBeGreaterThanOrEqual(2);
    for (const t of withEvents) expect(new Set(t.times).size).toBe(1);
    // the list holds exactly the events processed, in order, nothing past the present
    const listed = (await storeSeqs()).filter((q) => q > seq0);
    expect(listed.length).toBe(trail.reduce((n, t) => n + t.times.length, 0));
    expect(Math.max(...listed)).toBe((await position()).traceSeq);
    await page.selectOption('#sim-speed', 'e2');
  }, 120_000);

  it('a click on a row lands while the list redraws under the pointer (the animation moves its cursor every frame)', async () => {
    const page = ui.page;
    await page.waitForFunction('window.vswitchLab.store.length >= 3 && window.vswitchLab.list.drawn');
    const selected = await ev<number | null>('window.vswitchLab.list.selected');
    const rows = (await ev<number[]>(`Array.from(document.querySelectorAll('.event-list .row[data-seq]'), (r) => Number(r.dataset.seq))`)).filter((s) => s !== selected);
    const [target, other] = [rows[0]!, rows[1]!];
    const box = (await page.locator(`.event-list .row[data-seq="${target}"]`).boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    // between the press and the release the list redraws, as it does when the player's cursor moves
    await ev(`new Promise((resolve) => { window.vswitchLab.list.setCursor(${other}); requestAnimationFrame(() => requestAnimationFrame(() => resolve(true))); })`);
    await page.mouse.up();
    expect(await ev<number | null>('window.vswitchLab.list.selected')).toBe(target);
  }, 60_000);

  it('a cable pulled while paused is honoured by the next step: nothing crosses it', async () => {
    const page = ui.page;
    await page.click('#sim-reset');
    await page.waitForFunction('window.vswitchLab.store.length === 0');
    const pulled = await api<{ ok?: boolean }>('POST', '/api/changes', { kind: 'link', iface: 'esxi-01:vmnic0', up: false });
    expect(pulled.status).toBe(200);
    expect((await api('POST', '/api/frames', broadcast('web-01:eth0', '00:50:56:a1:00:01'))).status).toBe(200);
    await ev('window.vswitchLab.sim.refresh()');
    await page.waitForFunction(`window.vswitchLab.sim.position.next !== null`);
    for (let n = 0; n < 50 && (await position()).next !== null; n++) await step();
    expect((await position()).next).toBeNull();
    const events = await ev<TraceEventJson[]>('Array.from({ length: window.vswitchLab.store.length }, (_, i) => window.vswitchLab.store.at(i))');
    expect(events.some((e) => e.action === 'deliver' && e.port === 'web-02:eth0')).toBe(true);
    expect(events.filter((e) => e.action === 'tx' && e.port === 'esxi-01:vmnic0')).toEqual([]);
    expect(events.filter((e) => e.node === 'tor-1' || e.node === 'laptop')).toEqual([]);
    await api('POST', '/api/changes', { kind: 'link', iface: 'esxi-01:vmnic0', up: true });
    await page.selectOption('#sim-mode', 'realtime');
    await page.waitForFunction('document.querySelector("#sim-step").disabled');
  }, 120_000);

  it('re-fire list: kept across a reload, re-sent, saved as a test that vswitch-lab test passes; the path marks each dropped leg once', async () => {
    const page = ui.page;
    expect((await api('POST', '/api/topology', { example: 'security' })).status).toBe(200);
    await page.waitForFunction(`window.vswitchLab.cy.getElementById('vm:nested-esxi-locked').length === 1`);
    await page.evaluate(`localStorage.clear()`);
    await page.reload();
    await page.waitForSelector('#conn.live', { timeout: 60_000 });
    await page.waitForFunction(`window.vswitchLab.cy.getElementById('vm:nested-esxi-locked').length === 1`);
    // a forged ARP from the Send tab: dropped FORGED_TRANSMIT (S3)
    await page.click('#tabbtn-send');
    await page.selectOption('#send-from', 'nested-esxi-locked:eth0');
    await page.selectOption('#send-kind', 'arp-request');
    await page.fill('#send-dst-ip', '10.0.0.31');
    await page.fill('#send-src-mac', '00:50:56:b2:00:01');
    await page.click('#send-button');
    await page.waitForSelector('#refire-list .refire-row:has-text("FORGED_TRANSMIT")');

    // kept across a reload
    await page.reload();
    await page.waitForSelector('#conn.live', { timeout: 60_000 });
    await page.waitForSelector('#refire-list .refire-row:has-text("FORGED_TRANSMIT")');
    const first = await ev<Array<{ frameIds: number[] }>>('window.vswitchLab.refire.list');
    expect(first).toHaveLength(1);

    // re-send: the same entry, a new frame
    await page.click('#refire-list .refire-send');
    await page.waitForFunction(`window.vswitchLab.refire.list[0].frameIds[0] !== ${first[0]!.frameIds[0]}`);
    expect(await ev<number>('window.vswitchLab.refire.list.length')).toBe(1);

    // the persistent path: one ✕ per dropped leg, with reason and rule; marks overlap nothing
    await page.click('#refire-list .refire-pick');
    await page.waitForSelector('#path-info:not([hidden])');
    const marks = await ev<Array<{ kind: string; text: string; iface: string }>>('window.vswitchLab.path.marks()');
    expect(marks).toEqual([{ kind: 'drop', iface: 'nested-esxi-locked:eth0', text: 'FORGED_TRANSMIT (S3)' }]);
    await page.waitForFunction('window.vswitchLab.path.badges().length === 1');
    await expect(page.textContent('#path-info')).resolves.toContain('✕ FORGED_TRANSMIT (S3)');
    // the node's own view: what came in, which rule decided
    await ev(`(() => { window.vswitchLab.cy.getElementById('vm:nested-esxi-locked').emit('tap'); return true; })()`);
    await page.waitForSelector('#device-view');
    const device = (await page.textContent('#device-view')) ?? '';
    expect(device).toContain('In');
    expect(device).toContain('[S3] FORGED_TRANSMIT');
    await screenshot(page, 'simulation-path.png');

    // save as test: the topology with the send and its outcome; vswitch-lab test passes it
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#refire-list .refire-test')]);
    const dir = mkdtempSync(path.join(tmpdir(), 'refire-'));
    try {
      const file = path.join(dir, 'with-test.json');
      await download.saveAs(file);
      const doc = JSON.parse(readFileSync(file, 'utf8')) as { tests: Array<{ name: string; expect: unknown }> };
      const added = doc.tests.at(-1)!;
      expect(added.expect).toEqual({ deliveredTo: [], drop: { reason: 'FORGED_TRANSMIT', at: 'nested-esxi-locked:eth0' } });
      const r = await runCli(['test', file]);
      expect(r.stdout).toContain(`PASS  ${added.name}`);
      expect(r.code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
