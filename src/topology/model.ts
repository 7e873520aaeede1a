/**
 * A forgiving view of a topology document for the reference checks (cross-references.ts) and
 * the warnings (warnings.ts). It is built from the raw JSON value, not from zod's output, so the
 * checks also run on a document that has shape errors: a value of the wrong type simply becomes
 * `undefined` here (zod reports it), and the checks skip what they cannot see. Every object keeps
 * its JSON path so that each finding points at the exact place.
 */
import { normalizeMac } from '../wire/mac.js';
import type { PathSegment } from './issue.js';
import { PolicySettings, type PolicySettingsDoc } from './schema.js';

type Path = readonly PathSegment[];

export interface MNamed {
  name: string | undefined;
  path: Path;
}
export interface MNic extends MNamed {
  /** normalised (colon, lower case); undefined when absent or not a MAC */
  mac: string | undefined;
}
export interface MPortGroup extends MNamed {
  vlan: number | undefined;
  policy: PolicySettingsDoc | undefined;
  /** the raw policy value had a shape problem (zod reports it): policy checks skip it */
  policyInvalid: boolean;
}
export interface MVSwitch extends MNamed {
  mtu: number | undefined;
  uplinks: MNamed[];
  policy: PolicySettingsDoc | undefined;
  policyInvalid: boolean;
  portGroups: MPortGroup[];
}
export interface MVmk extends MNic {
  portGroup: string | undefined;
  mtu: number | undefined;
}
export interface MHost extends MNamed {
  nics: MNic[];
  vswitches: MVSwitch[];
  vmkernel: MVmk[];
  /** false when some vSwitch or port group list could not be read: "unknown port group" is not decidable */
  portGroupsKnown: boolean;
  /** false when nics or vmkernel could not be read */
  interfacesKnown: boolean;
}
export interface MGuestVlan {
  vlan: number | undefined;
  path: Path;
}
export interface MVNic extends MNic {
  portGroup: string | undefined;
  vlans: MGuestVlan[];
}
export interface MVm extends MNamed {
  host: string | undefined;
  nics: MVNic[];
  interfacesKnown: boolean;
}
export interface MSwitchPort extends MNamed {
  channelGroup: number | undefined;
}
export interface MPhysicalSwitch extends MNamed {
  ports: MSwitchPort[];
  channelGroups: { id: number | undefined; path: Path }[];
  interfacesKnown: boolean;
  channelGroupsKnown: boolean;
}
export interface MPhysicalHost extends MNamed {
  nics: MNic[];
  interfacesKnown: boolean;
}
export interface MLink {
  a: string | undefined;
  b: string | undefined;
  /** false when the link starts down ("up": false) */
  up: boolean;
  path: Path;
}
/** One test of a tests block. */
export interface MTest {
  name: string | undefined;
  path: Path;
  /** it has a `send` or a `ping` (present, whatever their shape) */
  acts: boolean;
}
/** A `node:interface` named somewhere in a tests block. */
export interface MInterfaceRef {
  ref: string;
  path: Path;
}
export interface Model {
  defaults: PolicySettingsDoc | undefined;
  defaultsInvalid: boolean;
  hosts: MHost[];
  vms: MVm[];
  physicalSwitches: MPhysicalSwitch[];
  physicalHosts: MPhysicalHost[];
  links: MLink[];
  testRefs: MInterfaceRef[];
  /** the tests block: each test's path, name and what it does */
  tests: MTest[];
  /** the `scenarios` entries that are strings */
  scenarios: MNamed[];
  layoutNodes: MNamed[];
  /** per top-level collection: false when it is present but not an array */
  known: { hosts: boolean; vms: boolean; physicalSwitches: boolean; physicalHosts: boolean; links: boolean };
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
function mac(v: unknown): string | undefined {
  return typeof v === 'string' ? (normalizeMac(v) ?? undefined) : undefined;
}
/** Elements of an array field with their paths; `ok` is false when the field is present but not an array. */
function list(o: Obj | undefined, key: string, path: Path): { items: { v: Obj; path: Path }[]; ok: boolean } {
  const raw = o?.[key];
  if (raw === undefined) return { items: [], ok: true };
  if (!Array.isArray(raw)) return { items: [], ok: false };
  const items: { v: Obj; path: Path }[] = [];
  let ok = true;
  raw.forEach((v, i) => {
    if (isObj(v)) items.push({ v, path: [...path, key, i] });
    else ok = false;
  });
  return { items, ok };
}
function strings(o: Obj, key: string, path: Path): MNamed[] {
  const raw = o[key];
  if (!Array.isArray(raw)) return [];
  return raw.map((v, i) => ({ name: str(v), path: [...path, key, i] }));
}
function policy(raw: unknown): { policy: PolicySettingsDoc | undefined; invalid: boolean } {
  if (raw === undefined) return { policy: undefined, invalid: false };
  const r = PolicySettings.safeParse(raw);
  return r.success ? { policy: r.data, invalid: false } : { policy: undefined, invalid: true };
}

function nic(o: Obj, path: Path): MNic {
  return { name: str(o.name), mac: mac(o.mac), path };
}

/** The model of one ESXi host (`h`: its raw JSON object, `path`: where it is, e.g. ['hosts', 3]). */
export function hostModel(h: Record<string, unknown>, path: Path): MHost {
  const nics = list(h, 'nics', path);
  const vss = list(h, 'vswitches', path);
  const vmks = list(h, 'vmkernel', path);
  let portGroupsKnown = vss.ok;
  const vswitches: MVSwitch[] = vss.items.map(({ v: s, path: sp }) => {
    const pgs = list(s, 'portGroups', sp);
    if (!pgs.ok) portGroupsKnown = false;
    const p = policy(s.policy);
    return {
      name: str(s.name),
      path: sp,
      mtu: s.mtu === undefined ? 1500 : num(s.mtu),
      uplinks: strings(s, 'uplinks', sp),
      policy: p.policy,
      policyInvalid: p.invalid,
      portGroups: pgs.items.map(({ v: g, path: gp }) => {
        const gpol = policy(g.policy);
        return { name: str(g.name), path: gp, vlan: num(g.vlan), policy: gpol.policy, policyInvalid: gpol.invalid };
      }),
    };
  });
  return {
    name: str(h.name),
    path,
    nics: nics.items.map(({ v, path: np }) => nic(v, np)),
    vswitches,
    vmkernel: vmks.items.map(({ v, path: kp }) => ({
      ...nic(v, kp),
      portGroup: str(v.portGroup),
      mtu: v.mtu === undefined ? 1500 : num(v.mtu),
    })),
    portGroupsKnown,
    interfacesKnown: nics.ok && vmks.ok,
  };
}

/** The model of one VM (`m`: its raw JSON object, `path`: where it is, e.g. ['vms', 12]). */
export function vmModel(m: Record<string, unknown>, path: Path): MVm {
  const nics = list(m, 'nics', path);
  return {
    name: str(m.name),
    host: str(m.host),
    path,
    interfacesKnown: nics.ok,
    nics: nics.items.map(({ v, path: np }) => ({
      ...nic(v, np),
      portGroup: str(v.portGroup),
      vlans: list(v, 'vlans', np).items.map(({ v: gv, path: vp }) => ({ vlan: num(gv.vlan), path: vp })),
    })),
  };
}

/** The model's `defaults` (and whether they were unreadable) of a raw document root. */
export function defaultsModel(root: Record<string, unknown>): { defaults: PolicySettingsDoc | undefined; defaultsInvalid: boolean } {
  if (root.defaults === undefined) return { defaults: undefined, defaultsInvalid: false };
  const d = isObj(root.defaults) ? root.defaults : undefined;
  const p = policy(d ? { security: d.security, teaming: d.teaming, shaping: d.shaping } : 'x');
  return { defaults: p.policy, defaultsInvalid: p.invalid };
}

export function buildModel(doc: unknown): Model {
  const root = isObj(doc) ? doc : undefined;
  const model: Model = {
    defaults: undefined,
    defaultsInvalid: false,
    hosts: [],
    vms: [],
    physicalSwitches: [],
    physicalHosts: [],
    links: [],
    testRefs: [],
    tests: [],
    scenarios: [],
    layoutNodes: [],
    known: { hosts: true, vms: true, physicalSwitches: true, physicalHosts: true, links: true },
  };
  if (!root) {
    model.known = { hosts: false, vms: false, physicalSwitches: false, physicalHosts: false, links: false };
    return model;
  }

  const d = defaultsModel(root);
  model.defaults = d.defaults;
  model.defaultsInvalid = d.defaultsInvalid;

  const hosts = list(root, 'hosts', []);
  model.known.hosts = hosts.ok;
  for (const { v: h, path } of hosts.items) model.hosts.push(hostModel(h, path));

  const vms = list(root, 'vms', []);
  model.known.vms = vms.ok;
  for (const { v: m, path } of vms.items) model.vms.push(vmModel(m, path));

  const switches = list(root, 'physicalSwitches', []);
  model.known.physicalSwitches = switches.ok;
  for (const { v: s, path } of switches.items) {
    const ports = list(s, 'ports', path);
    const groups = list(s, 'channelGroups', path);
    model.physicalSwitches.push({
      name: str(s.name),
      path,
      ports: ports.items.map(({ v, path: pp }) => ({ name: str(v.name), path: pp, channelGroup: num(v.channelGroup) })),
      channelGroups: groups.items.map(({ v, path: gp }) => ({ id: num(v.id), path: gp })),
      interfacesKnown: ports.ok,
      channelGroupsKnown: groups.ok,
    });
  }

  const phys = list(root, 'physicalHosts', []);
  model.known.physicalHosts = phys.ok;
  for (const { v: p, path } of phys.items) {
    const nics = list(p, 'nics', path);
    model.physicalHosts.push({
      name: str(p.name),
      path,
      nics: nics.items.map(({ v, path: np }) => nic(v, np)),
      interfacesKnown: nics.ok,
    });
  }

  const links = list(root, 'links', []);
  model.known.links = links.ok;
  for (const { v: l, path } of links.items) model.links.push({ a: str(l.a), b: str(l.b), up: l.up !== false, path });

  for (const { v: t, path } of list(root, 'tests', []).items) {
    collectTestRefs(t, path, model.testRefs);
    model.tests.push({ name: str(t.name), path, acts: t.send !== undefined || t.ping !== undefined });
  }
  if (Array.isArray(root.scenarios)) {
    root.scenarios.forEach((v, i) => {
      if (typeof v === 'string') model.scenarios.push({ name: v, path: ['scenarios', i] });
    });
  }

  const layout = isObj(root.layout) ? root.layout : undefined;
  if (layout && isObj(layout.positions)) {
    for (const name of Object.keys(layout.positions)) model.layoutNodes.push({ name, path: ['layout', 'positions', name] });
  }
  return model;
}

function collectTestRefs(t: Obj, path: Path, out: MInterfaceRef[]): void {
  const add = (v: unknown, p: Path) => {
    if (typeof v === 'string' && v.includes(':')) out.push({ ref: v, path: p });
  };
  for (const key of ['send', 'ping'] as const) {
    const o = t[key];
    if (isObj(o)) add(o.from, [...path, key, 'from']);
  }
  const expect = t.expect;
  if (!isObj(expect)) return;
  for (const key of ['deliveredTo', 'alsoDeliveredTo', 'notDeliveredTo'] as const) {
    const arr = expect[key];
    if (Array.isArray(arr)) arr.forEach((v, i) => add(v, [...path, 'expect', key, i]));
  }
  if (isObj(expect.deliveredVlan)) {
    for (const k of Object.keys(expect.deliveredVlan)) add(k, [...path, 'expect', 'deliveredVlan', k]);
  }
}
