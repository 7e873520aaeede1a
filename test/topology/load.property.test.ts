import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadTopologyText, validateTopology, type LoadResult } from '../../src/topology/load.js';
import { EXAMPLES, example, mutate, mutations } from './helpers.js';

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
