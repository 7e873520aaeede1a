/**
 * Partitioned labs (docs/attachments.md, "Partitioned labs"): a lab split into partitions that
 * run as separate processes, joined by VXLAN attachments where cables are cut.
 *
 * `planPartitions` assigns whole nodes — an ESXi host with its VMs (and vSwitches and vmks), a
 * physical switch, a physical host — to partitions, from explicit groups or automatically by
 * weight, cuts only the cables between partitions and gives each cut cable a VNI. The plan is
 * data (a JSON file): every process reads the same plan, nobody re-plans.
 *
 * `partitionTopology` is one partition's topology: its nodes and the cables between them; each
 * cut cable's inside end is cabled to a stand-in physical host (`cut-<n>`) whose NIC takes every
 * MAC and is attached over VXLAN (the partition's one socket, one VNI per cut) to the partition
 * at the other end, where the same happens: the two stand-ins forward the cable's frames.
 */
import type { AttachmentDoc, TopologyDoc } from '../topology/schema.js';
import type { CutOptions } from './attachments.js';

/**
 * Frame ids of partition i (0-based, in plan order) start after (i + 1) * FRAME_ID_SPAN: frame
 * 17 of the second partition is 2000000000017. The plan fixes the order, so every process and
 * every reader of a capture agrees; a frame keeps its id when it crosses a cut (cut-header.ts).
 */
export const FRAME_ID_SPAN = 1e12;
/** A cut cable shows down after this long without a frame or hello from the peer partition (default). */
export const CUT_SILENCE_SECONDS = 3;

export interface PlanPartition {
  name: string;
  /** node names (hosts, physical switches, physical hosts; VMs go with their host) */
  nodes: string[];
  /** where its VXLAN socket binds and its peers send */
  address: string;
  port: number;
}

export interface PlanCut {
  /** index in the topology's links */
  link: number;
  a: string;
  b: string;
  vni: number;
}

export interface PartitionPlan {
  version: 1;
  /** name of the topology it was made for */
  topology: string;
  partitions: PlanPartition[];
  cuts: PlanCut[];
  /** a cut cable shows down after this many seconds without a frame or hello from its peer (default 3); hellos go every third of it */
  silenceSeconds?: number;
}

export class PlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlanError';
  }
}

/** The nodes that partitions are made of, with a weight (how much of the lab's work they carry). */
function units(doc: TopologyDoc): Array<{ name: string; weight: number }> {
  const vmsOf = new Map<string, number>();
  for (const vm of doc.vms) vmsOf.set(vm.host, (vmsOf.get(vm.host) ?? 0) + vm.nics.length);
  return [
    ...doc.hosts.map((h) => ({ name: h.name, weight: 1 + (vmsOf.get(h.name) ?? 0) + h.vmkernel.length + h.nics.length })),
    ...doc.physicalSwitches.map((s) => ({ name: s.name, weight: 1 + s.ports.length })),
    ...doc.physicalHosts.map((p) => ({ name: p.name, weight: p.nics.length })),
  ];
}

export interface PlanOptions {
  /** explicit groups; or `count` for automatic */
  groups?: Array<{ name: string; nodes: string[] }>;
  count?: number;
  /** address of each partition (default 127.0.0.1) */
  addresses?: Record<string, string>;
  /** UDP port of the first partition; the i-th binds basePort + i (default 4789) */
  basePort?: number;
  /** VNI of the first cut (default 1000) */
  baseVni?: number;
  /** silence after which a cut cable shows down (default CUT_SILENCE_SECONDS) */
  silenceSeconds?: number;
}

const nodeOf = (iface: string): string => iface.slice(0, iface.indexOf(':'));

