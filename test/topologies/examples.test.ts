/**
 * Every example topology carries a `tests` block that teaches its point; all of them must pass
 * (the same runner as `vswitch-lab test`). The timed scenarios they list exist and are timed
 * scenario files; every file in topologies/scenarios/ belongs to an example.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runTests } from '../../src/engine/index.js';
import { validateTopology } from '../../src/topology/load.js';
import { checkScenarioText } from '../../src/topology/scenario.js';

const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../topologies');
const examples = readdirSync(DIR).filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json'));

/** What each example must at least demonstrate (rule IDs named in its test names). */
const TEACHES: Record<string, string[]> = {
  'default.json': ['F2', 'F3', 'F5'],
  'vlans.json': ['V1', 'V2', 'V3'],
  'teaming.json': ['T2', 'F8'],
  'security.json': ['S1', 'S3'],
  'multi-host.json': ['V2', 'E2'],
  'jumbo.json': ['F9', 'E2'],
  'shaping.json': ['Q1'],
  'vmotion-activity.json': ['F2', 'V1', 'S3'],
};

describe('example topologies', () => {
  it('are all covered here', () => {
    expect(examples.sort()).toEqual(Object.keys(TEACHES).sort());
  });

  for (const file of examples) {
    it(`${file}: its tests block passes`, () => {
      const r = validateTopology(JSON.parse(readFileSync(path.join(DIR, file), 'utf8')));
      expect(r.ok, JSON.stringify(r.ok ? [] : r.errors)).toBe(true);
      if (!r.ok) return;
      const tests = r.topology.tests ?? [];
      expect(tests.length).toBeGreaterThanOrEqual(3);
      const result = runTests(r.topology, tests);
      const failed = result.results.filter((x) => !x.passed).map((x) => [`${x.name}:`, ...x.failures, ...(x.explain ?? [])].join('\n  '));
      expect(failed, failed.join('\n')).toEqual([]);
      for (const rule of TEACHES[file] ?? []) expect(tests.some((t) => t.name.includes(rule)), `${file} teaches ${rule}`).toBe(true);
    });
  }

  it('the scenarios each example lists are timed scenario files; none in topologies/scenarios/ is left unlisted', () => {
    const listed = new Set<string>();
    for (const file of examples) {
      const r = validateTopology(JSON.parse(readFileSync(path.join(DIR, file), 'utf8')));
      if (!r.ok) throw new Error(`${file} invalid`);
      for (const s of r.topology.scenarios ?? []) {
        const full = path.resolve(DIR, s);
        expect(existsSync(full), `${file} lists ${s}`).toBe(true);
        const c = checkScenarioText(readFileSync(full, 'utf8'));
        expect(c.ok ? c.kind : c.issues, `${file} lists ${s}`).toBe('timed');
        listed.add(full);
      }
    }
    const onDisk = readdirSync(path.join(DIR, 'scenarios')).filter((f) => f.endsWith('.json')).map((f) => path.join(DIR, 'scenarios', f));
    expect(onDisk.filter((f) => !listed.has(f))).toEqual([]);
    expect(listed.size).toBeGreaterThanOrEqual(4);
  });

  it('security.json: the forged frame is dropped under Reject and delivered under Accept', () => {
    const r = validateTopology(JSON.parse(readFileSync(path.join(DIR, 'security.json'), 'utf8')));
    if (!r.ok) throw new Error('invalid');
    const tests = r.topology.tests ?? [];
    const reject = tests.find((t) => t.expect.drop?.reason === 'FORGED_TRANSMIT');
    const accept = tests.find((t) => t.send?.frame.kind !== 'hex' && t.send?.from === 'nested-esxi:eth0');
    expect(reject?.send?.frame).toMatchObject({ src: '00:50:56:b2:00:01' });
    expect(accept?.send?.frame).toMatchObject({ src: '00:50:56:b2:00:01' });
  });
});
