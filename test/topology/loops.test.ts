/**
 * Physical loops and parallel links are warnings that name the loop (issue 17, item 2): the
 * topology stays valid (a loop is legal, and a lesson), but `validate` says where the storm will
 * come from. EtherChannel bundles (P4) are one logical link, not parallel links.
 */
import { describe, expect, it } from 'vitest';
import { MAX_NAMED_LOOPS } from '../../src/topology/loops.js';
import { validateTopology } from '../../src/topology/load.js';
import { example, expectWarning, load, type Doc } from './helpers.js';

const trunk = (name: string, extra: Record<string, unknown> = {}) => ({ name, mode: 'trunk', ...extra });

/** default.json plus physical switches `sw-1..sw-n`, each with ports eth1..eth4 (trunks). */
function withSwitches(n: number): Doc {
  const d = example();
  for (let i = 1; i <= n; i++) d.physicalSwitches.push({ name: `sw-${i}`, ports: [1, 2, 3, 4].map((p) => trunk(`eth${p}`)) });
  return d;
}

const codes = (d: Doc) => {
  const { result } = load(d);
  expect(result.ok ? [] : result.errors).toEqual([]);
  return result.warnings.map((w) => w.code).filter((c) => c === 'physical-loop' || c === 'parallel-links');
};

describe('physical loops', () => {
  it('a ring of three switches: one warning that names the switches and the ports of each hop', () => {
    const d = withSwitches(3);
    d.links.push({ a: 'sw-1:eth1', b: 'sw-2:eth1' }, { a: 'sw-2:eth2', b: 'sw-3:eth1' }, { a: 'sw-3:eth2', b: 'sw-1:eth2' });
    const w = expectWarning(
      d,
      'physical-loop',
      'links[4]',
      ['physical loop of 3 switches: sw-1 -> sw-2 -> sw-3 -> sw-1', '(links sw-1:eth1–sw-2:eth1, sw-2:eth2–sw-3:eth1, sw-3:eth2–sw-1:eth2)', 'broadcast storm', 'spanning tree'],
      '{\n      "a": "sw-3:eth2"',
    );
    expect(w.severity).toBe('warning');
    expect(codes(d)).toEqual(['physical-loop']);
  });

  it('two independent loops are two warnings; a tree is none', () => {
    const d = withSwitches(4);
    d.links.push({ a: 'sw-1:eth1', b: 'sw-2:eth1' }, { a: 'sw-2:eth2', b: 'sw-3:eth1' }, { a: 'sw-3:eth2', b: 'sw-4:eth1' });
    expect(codes(d)).toEqual([]);
    d.links.push({ a: 'sw-4:eth2', b: 'sw-2:eth3' }, { a: 'sw-3:eth3', b: 'sw-1:eth2' });
    const { result } = load(d);
    const loops = result.warnings.filter((w) => w.code === 'physical-loop');
    expect(loops.map((w) => w.path)).toEqual(['links[5]', 'links[6]']);
    expect(loops[0]!.message).toContain('physical loop of 3 switches: sw-2 -> sw-3 -> sw-4 -> sw-2');
    expect(loops[1]!.message).toContain('physical loop of 3 switches: sw-1 -> sw-2 -> sw-3 -> sw-1');
  });

  it('a link between two ports of one switch is a loop', () => {
    const d = withSwitches(1);
    d.links.push({ a: 'sw-1:eth1', b: 'sw-1:eth2' });
    expectWarning(d, 'physical-loop', 'links[2]', ['links[2] joins two ports of sw-1 (eth1 and eth2)'], '{\n      "a": "sw-1:eth1"');
  });

  it('a loop through a link that is down says when it closes', () => {
    const d = withSwitches(3);
    d.links.push({ a: 'sw-1:eth1', b: 'sw-2:eth1' }, { a: 'sw-2:eth2', b: 'sw-3:eth1', up: false }, { a: 'sw-3:eth2', b: 'sw-1:eth2' });
    expectWarning(d, 'physical-loop', 'links[4]', ['(it closes when links[3] comes up)'], '{\n      "a": "sw-3:eth2"');
  });

  it('a vSwitch with two uplinks to two switches closes no loop (F7: never uplink to uplink)', () => {
    const d = withSwitches(2);
    d.hosts[0].nics.push({ name: 'vmnic1', mac: '00:1b:21:3a:4c:11' });
    d.hosts[0].vswitches[0].uplinks.push('vmnic1');
    d.links[0].b = 'sw-1:eth1';
    d.links.push({ a: 'esxi-01:vmnic1', b: 'sw-2:eth1' }, { a: 'sw-1:eth2', b: 'sw-2:eth2' });
    expect(codes(d)).toEqual([]);
  });

  it(`beyond ${MAX_NAMED_LOOPS} loops, one warning counts the rest`, () => {
    const switches = [
      { name: 'a', ports: [] as { name: string; mode: string }[] },
      { name: 'b', ports: [] as { name: string; mode: string }[] },
      { name: 'c', ports: [] as { name: string; mode: string }[] },
    ];
    const links: { a: string; b: string }[] = [];
    // a chain a-b, then 150 links c-a and c-b pairs through distinct switches make 150 loops
    const sw = (name: string) => switches.find((s) => s.name === name)!;
    const port = (s: string, p: string) => {
      sw(s).ports.push({ name: p, mode: 'trunk' });
      return `${s}:${p}`;
    };
    links.push({ a: port('a', 'p0'), b: port('b', 'p0') });
    for (let i = 0; i < 150; i++) {
      const x = `x${i}`;
      switches.push({ name: x, ports: [] });
      links.push({ a: port(x, 'p1'), b: port('a', `q${i}`) }, { a: port(x, 'p2'), b: port('b', `q${i}`) });
    }
    const r = validateTopology({ version: 1, name: 'loops', physicalSwitches: switches, links });
    expect(r.ok ? [] : r.errors).toEqual([]);
    const loops = r.warnings.filter((w) => w.code === 'physical-loop');
    expect(loops).toHaveLength(MAX_NAMED_LOOPS + 1);
    expect(loops.at(-1)!.message).toBe(`and ${150 - MAX_NAMED_LOOPS} more physical loops among the physical switches (only the first ${MAX_NAMED_LOOPS} are named)`);
  });

  it('a ring of 1,000 switches is named with its middle cut', () => {
    const physicalSwitches = Array.from({ length: 1000 }, (_, i) => ({ name: `s${i}`, ports: [trunk('l'), trunk('r')] }));
    const links = physicalSwitches.map((_, i) => ({ a: `s${i}:r`, b: `s${(i + 1) % 1000}:l` }));
    const r = validateTopology({ version: 1, name: 'ring', physicalSwitches, links });
    const loops = r.warnings.filter((w) => w.code === 'physical-loop');
    expect(loops).toHaveLength(1);
    expect(loops[0]!.message).toContain('physical loop of 1000 switches: s0 -> s1 -> s2');
    expect(loops[0]!.message).toContain('… 988 more …');
    expect(loops[0]!.message.length).toBeLessThan(800);
  });
});

