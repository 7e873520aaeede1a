/**
 * Reference checks: everything zod's shape check cannot see because it needs two places of the
 * document at once — a vNIC's port group must exist on its VM's host, a link's endpoints must be
 * physical interfaces that exist, names vSphere keeps unique must be unique, and so on.
 *
 * They run on the forgiving model (model.ts), so they also run when the document has shape
 * errors: an element whose fields have the wrong type is skipped, and a reference into a list
 * that could not be read at all is not reported as unknown.
 */
import { formatPath, issue, type Issue, type PathSegment } from './issue.js';
import type { MHost, Model, MNamed, MPortGroup, MVSwitch } from './model.js';
import type { PolicySettingsDoc } from './schema.js';
import { resolvePortGroupPolicy, resolveVSwitchPolicy } from './policy.js';

type Path = readonly PathSegment[];

export type NodeKind = 'host' | 'vm' | 'physicalSwitch' | 'physicalHost';
export type InterfaceKind = 'vmnic' | 'vmk' | 'vnic' | 'switchPort' | 'hostNic';

const NODE_KIND_TEXT: Record<NodeKind, string> = {
  host: 'an ESXi host',
  vm: 'a VM',
  physicalSwitch: 'a physical switch',
  physicalHost: 'a physical host',
};

interface NodeEntry {
  kind: NodeKind;
  path: Path;
  interfaces: Map<string, { kind: InterfaceKind; path: Path }>;
  interfacesKnown: boolean;
}

/** Every node by name (first definition wins) with its interfaces. */
export function indexNodes(model: Model): Map<string, NodeEntry> {
  const nodes = new Map<string, NodeEntry>();
  const add = (name: string | undefined, kind: NodeKind, path: Path, known: boolean, ifaces: [MNamed[], InterfaceKind][]) => {
    if (name === undefined || nodes.has(name)) return;
    const interfaces = new Map<string, { kind: InterfaceKind; path: Path }>();
    for (const [list, k] of ifaces) {
      for (const i of list) if (i.name !== undefined && !interfaces.has(i.name)) interfaces.set(i.name, { kind: k, path: i.path });
    }
    nodes.set(name, { kind, path, interfaces, interfacesKnown: known });
  };
  for (const h of model.hosts) add(h.name, 'host', h.path, h.interfacesKnown, [[h.nics, 'vmnic'], [h.vmkernel, 'vmk']]);
  for (const v of model.vms) add(v.name, 'vm', v.path, v.interfacesKnown, [[v.nics, 'vnic']]);
  for (const s of model.physicalSwitches) add(s.name, 'physicalSwitch', s.path, s.interfacesKnown, [[s.ports, 'switchPort']]);
  for (const p of model.physicalHosts) add(p.name, 'physicalHost', p.path, p.interfacesKnown, [[p.nics, 'hostNic']]);
  return nodes;
}

function allNodesKnown(model: Model): boolean {
  const k = model.known;
  return k.hosts && k.vms && k.physicalSwitches && k.physicalHosts;
}

const at = (path: Path, ...more: PathSegment[]): PathSegment[] => [...path, ...more];
const names = (xs: Iterable<string>) => {
  const list = [...xs];
  return list.length === 0 ? 'none' : list.join(', ');
};

/** Reports each repeated name in `items` (by `keyOf`) at `.name` of the later item. */
function duplicates<T extends MNamed>(items: readonly T[], report: (item: T, first: T) => void, keyOf: (i: T) => string | undefined = (i) => i.name): void {
  const seen = new Map<string, T>();
  for (const item of items) {
    const key = keyOf(item);
    if (key === undefined) continue;
    const first = seen.get(key);
    if (first) report(item, first);
    else seen.set(key, item);
  }
}

/** A policy level that may state a failover order: where it is and what it says. */
interface OrderLevel {
  /** path of the `teaming` object */
  path: Path;
  teaming: NonNullable<PolicySettingsDoc['teaming']>;
}

function statedOrder(policy: PolicySettingsDoc | undefined, path: Path): OrderLevel | undefined {
  const t = policy?.teaming;
  if (!t || (t.active === undefined && t.standby === undefined && t.unused === undefined)) return undefined;
  return { path: at(path, 'policy', 'teaming'), teaming: t };
}

