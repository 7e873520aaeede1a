import { describe, expect, it } from 'vitest';
import { BCAST, access, frame, makeLab, topology, trunk, vids } from './fixtures.js';

type Port = ReturnType<typeof access>;

const mac = (n: number) => `00:aa:bb:00:00:${n.toString(16).padStart(2, '0')}`;

/** tor-1 with the given ports; port i is cabled to physical host h<i>:eth0 (MAC mac(i)). */
function switchLab(ports: Port[], o: { aging?: number; size?: number; hostVlan?: Record<number, number> } = {}) {
  return makeLab(
    topology({
      physicalSwitches: [{ name: 'tor-1', ports, macAgingSeconds: o.aging, macTableSize: o.size }],
      physicalHosts: ports.map((_, i) => ({ name: `h${i}`, nics: [{ name: 'eth0', mac: mac(i) }] })),
      links: ports.map((p, i) => ({ a: `h${i}:eth0`, b: `tor-1:${p.name}` })),
    }),
  );
}

describe('physical switch (P*)', () => {
  it('P1: learns source MAC + VLAN -> port; known unicast then goes to that port only', () => {
    const t = switchLab([access('eth0', 10), access('eth1', 10), access('eth2', 10)]);
    t.send('h1:eth0', frame(mac(1), BCAST));
    expect(t.lab.macTable('tor-1')).toEqual([{ mac: mac(1), vlan: 10, port: 'tor-1:eth1', ageSeconds: 0 }]);
    t.rec.clear();
    t.events.length = 0;
    t.send('h0:eth0', frame(mac(0), mac(1)));
    expect(t.rec.receivers()).toEqual(['h1:eth0']);
    expect(t.events.filter((e) => e.point === 'PhysTx').map((e) => e.port)).toEqual(['tor-1:eth1']);
  });

  it('P1: entries age out on the virtual clock', () => {
    const t = switchLab([access('eth0', 10), access('eth1', 10), access('eth2', 10)], { aging: 300 });
    t.send('h1:eth0', frame(mac(1), BCAST));
    t.lab.run({ forNs: 299e9 });
    expect(t.lab.macTable('tor-1')).toEqual([{ mac: mac(1), vlan: 10, port: 'tor-1:eth1', ageSeconds: 299 }]);
    t.lab.run({ forNs: 1e9 });
    expect(t.lab.macTable('tor-1')).toEqual([]);
    // unknown again: flooded
    t.rec.clear();
    t.send('h0:eth0', frame(mac(0), mac(1)));
    expect(t.events.filter((e) => e.action === 'lookup').at(-1)!.rule).toBe('P3');
    expect(t.rec.receivers()).toEqual(['h1:eth0']);
    expect(t.drops('NOT_FOR_THIS_NIC').map((e) => e.port)).toEqual(['h2:eth0']);
  });

  it('P1: a MAC seen on a new port moves', () => {
    const t = switchLab([access('eth0', 10), access('eth1', 10)]);
    t.send('tor-1:eth0', frame(mac(7), BCAST));
    t.send('tor-1:eth1', frame(mac(7), BCAST));
    expect(t.lab.macTable('tor-1')).toEqual([{ mac: mac(7), vlan: 10, port: 'tor-1:eth1', ageSeconds: 0 }]);
    expect(t.events.some((e) => e.action === 'learn' && e.detail.includes('moved from eth0'))).toBe(true);
  });

  it('P1: the table is bounded and evicts the oldest entry first', () => {
    const t = switchLab([access('eth0', 10), access('eth1', 10)], { size: 2 });
    t.send('tor-1:eth0', frame(mac(0x10), BCAST));
    t.lab.run({ forNs: 1e9 });
    t.send('tor-1:eth0', frame(mac(0x11), BCAST));
    t.lab.run({ forNs: 1e9 });
    // refresh the first one: now 0x11 is the oldest
    t.send('tor-1:eth0', frame(mac(0x10), BCAST));
    t.send('tor-1:eth0', frame(mac(0x12), BCAST));
    expect(t.lab.macTable('tor-1').map((r) => r.mac)).toEqual([mac(0x10), mac(0x12)]);
  });

  it('P1: the same MAC in two VLANs is two entries', () => {
    const t = switchLab([trunk('eth0'), trunk('eth1')]);
    t.send('tor-1:eth0', frame(mac(7), BCAST, 10));
    t.send('tor-1:eth1', frame(mac(7), BCAST, 20));
    expect(t.lab.macTable('tor-1').map((r) => [r.vlan, r.port])).toEqual([
      [10, 'tor-1:eth0'],
      [20, 'tor-1:eth1'],
    ]);
  });

  it('P2: access ports take untagged and priority-tagged frames, drop tagged ones, send untagged', () => {
    const t = switchLab([access('eth0', 10), access('eth1', 10), trunk('eth2')]);
    t.send('h0:eth0', frame(mac(0), BCAST));
    t.send('h0:eth0', frame(mac(0), BCAST, 0, 46, 3));
    t.send('h0:eth0', frame(mac(0), BCAST, 10));
    const d = t.drops('VLAN_NOT_ALLOWED');
    expect(d).toHaveLength(1);
    expect(d[0]!.rule).toBe('P2');
    expect(d[0]!.port).toBe('tor-1:eth0');
    expect(t.rec.frames('h1:eth0').map(vids)).toEqual([[], []]);
    // the trunk (native 1) sends VLAN 10 tagged; the priority tag became a VLAN 10 tag
    expect(t.rec.frames('h2:eth0').map(vids)).toEqual([[10], [10]]);
    expect(t.rec.frames('h2:eth0')[1]![14]! >> 5).toBe(3);
  });

  it('P2: trunks admit allowed VLANs only; untagged ingress is the native VLAN', () => {
    const t = switchLab([trunk('eth0', { allowedVlans: [10, '20-21'], nativeVlan: 20 }), trunk('eth1'), access('eth2', 20)]);
    t.send('h0:eth0', frame(mac(0), BCAST, 30));
    expect(t.drops('VLAN_NOT_ALLOWED')).toHaveLength(1);
    t.send('h0:eth0', frame(mac(0), BCAST, 21));
    t.send('h0:eth0', frame(mac(0), BCAST));
    expect(t.rec.frames('h1:eth0').map(vids)).toEqual([[21], [20]]);
    expect(t.rec.frames('h2:eth0').map(vids)).toEqual([[]]);
  });

  it('P2: trunk egress: native VLAN untagged, or tagged with nativeTagged; no native VLAN drops untagged ingress', () => {
    const t = switchLab([access('eth0', 1), trunk('eth1'), trunk('eth2', { nativeTagged: true }), trunk('eth3', { nativeVlan: null })]);
    t.send('h0:eth0', frame(mac(0), BCAST));
    expect(t.rec.frames('h1:eth0').map(vids)).toEqual([[]]);
    expect(t.rec.frames('h2:eth0').map(vids)).toEqual([[1]]);
    expect(t.rec.frames('h3:eth0').map(vids)).toEqual([[1]]);
    t.send('h3:eth0', frame(mac(3), BCAST));
    expect(t.drops('VLAN_NOT_ALLOWED').map((e) => e.port)).toEqual(['tor-1:eth3']);
  });

  it('P3: unknown unicast, broadcast and multicast flood to every other port of the VLAN', () => {
    const t = switchLab([access('eth0', 10), access('eth1', 10), access('eth2', 20), trunk('eth3'), trunk('eth4', { allowedVlans: [20] })]);
    for (const dst of [BCAST, '01:00:5e:00:00:fb', mac(0x55)]) {
      t.rec.clear();
      t.events.length = 0;
      t.send('tor-1:eth0', frame(mac(0x42), dst));
      expect(t.events.filter((e) => e.point === 'PhysTx').map((e) => e.port)).toEqual(['tor-1:eth1', 'tor-1:eth3']);
    }
    expect(t.drops('SAME_PORT')).toHaveLength(0);
  });

  it('P3: a frame to a MAC learned on its own ingress port is filtered (SAME_PORT)', () => {
    const t = switchLab([access('eth0', 10), access('eth1', 10)]);
    t.send('tor-1:eth0', frame(mac(0x42), BCAST));
    t.send('tor-1:eth0', frame(mac(0x43), mac(0x42)));
    expect(t.drops('SAME_PORT')).toHaveLength(1);
  });
});
