/**
 * Scenario files: the committed JSON Schema for editors (topologies/scenario.schema.json) is what
 * the zod schemas generate, every scenario file points at it, and the check of a file's text
 * tells the two kinds apart and names the JSON path (and line:column) of each problem.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkScenarioText, scenarioFileKind, scenarioJsonSchema, scenarioJsonSchemaText } from '../../src/topology/scenario.js';

const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../topologies');
const SCENARIOS = path.join(DIR, 'scenarios');
const scenarioFiles = readdirSync(SCENARIOS).filter((f) => f.endsWith('.json'));

interface Branch {
  required?: string[];
  properties: Record<string, { anyOf?: { type: string; pattern?: string }[] }>;
}

describe('JSON Schema of scenario files', () => {
  it('topologies/scenario.schema.json is up to date (refresh: npm run schema)', () => {
    const committed = readFileSync(path.join(DIR, 'scenario.schema.json'), 'utf8');
    expect(committed === scenarioJsonSchemaText(), 'topologies/scenario.schema.json is stale: run `npm run schema`').toBe(true);
  });

  it('describes both kinds: a timed scenario (name, duration) or a list of tests (tests)', () => {
    const s = scenarioJsonSchema() as { title: string; $id: string; description: string; anyOf: Branch[] };
    expect(s.title).toBe('vswitch-lab scenario');
    expect(s.$id).toMatch(/^urn:/);
    expect(s.description).toContain('docs/scenarios.md');
    expect(s.anyOf).toHaveLength(2);
    const timed = s.anyOf.find((b) => 'duration' in b.properties)!;
    const tests = s.anyOf.find((b) => 'tests' in b.properties)!;
    expect(timed.required?.sort()).toEqual(['duration', 'name']);
    expect(Object.keys(timed.properties)).toEqual(expect.arrayContaining(['$schema', 'pings', 'steps', 'expect']));
    expect(tests.required).toEqual(['tests']);
    expect(Object.keys(tests.properties)).toContain('$schema');
  });

  it('times: the pattern an editor checks accepts "2s", "2.5s", "100ms" and refuses "soon"', () => {
    const s = scenarioJsonSchema() as { anyOf: Branch[] };
    const duration = s.anyOf.find((b) => 'duration' in b.properties)!.properties.duration!;
    const pattern = new RegExp(duration.anyOf!.find((a) => a.type === 'string')!.pattern!);
    expect(['2s', '2.5s', '100ms'].every((t) => pattern.test(t))).toBe(true);
    expect(['soon', '2 h', '-1s'].some((t) => pattern.test(t))).toBe(false);
  });

  for (const f of scenarioFiles) {
    it(`scenarios/${f}: points at the schema and is a valid timed scenario`, () => {
      const text = readFileSync(path.join(SCENARIOS, f), 'utf8');
      const value = JSON.parse(text) as { $schema?: string };
      expect(value.$schema).toBe('../scenario.schema.json');
      expect(existsSync(path.resolve(SCENARIOS, value.$schema!))).toBe(true);
      const r = checkScenarioText(text);
      expect(r.ok ? r.kind : r.issues).toBe('timed');
    });
  }
});

describe('checking a scenario file', () => {
  it('tells the kinds apart', () => {
    expect(scenarioFileKind({ name: 'x', duration: '1s' })).toBe('timed');
    expect(scenarioFileKind({ name: 'x', steps: [] })).toBe('timed');
    expect(scenarioFileKind({ tests: [] })).toBe('tests');
    expect(scenarioFileKind([])).toBe('tests');
    expect(scenarioFileKind({ name: 'x' })).toBeNull();
    expect(scenarioFileKind('x')).toBeNull();
  });

  it('a list of tests, as an object or a bare array', () => {
    const test = { name: 't', send: { from: 'a:eth0', frame: { kind: 'rarp' } }, expect: { noDrops: true } };
    const obj = checkScenarioText(JSON.stringify({ $schema: '../scenario.schema.json', tests: [test] }));
    const arr = checkScenarioText(JSON.stringify([test]));
    for (const r of [obj, arr]) {
      expect(r.ok && r.kind === 'tests' ? r.tests.map((t) => t.name) : r).toEqual(['t']);
    }
  });

  it('neither kind: one issue at the top of the document saying what each kind has', () => {
    const r = checkScenarioText('{\n  "name": "x",\n  "pigns": []\n}');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.kind).toBe('unknown');
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]).toMatchObject({ path: '', line: 1, column: 1, code: 'not-a-scenario' });
    expect(r.issues[0]!.message).toMatch(/neither a timed scenario .*"duration".* nor a list of tests .*"tests".*; got an object with "name", "pigns"/);
  });

  it('an invalid timed scenario: each problem with its JSON path and line:column', () => {
    const text = ['{', '  "name": "x",', '  "duration": "soon",', '  "steps": [', '    { "at": "1s" },', '    { "at": "2s", "chek": {} }', '  ]', '}'].join('\n');
    const r = checkScenarioText(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.kind).toBe('timed');
    const byPath = Object.fromEntries(r.issues.map((i) => [i.path, i]));
    expect(byPath.duration).toMatchObject({ line: 3, column: 15 });
    expect(byPath.duration!.message).toContain('a time is milliseconds');
    expect(byPath['steps[0]']).toMatchObject({ line: 5, message: 'a step has exactly one of change, send, check' });
    expect(byPath['steps[1].chek']).toMatchObject({ line: 6, code: 'unknown-field' });
    expect(byPath['steps[1].chek']!.message).toContain('did you mean "check"');
  });

  it('an invalid list of tests given as an array: paths start at the array', () => {
    const r = checkScenarioText('[{"name":"x","expect":{"drop":{"reason":"lower"}}}]');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.kind).toBe('tests');
    expect(r.issues.map((i) => i.path)).toEqual(['[0].expect.drop.reason']);
  });

  it('not JSON: where the syntax breaks', () => {
    const r = checkScenarioText('{\n  "name": "x",\n}');
    expect(r).toMatchObject({ ok: false, kind: 'syntax', issues: [{ line: 3, column: 1 }] });
    expect(checkScenarioText('   ')).toMatchObject({ ok: false, kind: 'syntax' });
  });
});
