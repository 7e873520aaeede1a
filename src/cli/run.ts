/**
 * `vswitch-lab run <topology> [scenario.json] [--json]`: runs timed scenarios on the virtual
 * clock (src/engine/scenario.ts) — the given scenario file, or every file the topology lists in
 * `scenarios` (paths relative to the topology file) — each on a fresh lab, and prints the
 * timeline: changes, failovers, RARPs, beacon verdicts, path changes and lost probes of each
 * continuous ping, and every expectation with PASS/FAIL. Every file is checked before any runs.
 *
 * `--json` prints `{"topology","passed","scenarios":[{file,name,passed,durationNs,timeline:[{time
 * (ns),kind,text,ok?}],pings:[{name,from,to,count,transmitted,received,lost,lostSeqs}],checks:
 * [{time,what,ok,detail,from,to}]}]}` (`from`/`to`: the virtual ns the check looked at).
 *
 * `--pcap <file>` (with `--point`, `--format`, `--capture-filter`: capture-options.ts) captures
 * every scenario into one file, one after the other; the summary line goes to stderr.
 *
 * Exit: 0 every scenario passed; 1 some expectation failed; 2 bad topology, scenario file or option.
 */
import type { Command } from '../cli.js';
import { createLab, type ScenarioResult } from '../engine/index.js';
import type { ScenarioDoc } from '../topology/scenario.js';
import { CAPTURE_OPTIONS, CAPTURE_OPTIONS_HELP, labSeries, parseCaptureOptions, startCliCapture, withCliCapture } from './capture-options.js';
import { UsageError, parseCommandArgs, withInputErrors } from './cli-args.js';
import { displayPath, loadScenarioFile, runScenarioFile, topologyScenarioFiles } from './scenario-file.js';
import { openTopologyArg } from './topology-arg.js';

const USAGE = `usage: vswitch-lab run <topology> [scenario.json] [options]

Runs a timed scenario on the virtual clock and prints its timeline: continuous pings, runtime
changes at given times (link down/up, vMotion, policy edits, ...), frames sent, and the checks
(ping loss, which uplink carried a flow, RARPs seen, MAC table contents, drops, rates).
Without a scenario file, runs every scenario the topology lists in "scenarios".
<topology> is a file or the name of an example (teaming, multi-host, shaping, ...).

The file format is described in docs/scenarios.md; 'vswitch-lab test' runs the same scenarios
and prints one PASS/FAIL line per check.

options:
  --json        print the results as JSON
  -h, --help    this help

${CAPTURE_OPTIONS_HELP}
  (every scenario runs on its own lab; the capture holds them one after the other)

examples:
  vswitch-lab run teaming
  vswitch-lab run multi-host topologies/scenarios/vmotion.json --json
  vswitch-lab run teaming topologies/scenarios/teaming-failover.json --pcap failover.pcapng --point esxi-01:vmnic0,esxi-01:vmnic1

exit codes: 0 all passed, 1 some check failed, 2 bad topology, scenario or option`;

const OPTIONS = {
  ...CAPTURE_OPTIONS,
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

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
  run: (args) =>
    withInputErrors('run', async () => {
      const { values, positionals } = parseCommandArgs(args, OPTIONS, USAGE);
      if (positionals.length < 1 || positionals.length > 2) throw new UsageError('give <topology> [scenario.json]');
      const captureOptions = parseCaptureOptions(values);
      const t = await openTopologyArg(positionals[0]!);
      const files = positionals[1] !== undefined ? [positionals[1]] : topologyScenarioFiles(t.file, t.topology);
      if (files.length === 0) throw new UsageError(`${t.file} lists no scenarios; give a scenario file`);
      const docs: { file: string; doc: ScenarioDoc }[] = [];
      for (const file of files) {
        const s = await loadScenarioFile(file);
        if (!s.ok) {
          console.error(s.lines.join('\n'));
          return 2;
        }
        if (s.kind === 'tests') throw new UsageError(`${file} is a list of tests, not a timed scenario: run it with 'vswitch-lab test ${positionals[0]} ${file}'`);
        docs.push({ file, doc: s.scenario });
      }
      const make = () => createLab(t.topology, { wallClockStartMs: Date.now() });
      const lab = make();
      const capture = startCliCapture(lab, captureOptions);
      return withCliCapture(capture, () => {
        const next = labSeries(lab, make, capture);
        const results = docs.map(({ file, doc }) => ({ file, ...runScenarioFile(file, t.topology, doc, next) }));
        const passed = results.every((r) => r.passed);
        if (values.json) {
          // paths as the text output and the other commands print them: relative to the working directory
          console.log(JSON.stringify({ topology: displayPath(t.file), passed, scenarios: results.map((r) => ({ ...r, file: displayPath(r.file) })) }, null, 2));
        } else {
          const out: string[] = [];
          for (const r of results) out.push(...textOf(displayPath(r.file), r));
          out.push(`${results.filter((r) => r.passed).length} passed, ${results.filter((r) => !r.passed).length} failed`);
          console.log(out.join('\n'));
        }
        return passed ? 0 : 1;
      });
    }),
};
