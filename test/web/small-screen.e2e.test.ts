/**
 * Small screens, end to end (real server, headless Chromium at 1024x768 and 1280x720), checked by
 * element geometry (getBoundingClientRect and the graph's rendered sizes), not by eye: the event
 * list's Summary column keeps its width, graph labels are drawn at 10 px or more, the legend, the
 * outcome list and toasts cover no node and no panel, and the side and bottom panels resize by
 * drag and by keyboard, with the sizes remembered across a reload.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/server.js';
import { screenshot, type UiBrowser, openLabPage } from './browser.js';
import { assertWebBuilt, startLabServer } from './lab-server.js';

let server: RunningServer;

beforeAll(async () => {
  assertWebBuilt();
  server = await startLabServer('default');
}, 120_000);

afterAll(async () => {
  await server?.close();
});

interface Rect {
  left: number;
  top: number;
  right: number;
  bottom: number;
  width: number;
  height: number;
}

const RECT = (sel: string) =>
  `(() => { const e = document.querySelector(${
    JSON.stringify(sel)
  }); if (!e) return null; const r = e.getBoundingClientRect(); return { left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width, height: r.height }; })()`;
const overlaps = (a: Rect, b: Rect) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;

async function open(width: number, height: number): Promise<UiBrowser> {
  const ui = await openLabPage(server.url, { viewport: { width, height } });
  return ui;
}

async function traffic(): Promise<void> {
  const res = await fetch(new URL('/api/ping', server.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ from: 'laptop:eth0', to: '10.0.0.21', count: 1 }),
  });
  expect(res.status).toBe(200);
}

/** Every check of a screen size; answers nothing, throws on the first failure. */
async function checkScreen(ui: UiBrowser, name: string): Promise<void> {
  const page = ui.page;
  const ev = <T>(expr: string): Promise<T> => page.evaluate<T>(expr);
  await traffic();
  await page.waitForSelector('.event-list .rows .row');
  await page.waitForSelector('#outcomes li', { timeout: 30_000 });
  // the graph has its container's size (a splitter move resizes it a frame later), then the fit
  // animation and the label rescale after it are over
  await page.waitForFunction(
    `Math.abs(window.vswitchLab.cy.width() - document.querySelector('#graph').clientWidth) < 1 && Math.abs(window.vswitchLab.cy.height() - document.querySelector('#graph').clientHeight) < 1`,
  );
  await page.click('#fit');
  await page.waitForFunction('window.vswitchLab.view.settled');

  // the Summary column: at least 140 px, inside the event pane, in the header and in the rows
  const pane = await ev<Rect>(RECT('#events'));
  const head = await ev<Rect>(RECT('.event-list .row.head .c-sum'));
  const row = await ev<Rect>(RECT('.event-list .rows .row .c-sum'));
  for (const r of [head, row]) {
    expect(r.width).toBeGreaterThanOrEqual(140);
    expect(r.right).toBeLessThanOrEqual(pane.right + 0.5);
  }

  // labels: every label drawn is 10 px or more on screen (font-size × zoom; smaller ones are not drawn)
  const labels = await ev<{ min: number; drawn: number; total: number }>(`(() => {
    const cy = window.vswitchLab.cy; const z = cy.zoom(); let min = Infinity, drawn = 0, total = 0;
    cy.elements().forEach((e) => { if (!e.data('label')) return; total++; const px = parseFloat(e.style('font-size')) * z; const hide = parseFloat(e.style('min-zoomed-font-size')); if (px < hide) return; drawn++; min = Math.min(min, px); });
    return { min, drawn, total }; })()`);
  expect(labels.drawn).toBe(labels.total);
  expect(labels.min).toBeGreaterThanOrEqual(10);

  // the legend and the outcomes cover no node: no overlap with the graph, nor with any node drawn.
  // Every rectangle is read in one evaluate, from one layout: the legend and the outcome list may
  // change size as the lab's first events arrive, and two reads could mix two layouts.
  const seen = await ev<{ graph: Rect; nodes: Rect[]; boxes: Record<string, Rect> }>(`(() => {
    const box = (e) => { const r = e.getBoundingClientRect(); return { left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width, height: r.height }; };
    const g = document.querySelector('#graph').getBoundingClientRect();
    const nodes = window.vswitchLab.cy.nodes().map((n) => { const b = n.renderedBoundingBox({ includeLabels: true }); return { left: g.left + b.x1, top: g.top + b.y1, right: g.left + b.x2, bottom: g.top + b.y2, width: b.w, height: b.h }; });
    return { graph: box(document.querySelector('#graph')), nodes, boxes: { '#legend': box(document.querySelector('#legend')), '#outcomes': box(document.querySelector('#outcomes')) } };
  })()`);
  const graph = seen.graph;
  for (const sel of ['#legend', '#outcomes']) {
    const r = seen.boxes[sel]!;
    expect(r.height, sel).toBeGreaterThan(0);
    expect(overlaps(r, graph), `${sel} over the graph`).toBe(false);
    for (const n of seen.nodes) if (overlaps(n, graph)) expect(overlaps(r, n), `${sel} over a node`).toBe(false);
  }
  // toasts stay over the graph, off the side panel and the toolbar
  await page.click('#clear-marks');
  await page.fill('#find', 'no-such-node');
  await page.press('#find', 'Enter');
  await page.waitForSelector('.toast');
  const toast = await ev<Rect>(RECT('.toast'));
  const side = await ev<Rect>(RECT('#sidebar'));
  const tools = await ev<Rect>(RECT('.graph-tools'));
  expect(overlaps(toast, side)).toBe(false);
  expect(overlaps(toast, tools)).toBe(false);
  await page.fill('#find', '');
  if (await page.isVisible('.lab-intro .intro-close')) await page.click('.lab-intro .intro-close');
  await screenshot(page, `ui-${name}.png`);
}

