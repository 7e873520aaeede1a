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
import type { MHost, Model, MNamed, MPortGroup, MVm, MVSwitch } from './model.js';
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
/** Names listed in a message at most: each message stays short however many there are. */
const MAX_LISTED_NAMES = 20;
/** The first names of a list or of a map's keys, "and N more": O(MAX_LISTED_NAMES), not O(size). */
const names = (xs: readonly string[] | ReadonlyMap<string, unknown> | ReadonlySet<string>) => {
  const total = Array.isArray(xs) ? xs.length : (xs as ReadonlyMap<string, unknown>).size;
  const list: string[] = [];
  for (const x of Array.isArray(xs) ? xs : (xs as ReadonlyMap<string, unknown>).keys()) {
    if (list.length === MAX_LISTED_NAMES) break;
    list.push(x as string);
  }
  if (list.length === 0) return 'none';
  return total > list.length ? `${list.join(', ')} and ${total - list.length} more` : list.join(', ');
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
  duplicates(
    allNodes,
    (n, first) =>
      err(
        'duplicate-node-name',
        at(n.path, 'name'),
        `node name "${n.name}" is already used by ${NODE_KIND_TEXT[first.kind]} (${formatPath(first.path)}); names must be unique across hosts, VMs, physical switches and physical hosts`,
      ),
  );

  // --- hosts
  for (const h of model.hosts) checkHost(model, h, err);
  checkDefaultsOrder(model, err);

  // --- VMs
  const hostByName = new Map<string, MHost>();
  // per host, built once however many VMs run on it
  const hostIndexes = new Map<MHost, HostPlacementIndex>();
  const hostIndex = (host: MHost) => {
    let x = hostIndexes.get(host);
    if (!x) {
      x = hostPlacementIndex(host);
      hostIndexes.set(host, x);
    }
    return x;
  };
  for (const h of model.hosts) if (h.name !== undefined && !hostByName.has(h.name)) hostByName.set(h.name, h);
  for (const vm of model.vms) {
    duplicates(vm.nics, (n, first) => err('duplicate-interface', at(n.path, 'name'), `interface "${n.name}" is already defined on VM ${vm.name ?? '?'} (${formatPath(first.path)})`));
    if (vm.host === undefined) continue;
    const host = hostByName.get(vm.host);
    if (!host) {
      if (!model.known.hosts) continue;
      const other = nodes.get(vm.host);
      const what = other ? `"${vm.host}" is ${NODE_KIND_TEXT[other.kind]}, not an ESXi host` : `there is no ESXi host named "${vm.host}"`;
      err('unknown-host', at(vm.path, 'host'), `VM ${vm.name ?? '?'} runs on host "${vm.host}", but ${what} (hosts: ${names(hostByName)})`);
      continue;
    }
    checkVmPlacement(vm, host, hostIndex(host), err);
  }
  for (const vm of model.vms) {
    for (const nic of vm.nics) {
      duplicates(
        nic.vlans.map((v) => ({ name: v.vlan === undefined ? undefined : String(v.vlan), path: v.path })),
        (v) => err('duplicate-guest-vlan', at(v.path, 'vlan'), `VLAN ${v.name} already has a sub-interface on ${vm.name ?? '?'}:${nic.name ?? '?'}`),
      );
    }
  }

  // --- physical switches and hosts
  for (const s of model.physicalSwitches) {
    duplicates(s.ports, (p, first) => err('duplicate-interface', at(p.path, 'name'), `port "${p.name}" is already defined on ${s.name ?? '?'} (${formatPath(first.path)})`));
    duplicates(
      s.channelGroups.map((g) => ({ name: g.id === undefined ? undefined : String(g.id), path: g.path })),
      (g) => err('duplicate-channel-group', at(g.path, 'id'), `channel group ${g.name} is declared twice on ${s.name ?? '?'}`),
    );
    if (!s.channelGroupsKnown) continue;
    const ids = new Set(s.channelGroups.map((g) => g.id));
    const declared = [...ids].map(String);
    for (const p of s.ports) {
      if (p.channelGroup !== undefined && !ids.has(p.channelGroup)) {
        err(
          'unknown-channel-group',
          at(p.path, 'channelGroup'),
          `channel group ${p.channelGroup} is not declared on ${s.name ?? '?'}; add { "id": ${p.channelGroup} } to its channelGroups (declared: ${names(declared)})`,
        );
      }
    }
  }
  for (const p of model.physicalHosts) {
    duplicates(p.nics, (n, first) => err('duplicate-interface', at(n.path, 'name'), `interface "${n.name}" is already defined on ${p.name ?? '?'} (${formatPath(first.path)})`));
  }

  checkMacs(model, err);
  checkLinks(model, nodes, nodesKnown, err);

  // --- tests blocks: every interface they name must exist
  for (const t of model.tests) {
    const problem = testActionProblem(t.acts, t.name);
    if (problem) err('test-without-action', t.path, problem);
  }
  // --- scenario files: inside the topology's folder
  for (const sc of model.scenarios) {
    const problem = scenarioPathProblem(sc.name!);
    if (problem) err('scenario-path-outside', sc.path, problem);
  }
  for (const ref of model.testRefs) {
    const problem = interfaceProblem(ref.ref, nodes, nodesKnown);
    if (problem) err(problem.code, ref.path, `test refers to ${ref.ref}: ${problem.message}`);
  }
  return out;
}

