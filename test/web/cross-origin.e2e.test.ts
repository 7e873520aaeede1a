/**
 * CSRF from a real browser: a page on another loopback origin (http://localhost:<other port>)
 * posts to the lab (http://127.0.0.1:<port>) the requests a browser lets any page send without
 * asking the server first — a bodiless POST and a text/plain POST (what a form sends) — and a JSON
 * POST (which needs a CORS preflight the server never grants). The lab must refuse the first two
 * and never see the third; its own page on its own origin still changes the clock and clears the
 * capture.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/server.js';
import { openBrowser, type UiBrowser } from './browser.js';
import { assertWebBuilt, startLabServer } from './lab-server.js';

let lab: RunningServer;
let evil: Server;
let evilPort = 0;
let ui: UiBrowser;
const seen: Array<{ method: string; url: string; origin: string | undefined; status: number }> = [];

function attackerPage(target: string): string {
  return `<!doctype html><html><head><title>attacker</title></head><body><script>
(async () => {
  const url = ${JSON.stringify(`${target}api/clock/step`)};
  const results = [];
  try { await fetch(url, { method: 'POST', mode: 'no-cors' }); results.push('bare:sent'); } catch (e) { results.push('bare:' + e.name); }
  try { await fetch(url, { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: '{"count":5}' }); results.push('text:sent'); } catch (e) { results.push('text:' + e.name); }
  try { await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"count":5}' }); results.push('json:sent'); } catch (e) { results.push('json:' + e.name); }
  document.body.dataset.results = results.join(',');
  document.title = 'done';
})();
</script></body></html>`;
}

beforeAll(async () => {
  assertWebBuilt();
  lab = await startLabServer('default');
  lab.http.on('request', (req: IncomingMessage, res: ServerResponse) => {
    // express has routed the request by now: originalUrl is the path as it came
    const url = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '';
    const entry = { method: req.method ?? '', url, origin: req.headers.origin, status: 0 };
    seen.push(entry);
    res.once('finish', () => (entry.status = res.statusCode));
  });
  evil = createServer((_req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end(attackerPage(lab.url));
  });
  await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
  evilPort = (evil.address() as AddressInfo).port;
  ui = await openBrowser();
  ui.page.setDefaultTimeout(10_000);
}, 180_000);

afterAll(async () => {
  await ui?.close();
  await new Promise<void>((resolve) => (evil ? evil.close(() => resolve()) : resolve()));
  await lab?.close();
});

describe('cross-origin requests from a real browser page', () => {
  it('the lab page on its own origin sets the clock to step mode and steps it', async () => {
    const page = ui.page;
    await page.goto(lab.url);
    await page.waitForSelector('#conn.live', { timeout: 60_000 });
    await page.selectOption('#sim-mode', 'simulation');
    await page.waitForFunction('!document.getElementById(\'sim-step\').disabled');
    expect(lab.session.clockState().mode).toBe('step');
    // a frame in the queue, then one step from the UI
    const sent = await fetch(new URL('/api/frames', lab.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: 'web-01:eth0', frame: { kind: 'arp-request', targetIp: '10.0.0.22' } }),
    });
    expect(sent.status).toBe(200);
    const before = lab.session.clock.processed;
    await page.click('#sim-step');
    await expect.poll(() => lab.session.clock.processed).toBe(before + 1);
    // Clear recording: a DELETE without a body (the page adds X-Vswitch-Lab)
    await page.click('#tabbtn-capture');
    await page.click('#capture-clear');
    await expect.poll(() => seen.filter((r) => r.method === 'DELETE' && r.url === '/api/capture').map((r) => r.status)).toEqual([200]);
  });

  it('a page on http://localhost:<other port> cannot step the clock: its simple POSTs are refused, its JSON POST never sent', async () => {
    const page = ui.page;
    const before = lab.session.clockState();
    const processed = lab.session.clock.processed;
    expect(before.next).not.toBeNull(); // there are events a step would run
    await page.goto(`http://localhost:${evilPort}/`);
    await page.waitForFunction('document.title === \'done\'');
    const results = await page.getAttribute('body', 'data-results');
    // no-cors requests resolve opaquely; the JSON one fails its preflight in the browser
    expect(results).toBe('bare:sent,text:sent,json:TypeError');
    const origin = `http://localhost:${evilPort}`;
    const attempts = seen.filter((r) => r.origin === origin && r.url === '/api/clock/step');
    // the two simple POSTs reached the server and were refused; the JSON one stopped at its
    // preflight (answered without Access-Control-Allow-Origin), so only two POSTs came
    expect(attempts.filter((r) => r.method === 'POST').map((r) => r.status)).toEqual([403, 403]);
    expect(attempts.filter((r) => r.method === 'OPTIONS')).toHaveLength(1);
    expect(lab.session.clock.processed).toBe(processed);
    expect(lab.session.clockState()).toEqual(before);
  });
});
