/**
 * `vswitch-lab export k8s <topology> --plan plan.json [--image REF] [--namespace NS] [-o FILE]`:
 * Kubernetes manifests that run a partitioned lab (docs/attachments.md, "On Kubernetes"), as one
 * JSON `List` (`kubectl apply -f FILE`):
 *  - a ConfigMap with the topology, the plan (partition addresses rewritten to the pods' DNS
 *    names) and the partition names in pod order;
 *  - a headless Service: each pod `<set>-<i>.<service>` is found by DNS, also before it is ready
 *    (the VXLAN peers need each other to start);
 *  - a StatefulSet, one pod per partition: the pod's ordinal (the end of its name) selects its
 *    partition; VXLAN on UDP, the UI and API on TCP 8080 with the token from a Secret you create;
 *  - a Service for the UI and API of pod 0 (it shows that partition; each pod serves its own).
 *
 * `vswitch-lab export containerlab <topology> --plan plan.json -o DIR`: a containerlab lab (see
 * `clabLab`) in DIR: <name>.clab.yml, topology.json and plan.json.
 * Exit 2: bad options, a topology or plan that does not load or match.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from '../cli.js';
import { PlanError, checkPlan, type PartitionPlan } from '../attach/partition-plan.js';
import type { TopologyDoc } from '../topology/schema.js';
import { CommandExit, UsageError, parseCommandArgs, withInputErrors } from './cli-args.js';
import { openTopologyArg } from './topology-arg.js';

const HELP = `usage: vswitch-lab export k8s|containerlab <topology> --plan plan.json [options]

Writes Kubernetes manifests (one JSON List for kubectl apply -f) that run each partition of the
plan as a pod of a StatefulSet. Create the API token first:
  kubectl create secret generic <name>-token --from-literal=token=SECRET

options:
  --plan FILE        the plan (vswitch-lab plan); its addresses are replaced by the pods' DNS names
  --image REF        container image (default vswitch-lab:VERSION, built from the Dockerfile)
  --namespace NS     namespace of the objects (default: none, kubectl's current)
  --name NAME        name of the objects (default vswitch-lab-<topology name>)
  -o, --output FILE  write there (default: print); containerlab: a directory for the .clab.yml,
                     topology.json and plan.json

export containerlab: each partition a linux node (management address 172.20.20.10+i), each VXLAN
attachment of the topology a type: vxlan link from a placeholder NOS node (replace its kind and
image) to its partition.
  -h, --help         this help`;

const OPTIONS = {
  plan: { type: 'string' },
  image: { type: 'string' },
  namespace: { type: 'string' },
  name: { type: 'string' },
  output: { type: 'string', short: 'o' },
  help: { type: 'boolean', short: 'h' },
} as const;

const UI_PORT = 8080;

/** A DNS-1123 label from any text (at most `max` characters). */
function dnsLabel(text: string, max: number): string {
  const s = text.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, max).replace(/-+$/, '');
  return s === '' ? 'lab' : s;
}

export interface K8sExport {
  apiVersion: 'v1';
  kind: 'List';
  items: Array<Record<string, unknown>>;
}

