/**
 * `vswitch-lab test <topology> [scenario.json] [--json] [-v]`: runs the topology's `tests` block,
 * or the tests of a scenario file (`{ "tests": [...] }`, same format), each on a fresh lab
 * (src/engine/test-runner.ts). Prints `PASS name` / `FAIL name` per test, with the unmet
 * expectations and the explain trace of each failure, then `N passed, M failed`.
 *
 * `--json` prints the runner's result: `{"file","passed","failed","results":[{name,description?,
 * passed,failures:[...],deliveries:[{frameId,to,frame,summary,vlan,rule}],drops:[{frameId,at,
 * reason,rule,detail}],ping?:{result,output},explain?:[...]}]}`.
 *
 * Exit: 0 all passed; 1 some test failed; 2 bad topology, scenario file, option or interface, or
 * nothing to run.
 */
import { readFile } from 'node:fs/promises';
import { parseTree, type ParseError } from 'jsonc-parser';
import { z } from 'zod';
import type { Command } from '../cli.js';
import { createLab } from '../engine/lab.js';
import { runTests, type TestResult } from '../engine/test-runner.js';
import { parsePath } from '../topology/issue.js';
import { PathLocator } from '../topology/locate.js';
import { TestCase, type TestCaseDoc } from '../topology/schema.js';
import { fromZodIssues } from '../topology/zod-issues.js';
import { UsageError, checkInterface, parseCommandArgs, withInputErrors } from './cli-args.js';
import { issueLine, loadTopologyArg } from './topology-arg.js';

const USAGE = `usage: vswitch-lab test <topology> [scenario.json] [options]

Runs the tests of the topology's "tests" block, or those of a scenario file
({ "tests": [ ... ] }, same format), each on a fresh lab. A test sends a frame and/or pings, then
checks where copies were delivered, what was dropped and why, and whether the ping succeeded.
<topology> is a file or the name of an example.

options:
  --json        print the results as JSON
  -v            print the deliveries and drops of passing tests too
  -h, --help    this help

exit codes: 0 all passed, 1 some test failed, 2 bad topology, scenario, option or interface`;

const OPTIONS = {
  json: { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** A scenario file: tests for a topology, kept apart from it. */
export const Scenario = z
  .object({
    $schema: z.string().optional(),
    description: z.string().optional(),
    tests: z.array(TestCase).min(1, 'a scenario needs at least one test'),
  })
  .strict();

async function loadScenario(file: string): Promise<{ ok: true; tests: TestCaseDoc[] } | { ok: false; lines: string[] }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as { code?: string }).code;
    return { ok: false, lines: [`${file}: cannot read: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : err instanceof Error ? err.message : String(err)}`] };
  }
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false });
  let value: unknown;
  try {
    if (errors.length > 0) throw new Error('invalid JSON');
    value = JSON.parse(text);
  } catch {
    const off = errors[0]?.offset ?? 0;
    const line = text.slice(0, off).split('\n').length;
    return { ok: false, lines: [`${file}:${line}: not valid JSON; a scenario is { "tests": [ ... ] }`] };
  }
  const r = Scenario.safeParse(value);
  if (r.success) return { ok: true, tests: r.data.tests };
  const locator = new PathLocator(text, root);
  const issues = fromZodIssues(r.error.issues, value, Scenario);
  for (const i of issues) {
    const pos = locator.locate(parsePath(i.path), i.code === 'unknown-field');
    if (pos) Object.assign(i, pos);
  }
  return { ok: false, lines: [...issues.map((i) => issueLine(file, i)), `${file}: invalid scenario (${issues.length} error${issues.length === 1 ? '' : 's'})`] };
}

/** Every `node:interface` a test names. */
function interfacesOf(t: TestCaseDoc): string[] {
  const e = t.expect;
  return [
    ...(t.send ? [t.send.from] : []),
    ...(t.ping ? [t.ping.from] : []),
    ...(e.deliveredTo ?? []),
    ...(e.alsoDeliveredTo ?? []),
    ...(e.notDeliveredTo ?? []),
    ...Object.keys(e.deliveredVlan ?? {}),
  ];
}

function textOf(r: TestResult, verbose: boolean): string[] {
  const lines = [`${r.passed ? 'PASS' : 'FAIL'}  ${r.name}`];
  const show = verbose || !r.passed;
  if (show) {
    for (const f of r.failures) lines.push(`      ${f}`);
    for (const d of r.deliveries) lines.push(`      delivered  ${d.to}  [${d.rule}]  ${d.vlan === 'untagged' ? 'untagged' : `VLAN ${d.vlan}`}  ${d.summary}`);
    for (const d of r.drops) lines.push(`      dropped    ${d.at}  [${d.rule}]  ${d.reason}`);
    if (r.ping) lines.push(...r.ping.output.filter((l) => l !== '').map((l) => `      | ${l}`));
    for (const l of r.explain ?? []) lines.push(`      ${l}`);
  }
  return lines;
}

export const command: Command = {
  summary: "run a topology's tests block (or a scenario file)",
  run: (args) =>
    withInputErrors('test', async () => {
      const { values, positionals } = parseCommandArgs(args, OPTIONS);
      if (values.help) {
        console.log(USAGE);
        return 0;
      }
      if (positionals.length < 1 || positionals.length > 2) throw new UsageError('give <topology> [scenario.json]');
      const t = await loadTopologyArg(positionals[0]!);
      if (!t.ok) {
        console.error(t.lines.join('\n'));
        return 2;
      }
      let tests: TestCaseDoc[];
      let source: string;
      if (positionals[1] !== undefined) {
        const s = await loadScenario(positionals[1]);
        if (!s.ok) {
          console.error(s.lines.join('\n'));
          return 2;
        }
        tests = s.tests;
        source = positionals[1];
      } else {
        tests = t.topology.tests ?? [];
        source = t.file;
        if (tests.length === 0) {
          console.error(`vswitch-lab test: ${t.file} has no "tests" block; add one or give a scenario file`);
          return 2;
        }
      }
      const lab = createLab(t.topology);
      tests.forEach((tc, n) => {
        for (const iface of interfacesOf(tc)) checkInterface(lab, iface, `interface in test ${n + 1} ("${tc.name}"):`);
      });
      const result = runTests(t.topology, tests);
      if (values.json) console.log(JSON.stringify({ file: source, ...result }));
      else {
        console.log(`${source}: ${tests.length} test${tests.length === 1 ? '' : 's'} on ${t.topology.name}`);
        for (const r of result.results) console.log(textOf(r, values.verbose ?? false).join('\n'));
        console.log(`${result.passed} passed, ${result.failed} failed`);
      }
      return result.failed > 0 ? 1 : 0;
    }),
};