export function checkCrossReferences(model: Model): Issue[] {
  const out: Issue[] = [];
  const err = (code: string, path: Path, message: string) => out.push(issue('error', code, path, message));
  const nodes = indexNodes(model);
  const nodesKnown = allNodesKnown(model);

  // --- node names: unique across hosts, VMs, physical switches and physical hosts
  const allNodes: (MNamed & { kind: NodeKind })[] = [
    ...model.hosts.map((n) => ({ name: n.name, path: n.path, kind: 'host' as const })),
    ...model.vms.map((n) => ({ name: n.name, path: n.path, kind: 'vm' as const })),
    ...model.physicalSwitches.map((n) => ({ name: n.name, path: n.path, kind: 'physicalSwitch' as const })),
    ...model.physicalHosts.map((n) => ({ name: n.name, path: n.path, kind: 'physicalHost' as const })),
  ];
  duplicates(allNodes, (n, first) =>
    err('duplicate-node-name', at(n.path, 'name'), `node name "${n.name}" is already used by ${NODE_KIND_TEXT[first.kind]} (${formatPath(first.path)}); names must be unique across hosts, VMs, physical switches and physical hosts`),
  );

  // --- hosts
  for (const h of model.hosts) checkHost(model, h, err);
  checkDefaultsOrder(model, err);

  // --- VMs
  const hostByName = new Map<string, MHost>();
  for (const h of model.hosts) if (h.name !== undefined && !hostByName.has(h.name)) hostByName.set(h.name, h);
  for (const vm of model.vms) {
    duplicates(vm.nics, (n, first) => err('duplicate-interface', at(n.path, 'name'), `interface "${n.name}" is already defined on VM ${vm.name ?? '?'} (${formatPath(first.path)})`));
    if (vm.host === undefined) continue;
    const host = hostByName.get(vm.host);
    if (!host) {
      if (!model.known.hosts) continue;
      const other = nodes.get(vm.host);
      const what = other ? `"${vm.host}" is ${NODE_KIND_TEXT[other.kind]}, not an ESXi host` : `there is no ESXi host named "${vm.host}"`;
      err('unknown-host', at(vm.path, 'host'), `VM ${vm.name ?? '?'} runs on host "${vm.host}", but ${what} (hosts: ${names(hostByName.keys())})`);
      continue;
    }
    const pgs = portGroupsOf(host);
    for (const nic of vm.nics) {
      if (nic.portGroup === undefined) continue;
      const pg = pgs.get(nic.portGroup);
      if (!pg) {
        if (host.portGroupsKnown) {
          err('unknown-port-group', at(nic.path, 'portGroup'), `port group "${nic.portGroup}" does not exist on ${host.name} (port groups there: ${names(pgs.keys())})`);
        }
        continue;
      }
      const vmk = host.vmkernel.find((k) => k.portGroup === nic.portGroup);
      if (vmk) {
        err('vmk-port-group-shared', at(nic.path, 'portGroup'), `port group "${nic.portGroup}" on ${host.name} holds VMkernel adapter ${vmk.name ?? '?'}; a VMkernel adapter sits alone in its port group, so give the VM a port group of its own`);
      }
      if (nic.vlans.length > 0 && pg.pg.vlan !== undefined && pg.pg.vlan !== 4095) {
        err('guest-vlans-not-trunk', at(nic.path, 'vlans'), `guest VLAN sub-interfaces need a VLAN 4095 port group, but "${nic.portGroup}" has VLAN ${pg.pg.vlan}: the vSwitch drops guest-tagged frames there (V1, V2); set the port group's vlan to 4095 or remove vlans`);
      }
    }
  }
  for (const vm of model.vms) {
    for (const nic of vm.nics) {
      duplicates(nic.vlans.map((v) => ({ name: v.vlan === undefined ? undefined : String(v.vlan), path: v.path })), (v) =>
        err('duplicate-guest-vlan', at(v.path, 'vlan'), `VLAN ${v.name} already has a sub-interface on ${vm.name ?? '?'}:${nic.name ?? '?'}`),
      );
    }
  }

  // --- physical switches and hosts
  for (const s of model.physicalSwitches) {
    duplicates(s.ports, (p, first) => err('duplicate-interface', at(p.path, 'name'), `port "${p.name}" is already defined on ${s.name ?? '?'} (${formatPath(first.path)})`));
    duplicates(s.channelGroups.map((g) => ({ name: g.id === undefined ? undefined : String(g.id), path: g.path })), (g) =>
      err('duplicate-channel-group', at(g.path, 'id'), `channel group ${g.name} is declared twice on ${s.name ?? '?'}`),
    );
    if (!s.channelGroupsKnown) continue;
    const ids = new Set(s.channelGroups.map((g) => g.id));
    for (const p of s.ports) {
      if (p.channelGroup !== undefined && !ids.has(p.channelGroup)) {
        err('unknown-channel-group', at(p.path, 'channelGroup'), `channel group ${p.channelGroup} is not declared on ${s.name ?? '?'}; add { "id": ${p.channelGroup} } to its channelGroups (declared: ${names([...ids].map(String))})`);
      }
    }
  }
  for (const p of model.physicalHosts) {
    duplicates(p.nics, (n, first) => err('duplicate-interface', at(n.path, 'name'), `interface "${n.name}" is already defined on ${p.name ?? '?'} (${formatPath(first.path)})`));
  }

  checkMacs(model, err);
  checkLinks(model, nodes, nodesKnown, err);

  // --- tests blocks: every interface they name must exist
  for (const ref of model.testRefs) {
    const problem = interfaceProblem(ref.ref, nodes, nodesKnown);
    if (problem) err(problem.code, ref.path, `test refers to ${ref.ref}: ${problem.message}`);
  }
  return out;
}

