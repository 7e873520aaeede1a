/**
 * Partitioned labs (docs/attachments.md): topologies/multi-host.json planned into three
 * partitions (core-1 with client-10 | esxi-01 | esxi-02), each served by its own server in this
 * process on loopback, joined by VXLAN where the plan cut cables. Pings across the cuts — VM to
 * VM on VLAN 10 through both hosts' uplinks and core-1, vmk to vmk on the vMotion VLAN, VM to the
 * physical client — get the same replies as in the single-process lab. The plan is deterministic,
 * and a plan that does not match the topology is refused.
 */
import { describe, expect, it } from 'vitest';
import { checkPlan, partitionRun, partitionTopology, planPartitions, PlanError } from '../../src/attach/partition-plan.js';
import { createLab } from '../../src/engine/index.js';
import { validateTopology } from '../../src/topology/load.js';
import { loadTopologyFile } from '../../src/files/topology-file.js';
import type { TopologyDoc } from '../../src/topology/schema.js';
import { serveWithAttachments, type ServedLab } from './served-lab.js';
import { partitionOf } from '../../src/cli/serve-attachments.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

async function multiHost(): Promise<TopologyDoc> {
  const r = await loadTopologyFile('topologies/multi-host.json');
  if (!r.ok) throw new Error('multi-host.json does not load');
  return r.topology;
}

function ping(lab: ServedLab, from: string, to: string): Promise<number> {
  return new Promise((resolve) => lab.server.session.startPing(from, to, { count: 2, intervalMs: 10, timeoutMs: 2000 }, (r) => resolve(r.received)));
}

describe('partitioned lab', () => {
  it('the same topology and groups give the same plan; the plan is checked against the topology', async () => {
    const doc = await multiHost();
    const a = planPartitions(doc, { count: 3, basePort: 30100 });
    expect(planPartitions(doc, { count: 3, basePort: 30100 })).toEqual(a);
    expect(a.partitions.map((p) => p.nodes)).toEqual([['client-10', 'core-1'], ['esxi-01'], ['esxi-02']]);
    expect(a.cuts.map((c) => c.vni)).toEqual([1000, 1001, 1002, 1003]);
    expect(checkPlan(doc, JSON.parse(JSON.stringify(a)))).toEqual(a);
    expect(() => checkPlan({ ...doc, links: doc.links.slice(1) }, a)).toThrow(PlanError);
    expect(() => planPartitions(doc, { groups: [{ name: 'x', nodes: ['app-01'] }] })).toThrow(/VM: it goes with its host esxi-01/);
    expect(() => planPartitions(doc, { groups: [{ name: 'x', nodes: ['esxi-01'] }] })).toThrow(/in no partition/);
  });

  it('three partitions as three servers: pings across the cut cables get the same replies as one lab', async () => {
    const doc = await multiHost();
    const base = 31000 + (process.pid % 10000) * 3;
    const plan = planPartitions(doc, { groups: [{ name: 'net', nodes: ['core-1', 'client-10'] }, { name: 'h1', nodes: ['esxi-01'] }, { name: 'h2', nodes: ['esxi-02'] }], basePort: base });
    const labs: ServedLab[] = [];
    try {
      for (const p of plan.partitions) {
        const v = validateTopology(partitionTopology(doc, plan, p.name));
        expect(v.errors).toEqual([]);
        if (!v.ok) return;
        labs.push(await serveWithAttachments(v, partitionRun(doc, plan, p.name)));
      }
      const [, h1] = labs as [ServedLab, ServedLab, ServedLab];
      const whole = createLab(doc);
      const cases: Array<[string, string]> = [
        ['app-01:eth0', '10.0.10.22'], // VM to VM, esxi-01 -> core-1 -> esxi-02, VLAN 10
        ['esxi-01:vmk1', '10.0.30.12'], // vMotion vmk to vmk, VLAN 30 on vmnic1
        ['app-01:eth0', '10.0.10.50'], // VM to the physical client behind core-1
      ];
      for (const [from, to] of cases) {
        const single = whole.ping(from, to, { count: 2, intervalMs: 10, timeoutMs: 2000 }).received;
        expect(single).toBe(2);
        expect(await ping(h1, from, to)).toBe(single);
      }
      // each side records the crossing: the stand-ins of the cut cables counted frames both ways
      const st = h1.served.attachments.status().attachments;
      expect(st.map((a) => a.name).sort()).toEqual(['cut-1000', 'cut-1001']);
      expect(st.every((a) => a.txFrames > 0 && a.rxFrames > 0 && Object.keys(a.drops).length === 0)).toBe(true);
    } finally {
      for (const l of labs) await l.close();
    }
  });

  it('partition addresses may be DNS names, resolved when the partition starts (pods); a bad plan file is exit 2', async () => {
    const doc = await multiHost();
    const plan = planPartitions(doc, { count: 3, addresses: { p1: 'localhost', p2: 'localhost', p3: 'localhost' } });
    const dir = mkdtempSync(path.join(tmpdir(), 'vsl-plan-dns-'));
    try {
      const file = path.join(dir, 'plan.json');
      writeFileSync(file, JSON.stringify(plan));
      const { topology: part } = await partitionOf(doc, file, 'p2');
      expect(part.attachments!.map((a) => (a.type === 'vxlan' ? [a.local.address, a.remote.address] : null))).toEqual([
        ['127.0.0.1', '127.0.0.1'],
        ['127.0.0.1', '127.0.0.1'],
      ]);
      writeFileSync(file, '{"version": 1');
      await expect(partitionOf(doc, file, 'p2')).rejects.toMatchObject({ code: 2 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
