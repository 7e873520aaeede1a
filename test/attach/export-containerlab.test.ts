/**
 * `vswitch-lab export containerlab` (docs/attachments.md): for multi-host with a VXLAN attachment
 * on core-1's free port, planned into three partitions, the .clab.yml validates against
 * containerlab's published JSON schema (vendored: test/attach/vendor/containerlab, v0.79.0) with
 * ajv; each partition is a linux node with a fixed management address running its partition; the
 * attachment becomes a `type: vxlan` link from a placeholder NOS node to core-1's partition, and
 * the topology and plan the containers read use those addresses and still load and match.
 * Deploying it needs Docker and containerlab, which are not exercised here.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { checkPlan, planPartitions } from '../../src/attach/partition-plan.js';
import { command } from '../../src/cli/export.js';
import { validateTopology } from '../../src/topology/load.js';
import { loadTopologyFile } from '../../src/files/topology-file.js';
import { writeFileSync } from 'node:fs';

const dir = mkdtempSync(path.join(tmpdir(), 'vsl-clab-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

describe('export containerlab', () => {
  it('writes a containerlab lab that its schema accepts, with a vxlan link for the NOS', async () => {
    const r = await loadTopologyFile('topologies/multi-host.json');
    if (!r.ok) throw new Error('multi-host does not load');
    const core = r.topology.physicalSwitches[0]!;
    const free = { name: 'eth9', mode: 'trunk' as const, allowedVlans: 'all' as const, nativeVlan: 1, nativeTagged: false };
    const doc = {
      ...r.topology,
      physicalSwitches: [{ ...core, ports: [...core.ports, free] }],
      attachments: [{ name: 'srl1', interface: `${core.name}:eth9`, type: 'vxlan' as const, local: { address: '127.0.0.1', port: 4789 }, remote: { address: '127.0.0.2', port: 4789 }, vni: 42 }],
    };
    const v = validateTopology(doc);
    expect(v.errors).toEqual([]);
    const topoFile = path.join(dir, 'lab.json');
    const planFile = path.join(dir, 'plan.json');
    writeFileSync(topoFile, JSON.stringify(doc));
    const plan = planPartitions(v.ok ? v.topology : doc, { groups: [{ name: 'net', nodes: ['core-1', 'client-10'] }, { name: 'h1', nodes: ['esxi-01'] }, { name: 'h2', nodes: ['esxi-02'] }] });
    writeFileSync(planFile, JSON.stringify(plan));
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const out = path.join(dir, 'clab');
    expect(await command.run(['containerlab', topoFile, '--plan', planFile, '--image', 'vswitch-lab:0.1.0', '-o', out])).toBe(0);

    const clab = JSON.parse(readFileSync(path.join(out, 'vswitch-lab-multi-host.clab.yml'), 'utf8')) as {
      topology: { nodes: Record<string, Record<string, unknown>>; links: Array<Record<string, unknown>> };
    };
    const schema = JSON.parse(readFileSync('test/attach/vendor/containerlab/clab.schema.json', 'utf8')) as object;
    const ajv = new Ajv({ strict: false, allErrors: true });
    const validate = ajv.compile(schema);
    expect(validate(clab), JSON.stringify(validate.errors)).toBe(true);
    // the schema is not a formality: a vxlan link without its dst-port is refused
    const broken = structuredClone(clab);
    delete broken.topology.links[0]!['dst-port'];
    expect(validate(broken)).toBe(false);

    expect(clab.topology.nodes.net).toMatchObject({ kind: 'linux', image: 'vswitch-lab:0.1.0', 'mgmt-ipv4': '172.20.20.10', cmd: expect.stringMatching(/--partition net /) });
    expect(clab.topology.nodes.h2).toMatchObject({ 'mgmt-ipv4': '172.20.20.12' });
    expect(clab.topology.links).toEqual([{ type: 'vxlan', endpoint: { node: 'srl1', interface: 'eth1' }, remote: '172.20.20.10', vni: 42, 'dst-port': 4789 }]);

    // what the containers read: the attachment on the management network, the plan with fixed addresses, both still valid together
    const t = validateTopology(JSON.parse(readFileSync(path.join(out, 'topology.json'), 'utf8')));
    expect(t.errors).toEqual([]);
    if (!t.ok) return;
    expect(t.topology.attachments![0]).toMatchObject({ local: { address: '172.20.20.10', port: 4789 }, remote: { address: '172.20.20.1', port: 4789 } });
    const p = checkPlan(t.topology, JSON.parse(readFileSync(path.join(out, 'plan.json'), 'utf8')));
    expect(p.partitions.map((x) => x.address)).toEqual(['172.20.20.10', '172.20.20.11', '172.20.20.12']);
  });
});