function portGroupsOf(host: MHost): Map<string, { pg: MPortGroup; vs: MVSwitch }> {
  const m = new Map<string, { pg: MPortGroup; vs: MVSwitch }>();
  for (const vs of host.vswitches) for (const pg of vs.portGroups) if (pg.name !== undefined && !m.has(pg.name)) m.set(pg.name, { pg, vs });
  return m;
}

type Report = (code: string, path: Path, message: string) => void;

function checkHost(model: Model, h: MHost, err: Report): void {
  const host = h.name ?? formatPath(h.path);
  duplicates(h.vswitches, (s, first) => err('duplicate-vswitch', at(s.path, 'name'), `vSwitch "${s.name}" already exists on ${host} (${formatPath(first.path)})`));
  const pgs = h.vswitches.flatMap((vs) => vs.portGroups.map((pg) => ({ ...pg, vs })));
  duplicates(pgs, (pg, first) =>
    err('duplicate-port-group', at(pg.path, 'name'), `port group "${pg.name}" already exists on ${host} (on ${first.vs.name ?? '?'}, ${formatPath(first.path)}); port group names are unique per host`),
  );
  duplicates([...h.nics, ...h.vmkernel], (n, first) => err('duplicate-interface', at(n.path, 'name'), `interface "${n.name}" is already defined on ${host} (${formatPath(first.path)})`));

  const nicNames = new Set(h.nics.map((n) => n.name));
  const vmkNames = new Set(h.vmkernel.map((n) => n.name));
  const owner = new Map<string, { vs: MVSwitch; path: Path }>();
  for (const vs of h.vswitches) {
    const own = new Set<string>();
    for (const u of vs.uplinks) {
      if (u.name === undefined) continue;
      if (own.has(u.name)) {
        err('duplicate-uplink', u.path, `${u.name} is listed twice in ${vs.name ?? '?'}'s uplinks`);
        continue;
      }
      own.add(u.name);
      if (!nicNames.has(u.name)) {
        if (h.interfacesKnown) {
          const hint = vmkNames.has(u.name) ? `; ${u.name} is a VMkernel adapter, and uplinks are physical NICs (vmnics)` : '';
          err('unknown-uplink', u.path, `uplink "${u.name}" of ${vs.name ?? '?'} is not a physical NIC of ${host} (its nics: ${names([...nicNames].filter((x): x is string => x !== undefined))})${hint}`);
        }
        continue;
      }
      const prev = owner.get(u.name);
      if (prev) {
        err('vmnic-in-two-vswitches', u.path, `${u.name} is already an uplink of ${prev.vs.name ?? '?'} (${formatPath(prev.path)}); a vmnic belongs to at most one vSwitch`);
      } else owner.set(u.name, { vs, path: u.path });
    }

    const uplinks = vs.uplinks.map((u) => u.name).filter((x): x is string => x !== undefined);
    const vsOrder = statedOrder(vs.policy, vs.path);
    if (vsOrder) checkOrder(vsOrder, uplinks, `${vs.name ?? '?'}`, err);
    for (const pg of vs.portGroups) {
      const pgOrder = statedOrder(pg.policy, pg.path);
      if (pgOrder) checkOrder(pgOrder, uplinks, `${vs.name ?? '?'}`, err);
    }
    // Q1: peak bandwidth must not be below average, wherever the two values come from.
    const shapingLevels: [Path, PolicySettingsDoc | undefined, () => ReturnType<typeof resolveVSwitchPolicy>][] = [
      [vs.path, vs.policy, () => resolveVSwitchPolicy(model.defaults, uplinks, vs.policy)],
      ...vs.portGroups.map((pg): [Path, PolicySettingsDoc | undefined, () => ReturnType<typeof resolveVSwitchPolicy>] => [
        pg.path,
        pg.policy,
        () => resolvePortGroupPolicy(model.defaults, uplinks, vs.policy, pg.policy),
      ]),
    ];
    for (const [path, policy, eff] of shapingLevels) {
      if (!policy?.shaping) continue;
      const s = eff().shaping;
      if (s.enabled.value && s.peakBps.value < s.averageBps.value) {
        err('shaping-peak-below-average', at(path, 'policy', 'shaping'), `peak bandwidth ${s.peakBps.value} bit/s is below average bandwidth ${s.averageBps.value} bit/s; peak must be at least the average (Q1)`);
      }
    }
  }

  // --- VMkernel adapters: port group exists, and sits alone in it
  const pgByName = portGroupsOf(h);
  const vmkIn = new Map<string, string>();
  for (const k of h.vmkernel) {
    if (k.portGroup === undefined) continue;
    if (!pgByName.has(k.portGroup)) {
      if (h.portGroupsKnown) err('unknown-port-group', at(k.path, 'portGroup'), `port group "${k.portGroup}" of ${k.name ?? 'this VMkernel adapter'} does not exist on ${host} (port groups there: ${names(pgByName.keys())})`);
      continue;
    }
    const prev = vmkIn.get(k.portGroup);
    if (prev !== undefined) {
      err('vmk-port-group-shared', at(k.path, 'portGroup'), `port group "${k.portGroup}" on ${host} already holds ${prev}; a VMkernel adapter on a standard vSwitch sits alone in its own port group`);
    } else vmkIn.set(k.portGroup, k.name ?? '?');
  }
}

