/**
 * Builds the runtime objects of a lab from a validated topology (references are assumed valid:
 * the loader checks them). Interfaces are numbered in a fixed order — per host its vmnics then
 * its vmks, then the VMs' vNICs, then physical switch ports, then physical host NICs — so a
 * topology always builds the same lab.
 *
 * Virtual port IDs (T2) are numbered per vSwitch: the host's vmks first, then VM vNICs, each in
 * topology order.
 */
import { macToNumber, parseIpv4Cidr, parseIpv6Cidr, parseMac } from '../wire/index.js';
import { policyValues, resolvePortGroupPolicy } from '../topology/policy.js';
import type { SwitchPortDoc, TopologyDoc, VlanList } from '../topology/schema.js';
import type { z } from 'zod';
import type { EndpointConfig, EndpointL3, EndpointNoteAction, EndpointPort, EndpointStackFactory } from './endpoint.js';
import { Fabric, type Handlers } from './fabric.js';
import { LabError } from './lab-error.js';
import { MacIndex } from './mac-index.js';
import { MacTable } from './mac-table.js';
import {
  DETECT_BEACON,
  DETECT_LINK,
  LB_FAILOVER,
  LB_IPHASH,
  LB_SRCID,
  LB_SRCMAC,
  MODE_ACCESS,
  MODE_TRUNK,
  type HostRt,
  type Iface,
  type InterfaceKind,
  type PhysSwitchRt,
  type PortGroupRt,
  type VSwitchRt,
} from './model.js';
import { refreshVSwitch } from './vswitch-state.js';
import { shapingOf } from './runtime-config.js';
import { setStackGroups } from './multicast-filter.js';
import type { RuleId } from './rules.js';

const EMPTY_MAC_INDEX = new MacIndex<Iface[]>([], 0);

const LB = { srcid: LB_SRCID, srcmac: LB_SRCMAC, iphash: LB_IPHASH, failover: LB_FAILOVER } as const;

function newIface(idx: number, node: string, name: string, kind: InterfaceKind): Iface {
  return {
    idx,
    id: `${node}:${name}`,
    node,
    name,
    kind,
    peer: null,
    linkUp: false,
    impair: null,
    host: null,
    vs: null,
    pg: null,
    portId: -1,
    initialMac: 0,
    effMac: 0,
    effMacBytes: new Uint8Array(6),
    connected: true,
    mtu: 0,
    stack: null,
    pinned: null,
    shaper: null,
    mcast: null,
    sw: null,
    swMode: MODE_ACCESS,
    swVlan: -1,
    swNativeTagged: false,
    swAllowed: null,
    channel: null,
  };
}

function setMac(i: Iface, text: string): void {
  const b = parseMac(text);
  if (!b) throw new LabError(`${i.id}: "${text}" is not a MAC address`);
  i.effMacBytes = b;
  i.initialMac = i.effMac = macToNumber(b, 0);
}

/** "all" -> null; a list of VLANs and "a-b" ranges -> a 4096-entry membership array. */
export function vlanListToSet(list: z.output<typeof VlanList>): Uint8Array | null {
  if (list === 'all') return null;
  const set = new Uint8Array(4096);
  for (const item of list) {
    if (typeof item === 'number') set[item] = 1;
    else {
      const [a, b] = item.split('-').map(Number) as [number, number];
      for (let v = Math.max(1, Math.min(a, b)); v <= Math.min(4094, Math.max(a, b)); v++) set[v] = 1;
    }
  }
  return set;
}

function applySwitchPort(i: Iface, doc: SwitchPortDoc): void {
  if (doc.mode === 'access') {
    i.swMode = MODE_ACCESS;
    i.swVlan = doc.vlan;
  } else {
    i.swMode = MODE_TRUNK;
    i.swVlan = doc.nativeVlan ?? -1;
    i.swNativeTagged = doc.nativeTagged;
    i.swAllowed = vlanListToSet(doc.allowedVlans);
  }
}

/** An `ipv6` list of the topology (E4): undefined keeps IPv6 off on that interface. */
function ipv6Of(list: readonly string[] | undefined): EndpointL3['ipv6'] {
  if (list === undefined) return undefined;
  const out: NonNullable<EndpointL3['ipv6']> = [];
  for (const text of list) {
    const p = parseIpv6Cidr(text);
    if (p) out.push({ address: p.address, prefix: p.prefix });
  }
  return out;
}

