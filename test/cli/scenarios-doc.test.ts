/**
 * docs/scenarios.md stays true: its `run` output is what `run` prints today, and its JSON
 * examples are scenario files of the kind they claim, that run and pass on the topology named.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { checkScenarioText } from '../../src/topology/scenario.js';
import { tempDir } from '../capture/capture-tools.js';
import { ROOT, runMain } from './run-cli.js';

const doc = readFileSync(`${ROOT}/docs/scenarios.md`, 'utf8');
const tmp = tempDir();
afterAll(() => tmp.remove());

/** The fenced block of `lang` that follows `heading` in the doc. */
function blockAfter(marker: string, lang: string): string {
  const at = doc.indexOf(marker);
  expect(at, `docs/scenarios.md has "${marker}"`).toBeGreaterThanOrEqual(0);
  const m = new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(doc.slice(at));
  expect(m).not.toBeNull();
  return m![1]!;
}

describe('docs/scenarios.md', () => {
  it('the run output shown is the real output of that command', async () => {
    const block = blockAfter('This is the real output for', 'console');
    const [prompt, ...shown] = block.trimEnd().split('\n');
    expect(prompt).toBe('$ npx vswitch-lab run teaming topologies/scenarios/teaming-failover.json');
    const r = await runMain(['run', 'teaming', 'topologies/scenarios/teaming-failover.json']);
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toEqual(shown);
  });

  it('the test output shown starts as test prints it', async () => {
    const block = blockAfter('scenario\'s whole timeline.', 'console');
    const [prompt, ...rest] = block.trimEnd().split('\n');
    expect(prompt).toBe('$ npx vswitch-lab test teaming');
    const shown = rest.filter((l) => l.trim() !== '...');
    const r = await runMain(['test', 'teaming']);
    expect(r.stdout.split('\n').slice(0, shown.length)).toEqual(shown);
  });

  it('the failed check shown is what test prints for that scenario', async () => {
    const shown = blockAfter('here a copy of that scenario expecting six RARPs', 'console').trimEnd().split('\n');
    const failover = JSON.parse(readFileSync(`${ROOT}/topologies/scenarios/teaming-failover.json`, 'utf8')) as { $schema?: string; expect: { frames: unknown[] } };
    delete failover.$schema;
    failover.expect.frames.push({ at: 'esxi-01:vmnic1', point: 'UplinkSnd', kind: 'rarp', src: 'app-01:eth0', after: '1.9s', before: '2.5s', min: 6 });
    const file = tmp.file('six-rarps.json');
    writeFileSync(file, JSON.stringify(failover));
    const r = await runMain(['test', 'teaming', file]);
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    const at = lines.indexOf(shown[0]!);
    expect(at, r.stdout).toBeGreaterThan(0);
    expect(lines.slice(at, at + shown.length)).toEqual(shown);
    expect(lines[at + shown.length]).toMatch(/^ {2}(PASS|FAIL) |^(PASS|FAIL) /);
  });

  for (
    const [heading, kind, topology] of [
      ['## Timed scenario', 'timed', 'teaming'],
      ['## List of tests', 'tests', 'default'],
    ] as const
  ) {
    it(`the ${kind} example is valid and passes on ${topology}`, async () => {
      const text = blockAfter(heading, 'json');
      const r = checkScenarioText(text);
      expect(r.ok ? r.kind : r.issues).toBe(kind);
      const file = tmp.file(`${kind}.json`);
      writeFileSync(file, text);
      const run = await runMain(['test', topology, file]);
      expect(run.code, run.stdout + run.stderr).toBe(0);
    });
  }
});
