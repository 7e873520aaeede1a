/**
 * Grades a topology's `activity` block (src/topology/schema.ts): ordered tasks, each with a check
 * in the vocabulary of `tests` (a send and/or ping with `expect`: reachability, delivered or
 * dropped with a reason), of scenarios (a physical switch's MAC table entry) and of the
 * configuration (a port group's VLAN ID, a vSwitch's MTU, an effective policy value).
 *
 * Each task's check runs on a **fresh lab** built from the topology it is given: the file as an
 * instructor ships it (`vswitch-lab test`), or the running lab's current topology with the
 * learner's runtime changes (the server's Lessons tab) — so a task turns green when the fix is in
 * the topology, not because of traffic left over from earlier. Used by the CLI and the server.
 */
import { formatMac, parseMac } from '../wire/index.js';
import { effectivePortGroupPolicy, effectiveVSwitchPolicy, policyValues } from '../topology/policy.js';
import type { ActivityCheckDoc, ActivityDoc, TestCaseDoc, TopologyDoc } from '../topology/schema.js';
import { createLab, type Lab, type LabOptions } from './lab.js';
import { runTest, type TestResult } from './test-runner.js';

export interface TaskResult {
  /** 1-based, in the activity's order */
  number: number;
  title: string;
  points: number;
  passed: boolean;
  /** one line per unmet part of the check */
  failures: string[];
  /** the send/ping part as `vswitch-lab test` reports a test (deliveries, drops, ping printout, explain) */
  test?: TestResult;
}

export interface ActivityResult {
  title: string;
  passed: boolean;
  /** points of the tasks passed */
  score: number;
  /** points of every task */
  total: number;
  tasks: TaskResult[];
}

export interface GradeOptions {
  labOptions?: LabOptions;
  /** Makes each task's fresh lab (default createLab). */
  createLab?: (topology: TopologyDoc) => Lab;
}

function show(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** `a.b.c` of an object, or undefined. */
function pathValue(obj: unknown, path: string): unknown {
  let v: unknown = obj;
  for (const k of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

/** Deep equality of JSON values (arrays in order). */
function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function settingFailures(topology: TopologyDoc, settings: NonNullable<ActivityCheckDoc['setting']>): string[] {
  const fails: string[] = [];
  for (const s of settings) {
    const host = topology.hosts.find((h) => h.name === s.host);
    const where = `${s.host}${s.vswitch ? `/${s.vswitch}` : ''}${s.portGroup ? `/${s.portGroup}` : ''}`;
    if (!host) {
      fails.push(`setting ${s.value} of ${where}: no host ${s.host}`);
      continue;
    }
    let actual: unknown;
    if (s.portGroup !== undefined) {
      const pg = host.vswitches.flatMap((v) => v.portGroups).find((g) => g.name === s.portGroup);
      if (!pg) {
        fails.push(`setting ${s.value} of ${where}: ${s.host} has no port group "${s.portGroup}"`);
        continue;
      }
      actual = s.value === 'vlan' ? pg.vlan : pathValue(policyValues(effectivePortGroupPolicy(topology, s.host, s.portGroup)!), s.value);
    } else if (s.vswitch !== undefined) {
      const vs = host.vswitches.find((v) => v.name === s.vswitch);
      if (!vs) {
        fails.push(`setting ${s.value} of ${where}: ${s.host} has no vSwitch "${s.vswitch}"`);
        continue;
      }
      actual = s.value === 'mtu' ? vs.mtu : pathValue(policyValues(effectiveVSwitchPolicy(topology, s.host, s.vswitch)!), s.value);
    } else {
      fails.push(`setting ${s.value} of ${where}: name a vswitch or a portGroup`);
      continue;
    }
    if (!same(actual, s.equals)) fails.push(`${where} ${s.value} is ${actual === undefined ? 'not a known value' : show(actual)}, expected ${show(s.equals)}`);
  }
  return fails;
}

function macTableFailures(lab: Lab, entries: NonNullable<ActivityCheckDoc['macTable']>): string[] {
  const fails: string[] = [];
  for (const me of entries) {
    let mac: string;
    const b = parseMac(me.mac);
    try {
      mac = b ? formatMac(b) : lab.effectiveMac(me.mac);
      const rows = lab.macTable(me.switch).filter((r) => r.mac === mac && (me.vlan === undefined || r.vlan === me.vlan));
      const ok = me.port === null ? rows.length === 0 : rows.length > 0 && rows.every((r) => r.port === me.port);
      if (!ok)
        fails.push(
          `MAC table of ${me.switch}: ${mac}${me.vlan !== undefined ? ` VLAN ${me.vlan}` : ''} is ${
            rows.length ? rows.map((r) => `on ${r.port} (VLAN ${r.vlan})`).join(', ') : 'not in the table'
          }; expected ${me.port ?? 'absent'}`,
        );
    } catch (err) {
      fails.push(`MAC table of ${me.switch}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return fails;
}

/** Grades one task on a fresh lab. Never throws: an error is a failure of the task. */
export function gradeTask(topology: TopologyDoc, task: ActivityDoc['tasks'][number], number: number, options: GradeOptions = {}): TaskResult {
  const make = options.createLab ?? ((t: TopologyDoc) => createLab(t, options.labOptions));
  const c = task.check;
  const r: TaskResult = { number, title: task.title, points: task.points, passed: false, failures: [] };
  try {
    r.failures.push(...settingFailures(topology, c.setting ?? []));
    if (c.send !== undefined || c.ping !== undefined) {
      let last: Lab | undefined;
      const test: TestCaseDoc = { name: task.title, expect: c.expect ?? {} };
      if (c.send !== undefined) test.send = c.send;
      if (c.ping !== undefined) test.ping = c.ping;
      const t = runTest(topology, test, {
        createLab: (doc) => {
          const lab = make(doc);
          last ??= lab; // the first lab is the test's; a second one only explains a failure
          return lab;
        },
      });
      r.test = t;
      r.failures.push(...t.failures);
      if (c.macTable !== undefined && last) r.failures.push(...macTableFailures(last, c.macTable));
    } else if (c.macTable !== undefined) r.failures.push(...macTableFailures(make(topology), c.macTable));
  } catch (err) {
    r.failures.push(`error: ${err instanceof Error ? err.message : String(err)}`);
  }
  r.passed = r.failures.length === 0;
  return r;
}

/** Grades every task of `activity` against `topology` (each on its own fresh lab). */
export function gradeActivity(topology: TopologyDoc, activity: ActivityDoc, options: GradeOptions = {}): ActivityResult {
  const tasks = activity.tasks.map((t, i) => gradeTask(topology, t, i + 1, options));
  const score = tasks.filter((t) => t.passed).reduce((n, t) => n + t.points, 0);
  const total = tasks.reduce((n, t) => n + t.points, 0);
  return { title: activity.title, passed: tasks.every((t) => t.passed), score, total, tasks };
}
