#!/usr/bin/env node
// `npm test`: the whole suite, the way CI runs it.
//   1. ensure the oracle tools (tshark, capinfos, chromium) exist: .ci/ensure-tools.sh;
//   2. vitest over test/ with a JSON report;
//   3. typecheck (tsc --noEmit, for src/test and for web/; the build's declarations), lint (eslint, type-aware) and format (dprint check:
//      run `npm run format` to fix), each counted as one check;
//   4. a plain closing line `N passed, N failed` computed from vitest's JSON report
//      (CI reads that line, not vitest's own summary). Exit 0 only when nothing failed.
// Extra arguments go to vitest (e.g. `npm test -- test/wire`).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit' }).status ?? 1;

if (!existsSync(path.join(root, 'node_modules', 'vitest', 'vitest.mjs'))) {
  console.log('node_modules is missing or incomplete: run `npm ci` first (the README\'s commands: npm ci && npm test)');
  console.log('0 passed, 1 failed');
  process.exit(1);
}

if (run('bash', ['.ci/ensure-tools.sh']) !== 0) {
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const reportDir = path.join(root, '.test-report');
const report = path.join(reportDir, 'vitest.json');
rmSync(reportDir, { recursive: true, force: true });
mkdirSync(reportDir, { recursive: true });
const vitestBin = path.join(root, 'node_modules', 'vitest', 'vitest.mjs');
const vitestStatus = run(process.execPath, [
  vitestBin,
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${report}`,
  ...process.argv.slice(2),
]);

let passed = 0;
let failed = 0;
let skipped = 0;
try {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  passed = r.numPassedTests;
  failed = r.numFailedTests;
  skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  // A file that fails to load has no tests in the counts: count it as a failure.
  for (const file of r.testResults ?? []) {
    if (file.status === 'failed' && (file.assertionResults ?? []).length === 0) failed += 1;
  }
} catch {
  failed += 1; // no report at all: vitest itself failed
}
if (vitestStatus !== 0 && failed === 0) failed += 1;

const onlySome = process.argv.length > 2;
if (!onlySome) {
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  for (const [name, args] of [
    ['typecheck', [tsc, '--noEmit']],
    ['typecheck web', [tsc, '--noEmit', '-p', path.join(root, 'web', 'tsconfig.json')]],
    // `npm run build` emits declarations: a type that cannot be named there fails only then
    ['build declarations', [tsc, '-p', path.join(root, 'tsconfig.build.json'), '--emitDeclarationOnly', '--outDir', path.join(reportDir, 'types')]],
    ['lint', [path.join(root, 'node_modules', 'eslint', 'bin', 'eslint.js'), '.']],
    ['format', [path.join(root, 'node_modules', 'dprint', 'bin.cjs'), 'check']],
  ]) {
    console.log(`\n> ${name}`);
    if (run(process.execPath, args) === 0) passed += 1;
    else {
      failed += 1;
      console.log(`${name} failed${name === 'format' ? ': `npm run format` rewrites the files dprint listed' : ''}`);
    }
  }
}

console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed === 0 ? 0 : 1);
