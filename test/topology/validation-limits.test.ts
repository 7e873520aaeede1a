/**
 * Bounded validation (issue 17, item 1): a report is capped with "and N more", positions stay
 * exact for the issues listed, no document can overflow the validator's stack, and no message
 * grows with the size of the document. The inputs are the findings shrunk; how fast the full-size
 * ones validate is a benchmark (test/bench/topology.ts), not a timed test.
 */
import { describe, expect, it } from 'vitest';
import { countIssues, MAX_REPORTED_ISSUES } from '../../src/topology/issue.js';
import { loadTopologyText, validateTopology } from '../../src/topology/load.js';
import { errorsOf, example, positionOf } from './helpers.js';

describe('a capped report', () => {
  it('5,000 unknown fields: the first MAX listed in document order with exact positions, then "and N more"', () => {
    const doc: Record<string, unknown> = { version: 1, name: 'many' };
    for (let i = 0; i < 5000; i++) doc[`field-${i}`] = i;
    const text = JSON.stringify(doc, null, 2);
    const r = loadTopologyText(text);
    const errors = errorsOf(r);
    expect(errors).toHaveLength(MAX_REPORTED_ISSUES + 1);
    expect(countIssues(errors)).toBe(5000);
    const last = errors[errors.length - 1]!;
    expect(last).toMatchObject({ code: 'more-issues', severity: 'error', path: '', omitted: 5000 - MAX_REPORTED_ISSUES });
    expect(last.message).toBe(`and ${5000 - MAX_REPORTED_ISSUES} more errors (only the first ${MAX_REPORTED_ISSUES} are listed)`);
    // the listed ones are the first in the text, each at its own key (a plain string search is the oracle)
    for (const k of [0, 1, 499, MAX_REPORTED_ISSUES - 1]) {
      const e = errors[k]!;
      expect(e.code).toBe('unknown-field');
      expect(e.path).toBe(`["field-${k}"]`);
      expect({ line: e.line, column: e.column }).toEqual(positionOf(text, `"field-${k}"`));
      expect(e.message).toContain(`unknown field "field-${k}"`);
      expect(e.message).toContain('fields here: $schema, version, name');
    }
  });

  it('a listed unknown field still gets its "did you mean"', () => {
    const doc = example('default');
    for (let i = 0; i < 2000; i++) doc.hosts[0][`x${i}`] = 1;
    doc.hosts[0].vswitches[0].uplink = [];
    const text = JSON.stringify(doc, null, 2);
    const errors = errorsOf(loadTopologyText(text));
    const typo = errors.find((e) => e.path === 'hosts[0].vswitches[0].uplink');
    expect(typo?.message).toBe('unknown field "uplink"; did you mean "uplinks"?');
    expect(countIssues(errors)).toBe(2001);
  });

  it('the cap applies to a parsed value (API body) too, and to warnings', () => {
    // 1,500 uplinks without a link: one warning each
    const hex = (n: number) => n.toString(16).padStart(2, '0');
    const nics = Array.from({ length: 1500 }, (_, i) => ({ name: `vmnic${i}`, mac: `00:1b:21:00:${hex(i >> 8)}:${hex(i & 255)}` }));
    const doc = { version: 1, name: 'unlinked', hosts: [{ name: 'esxi-01', nics, vswitches: [{ name: 'vSwitch0', uplinks: nics.map((n) => n.name) }] }] };
    const r = validateTopology(doc);
    expect(r.ok ? [] : r.errors).toEqual([]);
    expect(r.warnings).toHaveLength(MAX_REPORTED_ISSUES + 1);
    expect(r.warnings.filter((w) => w.code === 'uplink-without-link')).toHaveLength(MAX_REPORTED_ISSUES);
    expect(r.warnings.at(-1)).toMatchObject({ code: 'more-issues', severity: 'warning', omitted: 1500 - MAX_REPORTED_ISSUES });
    expect(countIssues(r.warnings)).toBe(1500);
  });
});

describe('no recursion or message a document can blow up', () => {
  it('150,000 dangling link endpoints: the real errors, no stack overflow (was "internal error: Maximum call stack size exceeded")', () => {
    const links = Array.from({ length: 75_000 }, (_, i) => ({ a: `sw-${i}:eth1`, b: `sw-${i}:eth2` }));
    const r = validateTopology({ version: 1, name: 'dangling', links });
    const errors = errorsOf(r);
    expect(errors.some((e) => e.code === 'internal')).toBe(false);
    expect(countIssues(errors)).toBe(150_000);
    expect(errors[0]).toMatchObject({ code: 'unknown-node', path: 'links[0].a' });
    expect(errors[0]!.message).toContain('there is no node named "sw-0"');
  }, 120_000);

  it('a message names at most 20 of the nodes, "and N more"', () => {
    const physicalSwitches = Array.from({ length: 500 }, (_, i) => ({ name: `sw-${i}`, ports: [] }));
    const r = validateTopology({ version: 1, name: 'big', physicalSwitches, links: [{ a: 'nowhere:eth0', b: 'sw-1:eth0' }] });
    const e = errorsOf(r).find((i) => i.path === 'links[0].a')!;
    expect(e.message).toContain('(nodes: sw-0, sw-1, sw-2');
    expect(e.message).toContain('sw-19 and 480 more)');
    expect(e.message.length).toBeLessThan(400);
  });

  it('duplicate keys deep in a document are found and located at the last one', () => {
    const text = '{\n  "version": 1,\n  "name": "d",\n  "layout": { "positions": { "a": { "x": 1, "y": 2, "x": 3 } } },\n  "name": "e"\n}';
    const errors = errorsOf(loadTopologyText(text));
    const dupes = errors.filter((e) => e.code === 'duplicate-key');
    expect(dupes.map((e) => e.path)).toEqual(['layout.positions.a.x', 'name']);
    expect({ line: dupes[0]!.line, column: dupes[0]!.column }).toEqual(positionOf(text, '"x": 3'));
    expect({ line: dupes[1]!.line, column: dupes[1]!.column }).toEqual(positionOf(text, '"name": "e"'));
  });

  it('a 10,000-character unknown key is quoted cut, and gets no typo search', () => {
    const key = 'k'.repeat(10_000);
    const errors = errorsOf(validateTopology({ version: 1, name: 'x', [key]: 1 }));
    expect(errors[0]!.code).toBe('unknown-field');
    expect(errors[0]!.message.length).toBeLessThan(400);
    expect(errors[0]!.message).toContain('…"');
  });
});
