import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadTopologyText, validateTopology, type LoadResult } from '../../src/topology/load.js';
import { EXAMPLES, example, type Doc } from './helpers.js';

function wellFormed(r: LoadResult): void {
  expect(['valid', 'invalid', 'syntax', 'io']).toContain(r.kind);
  expect(Array.isArray(r.warnings)).toBe(true);
  if (!r.ok) {
    expect(r.errors.length).toBeGreaterThan(0);
    for (const e of r.errors) {
      expect(typeof e.message).toBe('string');
      expect(typeof e.path).toBe('string');
      expect(e.severity).toBe('error');
    }
  }
}

/** Every path (array of keys) to a node of a JSON value. */
function paths(v: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...prefix, i], out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...prefix, k], out);
  return out;
}

type Mutation = { pick: number; op: 'delete' | 'replace'; value: unknown };

function mutate(doc: Doc, muts: Mutation[]): Doc {
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

describe('the loader never throws (property)', () => {
  it('random JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        wellFormed(validateTopology(v));
        wellFormed(loadTopologyText(JSON.stringify(v) ?? 'null'));
      }),
      { numRuns: 300 },
    );
  });

  it('random text', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        wellFormed(loadTopologyText(s));
      }),
      { numRuns: 300 },
    );
  });

  it('mutated example files (delete / replace random nodes)', () => {
    const mutation = fc.record({
      pick: fc.nat(),
      op: fc.constantFrom('delete' as const, 'replace' as const),
      value: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom('vmnic0', 'esxi-01', 'VM Network', 'web-01:eth0', 4095, 0, -1, 9001, '00:50:56:a1:00:01')),
    });
    fc.assert(
      fc.property(fc.constantFrom(...EXAMPLES), fc.array(mutation, { minLength: 1, maxLength: 4 }), (name, muts) => {
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
      { numRuns: 400 },
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
      { numRuns: 200 },
    );
  });
});
