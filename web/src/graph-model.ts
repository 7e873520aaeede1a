/**
 * Topology document -> Cytoscape elements, and the index the animation needs to find where an
 * interface is drawn. Pure (no DOM, no cytoscape): unit-tested in node.
 *
 * Compound nodes: host ⊃ vSwitch ⊃ (port groups, uplinks); host ⊃ (VMs, vmks); physical switch ⊃
 * ports. Edges: vNIC (VM -> port group), vmk -> port group, links (vmnic/port/physical NIC).
 *
 * Layout keys (the `layout.positions` of the file): VM and physical-host names (`web-01`),
 * interfaces (`esxi-01:vmk0`, `esxi-01:vmnic0`, `tor-1:eth1`) and port groups
 * (`esxi-01/VM Network`). When they place every leaf (as the UI saves them) the graph is drawn
 * exactly so; otherwise the tidy layout draws it. Host and physical switch names (`esxi-01`,
 * `tor-1`) are saved too (the centre of their box), for readers of the file; the boxes themselves
 * follow their contents. The "Force (fcose)" re-layout keeps leaves the file places fixed.
 */
import { impairmentWords } from './impairment-words.js';
import type { TopologyDoc } from './model.js';
import { vlanColour } from './vlan-colors.js';

export type GraphNodeKind = 'host' | 'vswitch' | 'portgroup' | 'vmnic' | 'vmk' | 'vm' | 'pswitch' | 'pport' | 'phost';
export type GraphEdgeKind = 'vnic' | 'vmk' | 'link';

export interface GraphNodeData {
  id: string;
  parent?: string;
  label: string;
  kind: GraphNodeKind;
  /** the topology object it shows: node name, `node:iface`, or `host/port group` */
  ref: string;
  /** layout key when the node is a leaf */
  layoutKey?: string;
  colour?: string;
  vlan?: number;
  /** interfaces drawn by this node */
  ifaces?: string[];
}

export interface GraphEdgeData {
  id: string;
  source: string;
  target: string;
  kind: GraphEdgeKind;
  label: string;
  colour?: string;
  /** link endpoints / the vNIC or vmk */
  ifaces: string[];
  up: boolean;
}

export interface GraphElement<D> {
  group: 'nodes' | 'edges';
  data: D;
  classes: string;
  position?: { x: number; y: number };
}

export interface GraphIndex {
  /** `node:iface` -> graph node where a frame there is drawn */
  ifaceNode: Map<string, string>;
  /** vNIC/vmk -> its port group node */
  ifacePortGroup: Map<string, string>;
  /** vNIC/vmk -> the edge to its port group */
  ifaceEdge: Map<string, string>;
  /** `host:vSwitchN` and `host/vSwitchN` -> vSwitch node; node names -> their node */
  placeNode: Map<string, string>;
  /** `a|b` (both orders) -> link edge id */
  linkEdge: Map<string, string>;
  /** graph node id -> interfaces it draws */
  nodeIfaces: Map<string, string[]>;
  /** VLAN IDs in use by port groups, sorted */
  vlans: number[];
}

export interface GraphModel {
  nodes: GraphElement<GraphNodeData>[];
  edges: GraphElement<GraphEdgeData>[];
  index: GraphIndex;
}

const ip = (cidr: string | undefined): string => (cidr ? cidr.split('/')[0]! : '');

function vlanText(v: number): string {
  return v === 0 ? 'untagged' : v === 4095 ? 'VLAN 4095 trunk' : `VLAN ${v}`;
}