export function planPartitions(doc: TopologyDoc, options: PlanOptions): PartitionPlan {
  const all = units(doc);
  const known = new Set(all.map((u) => u.name));
  const vmHost = new Map(doc.vms.map((v) => [v.name, v.host]));
  let groups: Array<{ name: string; nodes: string[] }>;
  if (options.groups && options.groups.length > 0) {
    const seen = new Map<string, string>();
    for (const g of options.groups) {
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(g.name)) throw new PlanError(`partition name "${g.name}" must start with a letter or digit and use only letters, digits, ".", "_" and "-"`);
      for (const n of g.nodes) {
        if (vmHost.has(n)) throw new PlanError(`${n} is a VM: it goes with its host ${vmHost.get(n)}; name the host`);
        if (!known.has(n)) throw new PlanError(`${n} is not a host, physical switch or physical host of ${doc.name}`);
        const other = seen.get(n);
        if (other !== undefined) throw new PlanError(`${n} is in two partitions (${other} and ${g.name})`);
        seen.set(n, g.name);
      }
    }
    const names = new Set(options.groups.map((g) => g.name));
    if (names.size !== options.groups.length) throw new PlanError('partition names must be unique');
    const left = all.filter((u) => !seen.has(u.name)).map((u) => u.name);
    if (left.length > 0) throw new PlanError(`${left.join(', ')} ${left.length === 1 ? 'is' : 'are'} in no partition; every host, physical switch and physical host belongs to one`);
    groups = options.groups.map((g) => ({ name: g.name, nodes: [...g.nodes] }));
  } else {
    const n = options.count ?? 2;
    if (!Number.isInteger(n) || n < 1) throw new PlanError(`the number of partitions must be a whole number >= 1 (got ${n})`);
    if (n > all.length) throw new PlanError(`${n} partitions for ${all.length} nodes: at most one partition per node`);
    groups = Array.from({ length: n }, (_, i) => ({ name: `p${i + 1}`, nodes: [] as string[] }));
    const load = new Array<number>(n).fill(0);
    // heaviest first, each to the lightest partition so far (ties: the first): the same lab gives the same plan
    const sorted = [...all].sort((x, y) => y.weight - x.weight || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
    for (const u of sorted) {
      let best = 0;
      for (let i = 1; i < n; i++) if (load[i]! < load[best]!) best = i;
      groups[best]!.nodes.push(u.name);
      load[best]! += u.weight;
    }
    for (const g of groups) g.nodes.sort();
  }
  const basePort = options.basePort ?? 4789;
  const partitions: PlanPartition[] = groups.map((g, i) => ({
    name: g.name,
    nodes: g.nodes,
    address: options.addresses?.[g.name] ?? '127.0.0.1',
    port: basePort + i,
  }));
  for (const name of Object.keys(options.addresses ?? {})) {
    if (!partitions.some((p) => p.name === name)) throw new PlanError(`--address names partition "${name}", which the plan does not have (${partitions.map((p) => p.name).join(', ')})`);
  }
  const where = new Map<string, string>();
  for (const p of partitions) for (const n of p.nodes) where.set(n, p.name);
  const baseVni = options.baseVni ?? 1000;
  const cuts: PlanCut[] = [];
  doc.links.forEach((l, i) => {
    if (where.get(nodeOf(l.a)) !== where.get(nodeOf(l.b))) cuts.push({ link: i, a: l.a, b: l.b, vni: baseVni + cuts.length });
  });
  const silence = options.silenceSeconds ?? CUT_SILENCE_SECONDS;
  if (!(silence >= 0.1 && silence <= 3600)) throw new PlanError(`the silence of a cut cable is 0.1 to 3600 seconds (got ${silence})`);
  return { version: 1, topology: doc.name, partitions, cuts, ...(silence !== CUT_SILENCE_SECONDS ? { silenceSeconds: silence } : {}) };
}