/** The manifests (see the file comment). `plan` must have been checked against `doc`. */
export function k8sManifests(doc: TopologyDoc, plan: PartitionPlan, options: { image: string; name?: string; namespace?: string }): K8sExport {
  const name = dnsLabel(options.name ?? `vswitch-lab-${doc.name}`, 40);
  const svc = `${name}-peers`;
  const labels = { 'app.kubernetes.io/name': 'vswitch-lab', 'app.kubernetes.io/instance': name };
  const meta = (n: string): Record<string, unknown> => ({ name: n, labels, ...(options.namespace ? { namespace: options.namespace } : {}) });
  const podPlan: PartitionPlan = { ...plan, partitions: plan.partitions.map((p, i) => ({ ...p, address: `${name}-${i}.${svc}` })) };
  const udpPorts = plan.partitions.map((p, i) => ({ name: `vxlan-${i}`, protocol: 'UDP', port: p.port, targetPort: p.port }));
  const script = [
    'set -e',
    'i="${HOSTNAME##*-}"',
    'p="$(sed -n "$((i + 1))p" /lab/partitions.txt)"',
    '[ -n "$p" ] || { echo "pod $HOSTNAME: no partition number $i in the plan" >&2; exit 2; }',
    `exec vswitch-lab serve /lab/topology.json --plan /lab/plan.json --partition "$p" --host 0.0.0.0 --port ${UI_PORT}`,
  ].join('\n');
  return {
    apiVersion: 'v1',
    kind: 'List',
    items: [
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: meta(`${name}-lab`),
        data: {
          'topology.json': `${JSON.stringify(doc, null, 2)}\n`,
          'plan.json': `${JSON.stringify(podPlan, null, 2)}\n`,
          'partitions.txt': `${plan.partitions.map((p) => p.name).join('\n')}\n`,
        },
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: meta(svc),
        spec: { clusterIP: 'None', publishNotReadyAddresses: true, selector: labels, ports: udpPorts },
      },
      {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: meta(name),
        spec: {
          serviceName: svc,
          replicas: plan.partitions.length,
          podManagementPolicy: 'Parallel',
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              containers: [
                {
                  name: 'vswitch-lab',
                  image: options.image,
                  command: ['/bin/sh', '-c', script],
                  env: [{ name: 'VSWITCH_LAB_TOKEN', valueFrom: { secretKeyRef: { name: `${name}-token`, key: 'token' } } }],
                  ports: [{ name: 'ui', containerPort: UI_PORT, protocol: 'TCP' }, ...plan.partitions.map((p, i) => ({ name: `vxlan-${i}`, containerPort: p.port, protocol: 'UDP' }))],
                  volumeMounts: [{ name: 'lab', mountPath: '/lab', readOnly: true }],
                  readinessProbe: { httpGet: { path: '/api/health', port: UI_PORT } },
                },
              ],
              volumes: [{ name: 'lab', configMap: { name: `${name}-lab` } }],
            },
          },
        },
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: meta(`${name}-ui`),
        spec: { selector: { ...labels, 'statefulset.kubernetes.io/pod-name': `${name}-0` }, ports: [{ name: 'ui', protocol: 'TCP', port: UI_PORT, targetPort: UI_PORT }] },
      },
    ],
  };
}

/** containerlab's default management network: the partitions get fixed addresses in it. */
const CLAB_MGMT_PREFIX = '172.20.20.';
/** the containerlab host as the containers see it: the source of its vxlan links' datagrams */
const CLAB_HOST = '172.20.20.1';

export interface ClabExport {
  /** the containerlab topology (written as JSON, which is YAML) */
  clab: Record<string, unknown>;
  /** the lab's topology and plan as the containers read them (addresses in the management network) */
  topology: TopologyDoc;
  plan: PartitionPlan;
}

/**
 * A containerlab lab: each partition a `linux` node running the image (its management address
 * fixed, the topology and plan bound in), and each VXLAN attachment of the topology a `type:
 * vxlan` link from a NOS node — a placeholder named after the attachment, to replace by the real
 * kind and image — to the partition that has the attached NIC. Addresses are rewritten to the
 * management network: partitions at 172.20.20.10+i, the containerlab host (where its vxlan links
 * end) at 172.20.20.1.
 */
