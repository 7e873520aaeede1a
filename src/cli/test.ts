/**
 * `vswitch-lab test <topology> [scenario.json] [--json] [-v]`:
 * - without a file: runs the topology's `tests` block, each test on a fresh lab
 *   (src/engine/test-runner.ts), then every timed scenario the topology lists in `scenarios`
 *   (paths relative to the topology file; src/engine/scenario.ts), each on a fresh lab;
 * - with a file: runs that file, whichever of the two kinds it is (src/topology/scenario.ts): a
 *   timed scenario as `run` runs it, or a list of tests (`{ "tests": [...] }` or just the array).
 *
 * Text: `PASS name` / `FAIL name` per test, with the unmet expectations and the explain trace of
 * each failure; per timed scenario a header, a `PASS`/`FAIL` line per check (indented), under a
 * failed check the part of the timeline it looked at, and `PASS name (n/m checks)`; then
 * `N passed, M failed` counting tests and scenarios. `-v` adds the deliveries and drops of
 * passing tests and the whole timeline of each scenario.
 *
 * `--json` prints `{"file","passed","failed","results":[{name,description?,passed,failures:[...],
 * deliveries:[{frameId,to,frame,summary,vlan,rule}],drops:[{frameId,at,reason,rule,detail}],
 * ping?:{result,output},explain?:[...]}],"scenarios":[{file,name,passed,durationNs,timeline,pings,
 * checks}]}` — `results` the tests, `scenarios` the timed scenarios as `run --json` gives them;
 * `passed`/`failed` count both.
 *
 * `--pcap <file>` (with `--point`, `--format`, `--capture-filter`: capture-options.ts) captures
 * every test's and scenario's lab into one file, one after the other.
 *
 * A topology with an `activity` block (src/engine/activity.ts) is graded too: `PASS`/`FAIL` per
 * task with what its check found, and `activity "title": score/total points`; `--json` adds
 * `"activity":{title,passed,score,total,tasks:[{number,title,points,passed,failures}]}`. So an
 * instructor grades submitted files with `vswitch-lab test <file>`: exit 0 only when every test,
 * scenario and task passes.
 *
 * Exit: 0 all passed; 1 some test, scenario check or activity task failed; 2 bad topology,
 * scenario file, option or interface, or nothing to run.
 */
import type { Command } from '../cli.js';
import { gradeActivity, type ActivityResult, createLab, type Lab, timelineExcerpt, type ScenarioResult, runTests, type TestResult } from '../engine/index.js';
import type { ScenarioDoc } from '../topology/scenario.js';
import type { TestCaseDoc, TopologyDoc } from '../topology/schema.js';
import { CAPTURE_OPTIONS, CAPTURE_OPTIONS_HELP, labSeries, parseCaptureOptions, startCliCapture, withCliCapture } from './capture-options.js';
import { CommandExit, UsageError, checkInterface, parseCommandArgs, withInputErrors } from './cli-args.js';
import { displayPath, loadScenarioFile, runScenarioFile, testReasons, topologyScenarioFiles, unknownReasonLines } from './scenario-file.js';
import { openTopologyArg } from './topology-arg.js';

const USAGE = `usage: vswitch-lab test <topology> [scenario.json] [options]

Runs the tests of the topology's "tests" block, each on a fresh lab, then the timed scenarios the
topology lists in "scenarios", then grades its "activity" (each task's check on a fresh lab; the
score in points). A test sends a frame and/or pings, then checks where copies were
delivered, what was dropped and why, and whether the ping succeeded. A timed scenario runs the lab
on its virtual clock (continuous pings, link failures, vMotion, ...) and checks ping loss, which
uplink carried a frame, MAC tables, drops and rates: one PASS/FAIL line per check, and the part of
the timeline a failed check looked at.
With a scenario file, runs only that file: a timed scenario, or a list of tests
({ "tests": [ ... ] }, the format of the "tests" block). See docs/scenarios.md.
<topology> is a file or the name of an example.

options:
  --json        print the results as JSON
  -v            print the deliveries and drops of passing tests and each scenario's whole timeline
  -h, --help    this help

${CAPTURE_OPTIONS_HELP}
  (every test and scenario runs on its own lab; the capture holds them one after the other)

examples:
  vswitch-lab test teaming
  vswitch-lab test teaming topologies/scenarios/teaming-failover.json
  vswitch-lab test vlans --json --pcap tests.pcapng --point esxi-01:vmnic0,Drop

exit codes: 0 all passed, 1 some test or check failed, 2 bad topology, scenario, option or interface`;