/** Checks a plan read from a file against the topology (PlanError with the reason). */
export function checkPlan(doc: TopologyDoc, plan: unknown): PartitionPlan {
  const p = plan as PartitionPlan;
  if (typeof p !== 'object' || p === null || p.version !== 1 || !Array.isArray(p.partitions) || !Array.isArray(p.cuts)) {
    throw new PlanError('not a partition plan (version 1, partitions, cuts); write one with vswitch-lab plan');
  }
  if (p.topology !== doc.name) throw new PlanError(`the plan was made for topology "${p.topology}", not "${doc.name}"`);
  // the plan must be the one this topology gives with these groups: the same allocation everywhere
  const again = planPartitions(doc, {
    groups: p.partitions.map((x) => ({ name: x.name, nodes: x.nodes })),
    addresses: Object.fromEntries(p.partitions.map((x) => [x.name, x.address])),
    basePort: p.partitions[0]?.port ?? 4789,
    baseVni: p.cuts[0]?.vni ?? 1000,
    ...(p.silenceSeconds !== undefined ? { silenceSeconds: p.silenceSeconds } : {}),
  });
  const ports = p.partitions.map((x) => x.port);
  const expected = again.partitions.map((x) => x.port);
  if (JSON.stringify(again.cuts) !== JSON.stringify(p.cuts) || JSON.stringify(ports) !== JSON.stringify(expected)) {
    throw new PlanError('the plan does not match the topology (its cables or ports changed since it was written); run vswitch-lab plan again');
  }
  return p;
}

/** The topology partition `name` runs (see the file comment). */
export function partitionTopology(doc: TopologyDoc, plan: PartitionPlan, name: string): TopologyDoc {
  const me = plan.partitions.find((p) => p.name === name);
  if (!me) throw new PlanError(`no partition "${name}" in the plan (${plan.partitions.map((p) => p.name).join(', ')})`);
  const mine = new Set(me.nodes);
  const partOf = new Map<string, PlanPartition>();
  for (const p of plan.partitions) for (const n of p.nodes) partOf.set(n, p);
  const cutLinks = new Set(plan.cuts.map((c) => c.link));
  const taken = new Set<string>([...doc.hosts, ...doc.vms, ...doc.physicalSwitches, ...doc.physicalHosts].map((n) => n.name));
  const physicalHosts = doc.physicalHosts.filter((p) => mine.has(p.name));
  const links = doc.links.filter((l, i) => !cutLinks.has(i) && mine.has(nodeOf(l.a)) && mine.has(nodeOf(l.b)));
  const attachments: AttachmentDoc[] = [...(doc.attachments ?? []).filter((a) => mine.has(nodeOf(a.interface)))];
  for (const c of plan.cuts) {
    const inside = mine.has(nodeOf(c.a)) ? c.a : mine.has(nodeOf(c.b)) ? c.b : null;
    if (inside === null) continue;
    const outside = inside === c.a ? c.b : c.a;
    const peer = partOf.get(nodeOf(outside))!;
    let stand = `cut-${c.vni}`;
    for (let i = 2; taken.has(stand); i++) stand = `cut-${c.vni}-${i}`;
    taken.add(stand);
    physicalHosts.push({ name: stand, nics: [{ name: 'eth0', mac: `02:5f:${hex(c.vni >>> 16)}:${hex(c.vni >>> 8)}:${hex(c.vni)}:${inside === c.a ? '0a' : '0b'}`, mtu: 9216 }] });
    const up = doc.links[c.link]?.up ?? true;
    links.push({ a: `${stand}:eth0`, b: inside, up });
    attachments.push({
      name: stand,
      interface: `${stand}:eth0`,
      acceptAllMacs: true,
      type: 'vxlan',
      local: { address: me.address, port: me.port },
      remote: { address: peer.address, port: peer.port },
      vni: c.vni,
      silenceSeconds: plan.silenceSeconds ?? CUT_SILENCE_SECONDS,
    });
  }
  const vms = doc.vms.filter((v) => mine.has(v.host));
  const present = new Set<string>([
    ...doc.hosts.filter((h) => mine.has(h.name)).map((h) => h.name),
    ...vms.map((v) => v.name),
    ...doc.physicalSwitches.filter((s) => mine.has(s.name)).map((s) => s.name),
    ...physicalHosts.map((p) => p.name),
  ]);
  const index = plan.partitions.indexOf(me);
  const others = plan.partitions.filter((p) => p !== me).map((p) => p.name);
  const says = `Partition ${name} (${index + 1} of ${plan.partitions.length}) of ${doc.name}: this page shows only ${me.nodes.join(', ')}` +
    `${others.length > 0 ? `; partition${others.length === 1 ? '' : 's'} ${others.join(', ')} run${others.length === 1 ? 's' : ''} in other processes, each with its own page` : ''}. ` +
    `Frame ids here start at ${(index + 1) * FRAME_ID_SPAN + 1}; a frame keeps its id across a cut cable (docs/attachments.md).`;
  const out: TopologyDoc = {
    ...doc,
    name: `${doc.name.slice(0, 60)} [partition ${name} of ${plan.partitions.length}]`.slice(0, 100),
    description: doc.description ? `${says}\n\n${doc.description}` : says,
    hosts: doc.hosts.filter((h) => mine.has(h.name)),
    vms,
    physicalSwitches: doc.physicalSwitches.filter((s) => mine.has(s.name)),
    physicalHosts,
    links,
    attachments,
  };
  delete out.tests;
  delete out.scenarios;
  if (doc.layout) out.layout = { ...doc.layout, positions: Object.fromEntries(Object.entries(doc.layout.positions).filter(([n]) => present.has(n))) };
  return out;
}