/** T1: an order names only uplinks of its vSwitch, each once. */
function checkOrder(level: OrderLevel, uplinks: readonly string[], vsName: string, err: Report, inheritedBy?: string): void {
  const isUplink = new Set(uplinks);
  const seen = new Map<string, 'active' | 'standby' | 'unused'>();
  for (const list of ['active', 'standby', 'unused'] as const) {
    (level.teaming[list] ?? []).forEach((name, i) => {
      const path = at(level.path, list, i);
      if (!isUplink.has(name)) {
        const who = inheritedBy ? `${inheritedBy}, which inherits this order` : vsName;
        err('teaming-not-an-uplink', path, `"${name}" in the ${list} list is not an uplink of ${who} (uplinks: ${names(uplinks)})`);
        return;
      }
      const prev = seen.get(name);
      if (prev === 'active' && list === 'standby') {
        err('active-and-standby', path, `${name} is both active and standby; an uplink is in exactly one of active, standby and unused (T1)`);
      } else if (prev !== undefined) {
        err('teaming-uplink-listed-twice', path, prev === list ? `${name} is listed twice in ${list}` : `${name} is both ${prev} and ${list}; an uplink is in exactly one of active, standby and unused (T1)`);
      } else seen.set(name, list);
    });
  }
}

/** An order in `defaults.teaming` applies to every vSwitch without an order of its own. */
function checkDefaultsOrder(model: Model, err: Report): void {
  const level = statedOrder(model.defaults, []);
  if (!level) return;
  level.path = ['defaults', 'teaming'];
  const reported = new Set<string>();
  for (const h of model.hosts) {
    for (const vs of h.vswitches) {
      if (statedOrder(vs.policy, vs.path)) continue;
      const uplinks = vs.uplinks.map((u) => u.name).filter((x): x is string => x !== undefined);
      checkOrder(level, uplinks, vs.name ?? '?', (code, path, message) => {
        const key = `${code} ${formatPath(path)}`;
        if (reported.has(key)) return;
        reported.add(key);
        err(code, path, message);
      }, `${h.name ?? '?'}/${vs.name ?? '?'}`);
    }
  }
}

interface MacOwner {
  mac: string;
  path: Path;
  label: string;
  kind: InterfaceKind;
  host?: string;
}

