/**
 * Brings the running fabric in line with a (valid) topology document after a runtime change:
 * cable states, vSwitch uplinks, port group VLANs and policies (security S*, teaming T*, shaping
 * Q1), and where each VM vNIC sits (E3) and whether it is connected. Counters, MAC tables, ARP
 * caches and the clock are left alone. The document is assumed valid (runtime-changes.ts checks
 * it first), so syncing cannot fail half way.
 */
import { policyValues, resolvePortGroupPolicy } from '../topology/policy.js';
import type { HostDoc, LinkDoc, TopologyDoc, VmDoc, VSwitchDoc } from '../topology/schema.js';
import { flushTargetOnLinkDown } from './etherchannel.js';
import type { Fabric } from './fabric.js';
import { applyLinkImpairments } from './link-impairments.js';
import { parseGroupMacs, setFilterMacs } from './multicast-filter.js';
import { DETECT_BEACON, DETECT_LINK, LB_FAILOVER, LB_IPHASH, LB_SRCID, LB_SRCMAC, type Iface, type PortGroupRt, type TeamingRt, type VSwitchRt } from './model.js';
import { SHAPING_QUEUE_FRAMES, applyShaping, type ShapingConfig } from './traffic-shaping.js';
import { portAdmitted } from './vswitch.js';
import { refreshVSwitch } from './vswitch-state.js';

const LB = { srcid: LB_SRCID, srcmac: LB_SRCMAC, iphash: LB_IPHASH, failover: LB_FAILOVER } as const;

/** What a sync did that notify switches (T7) and the trace care about. */
export interface SyncOutcome {
  /** vNICs that moved to another host's port group (E3) */
  moved: Iface[];
  /** vNICs that went from disconnected to connected */
  connected: Iface[];
}