export function buildGraph(t: TopologyDoc): GraphModel {
  const nodes: GraphElement<GraphNodeData>[] = [];
  const edges: GraphElement<GraphEdgeData>[] = [];
  const index: GraphIndex = {
    ifaceNode: new Map(),
    ifacePortGroup: new Map(),
    ifaceEdge: new Map(),
    placeNode: new Map(),
    linkEdge: new Map(),
    nodeIfaces: new Map(),
    vlans: [],
  };
  const positions = t.layout?.positions ?? {};
  const vlans = new Set<number>();

  const addNode = (data: GraphNodeData, classes: string): void => {
    const el: GraphElement<GraphNodeData> = { group: 'nodes', data, classes };
    const pos = data.layoutKey !== undefined ? positions[data.layoutKey] : undefined;
    if (pos) el.position = { x: pos.x, y: pos.y };
    nodes.push(el);
  };
  const bindIface = (iface: string, nodeId: string): void => {
    index.ifaceNode.set(iface, nodeId);
    const l = index.nodeIfaces.get(nodeId);
    if (l) l.push(iface);
    else index.nodeIfaces.set(nodeId, [iface]);
  };

  const hostNames = new Set(t.hosts.map((h) => h.name));
  const pgNode = new Map<string, string>();
  const pgVlan = new Map<string, number>();

  for (const h of t.hosts) {
    const hid = `h:${h.name}`;
    addNode({ id: hid, label: h.name, kind: 'host', ref: h.name, layoutKey: h.name }, 'host');
    index.placeNode.set(h.name, hid);
    const uplinkOf = new Map<string, string>();
    for (const vs of h.vswitches) {
      const vid = `vs:${h.name}/${vs.name}`;
      addNode({ id: vid, parent: hid, label: `${vs.name}${vs.mtu !== 1500 ? ` · MTU ${vs.mtu}` : ''}`, kind: 'vswitch', ref: `${h.name}/${vs.name}` }, 'vswitch');
      index.placeNode.set(`${h.name}:${vs.name}`, vid);
      index.placeNode.set(`${h.name}/${vs.name}`, vid);
      for (const pg of vs.portGroups) {
        const pid = `pg:${h.name}/${pg.name}`;
        vlans.add(pg.vlan);
        const key = `${h.name}/${pg.name}`;
        addNode(
          { id: pid, parent: vid, label: `${pg.name}\n${vlanText(pg.vlan)}`, kind: 'portgroup', ref: key, layoutKey: key, colour: vlanColour(pg.vlan), vlan: pg.vlan },
          pg.vlan === 4095 ? 'portgroup trunk' : 'portgroup',
        );
        pgNode.set(key, pid);
        pgVlan.set(pid, pg.vlan);
        index.placeNode.set(`${h.name}:${pg.name}`, pid);
      }
      for (const u of vs.uplinks) uplinkOf.set(u, vid);
    }
    for (const nic of h.nics) {
      const ref = `${h.name}:${nic.name}`;
      const id = `if:${ref}`;
      const parent = uplinkOf.get(nic.name) ?? hid;
      addNode({ id, parent, label: nic.name, kind: 'vmnic', ref, layoutKey: ref, ifaces: [ref] }, uplinkOf.has(nic.name) ? 'vmnic' : 'vmnic unused');
      bindIface(ref, id);
    }
    for (const vmk of h.vmkernel) {
      const ref = `${h.name}:${vmk.name}`;
      const id = `if:${ref}`;
      addNode({ id, parent: hid, label: `${vmk.name}${vmk.ipv4 ? `\n${ip(vmk.ipv4)}` : ''}`, kind: 'vmk', ref, layoutKey: ref, ifaces: [ref] }, 'vmk');
      bindIface(ref, id);
      const pid = pgNode.get(`${h.name}/${vmk.portGroup}`);
      if (pid) {
        const eid = `vmk:${ref}`;
        const vlan = pgVlan.get(pid);
        edges.push({ group: 'edges', data: { id: eid, source: id, target: pid, kind: 'vmk', label: '', colour: vlanColour(vlan), ifaces: [ref], up: true }, classes: 'vmk-edge' });
        index.ifacePortGroup.set(ref, pid);
        index.ifaceEdge.set(ref, eid);
      }
    }
  }

  for (const vm of t.vms) {
    const id = `vm:${vm.name}`;
    const parent = hostNames.has(vm.host) ? `h:${vm.host}` : undefined;
    const ips = vm.nics.map((n) => ip(n.ipv4)).filter((s) => s !== '');
    const data: GraphNodeData = { id, label: `${vm.name}${ips.length ? `\n${ips.join(', ')}` : ''}`, kind: 'vm', ref: vm.name, layoutKey: vm.name, ifaces: [] };
    if (parent) data.parent = parent;
    addNode(data, 'vm');
    index.placeNode.set(vm.name, id);
    for (const nic of vm.nics) {
      const ref = `${vm.name}:${nic.name}`;
      bindIface(ref, id);
      data.ifaces!.push(ref);
      const pid = pgNode.get(`${vm.host}/${nic.portGroup}`);
      if (!pid) continue;
      const eid = `nic:${ref}`;
      const vlan = pgVlan.get(pid);
      edges.push({
        group: 'edges',
        data: { id: eid, source: id, target: pid, kind: 'vnic', label: vm.nics.length > 1 ? nic.name : '', colour: vlanColour(vlan), ifaces: [ref], up: nic.connected },
        classes: nic.connected ? 'vnic-edge' : 'vnic-edge down',
      });
      index.ifacePortGroup.set(ref, pid);
      index.ifaceEdge.set(ref, eid);
    }
  }

  for (const s of t.physicalSwitches) {
    const sid = `ps:${s.name}`;
    addNode({ id: sid, label: s.name, kind: 'pswitch', ref: s.name, layoutKey: s.name }, 'pswitch');
    index.placeNode.set(s.name, sid);
    for (const p of s.ports) {
      const ref = `${s.name}:${p.name}`;
      const id = `if:${ref}`;
      const mode = p.mode === 'access' ? `access ${p.vlan}` : `trunk${p.allowedVlans === 'all' ? '' : ` ${p.allowedVlans.join(',')}`}`;
      addNode({ id, parent: sid, label: `${p.name}\n${mode}`, kind: 'pport', ref, layoutKey: ref, ifaces: [ref] }, `pport ${p.mode}`);
      bindIface(ref, id);
    }
  }

  for (const ph of t.physicalHosts) {
    const id = `ph:${ph.name}`;
    const ips = ph.nics.map((n) => ip(n.ipv4)).filter((s) => s !== '');
    addNode({ id, label: `${ph.name}${ips.length ? `\n${ips.join(', ')}` : ''}`, kind: 'phost', ref: ph.name, layoutKey: ph.name, ifaces: ph.nics.map((n) => `${ph.name}:${n.name}`) }, 'phost');
    index.placeNode.set(ph.name, id);
    for (const n of ph.nics) bindIface(`${ph.name}:${n.name}`, id);
  }

  t.links.forEach((l, i) => {
    const a = index.ifaceNode.get(l.a);
    const b = index.ifaceNode.get(l.b);
    if (!a || !b) return;
    const id = `link:${i}:${l.a}|${l.b}`;
    const label = [l.a, l.b].filter((r) => index.nodeIfaces.get(index.ifaceNode.get(r)!)!.length > 1).map((r) => r.split(':')[1]).join(' — ');
    const faults = impairmentWords(l.impairments);
    const text = faults ? (label ? `${label}\n⚠ ${faults}` : `⚠ ${faults}`) : label;
    edges.push({ group: 'edges', data: { id, source: a, target: b, kind: 'link', label: text, ifaces: [l.a, l.b], up: l.up }, classes: `${l.up ? 'link' : 'link down'}${faults ? ' impaired' : ''}` });
    index.linkEdge.set(`${l.a}|${l.b}`, id);
    index.linkEdge.set(`${l.b}|${l.a}`, id);
  });

  index.vlans = [...vlans].sort((x, y) => x - y);
  return { nodes, edges, index };
}

/** Positions of the leaves, keyed as `layout.positions` wants them. */
export function layoutPositions(
  nodes: ReadonlyArray<{ layoutKey?: string | undefined; x: number; y: number }>,
): Record<string, { x: number; y: number }> {
  const out: Record<string, { x: number; y: number }> = {};
  for (const n of nodes) if (n.layoutKey !== undefined) out[n.layoutKey] = { x: Math.round(n.x), y: Math.round(n.y) };
  return out;
}
