/**
 * Headless Chromium for the UI tests (playwright-core, the system's /usr/bin/chromium), with a
 * fresh profile, and every console error and page error collected.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { ROOT } from './lab-server.js';

export const ARTIFACTS = path.join(ROOT, 'test-artifacts');

export interface UiBrowser {
  context: BrowserContext;
  page: Page;
  /** console errors and uncaught exceptions, with the URL that logged them */
  errors: Array<{ text: string; url: string }>;
  close(): Promise<void>;
}

export async function openBrowser(viewport = { width: 1280, height: 800 }): Promise<UiBrowser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const profile = mkdtempSync(path.join(tmpdir(), 'vswitch-lab-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport,
    acceptDownloads: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: UiBrowser['errors'] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push({ text: m.text(), url: m.location().url });
  });
  page.on('pageerror', (e) => errors.push({ text: `uncaught: ${e.message}`, url: '' }));
  return {
    context,
    page,
    errors,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  const file = path.join(ARTIFACTS, name);
  await page.screenshot({ path: file });
  return file;
}

/**
 * A race made certain: the page's first `method` request to `url` is held while `meanwhile` runs
 * (another client's change, and waiting for the page to show it) — its request before it reaches
 * the server (`hold: 'request'`), or its answer before the page gets it (`hold: 'answer'`) — while
 * `act` makes the page send it and waits for what the test expects. Returns whether a request was
 * held; the route is removed also when something fails.
 */
export async function holdFirstRequest(
  page: Page,
  url: string,
  options: { method?: string; hold: 'request' | 'answer' },
  meanwhile: () => Promise<void>,
  act: () => Promise<void>,
): Promise<boolean> {
  let held = false;
  await page.route(url, async (route) => {
    if (held || (options.method !== undefined && route.request().method() !== options.method)) return route.fallback();
    held = true;
    if (options.hold === 'request') {
      await meanwhile();
      return route.continue();
    }
    const response = await route.fetch();
    await meanwhile();
    return route.fulfill({ response });
  });
  try {
    await act();
  } finally {
    await page.unroute(url);
  }
  return held;
}

/**
 * Chromium on the lab page at `url`, ready: connected to the live events (socket.io) and the
 * topology drawn. `timeoutMs`: the page's default wait for selectors and functions.
 */
export async function openLabPage(url: string, options: { viewport?: { width: number; height: number }; timeoutMs?: number } = {}): Promise<UiBrowser> {
  const ui = await openBrowser(options.viewport);
  ui.page.setDefaultTimeout(options.timeoutMs ?? 15_000);
  await ui.page.goto(url);
  await ui.page.waitForSelector('#conn.live', { timeout: 60_000 });
  await ui.page.waitForFunction('window.vswitchLab && window.vswitchLab.cy.nodes().length > 0');
  return ui;
}
