/**
 * vitest globalSetup: builds web/dist once, before any test file runs. The browser test files run
 * in parallel; if each built for itself, one vite build would empty web/dist while another file's
 * page was loading its scripts from it (seen on CI from a fresh clone: the page never connected).
 *
 * A run limited to other folders (`vitest run test/engine test/wire`, `npm test -- test/cli`)
 * selects no browser test, so it does not build: every positional argument names a folder or
 * file under test/ outside test/web. Anything else (no filter, a name filter, test/web) builds.
 */
import { ensureWebBuild } from './lab-server.js';

export function selectsNoBrowserTest(argv: readonly string[]): boolean {
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === 'run' || a === 'watch') continue;
    if (a.startsWith('-')) {
      // a flag's separate value (`-t name`, `--project x`) is not a path filter
      if (!a.includes('=') && i + 1 < argv.length && !argv[i + 1]!.startsWith('-') && /^-(t|-testNamePattern|-project|-reporter|-outputFile|-config|c|-root|r|-dir)$/.test(a)) i++;
      continue;
    }
    positional.push(a);
  }
  return positional.length > 0 && positional.every((p) => /^(\.\/)?test\//.test(p) && !/^(\.\/)?test\/web(\/|$)/.test(p));
}

export default async function setup(): Promise<void> {
  // process.argv: [node, vitest.mjs, ...vitest's arguments]
  if (selectsNoBrowserTest(process.argv.slice(2))) return;
  await ensureWebBuild();
}
