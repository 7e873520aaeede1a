/**
 * Reading a scenario file for `run` and `test`: a timed scenario or a list of tests (the two kinds
 * of src/topology/scenario.ts), or the lines to print when it is neither, unreadable or invalid
 * (`file:line:column  json.path  message`, as `validate` prints topology errors), and a topology's
 * own timed scenarios (its `scenarios` field, paths relative to the topology file); and running
 * one timed scenario.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type Lab, LabError, runScenario, type ScenarioResult, unknownReasonMessage } from '../engine/index.js';
import { checkScenarioText, type ScenarioDoc } from '../topology/scenario.js';
import type { TestCaseDoc, TopologyDoc } from '../topology/schema.js';
import { issueLine } from './topology-arg.js';

/** Scenario files are small; a bigger file is a mistake (a capture given by accident). */
const MAX_SCENARIO_BYTES = 16 * 1024 * 1024;

export type ScenarioFileArg =
  | { ok: true; file: string; kind: 'timed'; scenario: ScenarioDoc }
  | { ok: true; file: string; kind: 'tests'; tests: TestCaseDoc[] }
  | { ok: false; file: string; lines: string[] };

function unreadable(file: string, err: unknown): string {
  const code = (err as { code?: string } | null)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a directory, not a file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return err instanceof Error ? err.message : String(err);
}

/** Reads and checks one scenario file (either kind). */
export async function loadScenarioFile(file: string): Promise<ScenarioFileArg> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    return { ok: false, file, lines: [`${file}: cannot read: ${unreadable(file, err)}`] };
  }
  if (text.length > MAX_SCENARIO_BYTES) return { ok: false, file, lines: [`${file}: larger than ${MAX_SCENARIO_BYTES / 1024 / 1024} MB; not a scenario file`] };
  const r = checkScenarioText(text);
  if (r.ok) {
    // a drop reason that does not exist would only ever fail at run time, looking like a real failure
    const reasons = r.kind === 'timed' ? (r.scenario.expect?.drops ?? []).map((d, n) => ({ path: `expect.drops[${n}].reason`, code: d.reason })) : testReasons(r.tests);
    const bad = unknownReasonLines(file, reasons);
    if (bad.length > 0) return { ok: false, file, lines: [...bad, `${file}: invalid; see docs/scenarios.md`] };
    return r.kind === 'timed' ? { ok: true, file, kind: 'timed', scenario: r.scenario } : { ok: true, file, kind: 'tests', tests: r.tests };
  }
  const n = r.issues.length;
  const what = r.kind === 'syntax'
    ? 'not valid JSON'
    : r.kind === 'unknown'
    ? 'not a scenario file'
    : r.kind === 'timed'
    ? `invalid timed scenario (${n} error${n === 1 ? '' : 's'})`
    : `invalid list of tests (${n} error${n === 1 ? '' : 's'})`;
  return { ok: false, file, lines: [...r.issues.map((i) => issueLine(file, i)), `${file}: ${what}; see docs/scenarios.md`] };
}

/** The drop reasons a list of tests expects, with their JSON paths. */
export function testReasons(tests: readonly TestCaseDoc[], prefix = 'tests'): { path: string; code: string }[] {
  return tests.flatMap((t, n) => (t.expect.drop ? [{ path: `${prefix}[${n}].expect.drop.reason`, code: t.expect.drop.reason }] : []));
}

/** `file  path  message` for every code that is not a drop reason. */
export function unknownReasonLines(file: string, reasons: readonly { path: string; code: string }[]): string[] {
  return reasons.flatMap(({ path, code }) => {
    const m = unknownReasonMessage(code);
    return m === undefined ? [] : [`${file}  ${path}  ${m}`];
  });
}

/** The timed scenario files a topology lists (absolute paths). */
export function topologyScenarioFiles(topologyFile: string, topology: TopologyDoc): string[] {
  return (topology.scenarios ?? []).map((s) => path.resolve(path.dirname(topologyFile), s));
}

/** A path as the user would like to read it: relative to the working directory when inside it. */
export function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

/**
 * Runs one timed scenario on a lab from `make`. A step that cannot run (an interface the topology
 * lacks, a frame that cannot be built) is a LabError naming the file: bad input, exit 2.
 */
export function runScenarioFile(file: string, topology: TopologyDoc, scenario: ScenarioDoc, make: (topology: TopologyDoc) => Lab): ScenarioResult {
  try {
    return runScenario(topology, scenario, { createLab: make });
  } catch (err) {
    if (err instanceof LabError) throw new LabError(`${displayPath(file)}: ${err.message}`, err.suggestions);
    throw err;
  }
}