/** Why a test cannot run (it neither sends nor pings), or undefined. Also for scenario files' test lists. */
export function testActionProblem(acts: boolean, name: string | undefined): string | undefined {
  return acts ? undefined : `test ${name === undefined ? '' : `"${name}" `}has neither "send" nor "ping": a test sends a frame (send) and/or pings (ping), then checks "expect"`;
}

/**
 * Why a `scenarios` entry may not be used, or undefined: scenario files are read relative to the
 * topology file and stay in its folder (or below), so a topology cannot make a command read a file
 * elsewhere (an absolute path, a "..", a Windows drive).
 */
export function scenarioPathProblem(p: string): string | undefined {
  const segments = p.split(/[\\/]/);
  const outside = p.startsWith('/') || p.startsWith('\\') || /^[A-Za-z]:/.test(p) || segments.includes('..') || p.includes('\0');
  if (!outside) return undefined;
  return `"${p}" is outside the topology's folder; scenario paths are relative to the topology file and stay in its folder or below (no absolute path, no ".."), e.g. "scenarios/failover.json"`;
}

/** The port groups of a host by name (first wins) and the VMkernel adapter in each: what placing a VM there reads. */
export interface HostPlacementIndex {
  pgs: Map<string, { pg: MPortGroup; vs: MVSwitch }>;
  vmkByPortGroup: Map<string, string | undefined>;
}

export function hostPlacementIndex(host: MHost): HostPlacementIndex {
  const vmkByPortGroup = new Map<string, string | undefined>();
  for (const k of host.vmkernel) if (k.portGroup !== undefined && !vmkByPortGroup.has(k.portGroup)) vmkByPortGroup.set(k.portGroup, k.name);
  return { pgs: portGroupsOf(host), vmkByPortGroup };
}

/** A VM's vNICs on the host it runs on: each port group exists there, holds no VMkernel adapter, and is a trunk for guest VLANs. */
export function checkVmPlacement(vm: MVm, host: MHost, index: HostPlacementIndex, err: Report): void {
  const { pgs, vmkByPortGroup } = index;
  for (const nic of vm.nics) {
    if (nic.portGroup === undefined) continue;
    const pg = pgs.get(nic.portGroup);
    if (!pg) {
      if (host.portGroupsKnown) {
        err('unknown-port-group', at(nic.path, 'portGroup'), `port group "${nic.portGroup}" does not exist on ${host.name} (port groups there: ${names(pgs)})`);
      }
      continue;
    }
    if (vmkByPortGroup.has(nic.portGroup)) {
      err(
        'vmk-port-group-shared',
        at(nic.path, 'portGroup'),
        `port group "${nic.portGroup}" on ${host.name} holds VMkernel adapter ${
          vmkByPortGroup.get(nic.portGroup) ?? '?'
        }; a VMkernel adapter sits alone in its port group, so give the VM a port group of its own`,
      );
    }
    if (nic.vlans.length > 0 && pg.pg.vlan !== undefined && pg.pg.vlan !== 4095) {
      err(
        'guest-vlans-not-trunk',
        at(nic.path, 'vlans'),
        `guest VLAN sub-interfaces need a VLAN 4095 port group, but "${nic.portGroup}" has VLAN ${pg.pg.vlan}: the vSwitch drops guest-tagged frames there (V1, V2); set the port group's vlan to 4095 or remove vlans`,
      );
    }
  }
}

function portGroupsOf(host: MHost): Map<string, { pg: MPortGroup; vs: MVSwitch }> {
  const m = new Map<string, { pg: MPortGroup; vs: MVSwitch }>();
  for (const vs of host.vswitches) for (const pg of vs.portGroups) if (pg.name !== undefined && !m.has(pg.name)) m.set(pg.name, { pg, vs });
  return m;
}

export type Report = (code: string, path: Path, message: string) => void;