export function clabLab(doc: TopologyDoc, plan: PartitionPlan, options: { image: string; name?: string }): ClabExport {
  const name = dnsLabel(options.name ?? `vswitch-lab-${doc.name}`, 60);
  const ip = (i: number): string => `${CLAB_MGMT_PREFIX}${10 + i}`;
  const newPlan: PartitionPlan = { ...plan, partitions: plan.partitions.map((p, i) => ({ ...p, address: ip(i) })) };
  const partitionOfNode = new Map<string, number>();
  plan.partitions.forEach((p, i) => p.nodes.forEach((n) => partitionOfNode.set(n, i)));
  const nodeOf = (iface: string): string => iface.slice(0, iface.indexOf(':'));
  const links: Array<Record<string, unknown>> = [];
  const nodes: Record<string, Record<string, unknown>> = {};
  plan.partitions.forEach((p, i) => {
    nodes[p.name] = {
      kind: 'linux',
      image: options.image,
      'mgmt-ipv4': ip(i),
      binds: ['topology.json:/lab/topology.json:ro', 'plan.json:/lab/plan.json:ro'],
      env: { VSWITCH_LAB_TOKEN: '${VSWITCH_LAB_TOKEN}' },
      cmd: `serve /lab/topology.json --plan /lab/plan.json --partition ${p.name} --host 0.0.0.0`,
    };
  });
  const attachments = (doc.attachments ?? []).map((a) => {
    if (a.type !== 'vxlan') return a;
    const i = partitionOfNode.get(nodeOf(a.interface));
    if (i === undefined) return a; // on a stand-in of the topology itself: left as written
    if (a.vni < 1) throw new PlanError(`attachment ${a.name}: containerlab's vxlan links need a VNI of 1 or more (it has 0)`);
    const nos = dnsLabel(a.name, 60);
    nodes[nos] ??= { kind: 'linux', image: 'alpine:3', labels: { 'vswitch-lab.note': 'replace kind and image with the NOS; keep the name' } };
    links.push({ type: 'vxlan', endpoint: { node: nos, interface: 'eth1' }, remote: ip(i), vni: a.vni, 'dst-port': a.local.port });
    return { ...a, local: { ...a.local, address: ip(i) }, remote: { address: CLAB_HOST, port: a.local.port } };
  });
  return {
    clab: { name, mgmt: { network: 'clab', 'ipv4-subnet': `${CLAB_MGMT_PREFIX}0/24` }, topology: { nodes, ...(links.length > 0 ? { links } : {}) } },
    topology: { ...doc, attachments },
    plan: newPlan,
  };
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'latest';
  } catch {
    return 'latest';
  }
}

export const command: Command = {
  run: (args) =>
    withInputErrors('export', async () => {
      const { values, positionals } = parseCommandArgs(args, OPTIONS, HELP);
      const [what, topo, ...rest] = positionals;
      if (what !== 'k8s' && what !== 'containerlab') throw new UsageError('what to export: k8s or containerlab');
      if (topo === undefined || rest.length > 0) throw new UsageError('one topology, please');
      if (values.plan === undefined) throw new UsageError('--plan plan.json is needed (write one with vswitch-lab plan)');
      const { topology } = await openTopologyArg(topo);
      let plan: PartitionPlan;
      try {
        plan = checkPlan(topology, JSON.parse(readFileSync(values.plan, 'utf8')));
      } catch (err) {
        if (err instanceof PlanError || err instanceof SyntaxError) throw new CommandExit(2, [`${values.plan}: ${err.message}`]);
        if (err instanceof Error && 'code' in err) throw new CommandExit(2, [`${values.plan}: cannot read the plan: ${err.message}`]);
        throw err;
      }
      if (what === 'containerlab') {
        if (values.output === undefined) throw new UsageError('export containerlab writes three files: give -o DIRECTORY');
        let c: ClabExport;
        try {
          c = clabLab(topology, plan, { image: values.image ?? `vswitch-lab:${packageVersion()}`, ...(values.name !== undefined ? { name: values.name } : {}) });
        } catch (err) {
          if (err instanceof PlanError) throw new CommandExit(2, [`vswitch-lab export: ${err.message}`]);
          throw err;
        }
        mkdirSync(values.output, { recursive: true });
        const clabFile = path.join(values.output, `${c.clab.name as string}.clab.yml`);
        writeFileSync(clabFile, `${JSON.stringify(c.clab, null, 2)}\n`);
        writeFileSync(path.join(values.output, 'topology.json'), `${JSON.stringify(c.topology, null, 2)}\n`);
        writeFileSync(path.join(values.output, 'plan.json'), `${JSON.stringify(c.plan, null, 2)}\n`);
        console.log(`vswitch-lab export: ${clabFile} (+ topology.json, plan.json); deploy with: VSWITCH_LAB_TOKEN=... containerlab deploy -t ${clabFile}`);
        return 0;
      }
      const out = k8sManifests(topology, plan, {
        image: values.image ?? `vswitch-lab:${packageVersion()}`,
        ...(values.name !== undefined ? { name: values.name } : {}),
        ...(values.namespace !== undefined ? { namespace: values.namespace } : {}),
      });
      const text = `${JSON.stringify(out, null, 2)}\n`;
      if (values.output !== undefined) {
        writeFileSync(values.output, text);
        console.log(`vswitch-lab export: ${out.items.length} objects -> ${values.output} (kubectl apply -f ${values.output})`);
      } else process.stdout.write(text);
      return 0;
    }),
};
