/**
 * `npm run bench`: prints figures, asserts nothing (speed is measured, not timed in tests).
 * Each test/bench/<area>.ts exports `run(): Promise<void>` that prints its own lines.
 * `npm run bench -- wire engine` runs only those areas.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const areas = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_'))
  .map((f) => f.slice(0, -3))
  .filter((a) => wanted.length === 0 || wanted.includes(a))
  .sort();

console.log(`vswitch-lab bench — node ${process.version}, ${new Date().toISOString()}`);
for (const area of areas) {
  console.log(`\n## ${area}`);
  const mod = (await import(pathToFileURL(path.join(here, `${area}.ts`)).href)) as { run: () => Promise<void> };
  await mod.run();
}