describe('small screens', { timeout: 120_000 }, () => {
  it('1024x768: Summary visible, labels >= 10 px, legend/outcomes/toasts cover nothing; panels resize and the sizes are remembered', async () => {
    const ui = await open(1024, 768);
    try {
      const page = ui.page;
      const ev = <T>(expr: string): Promise<T> => page.evaluate<T>(expr);
      await page.evaluate('localStorage.clear()');
      await checkScreen(ui, '1024x768');

      // drag the side splitter 100 px to the left: the side panel grows by 100 px
      const before = (await ev<Rect>(RECT('#sidebar'))).width;
      const s = await ev<Rect>(RECT('#split-side'));
      await page.mouse.move(s.left + s.width / 2, s.top + 200);
      await page.mouse.down();
      await page.mouse.move(s.left + s.width / 2 - 50, s.top + 200);
      await page.mouse.move(s.left + s.width / 2 - 100, s.top + 200);
      await page.mouse.up();
      const wider = (await ev<Rect>(RECT('#sidebar'))).width;
      expect(Math.round(wider - before)).toBe(100);
      // the bottom panel by keyboard: two steps of 20 px up
      const b0 = (await ev<Rect>(RECT('section.bottom'))).height;
      await page.focus('#split-bottom');
      await page.keyboard.press('ArrowUp');
      await page.keyboard.press('ArrowUp');
      const b1 = (await ev<Rect>(RECT('section.bottom'))).height;
      expect(Math.round(b1 - b0)).toBe(40);
      // the graph follows (cytoscape resized to its container)
      await page.waitForFunction(`Math.abs(window.vswitchLab.cy.width() - document.querySelector('#graph').clientWidth) < 1`);
      // remembered across a reload
      await page.reload();
      await page.waitForSelector('#conn.live', { timeout: 60_000 });
      expect(Math.round((await ev<Rect>(RECT('#sidebar'))).width)).toBe(Math.round(wider));
      expect(Math.round((await ev<Rect>(RECT('section.bottom'))).height)).toBe(Math.round(b1));
      // never so wide that the graph disappears: a huge drag stops at the graph's minimum
      const s2 = await ev<Rect>(RECT('#split-side'));
      await page.mouse.move(s2.left + 3, s2.top + 200);
      await page.mouse.down();
      await page.mouse.move(5, s2.top + 200);
      await page.mouse.up();
      expect((await ev<Rect>(RECT('#graph'))).width).toBeGreaterThanOrEqual(359);
      // Home resets both
      await page.focus('#split-side');
      await page.keyboard.press('Home');
      await page.focus('#split-bottom');
      await page.keyboard.press('Home');
      expect(Math.round((await ev<Rect>(RECT('#sidebar'))).width)).toBe(Math.round(before));
      await checkScreen(ui, '1024x768-after-resize');
    } finally {
      await ui.close();
    }
  });

  it('1280x720: the same checks', async () => {
    const ui = await open(1280, 720);
    try {
      await ui.page.evaluate('localStorage.clear()');
      await ui.page.reload();
      await ui.page.waitForSelector('#conn.live', { timeout: 60_000 });
      await checkScreen(ui, '1280x720');
    } finally {
      await ui.close();
    }
  });
});
