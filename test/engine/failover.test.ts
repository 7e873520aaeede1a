import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../src/engine/scenario.js';
import { loadTopologyFileSync } from '../../src/files/topology-file.js';
import type { TopologyDoc } from '../../src/topology/schema.js';

const dir = new URL('../../topologies/', import.meta.url);
function teaming(): TopologyDoc {
  const r = loadTopologyFileSync(new URL('teaming.json', dir).pathname);
  if (!r.ok) throw new Error('teaming.json does not load');
  return r.topology;
}
const scenario = (name: string) => JSON.parse(readFileSync(new URL(`scenarios/${name}`, dir), 'utf8')) as Record<string, unknown>;

describe('failover under a continuous ping (T2, T6, T7, T8)', () => {
  it('T8: teaming.json: pull the active uplink, traffic and a RARP on the standby, back on the active with failback on', () => {
    const r = runScenario(teaming(), scenario('teaming-failover.json'));
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
    expect(r.checks.length).toBeGreaterThanOrEqual(9);
  });

  it('T8: teaming.json with failback off: stays on the standby after recovery', () => {
    const r = runScenario(teaming(), scenario('teaming-no-failback.json'));
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
  });

  it('T6: loss is at most the detection time divided by the ping interval, plus one, for any interval and failure time', () => {
    for (const intervalMs of [10, 50, 100, 250]) {
      for (const atMs of [1000, 1003, 1047, 1999]) {
        const r = runScenario(teaming(), {
          name: 'bound',
          duration: '4s',
          pings: [{ name: 'p', from: 'client:eth0', to: '10.0.0.21', intervalMs }],
          steps: [{ at: atMs, change: { kind: 'link', iface: 'tor-1:eth1', up: false } }],
        });
        const detectionNs = 0; // link-status detection (T6): unusable at once
        expect(r.pings[0]!.lost, `${intervalMs} ms, cut at ${atMs} ms`).toBeLessThanOrEqual(Math.floor(detectionNs / (intervalMs * 1e6)) + 1);
        expect(r.pings[0]!.received).toBeGreaterThan(0);
      }
    }
  });

  it('the expectations can fail: a wrong uplink or MAC table entry is reported', () => {
    const sc = scenario('teaming-failover.json');
    (sc.expect as { macTable: { port: string }[] }).macTable[0]!.port = 'tor-1:eth2';
    const r = runScenario(teaming(), sc);
    expect(r.passed).toBe(false);
    expect(r.checks.filter((c) => !c.ok).map((c) => c.detail)).toEqual(['on tor-1:eth1 (VLAN 1); expected tor-1:eth2']);
  });
});