export function checkHost(model: Pick<Model, 'defaults'>, h: MHost, err: Report): void {
  const host = h.name ?? formatPath(h.path);
  duplicates(h.vswitches, (s, first) => err('duplicate-vswitch', at(s.path, 'name'), `vSwitch "${s.name}" already exists on ${host} (${formatPath(first.path)})`));
  const pgs = h.vswitches.flatMap((vs) => vs.portGroups.map((pg) => ({ ...pg, vs })));
  duplicates(
    pgs,
    (pg, first) =>
      err(
        'duplicate-port-group',
        at(pg.path, 'name'),
        `port group "${pg.name}" already exists on ${host} (on ${first.vs.name ?? '?'}, ${formatPath(first.path)}); port group names are unique per host`,
      ),
  );
  duplicates([...h.nics, ...h.vmkernel], (n, first) => err('duplicate-interface', at(n.path, 'name'), `interface "${n.name}" is already defined on ${host} (${formatPath(first.path)})`));

  const nicNames = new Set(h.nics.map((n) => n.name));
  const nicList = [...nicNames].filter((x): x is string => x !== undefined);
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
          err('unknown-uplink', u.path, `uplink "${u.name}" of ${vs.name ?? '?'} is not a physical NIC of ${host} (its nics: ${names(nicList)})${hint}`);
        }
        continue;
      }
      const prev = owner.get(u.name);
      if (prev) {
        err('vmnic-in-two-vswitches', u.path, `${u.name} is already an uplink of ${prev.vs.name ?? '?'} (${formatPath(prev.path)}); a vmnic belongs to at most one vSwitch`);
      } else owner.set(u.name, { vs, path: u.path });
    }

    const uplinks = vs.uplinks.map((u) => u.name).filter((x): x is string => x !== undefined);
    const isUplink = new Set(uplinks);
    const vsOrder = statedOrder(vs.policy, vs.path);
    if (vsOrder) checkOrder(vsOrder, uplinks, isUplink, `${vs.name ?? '?'}`, err);
    for (const pg of vs.portGroups) {
      const pgOrder = statedOrder(pg.policy, pg.path);
      if (pgOrder) checkOrder(pgOrder, uplinks, isUplink, `${vs.name ?? '?'}`, err);
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
        err(
          'shaping-peak-below-average',
          at(path, 'policy', 'shaping'),
          `peak bandwidth ${s.peakBps.value} bit/s is below average bandwidth ${s.averageBps.value} bit/s; peak must be at least the average (Q1)`,
        );
      }
    }
  }

  // --- VMkernel adapters: port group exists, and sits alone in it
  const pgByName = portGroupsOf(h);
  const vmkIn = new Map<string, string>();
  for (const k of h.vmkernel) {
    if (k.portGroup === undefined) continue;
    if (!pgByName.has(k.portGroup)) {
      if (h.portGroupsKnown)
        err('unknown-port-group', at(k.path, 'portGroup'), `port group "${k.portGroup}" of ${k.name ?? 'this VMkernel adapter'} does not exist on ${host} (port groups there: ${names(pgByName)})`);
      continue;
    }
    const prev = vmkIn.get(k.portGroup);
    if (prev !== undefined) {
      err('vmk-port-group-shared', at(k.path, 'portGroup'), `port group "${k.portGroup}" on ${host} already holds ${prev}; a VMkernel adapter on a standard vSwitch sits alone in its own port group`);
    } else vmkIn.set(k.portGroup, k.name ?? '?');
  }
}

/** One name of a stated order, and what repeating it means there (undefined: its first mention). */
interface OrderEntry {
  name: string;
  list: 'active' | 'standby' | 'unused';
  path: PathSegment[];
  repeat: { code: string; message: string } | undefined;
}

/** The names of an order, each with what its repetition means (T1); independent of the vSwitch. */
function orderEntries(level: OrderLevel): OrderEntry[] {
  const out: OrderEntry[] = [];
  const first = new Map<string, 'active' | 'standby' | 'unused'>();
  for (const list of ['active', 'standby', 'unused'] as const) {
    (level.teaming[list] ?? []).forEach((name, i) => {
      const prev = first.get(name);
      let repeat: OrderEntry['repeat'];
      if (prev === 'active' && list === 'standby') {
        repeat = { code: 'active-and-standby', message: `${name} is both active and standby; an uplink is in exactly one of active, standby and unused (T1)` };
      } else if (prev !== undefined) {
        repeat = {
          code: 'teaming-uplink-listed-twice',
          message: prev === list ? `${name} is listed twice in ${list}` : `${name} is both ${prev} and ${list}; an uplink is in exactly one of active, standby and unused (T1)`,
        };
      } else first.set(name, list);
      out.push({ name, list, path: at(level.path, list, i), repeat });
    });
  }
  return out;
}

function notAnUplink(e: OrderEntry, who: string, uplinks: readonly string[]): string {
  return `"${e.name}" in the ${e.list} list is not an uplink of ${who} (uplinks: ${names(uplinks)})`;
}

