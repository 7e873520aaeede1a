/** Shared helpers for the topology tests: example documents to mutate and position oracles. */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { Issue } from '../../src/topology/issue.js';
import { loadTopologyText, type LoadResult } from '../../src/topology/load.js';

export const TOPOLOGIES = fileURLToPath(new URL('../../topologies/', import.meta.url));
export const EXAMPLES = ['default', 'vlans', 'teaming', 'security', 'multi-host', 'jumbo'] as const;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Doc = any;

/** A fresh, mutable copy of an example topology. */
export function example(name: (typeof EXAMPLES)[number] = 'default'): Doc {
  return JSON.parse(readFileSync(`${TOPOLOGIES}${name}.json`, 'utf8'));
}

/** Loads `doc` as a file would be: 2-space JSON text. */
export function load(doc: Doc): { text: string; result: LoadResult } {
  const text = JSON.stringify(doc, null, 2);
  return { text, result: loadTopologyText(text, 'test.json') };
}

/**
 * line:column of the `nth` occurrence of `marked` in `text` — an oracle independent of the
 * loader's tree walk (plain string search).
 */
export function positionOf(text: string, marked: string, nth = 0): { line: number; column: number } {
  // A "|" in the needle marks the exact character: '"host": |"tor-1"'.
  const bar = marked.indexOf('|');
  const needle = bar < 0 ? marked : marked.slice(0, bar) + marked.slice(bar + 1);
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`"${needle}" not found ${nth + 1} times`);
  }
  if (bar > 0) at += bar;
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  return { line, column: at - before.lastIndexOf('\n') };
}

export function errorsOf(r: LoadResult): Issue[] {
  return r.ok ? [] : r.errors;
}

/** Asserts exactly one issue with this code and path, whose message contains every fragment; returns it. */
export function expectIssue(issues: readonly Issue[], code: string, path: string, ...fragments: string[]): Issue {
  const found = issues.filter((i) => i.code === code && i.path === path);
  expect(found, `issues: ${JSON.stringify(issues, null, 1)}`).toHaveLength(1);
  for (const f of fragments) expect(found[0]!.message).toContain(f);
  return found[0]!;
}

/** Loads `doc`, expects it invalid with the issue, located at `needle` (nth occurrence) in the text. */
export function expectError(doc: Doc, code: string, path: string, fragments: string[], needle: string, nth = 0): Issue {
  const { text, result } = load(doc);
  expect(result.ok).toBe(false);
  expect(result.kind).toBe('invalid');
  const i = expectIssue(errorsOf(result), code, path, ...fragments);
  expect(i.severity).toBe('error');
  expect({ line: i.line, column: i.column }).toEqual(positionOf(text, needle, nth));
  return i;
}

/** Loads `doc`, expects it valid with the warning, located at `needle`. */
export function expectWarning(doc: Doc, code: string, path: string, fragments: string[], needle: string, nth = 0): Issue {
  const { text, result } = load(doc);
  expect(result.ok ? [] : result.errors).toEqual([]);
  expect(result.ok).toBe(true);
  const i = expectIssue(result.warnings, code, path, ...fragments);
  expect(i.severity).toBe('warning');
  expect({ line: i.line, column: i.column }).toEqual(positionOf(text, needle, nth));
  return i;
}

/** Every path (array of keys) to a node of a JSON value. */
function paths(v: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...prefix, i], out));
  else if (v && typeof v === 'object') { for (const [k, x] of Object.entries(v)) paths(x, [...prefix, k], out); }
  return out;
}

export type Mutation = { pick: number; op: 'delete' | 'replace'; value: unknown };

/** 1-4 mutations: delete a node, or replace it by a JSON value or a name/number topologies use. */
export const mutations: fc.Arbitrary<Mutation[]> = fc.array(
  fc.record({
    pick: fc.nat(),
    op: fc.constantFrom('delete' as const, 'replace' as const),
    value: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom('vmnic0', 'esxi-01', 'VM Network', 'web-01:eth0', 4095, 0, -1, 9001, '00:50:56:a1:00:01')),
  }),
  { minLength: 1, maxLength: 4 },
);

/** Applies each mutation to a random node of `doc` (in place): delete it, or replace its value. */
export function mutate(doc: Doc, muts: Mutation[]): Doc {
  for (const m of muts) {
    const all = paths(doc).filter((p) => p.length > 0);
    if (all.length === 0) break;
    const p = all[m.pick % all.length]!;
    let parent = doc;
    for (const seg of p.slice(0, -1)) parent = parent[seg];
    const last = p[p.length - 1]!;
    if (m.op === 'delete') {
      if (Array.isArray(parent)) parent.splice(last as number, 1);
      else delete parent[last];
    } else parent[last] = m.value;
  }
  return doc;
}