function ipv4Of(text: string | undefined): EndpointL3['ipv4'] {
  if (!text) return undefined;
  const p = parseIpv4Cidr(text);
  return p ? { address: p.address, prefix: p.prefix } : undefined;
}

export interface BuildOptions {
  stackFactory: EndpointStackFactory;
  latencyNs: number;
  handlers: Handlers;
}

export function buildFabric(topo: TopologyDoc, opts: BuildOptions): Fabric {
  const ifaces: Iface[] = [];
  const add = (node: string, name: string, kind: InterfaceKind) => {
    const i = newIface(ifaces.length, node, name, kind);
    ifaces.push(i);
    return i;
  };
  const endpoints: { iface: Iface; config: EndpointConfig }[] = [];
  const arpTimeoutNs = (topo.defaults?.arpCacheTimeoutSeconds ?? 1200) * 1e9;
  const vswitches: VSwitchRt[] = [];
  const pgByHost = new Map<string, Map<string, PortGroupRt>>();

  for (const h of topo.hosts) {
    const host: HostRt = { name: h.name, rpfPromisc: h.settings?.reversePathFwdCheckPromisc ?? false, vswitches: [] };
    const nics = new Map<string, Iface>();
    for (const n of h.nics) {
      const u = add(h.name, n.name, 'vmnic');
      u.host = host;
      setMac(u, n.mac);
      nics.set(n.name, u);
    }
    const pgs = new Map<string, PortGroupRt>();
    pgByHost.set(h.name, pgs);
    for (const s of h.vswitches) {
      const vs: VSwitchRt = {
        id: `${h.name}:${s.name}`,
        name: s.name,
        host,
        mtu: s.mtu,
        uplinks: s.uplinks.map((n) => nics.get(n)).filter((u): u is Iface => u !== undefined),
        portGroups: [],
        ports: [],
        macIndex: EMPTY_MAC_INDEX,
        members: new Map(),
        vgtMembers: [],
        promiscMembers: new Map(),
        promiscVgt: [],
        promiscCount: 0,
        beaconFailed: new Set(),
        beaconShotgun: [],
        configEpoch: 0,
      };
      for (const u of vs.uplinks) u.vs = vs;
      for (const g of s.portGroups) {
        const pol = policyValues(resolvePortGroupPolicy(topo.defaults, s.uplinks, s.policy, g.policy));
        const pick = (names: string[]) => names.map((n) => nics.get(n)).filter((u): u is Iface => u !== undefined && u.vs === vs);
        const pg: PortGroupRt = {
          name: g.name,
          vlan: g.vlan,
          vs,
          promiscuous: pol.security.promiscuous === 'accept',
          macChangesAccept: pol.security.macChanges === 'accept',
          forgedAccept: pol.security.forgedTransmits === 'accept',
          teaming: {
            lb: LB[pol.teaming.loadBalancing],
            active: pick(pol.teaming.active),
            standby: pick(pol.teaming.standby),
            inUse: [],
            usableStandby: [],
            detection: pol.teaming.failureDetection === 'beacon' ? DETECT_BEACON : DETECT_LINK,
            notify: pol.teaming.notifySwitches,
            failback: pol.teaming.failback,
            lastUsable: null,
          },
          shaping: shapingOf(pol.shaping),
          ports: [],
        };
        vs.portGroups.push(pg);
        pgs.set(g.name, pg);
      }
      host.vswitches.push(vs);
      vswitches.push(vs);
    }
    for (const k of h.vmkernel) {
      const v = add(h.name, k.name, 'vmk');
      setMac(v, k.mac);
      v.host = host;
      v.mtu = k.mtu;
      attachPort(v, pgs.get(k.portGroup));
      const ipv4 = ipv4Of(k.ipv4);
      const ipv6 = ipv6Of(k.ipv6);
      endpoints.push({
        iface: v,
        config: { id: v.id, kind: 'vmk', mtu: k.mtu, interfaces: ipv4 || ipv6 ? [{ ipv4, ipv6 }] : [], gateway: ipv4Of(k.gateway)?.address, arpTimeoutNs },
      });
    }
  }

  for (const vm of topo.vms) {
    const pgs = pgByHost.get(vm.host);
    for (const n of vm.nics) {
      const v = add(vm.name, n.name, 'vnic');
      setMac(v, n.mac);
      v.mtu = n.mtu;
      v.connected = n.connected;
      const pg = pgs?.get(n.portGroup);
      if (pg) v.host = pg.vs.host;
      attachPort(v, pg);
      const l3: EndpointL3[] = [];
      const ipv4 = ipv4Of(n.ipv4);
      const ipv6 = ipv6Of(n.ipv6);
      if (ipv4 || ipv6) l3.push({ ipv4, ipv6 });
      for (const sub of n.vlans ?? []) l3.push({ vlan: sub.vlan, ipv4: ipv4Of(sub.ipv4), ipv6: ipv6Of(sub.ipv6) });
      endpoints.push({ iface: v, config: { id: v.id, kind: 'vnic', mtu: n.mtu, interfaces: l3, gateway: ipv4Of(n.gateway)?.address, arpTimeoutNs } });
    }
  }

  const switches: PhysSwitchRt[] = [];
  for (const s of topo.physicalSwitches) {
    const sw: PhysSwitchRt = { name: s.name, ports: [], table: new MacTable(s.macAgingSeconds * 1e9, s.macTableSize), floodCache: new Map() };
    for (const p of s.ports) {
      const i = add(s.name, p.name, 'switch-port');
      i.sw = sw;
      applySwitchPort(i, p);
      sw.ports.push(i);
    }
    switches.push(sw);
  }

  for (const ph of topo.physicalHosts) {
    for (const n of ph.nics) {
      const i = add(ph.name, n.name, 'physical-nic');
      setMac(i, n.mac);
      i.mtu = n.mtu;
      const ipv4 = ipv4Of(n.ipv4);
      const ipv6 = ipv6Of(n.ipv6);
      const l3: EndpointL3[] = ipv4 || ipv6 || n.vlan !== undefined ? [{ vlan: n.vlan, ipv4, ipv6 }] : [];
      endpoints.push({ iface: i, config: { id: i.id, kind: 'physical-nic', mtu: n.mtu, interfaces: l3, gateway: ipv4Of(n.gateway)?.address, arpTimeoutNs } });
    }
  }

  const fab = new Fabric(ifaces, opts.latencyNs, opts.handlers);
  fab.vswitches = vswitches;
  fab.switches = switches;

  for (const l of topo.links) {
    const a = fab.byId.get(l.a);
    const b = fab.byId.get(l.b);
    if (!a || !b) continue; // the loader reports dangling references
    a.peer = b;
    b.peer = a;
    a.linkUp = b.linkUp = l.up;
  }

  for (const vs of vswitches) refreshVSwitch(vs);

  for (const { iface, config } of endpoints) iface.stack = opts.stackFactory(config, new FabricPort(fab, iface));
  return fab;
}

