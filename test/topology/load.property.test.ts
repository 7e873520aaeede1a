/**
 * The loader fuzzer, kept as properties: it never throws, reports are well formed and bounded,
 * located issues point inside the text, and every independent physical loop is warned about.
 * Bounded in `npm test`; `npm run fuzz` (or FUZZ_RUNS=n) runs each property n times.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countIssues, MAX_REPORTED_ISSUES } from '../../src/topology/issue.js';
import { loadTopologyText, validateTopology, type LoadResult } from '../../src/topology/load.js';
import { EXAMPLES, example, mutate, mutations } from './helpers.js';

/** Runs of a property: its bounded default, or FUZZ_RUNS for a longer hunt. */
const runs = (bounded: number): number => Number(process.env.FUZZ_RUNS ?? bounded);

function wellFormed(r: LoadResult): void {
  expect(['valid', 'invalid', 'syntax', 'io']).toContain(r.kind);
  expect(Array.isArray(r.warnings)).toBe(true);
  expect(r.errors.length).toBeLessThanOrEqual(MAX_REPORTED_ISSUES + 1);
  expect(r.warnings.length).toBeLessThanOrEqual(MAX_REPORTED_ISSUES + 1);
  for (const e of r.errors) expect(e.code).not.toBe('internal');
  if (!r.ok) {
    expect(r.errors.length).toBeGreaterThan(0);
    for (const e of r.errors) {
      expect(typeof e.message).toBe('string');
      expect(typeof e.path).toBe('string');
      expect(e.severity).toBe('error');
    }
  }
}

describe('the loader never throws (property)', () => {
  it('random JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        wellFormed(validateTopology(v));
        wellFormed(loadTopologyText(JSON.stringify(v) ?? 'null'));
      }),
      { numRuns: runs(300) },
    );
  });

  it('random text', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        wellFormed(loadTopologyText(s));
      }),
      { numRuns: runs(300) },
    );
  });

  it('mutated example files (delete / replace random nodes)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...EXAMPLES), mutations, (name, muts) => {
        const doc = mutate(example(name), muts);
        const r = loadTopologyText(JSON.stringify(doc, null, 2));
        wellFormed(r);
        // every located issue points inside the text
        const lines = JSON.stringify(doc, null, 2).split('\n');
        for (const i of [...(r.ok ? [] : r.errors), ...r.warnings]) {
          if (i.line === undefined) continue;
          expect(i.line).toBeGreaterThanOrEqual(1);
          expect(i.line).toBeLessThanOrEqual(lines.length);
          expect(i.column).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: runs(400) },
    );
  });

  it('truncated example text is a syntax error, never a throw', () => {
    const text = JSON.stringify(example('vlans'), null, 2);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: text.length - 1 }), (n) => {
        const r = loadTopologyText(text.slice(0, n));
        expect(r.kind).toBe('syntax');
        expect(r.errors[0]!.line).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: runs(200) },
    );
  });

  it('mutated examples with unknown fields and dangling links by the thousand: bounded, counted, located', () => {
    fc.assert(
      fc.property(fc.constantFrom(...EXAMPLES), fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 0, max: 1500 }), (name, keys, links) => {
        const doc = example(name);
        for (let i = 0; i < keys; i++) doc[`extra-${i}`] = i;
        for (let i = 0; i < links; i++) doc.links.push({ a: `ghost-${i}:eth0`, b: `ghost-${i}:eth1` });
        const text = JSON.stringify(doc, null, 2);
        const r = loadTopologyText(text);
        wellFormed(r);
        expect(countIssues(r.errors)).toBe(keys + 2 * links);
        const lines = text.split('\n').length;
        for (const i of r.errors) if (i.line !== undefined) expect(i.line).toBeLessThanOrEqual(lines);
      }),
      { numRuns: runs(10) },
    );
  }, 120_000);
});

describe('every physical loop is warned about (property)', () => {
  /** Independent loops of a multigraph: links - switches + connected components (union-find oracle). */
  function cyclomatic(n: number, edges: [number, number][]): number {
    const parent = Array.from({ length: n }, (_, i) => i);
    const find = (x: number): number => (parent[x] === x ? x : (parent[x] = find(parent[x]!)));
    let components = n;
    for (const [a, b] of edges) {
      const ra = find(a);
      const rb = find(b);
      if (ra !== rb) {
        parent[ra] = rb;
        components--;
      }
    }
    return edges.length - n + components;
  }

  it('random cabling of physical switches: one loop or parallel-link warning per independent loop', () => {
    const graph = fc.integer({ min: 1, max: 7 }).chain((n) => fc.record({ n: fc.constant(n), edges: fc.array(fc.tuple(fc.nat({ max: n - 1 }), fc.nat({ max: n - 1 })), { maxLength: 12 }) }));
    fc.assert(
      fc.property(graph, ({ n, edges }) => {
        const used = Array.from({ length: n }, () => 0);
        const port = (s: number) => `sw-${s}:p${used[s]!++}`;
        const links = edges.map(([a, b]) => ({ a: port(a), b: port(b) }));
        const physicalSwitches = used.map((count, s) => ({ name: `sw-${s}`, ports: Array.from({ length: count }, (_, p) => ({ name: `p${p}`, mode: 'trunk' })) }));
        const r = validateTopology({ version: 1, name: 'cabling', physicalSwitches, links });
        expect(r.ok ? [] : r.errors).toEqual([]);
        const warned = r.warnings.filter((w) => w.code === 'physical-loop' || w.code === 'parallel-links');
        expect(warned).toHaveLength(cyclomatic(n, edges));
      }),
      { numRuns: runs(300) },
    );
  });
});
