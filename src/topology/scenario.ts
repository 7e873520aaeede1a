/**
 * Scenario files: the format, the check of a file's text (errors with JSON paths and
 * line:column), and its JSON Schema for editors. A scenario file is one of two kinds:
 *
 * - a **timed scenario** (`vswitch-lab run`, and `vswitch-lab test`): a lab runs on the virtual
 *   clock for `duration`, with continuous pings, runtime changes and frames at given times, and
 *   expectations checked at given times (`check` steps) and at the end (`expect`). Times are
 *   milliseconds (a number) or text: "2s", "2.5s", "100ms".
 * - a **list of tests** (`vswitch-lab test`): `{ "tests": [ ... ] }`, the format of a topology's
 *   `tests` block, or just the array.
 *
 * A topology lists the timed scenario files that belong to it in `scenarios` (paths relative to
 * the topology file). Reference: docs/scenarios.md. `npm run schema` writes
 * topologies/scenario.schema.json from the zod schemas below.
 */
import { parseTree, type ParseError } from 'jsonc-parser';
import { z } from 'zod';
import { testActionProblem } from './cross-references.js';
import { issue, parsePath, type Issue } from './issue.js';
import { jsonSyntaxMessage } from './json-syntax.js';
import { PathLocator, TextPositions } from './locate.js';
import { FrameSpec, InterfaceRef, IpAddress, Mac, NodeName, TestCase, type TestCaseDoc } from './schema.js';
import { RuntimeChange } from './runtime-change.js';
import { fromZodIssues } from './zod-issues.js';

export const TimeText = z
  .union([
    z.number().min(0, 'a time must be >= 0 ms'),
    z.string().regex(/^\s*\d+(\.\d+)?\s*(ms|s)\s*$/, 'a time is milliseconds (a number) or text like "2s", "2.5s", "100ms"'),
  ])
  .describe('Virtual time: milliseconds, or "2s" / "100ms".');

/** Virtual ns of a time value (already schema-checked). */
export function timeNs(t: z.output<typeof TimeText>): number {
  if (typeof t === 'number') return Math.round(t * 1e6);
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s)\s*$/.exec(t)!;
  return Math.round(Number(m[1]) * (m[2] === 's' ? 1e9 : 1e6));
}

/** An address: a MAC, or an interface whose effective MAC is meant. */
const MacOrIface = z.union([Mac, InterfaceRef]).describe('A MAC address, or "node:interface" for the effective MAC of that interface.');

export const ContinuousPing = z
  .object({
    name: z.string().min(1).describe('Name to refer to it in expectations; default "from->to".').optional(),
    from: InterfaceRef.describe('Endpoint that pings (vNIC, vmk, physical host NIC).'),
    to: IpAddress.describe('Target: an IPv4 address, or an IPv6 one (E4: ICMPv6 echoes).'),
    intervalMs: z.number().positive().default(100),
    start: TimeText.default(0),
    count: z.number().int().min(1).max(100_000).optional().describe('Probes; default: as many as fit until `until` (or the scenario end).'),
    until: TimeText.optional().describe('Last probe no later than this; default the scenario duration minus the timeout.'),
    timeoutMs: z.number().positive().default(1000),
    size: z.number().int().min(0).max(65507).default(56),
  })
  .strict();

export const FrameKind = z.enum(['any', 'rarp', 'beacon', 'arp', 'ipv4', 'icmp-echo-request', 'icmp-echo-reply']);

export const FrameExpect = z
  .object({
    at: InterfaceRef.describe('Where the frame is seen: an uplink (esxi-01:vmnic1), switch port, vNIC, ...'),
    point: z.enum(['PortInput', 'PortOutput', 'UplinkRcv', 'UplinkSnd', 'PhysRx', 'PhysTx', 'HostRx', 'HostTx']).optional()
      .describe('Capture point (O1); default any at that interface.'),
    kind: FrameKind.default('any'),
    ping: z.string().optional().describe('Only this continuous ping\'s echo requests/replies.'),
    src: MacOrIface.optional(),
    dst: MacOrIface.optional(),
    vlan: z.number().int().min(0).max(4094).optional().describe('VLAN the frame is in at that point (0 = untagged).'),
    after: TimeText.optional(),
    before: TimeText.optional(),
    min: z.number().int().min(0).default(1),
    max: z.number().int().min(0).optional(),
  })
  .strict()
  .describe('Frames seen at an interface: which uplink carried a flow, whether a RARP went out, ...');

export const PingExpect = z
  .object({
    ping: z.string().describe('Name of a continuous ping.'),
    maxLost: z.number().int().min(0).optional(),
    minLost: z.number().int().min(0).optional(),
    minReceived: z.number().int().min(0).optional(),
  })
  .strict();

