/**
 * vitest globalSetup: builds web/dist once, before any test file runs. The browser test files run
 * in parallel; if each built for itself, one vite build would empty web/dist while another file's
 * page was loading its scripts from it (seen on CI from a fresh clone: the page never connected).
 */
import { ensureWebBuild } from './lab-server.js';

export default async function setup(): Promise<void> {
  await ensureWebBuild();
}
