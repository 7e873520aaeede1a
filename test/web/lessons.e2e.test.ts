/**
 * Every lesson from the browser, end to end: a real server (random port) and headless Chromium.
 * The examples' lessons done from the UI alone: jumbo's `vmkping -d -s 8972` (ping options and a
 * sized DF frame), shaping's SHAPING_QUEUE_FULL (payload length, count and a flood at a rate);
 * the Lessons tab (tests and scenarios of the loaded topology); an activity whose task turns
 * green after the learner's fix; and the walk-through bugs of issue 13.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TraceEventJson } from '../../src/server/api-types.js';
import type { RunningServer } from '../../src/server/server.js';
import { holdFirstRequest, screenshot, type UiBrowser, openLabPage } from './browser.js';
import { ARTIFACTS } from './browser.js';
import { assertWebBuilt, ROOT, startLabServer, apiCall } from './lab-server.js';

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

/** Loads a topology as another client would; the page redraws it over socket.io. */
async function load(req: { example: string } | { topology: unknown }, name: string): Promise<void> {
  const r = await api('POST', '/api/topology', req);
  expect(r.status).toBe(200);
  // (hang guards, not speed bounds: after a test's flood the busy page may take a while to redraw)
  await ui.page.waitForFunction(`document.querySelector('#topology-name')?.textContent === ${js(name)}`, undefined, { timeout: 90_000 });
  await ui.page.waitForFunction('window.vswitchLab.cy.nodes().length > 0', undefined, { timeout: 90_000 });
}

describe('traffic parity with the CLI', { timeout: 90_000 }, () => {
  it('jumbo: vmkping -I vmk1 -d -s 8972 from the ping options prints the CLI\'s lines and fails; the same sized DF frame is dropped MTU_EXCEEDED (F9)', async () => {
    const page = ui.page;
    await load({ example: 'jumbo' }, 'jumbo');
    await page.click('#tabbtn-send');
    await page.selectOption('#ping-from', 'esxi-01:vmk1');
    await page.selectOption('#ping-to', '10.0.40.50');
    await page.fill('#ping-count', '1');
    await page.click('#ping-options summary');
    await page.fill('#ping-size', '8972');
    await page.check('#ping-df');
    await expect(page.textContent('#ping-command')).resolves.toBe('vmkping -I vmk1 -c 1 -d -s 8972 10.0.40.50');
    // vmkping -t: the probes' TTL (no router in the lab decrements it: the small ping below still answers)
    await page.fill('#ping-ttl', '3');
    await expect(page.textContent('#ping-command')).resolves.toBe('vmkping -I vmk1 -c 1 -d -s 8972 -t 3 10.0.40.50');
    await page.click('#ping-button');
    await page.waitForFunction(`/packets transmitted/.test(document.querySelector('#ping-result')?.textContent ?? '')`, undefined, { timeout: 30_000 });
    const out = (await page.textContent('#ping-result')) ?? '';
    expect(out).toContain('PING 10.0.40.50 (10.0.40.50) from esxi-01:vmk1: 8972 data bytes');
    expect(out).toContain('1 packets transmitted, 0 packets received, 100% packet loss');
    // small packets work (the lesson's contrast)
    await page.fill('#ping-size', '');
    await page.uncheck('#ping-df');
    await page.click('#ping-button');
    await page.waitForFunction(`/1 packets received/.test(document.querySelector('#ping-result')?.textContent ?? '')`, undefined, { timeout: 30_000 });
    await page.fill('#ping-ttl', '');

    // the frame builder: one ICMP echo of 8972 data bytes with DF, no hex pasted
    await page.selectOption('#send-from', 'esxi-01:vmk1');
    await page.selectOption('#send-kind', 'icmp-echo');
    await page.fill('#send-dst-ip', '10.0.40.50');
    await page.fill('#send-size', '8972');
    await page.check('#send-df');
    await page.fill('#send-ttl', '8');
    const [res] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/api/frames'), { timeout: 60_000 }), page.click('#send-button')]);
    expect(res.status()).toBe(200);
    const { events } = (await res.json()) as { events: TraceEventJson[] };
    const drops = events.filter((e) => e.action === 'drop');
    expect(drops.map((e) => `${e.reason} (${e.rule})`)).toEqual(['MTU_EXCEEDED (F9)']);
    expect(events[0]!.frameLength).toBe(9014);
    await screenshot(page, 'ui-ping-options.png');
  });

  it('shaping: 1000 UDP frames with a 1400-byte payload length fill the shaping queue (SHAPING_QUEUE_FULL, Q1); a flood at a rate does too, on the lab clock', async () => {
    const page = ui.page;
    await load({ example: 'shaping' }, 'shaping');
    await page.click('#tabbtn-send');
    await page.selectOption('#send-from', 'bulk-01:eth0');
    await page.selectOption('#send-kind', 'udp');
    await page.fill('#send-dst-ip', '10.0.0.50');
    await page.fill('#send-payload-length', '1400');
    await page.fill('#send-dscp', '10');
    await page.fill('#send-count', '1000');
    const [res] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/api/frames'), { timeout: 60_000 }), page.click('#send-button')]);
    expect(res.status()).toBe(200);
    const body = (await res.json()) as { events: TraceEventJson[]; frameIds: number[] };
    expect(body.frameIds).toHaveLength(1000);
    const full = body.events.filter((e) => e.action === 'drop' && e.reason === 'SHAPING_QUEUE_FULL');
    expect(full.length).toBeGreaterThan(0);
    expect(full.every((e) => e.port === 'bulk-01:eth0' && e.rule === 'Q1')).toBe(true);

    // a flood: 1000 frames, one every 0.1 ms (112 Mbit/s into a 10 Mbit/s port group)
    await page.fill('#send-interval', '0.1');
    const [res2] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/api/frames'), { timeout: 60_000 }), page.click('#send-button')]);
    expect(res2.status()).toBe(200);
    const flood = (await res2.json()) as { scheduled: number; frameIds: number[] };
    expect(flood.scheduled).toBe(999);
    await page.waitForFunction(`/Flood: frame/.test(document.querySelector('#send-result')?.textContent ?? '')`);
    // the flood runs on the lab clock after the answer: its frames are counted, and dropped, as they leave
    const before = full.length;
    const counted = async () => (await api<{ drops: Record<string, number> }>('GET', '/api/counters/bulk-01:eth0')).body;
    let c = await counted();
    while ((c.drops.SHAPING_QUEUE_FULL ?? 0) <= before) {
      await new Promise((r) => setTimeout(r, 100)); // polling the server's counters: the flood takes 0.1 s of lab time
      c = await counted();
    }
    expect(c.drops.SHAPING_QUEUE_FULL).toBeGreaterThan(before);
  });
});