export const MacTableExpect = z
  .object({
    switch: NodeName,
    mac: MacOrIface,
    vlan: z.number().int().min(1).max(4094).optional(),
    port: z.string().nullable().describe('"tor-1:eth2" (or "tor-1:Po1" for an EtherChannel), or null: not in the table.'),
  })
  .strict();

export const DropExpect = z
  .object({
    reason: z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'a drop reason code, e.g. SHAPING_QUEUE_FULL'),
    at: InterfaceRef.optional(),
    after: TimeText.optional(),
    before: TimeText.optional(),
    min: z.number().int().min(0).default(1),
    max: z.number().int().min(0).optional(),
  })
  .strict();

export const RateExpect = z
  .object({
    at: InterfaceRef.describe('Where to measure (e.g. the uplink or switch port the shaped traffic crosses).'),
    point: z.enum(['PortInput', 'PortOutput', 'UplinkRcv', 'UplinkSnd', 'PhysRx', 'PhysTx', 'HostRx', 'HostTx']).optional(),
    src: MacOrIface.optional(),
    after: TimeText,
    before: TimeText,
    bps: z.number().positive().describe('Expected rate in bits per second (frame bytes x 8).'),
    tolerance: z.number().min(0).max(1).default(0.01).describe('Allowed relative difference, default 1%.'),
  })
  .strict();

export const ScenarioExpect = z
  .object({
    pings: z.array(PingExpect).optional(),
    frames: z.array(FrameExpect).optional(),
    macTable: z.array(MacTableExpect).optional(),
    drops: z.array(DropExpect).optional(),
    rates: z.array(RateExpect).optional(),
  })
  .strict();

const SendStep = z
  .object({
    from: InterfaceRef,
    frame: FrameSpec,
    count: z.number().int().min(1).max(100_000).default(1),
    intervalMs: z.number().min(0).default(0).describe('Between frames when count > 1 (0 = all at once).'),
  })
  .strict();

export const ScenarioStep = z
  .object({
    at: TimeText,
    note: z.string().optional(),
    change: RuntimeChange.optional(),
    refused: z.boolean().optional().describe('The change is expected to be refused (the scenario fails if it is applied).'),
    send: SendStep.optional(),
    check: ScenarioExpect.optional().describe('Expectations checked at this moment.'),
  })
  .strict()
  .refine((s) => [s.change, s.send, s.check].filter((x) => x !== undefined).length === 1, { message: 'a step has exactly one of change, send, check' });

export const Scenario = z
  .object({
    $schema: z.string().optional().describe('Path of scenario.schema.json, for editors.'),
    name: z.string().min(1),
    description: z.string().optional(),
    duration: TimeText.describe('How long the scenario runs (virtual time).'),
    pings: z.array(ContinuousPing).default([]).describe('Continuous pings, each with its own start, interval and count.'),
    steps: z.array(ScenarioStep).default([]).describe('Changes, frames and checks at given times.'),
    expect: ScenarioExpect.optional().describe('Checked at the end.'),
  })
  .strict()
  .describe('A timed scenario: a lab runs on the virtual clock for `duration`, with continuous pings, changes and checks at given times.');

/** A list of tests kept apart from the topology: the format of a topology's `tests` block. */
export const TestList = z
  .object({
    $schema: z.string().optional().describe('Path of scenario.schema.json, for editors.'),
    description: z.string().optional(),
    tests: z.array(TestCase).min(1, 'a list of tests needs at least one test'),
  })
  .strict()
  .describe('A list of tests, as in a topology\'s "tests" block: each sends a frame and/or pings on a fresh lab and checks the outcome.');

/** Any scenario file (for the JSON Schema; files are told apart by `scenarioFileKind`). */
export const ScenarioFile = z.union([Scenario, TestList]);

export type ScenarioDoc = z.output<typeof Scenario>;
export type TestListDoc = z.output<typeof TestList>;
export type ScenarioExpectDoc = z.output<typeof ScenarioExpect>;
export type ContinuousPingDoc = z.output<typeof ContinuousPing>;

// ---------------------------------------------------------------------------------------------
// Telling the two kinds apart, and checking a file's text

/** Fields only a timed scenario has. */
const TIMED_FIELDS = ['duration', 'pings', 'steps', 'expect'] as const;

/**
 * Which kind a parsed file is: `tests` (an array, or an object with `tests`), `timed` (an object
 * with any of duration, pings, steps, expect), or null (neither).
 */
export function scenarioFileKind(value: unknown): 'timed' | 'tests' | null {
  if (Array.isArray(value)) return 'tests';
  if (value === null || typeof value !== 'object') return null;
  if ('tests' in value) return 'tests';
  return TIMED_FIELDS.some((f) => f in value) ? 'timed' : null;
}

