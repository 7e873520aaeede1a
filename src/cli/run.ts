/**
 * `vswitch-lab run <topology> [scenario.json] [--json]`: runs timed scenarios on the virtual
 * clock (src/engine/scenario.ts) — the given scenario file, or every file the topology lists in
 * `scenarios` (paths relative to the topology file) — each on a fresh lab, and prints the
 * timeline: changes, failovers, RARPs, beacon verdicts, path changes and lost probes of each
 * continuous ping, and every expectation with PASS/FAIL.
 *
 * `--json` prints `{"topology","passed","scenarios":[{file,name,passed,durationNs,timeline:[{time
 * (ns),kind,text,ok?}],pings:[{name,from,to,count,transmitted,received,lost,lostSeqs}],checks:
 * [{time,what,ok,detail}]}]}`.
 *
 * Exit: 0 every scenario passed; 1 some expectation failed; 2 bad topology, scenario file or option.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from '../cli.js';
import { parseScenario, runScenario, type ScenarioResult } from '../engine/scenario.js';
import { UsageError, parseCommandArgs, withInputErrors } from './cli-args.js';
import { loadTopologyArg } from './topology-arg.js';

const USAGE = `usage: vswitch-lab run <topology> [scenario.json] [options]

Runs a timed scenario on the virtual clock and prints its timeline: continuous pings, runtime
changes at given times (link down/up, vMotion, policy edits, ...), frames sent, and the checks
(ping loss, which uplink carried a flow, RARPs seen, MAC table contents, drops, rates).
Without a scenario file, runs every scenario the topology lists in "scenarios".
<topology> is a file or the name of an example (teaming, multi-host, shaping, ...).

options:
  --json        print the results as JSON
  -h, --help    this help

exit codes: 0 all passed, 1 some check failed, 2 bad topology, scenario or option`;

const OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

async function readScenario(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new UsageError(`${file}: cannot read: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : String(err)}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new UsageError(`${file}: not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
}

function secs(ns: number): string {
  return `${(ns / 1e9).toFixed(3)}s`.padStart(9);
}

function textOf(file: string, r: ScenarioResult): string[] {
  const lines = [`scenario: ${r.name}  (${file})`];
  for (const e of r.timeline) {
    const mark = e.ok === undefined ? '' : e.ok ? 'ok    ' : 'FAIL  ';
    lines.push(`${secs(e.time)}  ${e.kind.padEnd(8)}  ${mark}${e.text}`);
  }
  const ok = r.checks.filter((c) => c.ok).length;
  lines.push(`${r.passed ? 'PASS' : 'FAIL'}  ${r.name}  (${ok}/${r.checks.length} checks)`, '');
  return lines;
}

export const command: Command = {
  summary: 'run timed scenarios (failover, vMotion, shaping) and print the timeline',
  run: (args) =>
    withInputErrors('run', async () => {
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
      const files = positionals[1] !== undefined ? [positionals[1]] : (t.topology.scenarios ?? []).map((s) => path.resolve(path.dirname(t.file), s));
      if (files.length === 0) throw new UsageError(`${t.file} lists no scenarios; give a scenario file`);
      const docs = [];
      for (const file of files) docs.push({ file, doc: parseScenarioFile(file, await readScenario(file)) });
      const results = docs.map(({ file, doc }) => ({ file, ...runScenario(t.topology, doc) }));
      const passed = results.every((r) => r.passed);
      if (values.json) {
        console.log(JSON.stringify({ topology: t.file, passed, scenarios: results }, null, 2));
      } else {
        const out: string[] = [];
        for (const r of results) out.push(...textOf(path.relative(process.cwd(), r.file) || r.file, r));
        out.push(`${results.filter((r) => r.passed).length} passed, ${results.filter((r) => !r.passed).length} failed`);
        console.log(out.join('\n'));
      }
      return passed ? 0 : 1;
    }),
};

function parseScenarioFile(file: string, value: unknown) {
  try {
    return parseScenario(value);
  } catch (err) {
    throw new UsageError(`${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