describe('Lessons tab', { timeout: 120_000 }, () => {
  it('teaming: the lab\'s description shows on the graph when it loads; Run all tests: every one PASS; a scenario\'s timeline has the failover, the RARPs and its checks ok', async () => {
    const page = ui.page;
    await load({ example: 'teaming' }, 'teaming');
    await page.waitForSelector('#lab-intro-card');
    await expect(page.textContent('#lab-intro-card')).resolves.toContain('teaming');
    await page.click('#intro-open-lessons');
    await page.waitForSelector('#tab-lessons:not([hidden]) #run-all-tests');
    expect(await page.$('#lab-intro-card')).toBeNull();
    const n = await page.locator('#lesson-tests li[data-test]').count();
    expect(n).toBeGreaterThanOrEqual(3);
    await page.click('#run-all-tests');
    await page.waitForFunction(`document.querySelectorAll('#lesson-tests li.pass').length === ${n}`, undefined, { timeout: 60_000 });
    const verdicts = await page.locator('#lesson-tests .verdict').allTextContents();
    expect(verdicts).toEqual(new Array(n).fill('PASS'));

    // at once, on a fresh lab (playing it on the lab's clock: the simulation-mode test below)
    await page.check('#scenario-fresh');
    await page.click('#lesson-scenarios button[data-scenario="scenarios/teaming-failover.json"]');
    await page.waitForSelector('#scenario-verdict', { timeout: 60_000 });
    await expect(page.textContent('#scenario-verdict')).resolves.toMatch(/^PASS/);
    const kinds = await page.locator('#scenario-timeline .tl-kind').allTextContents();
    expect(kinds).toEqual(expect.arrayContaining(['change', 'failover', 'notify', 'check']));
    expect(await page.locator('#scenario-timeline li.bad').count()).toBe(0);
    // a timeline entry shows on the graph what it names: the link change selects esxi-01's vmnic0
    await page.click('#scenario-timeline li.tl-change.tl-place');
    const vmnic0 = await ev<string>(`window.vswitchLab.view.nodeOfIface('esxi-01:vmnic0')`);
    await page.waitForFunction(`window.vswitchLab.cy.getElementById(${js(vmnic0)}).selected()`);
    await screenshot(page, 'ui-lessons.png');
  });

  it('a failing test shows FAIL with the unmet expectation and its explain trace; a scenario file opened from disk runs too, its failed check FAIL', async () => {
    const page = ui.page;
    // the teaming example with one test made wrong: its tests run on the topology as loaded
    const doc = JSON.parse(readFileSync(path.join(ROOT, 'topologies', 'teaming.json'), 'utf8')) as { name: string; tests: Array<{ expect: Record<string, unknown> }>; scenarios?: string[] };
    doc.name = 'teaming-broken';
    doc.tests[0]!.expect = { drop: { reason: 'FORGED_TRANSMIT' } };
    await load({ topology: doc }, 'teaming-broken');
    await page.click('#tabbtn-lessons');
    // an uploaded topology has no directory: its scenarios are listed, to be opened from disk
    await page.waitForSelector('#lesson-scenarios .field-error');
    await page.click('#lesson-tests li[data-test="0"] button');
    await page.waitForSelector('#lesson-tests li[data-test="0"].fail');
    const out = (await page.textContent('#lesson-tests li[data-test="0"]')) ?? '';
    expect(out).toContain('FAIL');
    expect(out).toContain('drop: expected FORGED_TRANSMIT');
    expect(out).toContain('explain:');

    // the failover scenario expecting 5 RARPs where there are none: that check FAILs
    const sc = JSON.parse(readFileSync(path.join(ROOT, 'topologies', 'scenarios', 'teaming-failover.json'), 'utf8')) as { expect: { frames: Array<{ min: number; max?: number }> } };
    sc.expect.frames[1]!.min = 5;
    sc.expect.frames[1]!.max = 5;
    const file = path.join(ARTIFACTS, 'teaming-failover-strict.json');
    writeFileSync(file, JSON.stringify(sc));
    await page.check('#scenario-fresh');
    await page.setInputFiles('#scenario-file', file);
    await page.waitForSelector('#scenario-verdict', { timeout: 60_000 });
    const verdict = (await page.textContent('#scenario-verdict')) ?? '';
    expect(verdict).toMatch(/^FAIL/);
    expect(await page.locator('#scenario-result .checks li.bad').count()).toBeGreaterThan(0);
    await page.uncheck('#scenario-fresh');
  });

  it('simulation mode: a scenario played on the lab waits for the clock — its first change appears only after a Step — its checks resolve ok as the clock reaches them, and Reset undoes it', async () => {
    const page = ui.page;
    await load({ example: 'teaming' }, 'teaming');
    await page.selectOption('#sim-mode', 'simulation');
    await page.waitForFunction('!document.querySelector("#sim-step").disabled');
    await page.click('#tabbtn-lessons');
    await page.waitForSelector('#lesson-scenarios button[data-scenario="scenarios/teaming-failover.json"]');
    expect(await page.isChecked('#scenario-fresh')).toBe(false);
    const changesListed = () => ev<number>('Array.from({ length: window.vswitchLab.store.length }, (_, i) => window.vswitchLab.store.at(i)).filter((e) => e.action === "change").length');
    const playing = () => page.textContent('#scenario-verdict');
    try {
      await page.click('#lesson-scenarios button[data-scenario="scenarios/teaming-failover.json"]');
      await page.waitForFunction(`/^PLAYING/.test(document.querySelector('#scenario-verdict')?.textContent ?? '')`);
      expect(await page.locator('#scenario-timeline li').count()).toBe(1);
      const { startNs } = (await api<{ scenario: { startNs: number } }>('GET', '/api/lessons/scenario')).body.scenario;
      // another client steps the lab, one event at a time, up to the moment of the link change
      // (scenario time 2 s): the page lists the pings' events, and no change yet
      for (;;) {
        const st = (await api<{ clock: { next: number | null } }>('GET', '/api/simulation')).body;
        if (st.clock.next === null || st.clock.next >= startNs + 2e9) break;
        expect((await api('POST', '/api/simulation/step', { count: 1 })).status).toBe(200);
      }
      await ev('window.vswitchLab.sim.refresh()');
      const { position } = (await api<{ history: { position: number } }>('GET', '/api/simulation')).body.history;
      await page.waitForFunction(`window.vswitchLab.sim.position.position === ${position}`);
      expect(await ev<number>('window.vswitchLab.store.length')).toBeGreaterThan(0);
      expect(await changesListed()).toBe(0);
      expect(await page.locator('#scenario-timeline li.tl-change').count()).toBe(0);
      // the page's own Step: the scenario's change happens on it (after what else is due at 2 s)
      let clicks = 0;
      while ((await changesListed()) === 0) {
        expect(clicks++).toBeLessThan(200);
        const before = (await ev<{ position: number }>('window.vswitchLab.sim.position')).position;
        await page.click('#sim-step');
        await page.waitForFunction(`window.vswitchLab.sim.position.position > ${before}`);
      }
      expect(clicks).toBeGreaterThan(0);
      await page.waitForSelector('#scenario-timeline li.tl-change');
      expect(await page.locator('#scenario-checks li').count()).toBe(0);
      await expect(playing()).resolves.toMatch(/^PLAYING/);
      // on to its check at 4 s: both ok, shown as the clock reaches them, the scenario still playing
      while ((await page.locator('#scenario-checks li').count()) === 0) {
        expect((await api<{ stepped: number }>('POST', '/api/simulation/step', { count: 20 })).body.stepped).toBeGreaterThan(0);
        await ev('window.vswitchLab.sim.refresh()');
      }
      await page.waitForFunction(`document.querySelectorAll('#scenario-checks li.ok').length === 2`);
      await expect(playing()).resolves.toMatch(/^PLAYING .* \(2\/2 checks ok so far\)/);
      await page.locator('#scenario-result').scrollIntoViewIfNeeded();
      await screenshot(page, 'ui-lessons-scenario-playing.png');
      // to its end: PASS, every check ok
      for (;;) {
        const r = (await api<{ stepped: number }>('POST', '/api/simulation/step', { count: 2000 })).body;
        if (r.stepped === 0) break;
      }
      await page.waitForFunction(`/^PASS/.test(document.querySelector('#scenario-verdict')?.textContent ?? '')`);
      expect(await page.locator('#scenario-checks li.bad').count()).toBe(0);
      // Reset: back to before the scenario started, and the page says it is undone
      await page.click('#sim-reset');
      await page.waitForFunction(`/went back before the scenario started/.test(document.querySelector('#scenario-verdict')?.textContent ?? '')`);
    } finally {
      await page.selectOption('#sim-mode', 'realtime');
      await page.waitForFunction('document.querySelector("#sim-step").disabled');
    }
  });
});

