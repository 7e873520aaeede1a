/**
 * Big labs (issue 13 item 7): the ping a user just sent is findable in the event list however
 * much background traffic ran with it. Another client floods the lab through the API (thousands
 * of events in the same batch as the ping's frames, which are the oldest of it); the page's own
 * frames — its ping's ARP and ICMP — are listed, the flood is what gets summarised, and the
 * list's "my frames" and frame-id filters find them. Real server, real engine, headless Chromium.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateFile } from '../../src/server/engine-binding.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import { type UiBrowser, openLabPage } from './browser.js';
import { assertWebBuilt, ROOT, WEB_DIST } from './lab-server.js';

let server: RunningServer;
let ui: UiBrowser;

beforeAll(async () => {
  assertWebBuilt();
  const file = path.join(ROOT, 'topologies', 'default.json');
  // the flood asks for thousands of frames: the per-client rate limit would refuse them
  server = await startServer({
    port: 0,
    initial: { result: await validateFile(file), source: 'example:default' },
    staticDir: WEB_DIST,
    rateLimit: { burst: 100_000, perSecond: 100_000, frameBurst: 100_000, framesPerSecond: 100_000 },
  });
  ui = await openLabPage(server.url, { timeoutMs: 30_000 });
}, 180_000);

afterAll(async () => {
  await ui?.close();
  await server?.close();
});

async function api(method: string, route: string, body?: unknown): Promise<number> {
  const res = await fetch(new URL(route, server.url), { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  await res.arrayBuffer();
  return res.status;
}

interface Seen {
  ownTypes: string[];
  ownPorts: string[];
  total: number;
  count: string;
}

describe('the event list keeps the frames the user sent', { timeout: 120_000 }, () => {
  it('a ping sent from the page before another client\'s flood of 3,000 broadcasts is listed whole; the flood is summarised; \'my frames\' and #id filter to it', async () => {
    const page = ui.page;
    // paused: the ping and the flood queue up and then run in one go, the ping's frames first
    expect(await api('POST', '/api/clock', { mode: 'paused' })).toBe(200);
    await page.click('#tabbtn-send');
    await page.selectOption('#ping-from', 'web-01:eth0');
    await page.selectOption('#ping-to', '10.0.0.22');
    await page.fill('#ping-count', '1');
    const [pingRes] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/api/ping')), page.click('#ping-button')]);
    expect(pingRes.status()).toBe(202);
    // another client (no page): background noise, 3 x 1000 broadcasts from the laptop
    for (let k = 0; k < 3; k++) {
      expect(await api('POST', '/api/frames', { from: 'laptop:eth0', frame: { kind: 'udp', dst: 'ff:ff:ff:ff:ff:ff', dstIp: '10.0.0.255', dstPort: 9 }, count: 1000 })).toBe(200);
    }
    expect(await api('POST', '/api/clock', { mode: 'realtime' })).toBe(200);
    await page.waitForFunction(`/packets transmitted/.test(document.querySelector('#ping-result')?.textContent ?? '')`, undefined, { timeout: 60_000 });
    expect((await page.textContent('#ping-result')) ?? '').toMatch(/1 packets transmitted, 1 received/);
    // the last batches came in: the count says background events were summarised
    await page.waitForFunction(`/not listed/.test(document.querySelector('.event-list .count')?.textContent ?? '')`);
    await page.waitForFunction(
      `(() => { const s = window.vswitchLab.store; for (let i = 0; i < s.length; i++) { const e = s.at(i); if (s.isOwn(e) && e.port === 'web-01:eth0' && e.action === 'deliver' && /echo reply/.test(s.frameTypeOf(e))) return true; } return false; })()`,
    );
    const seen = await page.evaluate<Seen>(`(() => {
      const s = window.vswitchLab.store;
      const ownTypes = [], ownPorts = [];
      for (let i = 0; i < s.length; i++) { const e = s.at(i); if (s.isOwn(e)) { ownTypes.push(s.frameTypeOf(e)); ownPorts.push(e.action + '@' + e.port); } }
      return { ownTypes, ownPorts, total: s.length, count: document.querySelector('.event-list .count').textContent };
    })()`);
    // the ping's four frames, whole: ARP request and reply, echo request and reply
    expect(seen.ownTypes.some((t) => /ARP request/.test(t))).toBe(true);
    expect(seen.ownTypes.some((t) => /ARP reply/.test(t))).toBe(true);
    expect(seen.ownTypes.some((t) => /echo request/.test(t))).toBe(true);
    expect(seen.ownTypes.some((t) => /echo reply/.test(t))).toBe(true);
    expect(seen.ownPorts).toContain('deliver@web-02:eth0'); // the echo request arrived
    expect(seen.ownPorts).toContain('deliver@web-01:eth0'); // and its reply
    // nothing of the flood is counted as the user's
    expect(seen.ownTypes.every((t) => /ARP|ICMP|echo/i.test(t))).toBe(true);
    expect(Number(/· (\d+) not listed/.exec(seen.count)?.[1] ?? '0')).toBeGreaterThan(1000);

    // "my frames": only the ping's events are shown
    await page.check('#own-only');
    const shown = await page.evaluate<Array<[number, boolean]>>(`window.vswitchLab.list.visibleEvents().map((e) => [e.frameId, window.vswitchLab.store.isOwn(e)])`);
    expect(shown.length).toBe(seen.ownTypes.length);
    expect(shown.every(([, own]) => own)).toBe(true);
    await page.waitForFunction(`document.querySelectorAll('#event-viewport .row').length > 0`);
    await page.uncheck('#own-only');
    // one frame by its id
    const id = shown[0]![0];
    await page.fill('#event-filter', `#${id}`);
    const one = await page.evaluate<number[]>(`window.vswitchLab.list.visibleEvents().map((e) => e.frameId)`);
    expect(one.length).toBeGreaterThan(0);
    expect(one.every((f) => f === id)).toBe(true);
    await page.fill('#event-filter', '');
  });
});