function checkMacs(model: Model, err: Report): void {
  const owners: MacOwner[] = [];
  for (const h of model.hosts) {
    for (const n of h.nics) if (n.mac) owners.push({ mac: n.mac, path: n.path, label: `${h.name ?? '?'}:${n.name ?? '?'}`, kind: 'vmnic', host: h.name });
    for (const n of h.vmkernel) if (n.mac) owners.push({ mac: n.mac, path: n.path, label: `${h.name ?? '?'}:${n.name ?? '?'}`, kind: 'vmk', host: h.name });
  }
  for (const v of model.vms) for (const n of v.nics) if (n.mac) owners.push({ mac: n.mac, path: n.path, label: `${v.name ?? '?'}:${n.name ?? '?'}`, kind: 'vnic' });
  for (const p of model.physicalHosts) for (const n of p.nics) if (n.mac) owners.push({ mac: n.mac, path: n.path, label: `${p.name ?? '?'}:${n.name ?? '?'}`, kind: 'hostNic' });

  // vmk0 takes vmnic0's MAC at install: a vmk may share a MAC with a vmnic of its own host.
  const compatible = (a: MacOwner, b: MacOwner) =>
    a.host !== undefined && a.host === b.host && ((a.kind === 'vmk' && b.kind === 'vmnic') || (a.kind === 'vmnic' && b.kind === 'vmk'));
  const byMac = new Map<string, MacOwner[]>();
  for (const o of owners) {
    const earlier = byMac.get(o.mac);
    if (!earlier) {
      byMac.set(o.mac, [o]);
      continue;
    }
    const clash = earlier.find((e) => !compatible(e, o));
    if (clash) err('duplicate-mac', at(o.path, 'mac'), `MAC ${o.mac} of ${o.label} is already used by ${clash.label} (${formatPath(clash.path)}); MAC addresses must be unique`);
    earlier.push(o);
  }
}

const INTERFACE_KIND_TEXT: Record<InterfaceKind, string> = {
  vmnic: 'a physical NIC of an ESXi host',
  vmk: 'a VMkernel adapter',
  vnic: 'a VM vNIC',
  switchPort: 'a physical switch port',
  hostNic: 'a physical host NIC',
};

/** Why `ref` (node:interface) does not name an existing interface, or undefined when it does. */
function interfaceProblem(
  ref: string,
  nodes: Map<string, NodeEntry>,
  nodesKnown: boolean,
): { code: string; message: string; kind?: undefined } | undefined {
  const colon = ref.indexOf(':');
  if (colon <= 0) return undefined; // shape error, reported by the schema
  const nodeName = ref.slice(0, colon);
  const ifName = ref.slice(colon + 1);
  const node = nodes.get(nodeName);
  if (!node) {
    return nodesKnown ? { code: 'unknown-node', message: `there is no node named "${nodeName}" (nodes: ${names(nodes.keys())})` } : undefined;
  }
  if (!node.interfaces.has(ifName)) {
    if (!node.interfacesKnown) return undefined;
    return { code: 'unknown-interface', message: `${nodeName} has no interface "${ifName}" (its interfaces: ${names(node.interfaces.keys())})` };
  }
  return undefined;
}

function checkLinks(model: Model, nodes: Map<string, NodeEntry>, nodesKnown: boolean, err: Report): void {
  const used = new Map<string, Path>();
  for (const link of model.links) {
    for (const end of ['a', 'b'] as const) {
      const ref = link[end];
      if (ref === undefined) continue;
      const path = at(link.path, end);
      const problem = interfaceProblem(ref, nodes, nodesKnown);
      if (problem) {
        err(problem.code, path, `link endpoint ${ref}: ${problem.message}`);
        continue;
      }
      const colon = ref.indexOf(':');
      const node = nodes.get(ref.slice(0, colon));
      const iface = node?.interfaces.get(ref.slice(colon + 1));
      if (!node || !iface) continue;
      if (iface.kind === 'vnic' || iface.kind === 'vmk') {
        const where = iface.kind === 'vnic' ? 'its port group (portGroup)' : 'its port group';
        err('virtual-link-endpoint', path, `${ref} is ${INTERFACE_KIND_TEXT[iface.kind]}; it connects to ${where}, not with a link. Links join physical interfaces: host vmnics, physical switch ports and physical host NICs`);
        continue;
      }
      const prev = used.get(ref);
      if (prev) {
        err('endpoint-used-twice', path, `${ref} is already connected by ${formatPath(prev)}; an interface takes one link`);
      } else used.set(ref, path);
    }
  }
}
