/**
 * Small topologies and helpers for engine rule tests. Topologies are written as TopologyInput
 * and parsed by the schema (defaults applied), the way the loader hands them to the engine.
 * Stacks are recording stacks: they store every frame delivered to them and never answer.
 */
import { Topology, type TopologyDoc, type TopologyInput } from '../../src/topology/schema.js';
import { buildEthernet, readTags } from '../../src/wire/index.js';
import type { EndpointStack, EndpointStackFactory } from '../../src/engine/endpoint.js';
import { createLab, type Lab, type LabOptions } from '../../src/engine/lab.js';
import type { TraceEvent } from '../../src/engine/trace.js';

type HostIn = NonNullable<TopologyInput['hosts']>[number];
type VSwitchIn = NonNullable<HostIn['vswitches']>[number];
type PortGroupIn = NonNullable<VSwitchIn['portGroups']>[number];
type PolicyIn = NonNullable<VSwitchIn['policy']>;
type SwitchIn = NonNullable<TopologyInput['physicalSwitches']>[number];
type SwitchPortIn = SwitchIn['ports'][number];

export const BCAST = 'ff:ff:ff:ff:ff:ff';

/** MAC of VM number n (1-based): 00:50:56:aa:00:0n */
export function vmMac(n: number): string {
  return `00:50:56:aa:00:${n.toString(16).padStart(2, '0')}`;
}

export interface HostSpec {
  name?: string;
  /** number of vmnics (all uplinks of vSwitch0), default 1 */
  uplinks?: number;
  portGroups: PortGroupIn[];
  policy?: PolicyIn;
  mtu?: number;
  rpfPromisc?: boolean;
  vmkernel?: HostIn['vmkernel'];
}

/** An ESXi host with one vSwitch0 whose uplinks are vmnic0..n-1. vmnic MACs: 00:1b:21:<host>:00:<n>. */
export function host(spec: HostSpec, hostIndex = 1): HostIn {
  const n = spec.uplinks ?? 1;
  const name = spec.name ?? `esxi-0${hostIndex}`;
  const nics = Array.from({ length: n }, (_, i) => ({ name: `vmnic${i}`, mac: `00:1b:21:0${hostIndex}:00:0${i}` }));
  return {
    name,
    nics,
    vswitches: [{ name: 'vSwitch0', mtu: spec.mtu, uplinks: nics.map((x) => x.name), policy: spec.policy, portGroups: spec.portGroups }],
    vmkernel: spec.vmkernel ?? [],
    settings: spec.rpfPromisc !== undefined ? { reversePathFwdCheckPromisc: spec.rpfPromisc } : undefined,
  };
}

/** A VM with one vNIC eth0. */
export function vm(name: string, portGroup: string, mac: string, hostName = 'esxi-01', extra: Record<string, unknown> = {}) {
  return { name, host: hostName, nics: [{ name: 'eth0', portGroup, mac, ...extra }] };
}

export function trunk(name: string, extra: Partial<Extract<SwitchPortIn, { mode: 'trunk' }>> = {}): SwitchPortIn {
  return { name, mode: 'trunk', ...extra };
}

export function access(name: string, vlan: number): SwitchPortIn {
  return { name, mode: 'access', vlan };
}

export function topology(input: Omit<TopologyInput, 'version' | 'name'> & { name?: string }): TopologyDoc {
  return Topology.parse({ version: 1, name: 'test', ...input });
}

/** A recording stack factory: frames delivered per endpoint id. */
export function recorder() {
  const got = new Map<string, Uint8Array[]>();
  const factory: EndpointStackFactory = (config) => {
    const list: Uint8Array[] = [];
    got.set(config.id, list);
    const stack: EndpointStack = {
      receive: (frame) => {
        list.push(frame);
      },
      ping: (_o, onDone) => onDone({ transmitted: 0, received: 0, replies: [], errors: ['recording stack'], done: true }),
      arpCache: () => [],
    };
    return stack;
  };
  return {
    factory,
    got,
    /** frames delivered to `id` */
    frames: (id: string) => got.get(id) ?? [],
    /** endpoint ids that received at least one frame */
    receivers: () => [...got.entries()].filter(([, l]) => l.length > 0).map(([id]) => id).sort(),
    clear: () => {
      for (const l of got.values()) l.length = 0;
    },
  };
}

export interface TestLab {
  lab: Lab;
  rec: ReturnType<typeof recorder>;
  events: TraceEvent[];
  /** inject and run until idle; returns the frame id */
  send: (iface: string, frame: Uint8Array) => number;
  drops: (reason?: string) => TraceEvent[];
  delivers: () => TraceEvent[];
}