const hex = (n: number): string => (n & 0xff).toString(16).padStart(2, '0');

/** What a partition's process needs besides its topology: its place in the plan and its cut cables. */
export interface PartitionRun {
  name: string;
  /** 0-based, in plan order */
  index: number;
  partitions: string[];
  /** the partition of each node of the whole lab (VMs with their host) */
  partitionOf: ReadonlyMap<string, string>;
  /** frame ids of this partition start after this one */
  firstFrameId: number;
  /** the cut attachments (stand-in names) and their cables */
  cuts: ReadonlyMap<string, CutOptions>;
}

/** The run-time view of partition `name` (after `partitionTopology` made its topology). */
export function partitionRun(doc: TopologyDoc, plan: PartitionPlan, name: string): PartitionRun {
  const index = plan.partitions.findIndex((p) => p.name === name);
  if (index < 0) throw new PlanError(`no partition "${name}" in the plan (${plan.partitions.map((p) => p.name).join(', ')})`);
  const me = plan.partitions[index]!;
  const partitionOf = new Map<string, string>();
  for (const p of plan.partitions) for (const n of p.nodes) partitionOf.set(n, p.name);
  for (const vm of doc.vms) {
    const p = partitionOf.get(vm.host);
    if (p !== undefined) partitionOf.set(vm.name, p);
  }
  const part = partitionTopology(doc, plan, name);
  const mine = new Set(me.nodes);
  const silence = plan.silenceSeconds ?? CUT_SILENCE_SECONDS;
  const cuts = new Map<string, CutOptions>();
  for (const c of plan.cuts) {
    const inside = mine.has(nodeOf(c.a)) ? c.a : mine.has(nodeOf(c.b)) ? c.b : null;
    if (inside === null) continue;
    const outside = inside === c.a ? c.b : c.a;
    const att = (part.attachments ?? []).find((a) => a.type === 'vxlan' && a.vni === c.vni && part.links.some((l) => l.b === inside && l.a === a.interface));
    if (!att) continue;
    cuts.set(att.name, { peer: partitionOf.get(nodeOf(outside))!, inside, cable: `${c.a} - ${c.b}`, up: doc.links[c.link]?.up ?? true, helloMs: Math.max(50, Math.round((silence * 1000) / 3)) });
  }
  return { name, index, partitions: plan.partitions.map((p) => p.name), partitionOf, firstFrameId: (index + 1) * FRAME_ID_SPAN, cuts };
}