/**
 * The EndpointPort of one endpoint: a class, so that every stack's calls into its port (per
 * received frame: effectiveMac, tracing) see one object shape, whatever the number of endpoints.
 */
class FabricPort implements EndpointPort {
  readonly id: string;

  constructor(
    private readonly fab: Fabric,
    private readonly iface: Iface,
  ) {
    this.id = iface.id;
  }

  now(): number {
    return this.fab.now;
  }

  effectiveMac(): Uint8Array {
    return this.iface.effMacBytes;
  }

  transmit(frame: Uint8Array): void {
    this.fab.scheduleSend(this.iface, frame);
  }

  setTimer(delayNs: number, fn: () => void): void {
    this.fab.scheduleTimer(delayNs, fn);
  }

  note(action: EndpointNoteAction, rule: RuleId, detail: string): void {
    this.fab.note(this.iface, action, rule, detail);
  }

  get tracing(): boolean {
    return this.fab.tracing && !this.fab.dry;
  }

  frameId(): number {
    return this.fab.curFrameId;
  }

  setMulticastGroups(macs: readonly Uint8Array[]): void {
    if (this.iface.kind !== 'vnic' && this.iface.kind !== 'vmk') return;
    setStackGroups(this.iface, macs.map((m) => macToNumber(m, 0)));
  }
}

function attachPort(p: Iface, pg: PortGroupRt | undefined): void {
  if (!pg) return; // the loader reports unknown port groups
  p.pg = pg;
  p.vs = pg.vs;
  p.portId = pg.vs.ports.length;
  pg.vs.ports.push(p);
  pg.ports.push(p);
}