export function makeLab(topo: TopologyDoc, options: LabOptions = {}): TestLab {
  const rec = recorder();
  const lab = createLab(topo, { stackFactory: rec.factory, ...options });
  const events: TraceEvent[] = [];
  lab.trace.subscribe((e) => events.push(e));
  return {
    lab,
    rec,
    events,
    send: (iface, frame) => {
      const id = lab.inject(iface, frame);
      lab.run();
      return id;
    },
    drops: (reason) => events.filter((e) => e.action === 'drop' && (reason === undefined || e.reason === reason)),
    delivers: () => events.filter((e) => e.action === 'deliver'),
  };
}

/** A plain Ethernet frame (ethertype 0x88b5, local experimental) with optional tags. */
export function frame(src: string, dst: string, vlan?: number | number[], payloadLength = 46, pcp?: number): Uint8Array {
  return buildEthernet({ src, dst, ethertype: 0x88b5, payload: new Uint8Array(payloadLength), vlan, pcp });
}

/** VLAN IDs of a frame's tags, outer first. */
export function vids(f: Uint8Array): number[] {
  return readTags(f).map((t) => t.vid);
}

/** Conservation check over trace events: every copy ends in exactly one deliver or drop, or has children. */
export function conservationViolations(events: TraceEvent[]): string[] {
  const ends = new Map<string, number>();
  const hasChildren = new Set<string>();
  const seen = new Set<string>();
  for (const e of events) {
    if (e.copyId === 0) continue; // endpoint notes outside a frame
    const k = `${e.frameId}/${e.copyId}`;
    seen.add(k);
    if (e.parentCopyId !== 0) hasChildren.add(`${e.frameId}/${e.parentCopyId}`);
    if (e.action === 'deliver' || e.action === 'drop') ends.set(k, (ends.get(k) ?? 0) + 1);
  }
  const bad: string[] = [];
  for (const k of seen) {
    const n = (ends.get(k) ?? 0) + (hasChildren.has(k) ? 1 : 0);
    if (n !== 1) bad.push(`${k}: ${ends.get(k) ?? 0} ends, children: ${hasChildren.has(k)}`);
  }
  return bad;
}

/** MAC of the physical host ph1's NIC. */
export const PH1 = '00:aa:bb:00:00:01';

/**
 * The standard single-host lab: esxi-01 with vSwitch0 (uplinks vmnic0..), port groups
 * VM-10 (10), VM-10b (10), VM-20 (20), EST (0), Trunk (4095); VMs a (VM-10), b (VM-10b),
 * c (VM-20), e (EST), t (Trunk) with MACs vmMac(1..5); tor-1 trunks eth0.. linked to the vmnics,
 * and eth9 access VLAN 10 linked to physical host ph1:eth0.
 */
export function standardTopology(
  o: { uplinks?: number; extraPortGroups?: PortGroupIn[]; extraVms?: ReturnType<typeof vm>[]; policy?: PolicyIn; mtu?: number; rpfPromisc?: boolean; ph1Port?: SwitchPortIn } = {},
): TopologyDoc {
  const n = o.uplinks ?? 1;
  return topology({
    hosts: [
      host({
        uplinks: n,
        policy: o.policy,
        mtu: o.mtu,
        rpfPromisc: o.rpfPromisc,
        portGroups: [
          { name: 'VM-10', vlan: 10 },
          { name: 'VM-10b', vlan: 10 },
          { name: 'VM-20', vlan: 20 },
          { name: 'EST', vlan: 0 },
          { name: 'Trunk', vlan: 4095 },
          ...(o.extraPortGroups ?? []),
        ],
      }),
    ],
    vms: [vm('a', 'VM-10', vmMac(1)), vm('b', 'VM-10b', vmMac(2)), vm('c', 'VM-20', vmMac(3)), vm('e', 'EST', vmMac(4)), vm('t', 'Trunk', vmMac(5)), ...(o.extraVms ?? [])],
    physicalSwitches: [{ name: 'tor-1', ports: [...Array.from({ length: n }, (_, i) => trunk(`eth${i}`)), o.ph1Port ?? access('eth9', 10)] }],
    physicalHosts: [{ name: 'ph1', nics: [{ name: 'eth0', mac: PH1 }] }],
    links: [...Array.from({ length: n }, (_, i) => ({ a: `esxi-01:vmnic${i}`, b: `tor-1:eth${i}` })), { a: 'ph1:eth0', b: `tor-1:${o.ph1Port?.name ?? 'eth9'}` }],
  });
}

/** Events with a capture point at `port` (e.g. UplinkSnd copies). */
export function atPoint(events: TraceEvent[], point: string, port?: string): TraceEvent[] {
  return events.filter((e) => e.point === point && (port === undefined || e.port === port));
}
