/**
 * A real vswitch-lab server for the browser tests: startServer on a random port, the topology
 * from topologies/, live trace events as the server sends them by default (with their frame
 * bytes: the UI shows types, tags and decoded layers), and a fresh web/dist when the sources
 * changed since the last build.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateFile } from '../../src/server/engine-binding.js';
import { startServer, type RunningServer, type StartOptions } from '../../src/server/server.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const WEB_DIST = path.join(ROOT, 'web', 'dist');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function webBuildIsFresh(): boolean {
  const index = path.join(WEB_DIST, 'index.html');
  const sources = Math.max(newestMtime(path.join(ROOT, 'web', 'src')), statSync(path.join(ROOT, 'web', 'index.html')).mtimeMs, statSync(path.join(ROOT, 'web', 'vite.config.ts')).mtimeMs);
  return existsSync(index) && statSync(index).mtimeMs > sources;
}

/**
 * Builds web/dist with vite unless it is newer than every source file of web/. Called once per
 * run by the globalSetup (build-once.global.ts) and by make-screenshot; test files only assert.
 */
export async function ensureWebBuild(): Promise<void> {
  if (webBuildIsFresh()) return;
  const { build } = await import('vite');
  await build({ configFile: path.join(ROOT, 'web', 'vite.config.ts'), logLevel: 'error' });
}

/** In a test file: web/dist must already be fresh (the globalSetup built it before any file ran). */
export function assertWebBuilt(): void {
  if (!webBuildIsFresh()) throw new Error('web/dist is missing or older than web/src: the vitest globalSetup test/web/build-once.global.ts should have built it');
}

/** `frameHex`: left to the server's default (live events carry their frame bytes) unless given. */
export async function startLabServer(topology = 'default', options: { frameHex?: boolean; rateLimit?: StartOptions['rateLimit'] } = {}): Promise<RunningServer> {
  const file = path.join(ROOT, 'topologies', `${topology}.json`);
  const result = await validateFile(file);
  return startServer({
    port: 0,
    initial: { result, source: `example:${topology}` },
    staticDir: WEB_DIST,
    ...(options.frameHex !== undefined ? { live: { frameHex: options.frameHex } } : {}),
    ...(options.rateLimit !== undefined ? { rateLimit: options.rateLimit } : {}),
  });
}

/** A JSON request to a test server (a JSON body, so the server's cross-site check lets it through): its status and parsed answer. */
export async function apiCall<T>(server: RunningServer, method: string, route: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(new URL(route, server.url), {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}