function sameIfaces(a: readonly Iface[], b: readonly Iface[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Sets a cable's state at both ends; a switch forgets MACs learned on a port whose link went down (P1, P4). */
export function setCable(f: Fabric, a: Iface, up: boolean): boolean {
  const b = a.peer;
  if (b === null || (a.linkUp === up && b.linkUp === up)) return false;
  a.linkUp = b.linkUp = up;
  for (const end of [a, b]) {
    if (end.sw) {
      end.sw.floodCache.clear();
      if (!up) {
        const target = flushTargetOnLinkDown(end);
        if (target >= 0) end.sw.table.flushPort(target);
      }
    }
  }
  return true;
}

function syncTeaming(t: TeamingRt, pol: ReturnType<typeof policyValues>['teaming'], pick: (names: string[]) => Iface[]): void {
  const lb = LB[pol.loadBalancing];
  const active = pick(pol.active);
  const standby = pick(pol.standby);
  const detection = pol.failureDetection === 'beacon' ? DETECT_BEACON : DETECT_LINK;
  if (t.lb !== lb || t.detection !== detection || t.failback !== pol.failback || !sameIfaces(t.active, active) || !sameIfaces(t.standby, standby)) {
    t.lastUsable = null; // configuration changed: the in-use list starts from the order again
  }
  t.lb = lb;
  t.active = active;
  t.standby = standby;
  t.detection = detection;
  t.failback = pol.failback;
  t.notify = pol.notifySwitches;
}

/** Q1: the shaper configuration of a resolved shaping policy, null when off. */
export function shapingOf(s: ReturnType<typeof policyValues>['shaping']): ShapingConfig | null {
  if (!s.enabled) return null;
  return { averageBps: s.averageBps, peakBps: Math.max(s.peakBps, s.averageBps), burstBytes: s.burstBytes, queueFrames: SHAPING_QUEUE_FRAMES };
}

function sameShaping(a: ShapingConfig | null, b: ShapingConfig | null): boolean {
  if (a === null || b === null) return a === b;
  return a.averageBps === b.averageBps && a.peakBps === b.peakBps && a.burstBytes === b.burstBytes && a.queueFrames === b.queueFrames;
}

function detach(p: Iface): void {
  const pg = p.pg;
  if (!pg) return;
  pg.ports.splice(pg.ports.indexOf(p), 1);
  pg.vs.ports.splice(pg.vs.ports.indexOf(p), 1);
}

function attach(p: Iface, pg: PortGroupRt): void {
  const vs = pg.vs;
  // a new virtual port: the next port ID of that vSwitch (IDs of the ports there do not change)
  let id = 0;
  for (const q of vs.ports) id = Math.max(id, q.portId + 1);
  p.pg = pg;
  p.vs = vs;
  p.host = vs.host;
  p.portId = id;
  vs.ports.push(p);
  pg.ports.push(p);
}

/**
 * What a runtime change touched, to bring in line without going over the whole lab: its cables,
 * vSwitches (with their host) and VMs, and the vSwitches whose derived state (vswitch-state.ts)
 * and shapers are recomputed — each of those gets a new `configEpoch`, so per-port decisions
 * cached under the old configuration are dropped (port-decisions.ts).
 */
export interface SyncScope {
  links: readonly LinkDoc[];
  vswitches: readonly { host: HostDoc; vswitch: VSwitchDoc }[];
  vms: readonly VmDoc[];
  refresh: readonly VSwitchRt[];
}

function vswitchesById(f: Fabric): Map<string, VSwitchRt> {
  return new Map<string, VSwitchRt>(f.vswitches.map((v) => [v.id, v]));
}

function syncCable(f: Fabric, l: LinkDoc): void {
  const a = f.byId.get(l.a);
  if (a && a.peer !== null && a.peer.id === l.b) {
    setCable(f, a, l.up);
    applyLinkImpairments(a, l.impairments);
  }
}

/** Uplinks and port group policies of one vSwitch of host `h`, from the document. */
function syncVSwitch(f: Fabric, doc: TopologyDoc, h: HostDoc, s: VSwitchDoc, vsById: ReadonlyMap<string, VSwitchRt>): void {
  const vs = vsById.get(`${h.name}:${s.name}`);
  if (!vs) return;
  const uplinks = s.uplinks.map((n) => f.byId.get(`${h.name}:${n}`)).filter((u): u is Iface => u !== undefined && u.kind === 'vmnic');
  for (const u of vs.uplinks) if (!uplinks.includes(u) && u.vs === vs) u.vs = null;
  for (const u of uplinks) u.vs = vs;
  vs.uplinks = uplinks;
  // by name, once: a find per port group was quadratic (4,094 port groups: seconds)
  const pgByName = new Map(vs.portGroups.map((x) => [x.name, x]));
  for (const g of s.portGroups) {
    const pg = pgByName.get(g.name);
    if (!pg) continue;
    const pol = policyValues(resolvePortGroupPolicy(doc.defaults, s.uplinks, s.policy, g.policy));
    pg.vlan = g.vlan;
    pg.promiscuous = pol.security.promiscuous === 'accept';
    pg.macChangesAccept = pol.security.macChanges === 'accept';
    pg.forgedAccept = pol.security.forgedTransmits === 'accept';
    syncTeaming(pg.teaming, pol.teaming, (names) => names.map((n) => f.byId.get(`${h.name}:${n}`)).filter((u): u is Iface => u !== undefined && u.vs === vs));
    const shaping = shapingOf(pol.shaping);
    if (!sameShaping(pg.shaping, shaping)) pg.shaping = shaping;
  }
}

/** The port groups of host `h` by name (a later one of a name wins, as the build numbers them). */
function portGroupsOf(h: HostDoc, vsById: ReadonlyMap<string, VSwitchRt>): Map<string, PortGroupRt> {
  const pgs = new Map<string, PortGroupRt>();
  for (const s of h.vswitches) {
    const vs = vsById.get(`${h.name}:${s.name}`);
    if (!vs) continue;
    const pgByName = new Map(vs.portGroups.map((x) => [x.name, x]));
    for (const g of s.portGroups) {
      const pg = pgByName.get(g.name);
      if (pg) pgs.set(g.name, pg);
    }
  }
  return pgs;
}

/** A VM's vNICs: placement (E3), connection and guest multicast filter (M1). */
function syncVm(f: Fabric, vm: VmDoc, pgs: ReadonlyMap<string, PortGroupRt> | undefined, out: SyncOutcome): void {
  for (const n of vm.nics) {
    const p = f.byId.get(`${vm.name}:${n.name}`);
    if (!p || p.kind !== 'vnic') continue;
    const target = pgs?.get(n.portGroup);
    if (target && p.pg !== target) {
      detach(p);
      attach(p, target);
      out.moved.push(p);
    }
    if (n.connected && !p.connected) out.connected.push(p);
    p.connected = n.connected;
    setFilterMacs(p, 'guest', parseGroupMacs(n.multicast ?? []));
  }
}

function refresh(f: Fabric, vs: VSwitchRt): void {
  refreshVSwitch(vs);
  for (const p of vs.ports) applyShaping(f, p, portAdmitted);
}

/**
 * The first sync of a fabric just built from `doc` (build.ts already set cable states, uplinks,
 * port group VLANs and policies, vNIC placement and connection, and refreshed every vSwitch):
 * what the build leaves to it — cable impairments, guest multicast filters (M1), shapers (Q1).
 * Does what syncFromDoc(f, doc) does on such a fabric, without resolving every port group's
 * policy twice (4,094 port groups: a third of the build); a test holds the two to the same state.
 * A document with a vmnic in two vSwitches (an error) takes the whole sync.
 */
export function syncBuilt(f: Fabric, doc: TopologyDoc): void {
  const claimed = new Set<Iface>();
  for (const vs of f.vswitches) {
    for (const u of vs.uplinks) {
      if (claimed.has(u)) {
        syncFromDoc(f, doc);
        return;
      }
      claimed.add(u);
    }
  }
  for (const l of doc.links) if (l.impairments !== undefined) syncCable(f, l);
  for (const vm of doc.vms) {
    for (const n of vm.nics) {
      const p = f.byId.get(`${vm.name}:${n.name}`);
      if (p && p.kind === 'vnic') setFilterMacs(p, 'guest', parseGroupMacs(n.multicast ?? []));
    }
  }
  for (const vs of f.vswitches) for (const p of vs.ports) applyShaping(f, p, portAdmitted);
}

/**
 * Applies `doc`'s configuration to the fabric; see the file comment. With a scope, only what it
 * names (the rest of the fabric already agrees with the document); the result is the same as of
 * a whole sync (the property test of runtime changes compares the two).
 */
export function syncFromDoc(f: Fabric, doc: TopologyDoc, scope?: SyncScope): SyncOutcome {
  const out: SyncOutcome = { moved: [], connected: [] };
  const vsById = vswitchesById(f);
  if (scope) {
    for (const l of scope.links) syncCable(f, l);
    for (const { host, vswitch } of scope.vswitches) syncVSwitch(f, doc, host, vswitch, vsById);
    for (const vm of scope.vms) {
      // the host of that name the build placed VMs on: the last one (pgByHost below)
      let h: HostDoc | undefined;
      for (const x of doc.hosts) if (x.name === vm.host) h = x;
      syncVm(f, vm, h && portGroupsOf(h, vsById), out);
    }
    const touched = new Set(scope.refresh);
    for (const vs of f.vswitches) if (touched.has(vs)) refresh(f, vs);
    return out;
  }
  for (const l of doc.links) syncCable(f, l);
  const pgByHost = new Map<string, Map<string, PortGroupRt>>();
  for (const h of doc.hosts) {
    for (const s of h.vswitches) syncVSwitch(f, doc, h, s, vsById);
    pgByHost.set(h.name, portGroupsOf(h, vsById));
  }
  for (const vm of doc.vms) syncVm(f, vm, pgByHost.get(vm.host), out);
  for (const vs of f.vswitches) refresh(f, vs);
  return out;
}
