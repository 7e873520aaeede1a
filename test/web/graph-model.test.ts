import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Topology } from '../../src/topology/schema.js';
import { buildGraph, layoutPositions } from '../../web/src/graph-model.js';
import { tidyLayout } from '../../web/src/tidy-layout.js';
import { vlanColour } from '../../web/src/vlan-colors.js';
import { generatedTopology } from './generated-topology.js';
import { ROOT } from './lab-server.js';

const example = (name: string) => Topology.parse(JSON.parse(readFileSync(path.join(ROOT, 'topologies', `${name}.json`), 'utf8')));

describe('graph model (topology -> cytoscape elements)', () => {
  it('nests port groups in vSwitches in hosts, VMs in their host, ports in their switch', () => {
    const g = buildGraph(example('default'));
    const parent = new Map(g.nodes.map((n) => [n.data.id, n.data.parent]));
    expect(parent.get('pg:esxi-01/VM Network')).toBe('vs:esxi-01/vSwitch0');
    expect(parent.get('vs:esxi-01/vSwitch0')).toBe('h:esxi-01');
    expect(parent.get('vm:web-01')).toBe('h:esxi-01');
    expect(parent.get('if:esxi-01:vmnic0')).toBe('vs:esxi-01/vSwitch0');
    expect(parent.get('if:tor-1:eth1')).toBe('ps:tor-1');
    expect(parent.get('ph:laptop')).toBeUndefined();
  });

  it('indexes where each interface is drawn and which port group a vNIC passes through', () => {
    const { index } = buildGraph(example('default'));
    expect(index.ifaceNode.get('web-01:eth0')).toBe('vm:web-01');
    expect(index.ifaceNode.get('esxi-01:vmk0')).toBe('if:esxi-01:vmk0');
    expect(index.ifaceNode.get('laptop:eth0')).toBe('ph:laptop');
    expect(index.ifacePortGroup.get('web-01:eth0')).toBe('pg:esxi-01/VM Network');
    expect(index.placeNode.get('esxi-01:vSwitch0')).toBe('vs:esxi-01/vSwitch0');
    expect(index.linkEdge.get('tor-1:eth1|esxi-01:vmnic0')).toBe(index.linkEdge.get('esxi-01:vmnic0|tor-1:eth1'));
  });

  it('colours port groups and vNIC edges by VLAN; a down link is classed "down"', () => {
    const t = example('vlans');
    t.links[0]!.up = false;
    const g = buildGraph(t);
    for (const n of g.nodes.filter((x) => x.data.kind === 'portgroup')) expect(n.data.colour).toBe(vlanColour(n.data.vlan));
    const e = g.edges.find((x) => x.data.kind === 'link' && x.data.ifaces.includes(t.links[0]!.a))!;
    expect(e.classes).toContain('down');
    expect(e.data.up).toBe(false);
    expect(g.index.vlans.length).toBeGreaterThan(1);
  });

  it('keys positions for layout.positions (leaves, rounded)', () => {
    expect(layoutPositions([{ layoutKey: 'web-01', x: 10.4, y: 20.6 }, { x: 1, y: 2 }])).toEqual({ 'web-01': { x: 10, y: 21 } });
    const g = buildGraph({ ...example('default'), layout: { positions: { 'web-01': { x: 5, y: 6 } } } });
    expect(g.nodes.find((n) => n.data.id === 'vm:web-01')!.position).toEqual({ x: 5, y: 6 });
  });
});

describe('tidy layout', () => {
  it('places every leaf, VMs above their port group above the uplinks above the switch ports', () => {
    for (const name of ['default', 'vlans', 'security', 'teaming', 'multi-host', 'jumbo']) {
      const t = example(name);
      const g = buildGraph(t);
      const pos = tidyLayout(t);
      const parents = new Set(g.nodes.map((n) => n.data.parent).filter(Boolean));
      for (const n of g.nodes) if (!parents.has(n.data.id)) expect(pos.has(n.data.id), `${name}: ${n.data.id}`).toBe(true);
      for (const vm of t.vms) {
        const pg = g.index.ifacePortGroup.get(`${vm.name}:${vm.nics[0]!.name}`)!;
        expect(pos.get(`vm:${vm.name}`)!.y, `${name}: ${vm.name}`).toBeLessThan(pos.get(pg)!.y);
      }
      for (const l of t.links) {
        const [a, b] = [l.a, l.b].map((r) => pos.get(g.index.ifaceNode.get(r)!)!);
        const aHost = t.hosts.some((h) => l.a.startsWith(`${h.name}:`));
        const bSwitch = t.physicalSwitches.some((s) => l.b.startsWith(`${s.name}:`));
        if (aHost && bSwitch) expect(a!.y, `${name}: ${l.a} above ${l.b}`).toBeLessThan(b!.y);
      }
    }
  });

  it('is deterministic and no two leaves share a spot, even for a 2,000-node topology', () => {
    const t = Topology.parse(generatedTopology(70, 20));
    const a = tidyLayout(t);
    expect([...tidyLayout(t)]).toEqual([...a]);
    const spots = new Set([...a.values()].map((p) => `${Math.round(p.x)},${Math.round(p.y)}`));
    expect(spots.size).toBe(a.size);
    expect(a.size).toBeGreaterThan(2000);
    // roughly as wide as tall: rows of hosts, not one long line
    const xs = [...a.values()].map((p) => p.x);
    const ys = [...a.values()].map((p) => p.y);
    const ratio = (Math.max(...xs) - Math.min(...xs)) / (Math.max(...ys) - Math.min(...ys));
    expect(ratio).toBeGreaterThan(0.3);
    expect(ratio).toBeLessThan(4);
  });
});
