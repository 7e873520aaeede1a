import { describe, expect, it } from 'vitest';
import { atPoint, frame, host, makeLab, topology, trunk, vm, vmMac } from './fixtures.js';
import type { TopologyInput } from '../../src/topology/schema.js';

type Teaming = NonNullable<NonNullable<NonNullable<TopologyInput['hosts']>[number]['vswitches']>[number]['policy']>['teaming'];

const UNKNOWN = '00:50:56:ee:ee:ee';

/** Host with `n` uplinks each on its own tor-1 trunk and `vms` VMs in VM-10. */
function teamLab(n: number, vms: number, teaming?: Teaming) {
  return makeLab(
    topology({
      hosts: [host({ uplinks: n, policy: teaming ? { teaming } : undefined, portGroups: [{ name: 'VM-10', vlan: 10 }] })],
      vms: Array.from({ length: vms }, (_, i) => vm(`v${i}`, 'VM-10', vmMac(i + 1))),
      physicalSwitches: [{ name: 'tor-1', ports: Array.from({ length: n }, (_, i) => trunk(`eth${i}`)) }],
      links: Array.from({ length: n }, (_, i) => ({ a: `esxi-01:vmnic${i}`, b: `tor-1:eth${i}` })),
    }),
  );
}

/** The uplink each VM's unknown unicast leaves by. */
function uplinksUsed(t: ReturnType<typeof teamLab>, vms: number): (string | null)[] {
  return Array.from({ length: vms }, (_, i) => {
    t.events.length = 0;
    t.send(`v${i}:eth0`, frame(vmMac(i + 1), UNKNOWN));
    const out = atPoint(t.events, 'UplinkSnd');
    return out.length === 1 ? out[0]!.port.split(':')[1]! : null;
  });
}

describe('uplink selection (T*)', () => {
  it('T2: each port is pinned to active uplink (port index modulo usable actives)', () => {
    const t = teamLab(2, 4);
    expect(uplinksUsed(t, 4)).toEqual(['vmnic0', 'vmnic1', 'vmnic0', 'vmnic1']);
    // pins hold frame after frame
    expect(uplinksUsed(t, 4)).toEqual(['vmnic0', 'vmnic1', 'vmnic0', 'vmnic1']);
    const lookups = t.events.filter((e) => e.action === 'lookup' && e.rule === 'F3');
    expect(lookups.at(-1)!.detail).toContain('T2');
  });

  it('T2: re-pinned only when the set of usable uplinks changes', () => {
    const t = teamLab(3, 3);
    expect(uplinksUsed(t, 3)).toEqual(['vmnic0', 'vmnic1', 'vmnic2']);
    t.lab.setLinkState('esxi-01:vmnic1', false);
    expect(uplinksUsed(t, 3)).toEqual(['vmnic0', 'vmnic2', 'vmnic0']);
    t.lab.setLinkState('esxi-01:vmnic1', true);
    expect(uplinksUsed(t, 3)).toEqual(['vmnic0', 'vmnic1', 'vmnic2']);
  });

  it('T2: standby uplinks stand in when no active one is usable', () => {
    const t = teamLab(2, 2, { active: ['vmnic0'], standby: ['vmnic1'] });
    expect(uplinksUsed(t, 2)).toEqual(['vmnic0', 'vmnic0']);
    t.lab.setLinkState('esxi-01:vmnic0', false);
    expect(uplinksUsed(t, 2)).toEqual(['vmnic1', 'vmnic1']);
  });

  it('T5: explicit failover uses the first usable active, then the first usable standby', () => {
    const t = teamLab(3, 2, { loadBalancing: 'failover', active: ['vmnic1', 'vmnic0'], standby: ['vmnic2'] });
    expect(uplinksUsed(t, 2)).toEqual(['vmnic1', 'vmnic1']);
    t.lab.setLinkState('esxi-01:vmnic1', false);
    expect(uplinksUsed(t, 2)).toEqual(['vmnic0', 'vmnic0']);
    t.lab.setLinkState('esxi-01:vmnic0', false);
    expect(uplinksUsed(t, 2)).toEqual(['vmnic2', 'vmnic2']);
    t.lab.setLinkState('esxi-01:vmnic2', false);
    expect(uplinksUsed(t, 2)).toEqual([null, null]);
    expect(t.drops('NO_UPLINK')).toHaveLength(1);
  });

  it('T3: source MAC hash picks per frame by the source MAC', () => {
    const t = makeLab(
      topology({
        hosts: [host({ uplinks: 2, policy: { teaming: { loadBalancing: 'srcmac' }, security: { forgedTransmits: 'accept' } }, portGroups: [{ name: 'VM-10', vlan: 10 }] })],
        vms: [vm('v0', 'VM-10', vmMac(1))],
        physicalSwitches: [{ name: 'tor-1', ports: [trunk('eth0'), trunk('eth1')] }],
        links: [{ a: 'esxi-01:vmnic0', b: 'tor-1:eth0' }, { a: 'esxi-01:vmnic1', b: 'tor-1:eth1' }],
      }),
    );
    const used = ['00:50:56:aa:00:01', '00:50:56:aa:00:02'].map((src) => {
      t.events.length = 0;
      t.send('v0:eth0', frame(src, UNKNOWN));
      return atPoint(t.events, 'UplinkSnd')[0]!.port;
    });
    expect(new Set(used).size).toBe(2);
  });
});