/** T1: an order names only uplinks of its vSwitch, each once. */
function checkOrder(level: OrderLevel, uplinks: readonly string[], isUplink: ReadonlySet<string>, vsName: string, err: Report): void {
  for (const e of orderEntries(level)) {
    if (!isUplink.has(e.name)) err('teaming-not-an-uplink', e.path, notAnUplink(e, vsName, uplinks));
    else if (e.repeat) err(e.repeat.code, e.path, e.repeat.message);
  }
}

/**
 * An order in `defaults.teaming` applies to every vSwitch without an order of its own. Each of
 * its entries is reported once: "not an uplink" naming the first inheriting vSwitch that lacks it,
 * a repetition when some inheriting vSwitch has it. Linear in the vSwitches' uplinks plus the
 * order (not their product): after each vSwitch only names among its uplinks still lack one.
 */
export function checkDefaultsOrder(model: Pick<Model, 'defaults' | 'hosts'>, err: Report): void {
  const level = statedOrder(model.defaults, []);
  if (!level) return;
  level.path = ['defaults', 'teaming'];
  const entries = orderEntries(level);
  const someHas = new Set<string>();
  const lacking = new Map<string, { who: string; uplinks: string[] }>();
  let undecided = new Set(entries.map((e) => e.name));
  for (const h of model.hosts) {
    for (const vs of h.vswitches) {
      if (statedOrder(vs.policy, vs.path)) continue;
      const uplinks = vs.uplinks.map((u) => u.name).filter((x): x is string => x !== undefined);
      const own = new Set(uplinks);
      for (const u of uplinks) someHas.add(u);
      const still = new Set<string>();
      for (const n of undecided) {
        if (own.has(n)) still.add(n);
        else lacking.set(n, { who: `${h.name ?? '?'}/${vs.name ?? '?'}, which inherits this order`, uplinks });
      }
      undecided = still;
    }
  }
  for (const e of entries) {
    const lack = lacking.get(e.name);
    if (lack) err('teaming-not-an-uplink', e.path, notAnUplink(e, lack.who, lack.uplinks));
    if (e.repeat && someHas.has(e.name)) err(e.repeat.code, e.path, e.repeat.message);
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
  const compatible = (a: MacOwner, b: MacOwner) => a.host !== undefined && a.host === b.host && ((a.kind === 'vmk' && b.kind === 'vmnic') || (a.kind === 'vmnic' && b.kind === 'vmk'));
  // Per MAC, the first owner and the first owner of another (kind, host) group: the first earlier
  // owner `o` clashes with is one of these two (only one group is compatible with `o`), so each
  // owner costs O(1) however many share a MAC.
  const group = (a: MacOwner, b: MacOwner) => (a.kind === 'vmk' || a.kind === 'vmnic') && a.kind === b.kind && a.host !== undefined && a.host === b.host;
  const byMac = new Map<string, MacOwner[]>();
  for (const o of owners) {
    const station = stationMacProblem(o.mac);
    if (station)
      err('invalid-interface-mac', at(o.path, 'mac'), `MAC ${o.mac} of ${o.label} is ${station}; an interface needs a unicast address (first byte even, not all zero), e.g. 00:50:56:00:00:01`);
    const reps = byMac.get(o.mac);
    if (!reps) {
      byMac.set(o.mac, [o]);
      continue;
    }
    const clash = reps.find((e) => !compatible(e, o));
    if (clash) err('duplicate-mac', at(o.path, 'mac'), `MAC ${o.mac} of ${o.label} is already used by ${clash.label} (${formatPath(clash.path)}); MAC addresses must be unique`);
    if (reps.length === 1 && !group(reps[0]!, o) && reps[0] !== o) reps.push(o);
  }
}

/** Why a normalised MAC cannot be an interface's own address, or undefined when it can. */
function stationMacProblem(mac: string): string | undefined {
  if (mac === 'ff:ff:ff:ff:ff:ff') return 'the broadcast address';
  if (mac === '00:00:00:00:00:00') return 'all zero';
  if (parseInt(mac.slice(0, 2), 16) & 1) return 'a multicast (group) address';
  return undefined;
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
    return nodesKnown ? { code: 'unknown-node', message: `there is no node named "${nodeName}" (nodes: ${names(nodes)})` } : undefined;
  }
  if (!node.interfaces.has(ifName)) {
    if (!node.interfacesKnown) return undefined;
    return { code: 'unknown-interface', message: `${nodeName} has no interface "${ifName}" (its interfaces: ${names(node.interfaces)})` };
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
        err(
          'virtual-link-endpoint',
          path,
          `${ref} is ${INTERFACE_KIND_TEXT[iface.kind]}; it connects to ${where}, not with a link. Links join physical interfaces: host vmnics, physical switch ports and physical host NICs`,
        );
        continue;
      }
      const prev = used.get(ref);
      if (prev) {
        err('endpoint-used-twice', path, `${ref} is already connected by ${formatPath(prev)}; an interface takes one link`);
      } else used.set(ref, path);
    }
  }
}