describe('parallel links', () => {
  it('two links between the same two switches: a warning naming both, with the EtherChannel fix', () => {
    const d = withSwitches(2);
    d.links.push({ a: 'sw-1:eth1', b: 'sw-2:eth1' }, { a: 'sw-2:eth2', b: 'sw-1:eth2' });
    expectWarning(
      d,
      'parallel-links',
      'links[3]',
      ['parallel links: links[3] (sw-1:eth2–sw-2:eth2) and links[2] (sw-1:eth1–sw-2:eth1) both join sw-1 and sw-2', 'broadcast storm', 'channelGroup', 'P4'],
      '{\n      "a": "sw-2:eth2"',
    );
    expect(codes(d)).toEqual(['parallel-links']);
  });

  it('the same two links as one static EtherChannel on both switches: no warning', () => {
    const d = withSwitches(2);
    for (const s of [1, 2]) {
      const sw = d.physicalSwitches[s];
      sw.channelGroups = [{ id: 1 }];
      sw.ports[0].channelGroup = 1;
      sw.ports[1].channelGroup = 1;
    }
    d.links.push({ a: 'sw-1:eth1', b: 'sw-2:eth1' }, { a: 'sw-1:eth2', b: 'sw-2:eth2' });
    expect(codes(d)).toEqual([]);
  });

  it('a channel on one side only is still parallel links', () => {
    const d = withSwitches(2);
    const sw = d.physicalSwitches[1];
    sw.channelGroups = [{ id: 1 }];
    sw.ports[0].channelGroup = 1;
    sw.ports[1].channelGroup = 1;
    d.links.push({ a: 'sw-1:eth1', b: 'sw-2:eth1' }, { a: 'sw-1:eth2', b: 'sw-2:eth2' });
    expect(codes(d)).toEqual(['parallel-links']);
  });
});
