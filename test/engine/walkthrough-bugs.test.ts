/**
 * Engine wording found wrong in the issue-13 walk-through, each against the real engine: a
 * failover after a link goes down is cited as a failover (T1, detected by T6), not as failback
 * (T8), which is only the recovery; a flood with nowhere to go says when the port that carries
 * the VLAN is there but its link is down.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLab } from '../../src/engine/lab.js';
import { resolveFrameSpec } from '../../src/engine/frame-spec.js';
import type { TraceEvent } from '../../src/engine/trace.js';
import { validateTopology } from '../../src/topology/load.js';

function example(name: string) {
  const r = validateTopology(JSON.parse(readFileSync(path.resolve(__dirname, `../../topologies/${name}.json`), 'utf8')));
  if (!r.ok) throw new Error(`${name} invalid`);
  return r.topology;
}

function failovers(lab: ReturnType<typeof createLab>, fn: () => void): TraceEvent[] {
  const out: TraceEvent[] = [];
  const off = lab.trace.subscribe((e) => {
    if (e.action === 'failover') out.push(e);
  });
  try {
    fn();
  } finally {
    off();
  }
  return out;
}

describe('walk-through wording', () => {
  it('T1/T6 vs T8: link down is a failover (T1), the recovery with failback on is T8', () => {
    const lab = createLab(example('teaming'));
    const down = failovers(lab, () => lab.setLinkState('esxi-01:vmnic0', false));
    expect(down.length).toBeGreaterThan(0);
    expect(down.map((e) => e.rule)).toEqual(down.map(() => 'T1'));
    expect(down[0]!.detail).toContain('failover');
    const up = failovers(lab, () => lab.setLinkState('esxi-01:vmnic0', true));
    expect(up.length).toBeGreaterThan(0);
    expect(up.map((e) => e.rule)).toEqual(up.map(() => 'T8'));
  });

  it('P3: "no other port carries VLAN 1" names the port that does but whose link is down', () => {
    const lab = createLab(example('default'));
    lab.setLinkState('esxi-01:vmnic0', false);
    const e = lab.explain('laptop:eth0', resolveFrameSpec(lab, 'laptop:eth0', { kind: 'arp-request', targetIp: '10.0.0.21' }));
    const drop = e.steps.find((s) => s.action === 'drop' && s.reason === 'NO_FLOOD_PORT')!;
    expect(drop.detail).toBe('dropped NO_FLOOD_PORT (P3): no other port of tor-1 with a working link carries VLAN 1; tor-1:eth1 has its link down (it carries VLAN 1)');
  });
});