describe('activity', { timeout: 120_000 }, () => {
  it('vmotion-activity: the goal shows when the lab loads; task 1 turns green after the learner sets the VLAN ID in the Inspect tab, task 2 after the cable is plugged in; Check my work scores 2/4', async () => {
    const page = ui.page;
    await load({ example: 'vmotion-activity' }, 'vmotion-activity');
    await page.waitForSelector('#lab-intro-card .intro-goal');
    await expect(page.textContent('#lab-intro-card')).resolves.toContain('Goal — Make vMotion and jumbo frames work');
    await page.click('#intro-open-lessons');
    await page.waitForSelector('#activity-tasks li.task');
    await page.waitForFunction(`(document.querySelector('#activity-score')?.textContent ?? '').includes('0/4 points')`);
    expect(await page.locator('#activity-tasks li.task.done').count()).toBe(0);
    // Markdown instructions: a numbered list and code, rendered as elements, never as HTML
    expect(await page.locator('#activity-tasks li[data-task="1"] .md ol li').count()).toBe(2);
    expect(await page.locator('#activity-tasks li[data-task="1"] .md code').count()).toBeGreaterThan(0);

    // the learner: select esxi-02's vMotion port group, set VLAN ID 50
    await page.click('#tabbtn-inspect');
    await page.fill('#find', 'esxi-02/vMotion');
    await page.press('#find', 'Enter');
    await page.waitForFunction(`document.querySelector('#inspect-panel h3')?.textContent === 'Port group "vMotion"'`);
    await page.fill('#pg-vlan', '50');
    await page.click('#pg-vlan-apply');
    await page.click('#tabbtn-lessons');
    await page.waitForSelector('#activity-tasks li[data-task="1"].done', { timeout: 30_000 });
    expect(await page.locator('#activity-tasks li[data-task="2"].done').count()).toBe(0);

    // plug the cable in (the change any page or curl makes counts too)
    const r = await api('POST', '/api/changes', { kind: 'link', iface: 'esxi-01:vmnic1', up: true });
    expect(r.status).toBe(200);
    await page.waitForSelector('#activity-tasks li[data-task="2"].done', { timeout: 30_000 });
    await page.click('#check-work');
    // the check's answer: the score toast, and task 3 says why it is not done yet (the score line
    // already read 2/4 from the re-grade after the cable change, so it cannot tell the answer came)
    await page.waitForSelector('#toasts .toast:has-text("Score: 2/4 points")');
    await page.waitForFunction(`(document.querySelector('#activity-tasks li[data-task="3"] .task-why')?.textContent ?? '').includes('esxi-02/vSwitch0 mtu is 1500, expected 9000')`);
    expect(await page.textContent('#activity-score')).toContain('2/4 points');
    await screenshot(page, 'ui-activity.png');

    // a lab change after the check re-grades: the reasons stay, current (they were erased before)
    expect((await api('POST', '/api/changes', { kind: 'link', iface: 'esxi-01:vmnic1', up: false })).status).toBe(200);
    await page.waitForSelector('#activity-tasks li[data-task="2"]:not(.done)', { timeout: 30_000 });
    await page.waitForFunction(`(document.querySelector('#activity-tasks li[data-task="2"] .task-why')?.textContent ?? '') !== ''`);
    await expect(page.textContent('#activity-tasks li[data-task="3"] .task-why')).resolves.toContain('esxi-02/vSwitch0 mtu is 1500, expected 9000');
  });

  it('Check my work answered after a re-grade that a lab change asked meanwhile: the newer answer shows the reasons and the score toast', async () => {
    const page = ui.page;
    await load({ example: 'vmotion-activity' }, 'vmotion-activity');
    await page.click('#tabbtn-lessons');
    await page.waitForFunction(`(document.querySelector('#activity-score')?.textContent ?? '').includes('0/4 points')`);
    // the check's answer is held until a lab change has made the page grade again and that answer is shown
    const held = await holdFirstRequest(
      page,
      '**/api/lessons/activity',
      { method: 'POST', hold: 'answer' },
      async () => {
        // task 1 done by another client: the page re-grades on the new revision (1/4)
        expect((await api('POST', '/api/changes', { kind: 'portgroup', host: 'esxi-02', portGroup: 'vMotion', vlan: 50 })).status).toBe(200);
        await page.waitForFunction(`(document.querySelector('#activity-score')?.textContent ?? '').includes('1/4 points')`);
      },
      async () => {
        await page.click('#check-work');
        await page.waitForSelector('#toasts .toast:has-text("Score: 1/4 points")');
      },
    );
    expect(held).toBe(true);
    await expect(page.textContent('#activity-tasks li[data-task="3"] .task-why')).resolves.toContain('esxi-02/vSwitch0 mtu is 1500, expected 9000');
    expect(await page.locator('#activity-tasks li[data-task="1"].done').count()).toBe(1);
    expect(await page.textContent('#activity-tasks li[data-task="1"] .task-why')).toBe('');
    // the held (older) answer, 0/4, came last and changed nothing
    expect(await page.textContent('#activity-score')).toContain('1/4 points');
  });

  it('instructions are text: HTML in an activity file never becomes markup', async () => {
    const page = ui.page;
    const doc = JSON.parse(readFileSync(path.join(ROOT, 'topologies', 'vmotion-activity.json'), 'utf8')) as { name: string; activity: { tasks: Array<{ instructions: string }> } };
    doc.name = 'activity-html';
    doc.activity.tasks[0]!.instructions = 'Click <img src=x onerror="window.pwned=1"> **here** <script>window.pwned=2</script>';
    await load({ topology: doc }, 'activity-html');
    await page.click('#tabbtn-lessons');
    await page.waitForSelector('#activity-tasks li[data-task="1"] .md strong');
    expect(await page.locator('#activity-tasks img, #activity-tasks script').count()).toBe(0);
    await expect(page.textContent('#activity-tasks li[data-task="1"] .md')).resolves.toContain('<img src=x onerror="window.pwned=1">');
    expect(await ev('window.pwned')).toBeUndefined();
  });
});