export type ScenarioFileResult =
  | { ok: true; kind: 'timed'; scenario: ScenarioDoc }
  | { ok: true; kind: 'tests'; tests: TestCaseDoc[]; description?: string }
  /** `kind`: what the file was taken for (`unknown`: neither kind; `syntax`: not JSON) */
  | { ok: false; kind: 'timed' | 'tests' | 'unknown' | 'syntax'; issues: Issue[] };

function describeTop(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value === 'string' ? 'a string' : `a ${typeof value}`;
  const keys = Object.keys(value);
  return keys.length === 0 ? 'an empty object' : `an object with ${keys.map((k) => JSON.stringify(k)).join(', ')}`;
}

/** Checks a parsed scenario file; issues carry JSON paths (and line:column with a locator). */
export function checkScenarioFile(value: unknown, locator?: PathLocator): ScenarioFileResult {
  const kind = scenarioFileKind(value);
  if (kind === null) {
    const i = issue(
      'error',
      'not-a-scenario',
      '',
      `neither a timed scenario (an object with "duration", and "pings", "steps", "expect") nor a list of tests ({ "tests": [ ... ] }); got ${describeTop(value)}`,
    );
    if (locator) Object.assign(i, locator.locate([]));
    return { ok: false, kind: 'unknown', issues: [i] };
  }
  const schema = kind === 'timed' ? Scenario : TestList;
  const input = Array.isArray(value) ? { tests: value } : value;
  const r = schema.safeParse(input);
  if (r.success) {
    if (kind === 'timed') return { ok: true, kind, scenario: r.data as ScenarioDoc };
    const t = r.data as TestListDoc;
    // a test that neither sends nor pings cannot run (the same check as a topology's tests block)
    const idle: Issue[] = [];
    t.tests.forEach((test, i) => {
      const problem = testActionProblem(test.send !== undefined || test.ping !== undefined, test.name);
      if (problem) idle.push(issue('error', 'test-without-action', Array.isArray(value) ? [i] : ['tests', i], problem));
    });
    if (idle.length > 0) {
      if (locator) { for (const i of idle) Object.assign(i, locator.locate(parsePath(i.path))); }
      return { ok: false, kind, issues: idle };
    }
    return { ok: true, kind, tests: t.tests, ...(t.description !== undefined ? { description: t.description } : {}) };
  }
  let issues = fromZodIssues(r.error.issues, input, schema);
  if (Array.isArray(value)) issues = issues.map((i) => ({ ...i, path: i.path.replace(/^tests(?=\[|$)/, '') }));
  if (locator) {
    for (const i of issues) {
      const pos = locator.locate(parsePath(i.path), i.code === 'unknown-field');
      if (pos) Object.assign(i, pos);
    }
    issues.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity) || (a.column ?? 0) - (b.column ?? 0));
  }
  return { ok: false, kind, issues };
}

/** Checks a scenario file's text: JSON syntax (with line:column), kind, then shape. */
export function checkScenarioText(raw: string): ScenarioFileResult {
  const text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
  const positions = new TextPositions(text);
  const syntax = (offset: number, message: string): ScenarioFileResult => ({ ok: false, kind: 'syntax', issues: [{ ...issue('error', 'json-syntax', '', message), ...positions.at(offset) }] });
  if (text.trim() === '') return syntax(0, 'the file is empty; a scenario is a JSON object');
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  if (errors.length > 0) return syntax(errors[0]!.offset, jsonSyntaxMessage(text, errors[0]!));
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return syntax(0, `invalid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  return checkScenarioFile(value, new PathLocator(text, root));
}

// ---------------------------------------------------------------------------------------------
// JSON Schema for editors

/** A URN: stable, and not pretending to be fetchable (editors find the file through `$schema`). */
export const SCENARIO_SCHEMA_ID = 'urn:vswitch-lab:scenario:v1';

/** The JSON Schema of scenario files (either kind), generated from the zod schemas above. */
export function scenarioJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(ScenarioFile, { io: 'input', target: 'draft-7', unrepresentable: 'any' }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    $id: SCENARIO_SCHEMA_ID,
    title: 'vswitch-lab scenario',
    description:
      'A vswitch-lab scenario file: a timed scenario (duration, continuous pings, changes and checks at given times; `vswitch-lab run`) or a list of tests ({ "tests": [...] }; `vswitch-lab test`). Reference: docs/scenarios.md. Generated from src/topology/scenario.ts by `npm run schema`; do not edit.',
    ...rest,
  };
}

/** The schema file's text, as committed (stable key order, trailing newline). */
export function scenarioJsonSchemaText(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}
