/**
 * `vswitch-lab export k8s` (docs/attachments.md, "On Kubernetes"): the manifests for a
 * partitioned multi-host lab are valid Kubernetes objects by kubernetes-models' validators (the
 * Kubernetes OpenAPI schemas); the plan in the ConfigMap names the pods by their DNS names; the
 * pod's start script, run by a real /bin/sh with a pod's HOSTNAME, starts the partition of that
 * ordinal. What needs a cluster (pods actually running and resolving each other) is not
 * exercised here.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigMap, Service } from 'kubernetes-models/v1';
import { StatefulSet } from 'kubernetes-models/apps/v1';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { planPartitions, type PartitionPlan } from '../../src/attach/partition-plan.js';
import { command, k8sManifests } from '../../src/cli/export.js';
import { loadTopologyFile } from '../../src/files/topology-file.js';
import { run } from './netns.js';

const dir = mkdtempSync(path.join(tmpdir(), 'vsl-k8s-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

async function setup(): Promise<{ doc: Awaited<ReturnType<typeof loadTopologyFile>> & { ok: true }; plan: PartitionPlan }> {
  const doc = await loadTopologyFile('topologies/multi-host.json');
  if (!doc.ok) throw new Error('multi-host does not load');
  return { doc, plan: planPartitions(doc.topology, { groups: [{ name: 'net', nodes: ['core-1', 'client-10'] }, { name: 'h1', nodes: ['esxi-01'] }, { name: 'h2', nodes: ['esxi-02'] }] }) };
}

describe('export k8s', () => {
  it('writes valid ConfigMap, headless Service, StatefulSet and UI Service', async () => {
    const { doc, plan } = await setup();
    const out = k8sManifests(doc.topology, plan, { image: 'registry.example/vswitch-lab:0.1.0', namespace: 'labs' });
    expect(out.items.map((i) => i.kind)).toEqual(['ConfigMap', 'Service', 'StatefulSet', 'Service']);
    const [cm, peers, sts, ui] = out.items as [object, object, object, object];
    for (const obj of [new ConfigMap(cm), new Service(peers), new StatefulSet(sts), new Service(ui)]) expect(() => obj.validate()).not.toThrow();
    // a broken object is caught by the same validators (they are not a formality)
    expect(() => new StatefulSet({ ...(sts as Record<string, unknown>), spec: { replicas: 'three' } } as never).validate()).toThrow();

    const s = sts as { spec: { replicas: number; serviceName: string; template: { spec: { containers: Array<{ image: string; command: string[] }> } } } };
    expect(s.spec.replicas).toBe(3);
    expect(s.spec.serviceName).toBe('vswitch-lab-multi-host-peers');
    expect(s.spec.template.spec.containers[0]!.image).toBe('registry.example/vswitch-lab:0.1.0');
    expect((peers as { spec: { clusterIP: string; publishNotReadyAddresses: boolean } }).spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true });
    const data = (cm as { data: Record<string, string> }).data;
    const podPlan = JSON.parse(data['plan.json']!) as PartitionPlan;
    expect(podPlan.partitions.map((p) => p.address)).toEqual([0, 1, 2].map((i) => `vswitch-lab-multi-host-${i}.vswitch-lab-multi-host-peers`));
    expect(data['partitions.txt']).toBe('net\nh1\nh2\n');
    expect(JSON.parse(data['topology.json']!)).toEqual(doc.topology);
  });

  it('the pod\'s script starts the partition of its ordinal (real /bin/sh, a stand-in vswitch-lab on PATH)', async () => {
    const { doc, plan } = await setup();
    const out = k8sManifests(doc.topology, plan, { image: 'x' });
    const script = (out.items[2] as { spec: { template: { spec: { containers: Array<{ command: string[] }> } } } }).spec.template.spec.containers[0]!.command[2]!;
    const lab = path.join(dir, 'lab');
    const bin = path.join(dir, 'bin');
    await run('mkdir', ['-p', lab, bin]);
    writeFileSync(path.join(lab, 'partitions.txt'), (out.items[0] as { data: Record<string, string> }).data['partitions.txt']!);
    writeFileSync(path.join(bin, 'vswitch-lab'), '#!/bin/sh\necho "$@"\n');
    chmodSync(path.join(bin, 'vswitch-lab'), 0o755);
    const body = script.replaceAll('/lab/', `${lab}/`);
    const r = await run('/usr/bin/env', [`PATH=${bin}:/usr/bin:/bin`, 'HOSTNAME=vswitch-lab-multi-host-1', '/bin/sh', '-c', body]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^serve .*topology\.json --plan .*plan\.json --partition h1 --host 0\.0\.0\.0 --port 8080$/m);
    const none = await run('/usr/bin/env', [`PATH=${bin}:/usr/bin:/bin`, 'HOSTNAME=vswitch-lab-multi-host-7', '/bin/sh', '-c', body]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no partition number 7/);
  });

  it('the command writes the file; bad requests are exit 2', async () => {
    const { doc, plan } = await setup();
    void doc;
    const planFile = path.join(dir, 'plan.json');
    writeFileSync(planFile, JSON.stringify(plan));
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    const file = path.join(dir, 'lab.k8s.json');
    expect(await command.run(['k8s', 'multi-host', '--plan', planFile, '-o', file])).toBe(0);
    expect((JSON.parse(readFileSync(file, 'utf8')) as { kind: string }).kind).toBe('List');
    expect(await command.run(['containerlab', 'multi-host', '--plan', planFile])).toBe(2);
    expect(err.mock.calls.flat().join('\n')).toMatch(/give -o DIRECTORY/);
    expect(await command.run(['k8s', 'multi-host'])).toBe(2);
  });
});