describe('walk-through bugs in the page', { timeout: 120_000 }, () => {
  it('the Inspect tab\'s delayed refresh does not ask a replaced lab for the old lab\'s interfaces (no 404s)', async () => {
    await load({ example: 'default' }, 'default');
    // a second page whose live messages can be held: it has not heard yet that another client replaced the lab
    const page = await ui.context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    let hold = false;
    const held: Array<string | Buffer> = [];
    let toPage: ((m: string | Buffer) => void) | undefined;
    await page.routeWebSocket(/socket\.io/, (ws) => {
      toPage = (m) => ws.send(m);
      const srv = ws.connectToServer();
      srv.onMessage((m) => {
        if (hold) held.push(m);
        else ws.send(m);
      });
      ws.onMessage((m) => srv.send(m));
    });
    try {
      await page.goto(server.url);
      await page.waitForSelector('#conn.live', { timeout: 60_000 });
      await page.waitForFunction(`document.querySelector('#topology-name')?.textContent === 'default'`);
      await page.click('#tabbtn-inspect');
      await page.fill('#find', 'web-01');
      await page.press('#find', 'Enter');
      await page.waitForFunction(`(document.querySelector('#inspect-panel')?.textContent ?? '').includes('web-01:eth0')`);
      // traffic: the counters change, the page schedules its refresh (about 1 s later)
      expect((await api('POST', '/api/frames', { from: 'web-01:eth0', frame: { kind: 'arp-request', targetIp: '10.0.0.22' } })).status).toBe(200);
      await page.waitForFunction('window.vswitchLab.store.length > 0');
      // another client replaces the lab; this page hears nothing of it yet
      hold = true;
      expect((await api('POST', '/api/topology', { example: 'vlans' })).status).toBe(200);
      // the refresh comes: it names the lab it shows, so the server does not answer it from the
      // new lab (which has no web-01: a 404) but with 204, nothing to show of a lab that is gone
      const refresh = await page.waitForRequest((r) => /\/api\/(counters|arp|interfaces)/.test(r.url()), { timeout: 30_000 });
      const res = await refresh.response();
      expect(res?.status()).toBe(204);
      hold = false;
      for (const m of held.splice(0)) toPage?.(m);
      await page.waitForFunction(`document.querySelector('#topology-name')?.textContent !== 'default'`, undefined, { timeout: 30_000 });
      expect(errors.filter((e) => /404/.test(e))).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('this page\'s own load answered after another client\'s newer load: the page keeps showing the newer lab, the one the server runs', async () => {
    const page = ui.page;
    await load({ example: 'default' }, 'default');
    await page.click('#tabbtn-topology');
    await page.selectOption('#example-select', 'jumbo');
    // the answer to the page's load is held until another client has loaded vlans and the page has drawn it
    const held = await holdFirstRequest(
      page,
      '**/api/topology',
      { method: 'POST', hold: 'answer' },
      async () => {
        expect((await api('POST', '/api/topology', { example: 'vlans' })).status).toBe(200);
        await page.waitForFunction(`document.querySelector('#topology-name')?.textContent === 'vlans'`);
      },
      async () => {
        await page.click('#load-example');
        // the page read its own (older) answer
        await page.waitForSelector('#toasts .toast:has-text("jumbo")');
      },
    );
    expect(held).toBe(true);
    expect(await page.textContent('#topology-name')).toBe('vlans');
    expect(await page.textContent('#toasts')).toContain('jumbo was replaced at once: another client loaded vlans');
    expect((await api<{ topology: { name: string } }>('GET', '/api/topology')).body.topology.name).toBe('vlans');
  });

  it('arrow keys pan the graph; the previous lab\'s ping output and example choice go when another lab loads', async () => {
    const page = ui.page;
    await load({ example: 'default' }, 'default');
    await page.evaluate('document.activeElement && document.activeElement.blur()');
    const pan0 = await ev<{ x: number; y: number }>('window.vswitchLab.cy.pan()');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowUp');
    const pan1 = await ev<{ x: number; y: number }>('window.vswitchLab.cy.pan()');
    expect([pan1.x - pan0.x, pan1.y - pan0.y]).toEqual([80, 80]);

    await page.click('#tabbtn-send');
    await page.selectOption('#ping-from', 'laptop:eth0');
    await page.selectOption('#ping-to', '10.0.0.21');
    await page.fill('#ping-count', '1');
    await page.click('#ping-button');
    await page.waitForFunction(`/packets transmitted/.test(document.querySelector('#ping-result')?.textContent ?? '')`, undefined, { timeout: 30_000 });
    await page.click('#tabbtn-topology');
    await page.selectOption('#example-select', 'jumbo');
    await load({ example: 'vlans' }, (JSON.parse(readFileSync(path.join(ROOT, 'topologies', 'vlans.json'), 'utf8')) as { name: string }).name);
    await expect(page.textContent('#ping-result')).resolves.toBe('');
    expect(await page.inputValue('#example-select')).toBe('vlans');
    const doc = JSON.parse(readFileSync(path.join(ROOT, 'topologies', 'default.json'), 'utf8')) as { name: string };
    doc.name = 'uploaded';
    await load({ topology: doc }, 'uploaded');
    expect(await ev<number>(`document.querySelector('#example-select').selectedIndex`)).toBe(-1);
  });

  it('clicking an event at the marked source keeps the source mark', async () => {
    const page = ui.page;
    // another lab than the previous test's, so that its redraw (which clears the event list) is over
    await load({ example: 'teaming' }, 'teaming');
    await page.click('#tabbtn-send');
    await page.selectOption('#send-from', 'app-01:eth0');
    const node = await ev<string>(`window.vswitchLab.view.nodeOfIface('app-01:eth0')`);
    await page.waitForFunction(`window.vswitchLab.cy.getElementById(${js(node)}).hasClass('source')`);
    await page.selectOption('#send-kind', 'broadcast');
    await page.fill('#send-count', '1');
    await page.fill('#send-interval', '');
    const [res] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/api/frames'), { timeout: 60_000 }), page.click('#send-button')]);
    const { frameIds } = (await res.json()) as { frameIds: number[] };
    // the frame's first event is at the source: select it as a click on its row does
    const seq = await ev<number>(`window.vswitchLab.store.frameEvents(${frameIds[0]}).find((e) => e.port === 'app-01:eth0').seq`);
    await ev(`window.vswitchLab.list.select(${seq})`);
    expect(await ev<boolean>(`window.vswitchLab.cy.getElementById(${js(node)}).hasClass('source')`)).toBe(true);
    // a flash would take the mark away when it ends (about 1 s): wait past it on the page's clock
    await page.evaluate('new Promise((r) => setTimeout(r, 1200))');
    expect(await ev<boolean>(`window.vswitchLab.cy.getElementById(${js(node)}).hasClass('source')`)).toBe(true);
  });

  it('a topology downloaded from the page re-opens without layout-unknown-node warnings (one layout vocabulary)', async () => {
    const page = ui.page;
    await load({ example: 'multi-host' }, (JSON.parse(readFileSync(path.join(ROOT, 'topologies', 'multi-host.json'), 'utf8')) as { name: string }).name);
    await page.click('#tabbtn-topology');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-topology')]);
    const file = path.join(ARTIFACTS, 'downloaded-multi-host.json');
    await download.saveAs(file);
    const text = readFileSync(file, 'utf8');
    const positions = Object.keys((JSON.parse(text) as { layout: { positions: Record<string, unknown> } }).layout.positions);
    expect(positions.some((k) => k.includes(':vmnic'))).toBe(true);
    expect(positions.some((k) => k.includes('/'))).toBe(true);
    const v = await api<{ ok: boolean; warnings: Array<{ code: string }> }>('POST', '/api/topology/validate', { text, fileName: 'downloaded.json' });
    expect(v.body.ok).toBe(true);
    expect(v.body.warnings.filter((w) => w.code === 'layout-unknown-node')).toEqual([]);
  });
});