const OPTIONS = {
  ...CAPTURE_OPTIONS,
  json: { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
} as const;

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

function testText(r: TestResult, verbose: boolean): string[] {
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

function secs(ns: number): string {
  return `${(ns / 1e9).toFixed(3)}s`;
}

function timelineLine(e: ScenarioResult['timeline'][number], indent: string): string {
  const mark = e.ok === undefined ? '' : e.ok ? 'ok    ' : 'FAIL  ';
  return `${indent}${secs(e.time).padStart(9)}  ${e.kind.padEnd(8)}  ${mark}${e.text}`;
}

/** The grade of an activity: one line per task, what failed under it, the score. */
function activityText(a: ActivityResult, verbose: boolean): string[] {
  const lines = [`activity "${a.title}": ${a.tasks.length} task${a.tasks.length === 1 ? '' : 's'}`];
  for (const task of a.tasks) {
    lines.push(`${task.passed ? 'PASS' : 'FAIL'}  task ${task.number}: ${task.title}  (${task.points} point${task.points === 1 ? '' : 's'})`);
    if (task.passed && !verbose) continue;
    for (const f of task.failures) lines.push(`      ${f}`);
    if (task.test?.ping) lines.push(...task.test.ping.output.filter((l) => l !== '').map((l) => `      | ${l}`));
    if (!task.passed) { for (const l of task.test?.explain ?? []) lines.push(`      ${l}`); }
  }
  lines.push(`activity "${a.title}": ${a.score}/${a.total} points${a.passed ? ', every task done' : ''}`);
  return lines;
}

/** An activity's grade as JSON (each task without its test's frames). */
function activityJson(a: ActivityResult): unknown {
  return { title: a.title, passed: a.passed, score: a.score, total: a.total, tasks: a.tasks.map(({ test: _t, ...task }) => task) };
}

interface ScenarioRun extends ScenarioResult {
  file: string;
}

function scenarioText(r: ScenarioRun, topologyName: string, verbose: boolean): string[] {
  const lines = [`${displayPath(r.file)}: timed scenario "${r.name}", ${secs(r.durationNs)} on ${topologyName}`];
  for (const c of r.checks) {
    lines.push(`  ${c.ok ? 'PASS' : 'FAIL'}  ${c.what}: ${c.detail}`);
    if (c.ok) continue;
    const { entries, omitted } = timelineExcerpt(r, c);
    if (entries.length === 0) {
      lines.push(`        timeline ${secs(c.from)}..${secs(c.to)}: nothing happened`);
      continue;
    }
    lines.push(`        timeline ${secs(c.from)}..${secs(c.to)}:`);
    for (const e of entries) lines.push(timelineLine(e, '        '));
    if (omitted > 0) lines.push(`          (${omitted} more in this stretch; -v prints the whole timeline)`);
  }
  if (verbose) {
    lines.push('  timeline:');
    for (const e of r.timeline) lines.push(timelineLine(e, '    '));
  }
  lines.push(`${r.passed ? 'PASS' : 'FAIL'}  ${r.name}  (${r.checks.filter((c) => c.ok).length}/${r.checks.length} checks)`);
  return lines;
}

export const command: Command = {
  run: (args) =>
    withInputErrors('test', async () => {
      const { values, positionals } = parseCommandArgs(args, OPTIONS, USAGE);
      if (positionals.length < 1 || positionals.length > 2) throw new UsageError('give <topology> [scenario.json]');
      const captureOptions = parseCaptureOptions(values);
      const t = await openTopologyArg(positionals[0]!);

      // What to run: tests and timed scenarios, every file checked before anything runs.
      let tests: TestCaseDoc[] = [];
      let grade = false;
      const timed: { file: string; scenario: ScenarioDoc }[] = [];
      let source: string;
      if (positionals[1] !== undefined) {
        const s = await loadScenarioFile(positionals[1]);
        if (!s.ok) {
          console.error(s.lines.join('\n'));
          return 2;
        }
        if (s.kind === 'tests') tests = s.tests;
        else timed.push({ file: s.file, scenario: s.scenario });
        source = positionals[1];
      } else {
        tests = t.topology.tests ?? [];
        grade = t.topology.activity !== undefined;
        source = t.file;
        for (const file of topologyScenarioFiles(t.file, t.topology)) {
          const s = await loadScenarioFile(file);
          if (!s.ok) {
            console.error(s.lines.join('\n'));
            return 2;
          }
          if (s.kind === 'tests') {
            throw new UsageError(`${displayPath(file)} (in "scenarios" of ${t.file}) is a list of tests, not a timed scenario; run it with 'vswitch-lab test ${positionals[0]} ${displayPath(file)}'`);
          }
          timed.push({ file, scenario: s.scenario });
        }
        if (tests.length === 0 && timed.length === 0 && !grade) {
          console.error(`vswitch-lab test: ${t.file} has no "tests" block, lists no "scenarios" and has no "activity"; add one or give a scenario file`);
          return 2;
        }
      }

      const make = (topology: TopologyDoc): Lab => createLab(topology, { wallClockStartMs: Date.now() });
      const lab = make(t.topology);
      tests.forEach((tc, n) => {
        for (const iface of interfacesOf(tc)) checkInterface(lab, iface, `interface in test ${n + 1} ("${tc.name}"):`);
      });
      const badReasons = unknownReasonLines(source, testReasons(tests, 'tests'));
      if (badReasons.length > 0) throw new CommandExit(2, badReasons);
      const capture = startCliCapture(lab, captureOptions);
      return withCliCapture(capture, () => {
        const next = labSeries(lab, make, capture);
        const result = runTests(t.topology, tests, { createLab: next });
        const scenarios: ScenarioRun[] = timed.map(({ file, scenario }) => ({ file, ...runScenarioFile(file, t.topology, scenario, next) }));
        const activity = grade && t.topology.activity ? gradeActivity(t.topology, t.topology.activity, { createLab: next }) : undefined;
        const tasksPassed = activity?.tasks.filter((x) => x.passed).length ?? 0;
        const passed = result.passed + scenarios.filter((s) => s.passed).length + tasksPassed;
        const failed = result.failed + scenarios.filter((s) => !s.passed).length + (activity ? activity.tasks.length - tasksPassed : 0);
        if (values.json) console.log(JSON.stringify({ file: source, passed, failed, results: result.results, scenarios, ...(activity ? { activity: activityJson(activity) } : {}) }));
        else {
          const out: string[] = [];
          if (tests.length > 0) {
            out.push(`${displayPath(source)}: ${tests.length} test${tests.length === 1 ? '' : 's'} on ${t.topology.name}`);
            for (const r of result.results) out.push(...testText(r, values.verbose ?? false));
          }
          for (const s of scenarios) out.push(...scenarioText(s, t.topology.name, values.verbose ?? false));
          if (activity) out.push(...activityText(activity, values.verbose ?? false));
          out.push(`${passed} passed, ${failed} failed`);
          console.log(out.join('\n'));
        }
        return failed > 0 ? 1 : 0;
      });
    }),
};
