import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenario, runScenario } from '../../src/engine/scenario.js';
import { LabError } from '../../src/engine/lab-error.js';
import { timeNs } from '../../src/topology/scenario.js';
import { loadTopologyFileSync } from '../../src/files/topology-file.js';

const dir = new URL('../../topologies/', import.meta.url);
const load = (f: string) => {
  const r = loadTopologyFileSync(new URL(f, dir).pathname);
  if (!r.ok) throw new Error(`${f} does not load`);
  return r.topology;
};

describe('timed scenarios', () => {
  it('times: milliseconds or "2s" / "100ms"', () => {
    expect(timeNs(2000)).toBe(2e9);
    expect(timeNs('2s')).toBe(2e9);
    expect(timeNs('2.5s')).toBe(2.5e9);
    expect(timeNs('100ms')).toBe(1e8);
  });

  it('a bad scenario is refused with every problem named', () => {
    expect(() => parseScenario({ name: 'x', duration: 'soon', steps: [{ at: 1, change: { kind: 'link', iface: 'a:b', up: true }, check: {} }] })).toThrow(LabError);
    try {
      parseScenario({ name: 'x', duration: 'soon', steps: [{ at: 1 }] });
    } catch (err) {
      expect((err as Error).message).toMatch(/duration: a time is milliseconds/);
      expect((err as Error).message).toMatch(/steps\.0: a step has exactly one of change, send, check/);
    }
  });

  it('every scenario an example topology lists passes', () => {
    let n = 0;
    for (const f of ['teaming.json', 'multi-host.json', 'shaping.json']) {
      const topo = load(f);
      for (const s of topo.scenarios ?? []) {
        const r = runScenario(topo, JSON.parse(readFileSync(new URL(s, dir), 'utf8')));
        expect(r.checks.filter((c) => !c.ok), `${f} ${s}`).toEqual([]);
        n++;
      }
    }
    expect(n).toBe(4);
  });

  it('Q1: shaping.json: limited to its average rate after the burst, queue overflow drops', () => {
    const r = runScenario(load('shaping.json'), JSON.parse(readFileSync(new URL('scenarios/shaping.json', dir), 'utf8')));
    expect(r.passed).toBe(true);
    expect(r.checks.find((c) => c.what.startsWith('rate at sink:eth0 1.000s'))!.detail).toMatch(/^100\d{5} bit\/s|^99\d{5} bit\/s/);
    expect(r.timeline.some((e) => e.kind === 'shaping' && /SHAPING_QUEUE_FULL/.test(e.text))).toBe(true);
  });

  it('an expected refusal passes only when the change is refused; checks at a time see only what happened so far', () => {
    const topo = load('multi-host.json');
    const r = runScenario(topo, {
      name: 'x',
      duration: '2s',
      steps: [
        { at: '0.5s', change: { kind: 'portgroup', host: 'esxi-02', portGroup: 'Prod-VLAN10', vlan: 11 } },
        { at: '1s', refused: true, change: { kind: 'migrate', vm: 'app-01', toHost: 'esxi-02' } },
        { at: '1.2s', send: { from: 'app-01:eth0', frame: { kind: 'rarp' } } },
        { at: '1.1s', check: { frames: [{ at: 'core-1:eth1', kind: 'rarp', min: 0, max: 0 }] } },
      ],
      expect: { frames: [{ at: 'core-1:eth1', kind: 'rarp', src: 'app-01:eth0', min: 1, max: 1 }] },
    });
    expect(r.checks.map((c) => [c.what, c.ok])).toEqual([
      ['step at 1.000s: migrate refused', true],
      ['at 1.100s: rarp frames at core-1:eth1', true],
      ['rarp frames at core-1:eth1', true],
    ]);
    expect(r.timeline.find((e) => e.kind === 'refused')!.text).toMatch(/VLAN 10 on esxi-01 but VLAN 11 on esxi-02/);
    const applied = runScenario(topo, { name: 'y', duration: '1s', steps: [{ at: 0, refused: true, change: { kind: 'link', iface: 'esxi-01:vmnic0', up: false } }] });
    expect(applied.passed).toBe(false);
  });
});
