import { describe, expect, it } from 'vitest';
import { buildIcmpEcho } from '../../src/wire/index.js';
import { FAILOVER_RARPS } from '../../src/engine/notify-switches.js';
import type { TopologyInput } from '../../src/topology/schema.js';
import { atPoint, frame, host, makeLab, topology, trunk, vm, vmMac } from './fixtures.js';

type Teaming = NonNullable<NonNullable<NonNullable<TopologyInput['hosts']>[number]['vswitches']>[number]['policy']>['teaming'];
const UNKNOWN = '00:50:56:ee:ee:ee';

function teamLab(n: number, vms: number, teaming?: Teaming, pgTeaming?: Teaming) {
  return makeLab(
    topology({
      hosts: [
        host({
          uplinks: n,
          policy: teaming ? { teaming, security: { forgedTransmits: 'accept' } } : { security: { forgedTransmits: 'accept' } },
          portGroups: [{ name: 'VM-10', vlan: 10, policy: pgTeaming ? { teaming: pgTeaming } : undefined }, { name: 'VM-10b', vlan: 10 }],
        }),
      ],
      vms: Array.from({ length: vms }, (_, i) => vm(`v${i}`, 'VM-10', vmMac(i + 1))),
      physicalSwitches: [{ name: 'tor-1', ports: Array.from({ length: n }, (_, i) => trunk(`eth${i}`)) }],
      links: Array.from({ length: n }, (_, i) => ({ a: `esxi-01:vmnic${i}`, b: `tor-1:eth${i}` })),
    }),
  );
}

/** The uplink that carries one frame sent by `from`. */
function carried(t: ReturnType<typeof teamLab>, from: string, f: Uint8Array): string | null {
  t.events.length = 0;
  t.send(from, f);
  const out = atPoint(t.events, 'UplinkSnd').filter((e) => e.frame![12] !== 0x80 || e.frame![13] !== 0x35);
  return out.length === 1 ? out[0]!.port.split(':')[1]! : null;
}

function uplinksUsed(t: ReturnType<typeof teamLab>, vms: number): (string | null)[] {
  return Array.from({ length: vms }, (_, i) => carried(t, `v${i}:eth0`, frame(vmMac(i + 1), UNKNOWN)));
}

const rarps = (t: ReturnType<typeof teamLab>) =>
  atPoint(t.events, 'UplinkSnd').filter((e) => e.frame![12] === 0x81 ? e.frame![16] === 0x80 && e.frame![17] === 0x35 : e.frame![12] === 0x80 && e.frame![13] === 0x35);

describe('NIC teaming and failover (T*)', () => {
  it('T1: unused uplinks never carry traffic, even when every active and standby is down', () => {
    const t = teamLab(3, 3, { active: ['vmnic0'], standby: ['vmnic1'], unused: ['vmnic2'] });
    expect(uplinksUsed(t, 3)).toEqual(['vmnic0', 'vmnic0', 'vmnic0']);
    t.lab.setLinkState('esxi-01:vmnic0', false);
    expect(uplinksUsed(t, 3)).toEqual(['vmnic1', 'vmnic1', 'vmnic1']);
    t.lab.setLinkState('esxi-01:vmnic1', false);
    expect(uplinksUsed(t, 3)).toEqual([null, null, null]);
    expect(t.drops('NO_UPLINK')).toHaveLength(1);
  });

  it('T1: a port group overrides the whole failover order', () => {
    const t = teamLab(2, 1, { active: ['vmnic0'], standby: ['vmnic1'] }, { active: ['vmnic1'], standby: ['vmnic0'] });
    expect(uplinksUsed(t, 1)).toEqual(['vmnic1']);
    // and the override can change at runtime
    expect(t.lab.apply({ kind: 'portgroup', host: 'esxi-01', portGroup: 'VM-10', policy: { teaming: { active: null, standby: null } } }).ok).toBe(true);
    expect(uplinksUsed(t, 1)).toEqual(['vmnic0']);
  });

  it('T1: a failed active is replaced by the first usable standby (standby promotion)', () => {
    const t = teamLab(3, 4, { active: ['vmnic0', 'vmnic1'], standby: ['vmnic2'] });
    expect(uplinksUsed(t, 4)).toEqual(['vmnic0', 'vmnic1', 'vmnic0', 'vmnic1']);
    t.lab.setLinkState('esxi-01:vmnic0', false);
    expect(uplinksUsed(t, 4)).toEqual(['vmnic1', 'vmnic2', 'vmnic1', 'vmnic2']);
    t.lab.setLinkState('esxi-01:vmnic0', true);
    expect(uplinksUsed(t, 4)).toEqual(['vmnic0', 'vmnic1', 'vmnic0', 'vmnic1']);
  });

  it('T2: re-pinned only when the set of usable uplinks changes, not when ports come and go', () => {
    const t = teamLab(2, 3);
    expect(uplinksUsed(t, 3)).toEqual(['vmnic0', 'vmnic1', 'vmnic0']);
    t.events.length = 0;
    t.lab.setConnected('v1:eth0', false);
    t.lab.setConnected('v1:eth0', true);
    t.lab.apply({ kind: 'portgroup', host: 'esxi-01', portGroup: 'VM-10', policy: { security: { promiscuous: 'accept' } } });
    expect(t.events.filter((e) => e.action === 'failover')).toHaveLength(0);
    expect(uplinksUsed(t, 3)).toEqual(['vmnic0', 'vmnic1', 'vmnic0']);
    // a link of the other switch side going down changes the usable set: a failover event, re-pins
    t.events.length = 0;
    t.lab.setLinkState('tor-1:eth1', false);
    expect(t.events.filter((e) => e.action === 'failover').map((e) => e.detail)[0]).toMatch(/uplinks in use vmnic0 \(were vmnic0, vmnic1/);
    expect(uplinksUsed(t, 3)).toEqual(['vmnic0', 'vmnic0', 'vmnic0']);
  });

  it('T3: source MAC hash = XOR of the six octets modulo the uplinks in use, per frame', () => {
    const t = teamLab(3, 1, { loadBalancing: 'srcmac' });
    for (const src of ['00:50:56:aa:00:01', '00:50:56:aa:00:02', '02:00:00:00:00:07', '00:50:56:12:34:56', '00:50:56:aa:00:05']) {
      const x = src.split(':').map((h) => parseInt(h, 16)).reduce((a, b) => a ^ b, 0);
      expect(carried(t, 'v0:eth0', frame(src, UNKNOWN)), src).toBe(`vmnic${x % 3}`);
    }
    t.lab.setLinkState('esxi-01:vmnic2', false);
    const src = '00:50:56:aa:00:05';
    const x = src.split(':').map((h) => parseInt(h, 16)).reduce((a, b) => a ^ b, 0);
    expect(carried(t, 'v0:eth0', frame(src, UNKNOWN))).toBe(`vmnic${x % 2}`);
  });

  it('T4: IP hash = (last octet of source IPv4 XOR last octet of destination IPv4) modulo the uplinks in use, per frame', () => {
    const t = teamLab(3, 1, { loadBalancing: 'iphash' });
    for (const [s, d] of [[21, 50], [21, 51], [21, 52], [7, 7], [200, 3]] as const) {
      const f = buildIcmpEcho({ type: 'request', srcMac: vmMac(1), dstMac: UNKNOWN, srcIp: `10.0.0.${s}`, dstIp: `10.0.1.${d}`, id: 1, seq: 1 });
      expect(carried(t, 'v0:eth0', f), `${s}^${d}`).toBe(`vmnic${(s ^ d) % 3}`);
    }
    // non-IP frames: the bytes where the addresses would be (offsets 29 and 33 of the frame)
    const raw = frame(vmMac(1), UNKNOWN, undefined, 46);
    raw[14 + 15] = 9;
    raw[14 + 19] = 4;
    expect(carried(t, 'v0:eth0', raw)).toBe(`vmnic${(9 ^ 4) % 3}`);
  });

  it('interfaces() names the uplink each port uses now: the one its frames take, through failovers (T2, T3, T5); none for IP hash (T4)', () => {
    const reported = (t: ReturnType<typeof teamLab>, vms: number) => Array.from({ length: vms }, (_, i) => t.lab.interfaces().find((x) => x.id === `v${i}:eth0`)!.uplink);
    for (const teaming of [undefined, { loadBalancing: 'srcmac' as const }, { loadBalancing: 'failover' as const, active: ['vmnic1', 'vmnic0'] }]) {
      const t = teamLab(3, 4, teaming);
      const what = JSON.stringify(teaming);
      expect(reported(t, 4), what).toEqual(uplinksUsed(t, 4));
      t.lab.setLinkState('esxi-01:vmnic1', false);
      expect(reported(t, 4), `${what}, vmnic1 down`).toEqual(uplinksUsed(t, 4));
      for (const u of ['vmnic0', 'vmnic2']) t.lab.setLinkState(`esxi-01:${u}`, false);
      expect(reported(t, 4), `${what}, all down`).toEqual([null, null, null, null]);
      expect(t.lab.interfaces().find((x) => x.id === 'v0:eth0')!.loadBalancing).toBe(teaming?.loadBalancing ?? 'srcid');
    }
    const ip = teamLab(2, 1, { loadBalancing: 'iphash' }).lab.interfaces().find((x) => x.id === 'v0:eth0')!;
    expect(ip.loadBalancing).toBe('iphash');
    expect('uplink' in ip).toBe(false);
  });

  it('T5: explicit failover order, T8 failback on: the recovered active takes its traffic back at once', () => {
    const t = teamLab(2, 2, { loadBalancing: 'failover', active: ['vmnic0'], standby: ['vmnic1'], failback: true });
    expect(uplinksUsed(t, 2)).toEqual(['vmnic0', 'vmnic0']);
    t.lab.setLinkState('esxi-01:vmnic0', false);
    expect(uplinksUsed(t, 2)).toEqual(['vmnic1', 'vmnic1']);
    t.lab.setLinkState('esxi-01:vmnic0', true);
    expect(uplinksUsed(t, 2)).toEqual(['vmnic0', 'vmnic0']);
  });

  it('T8: failback off: a recovered active stays idle until the uplink in use fails', () => {
    const t = teamLab(3, 2, { loadBalancing: 'failover', active: ['vmnic0'], standby: ['vmnic1', 'vmnic2'], failback: false });
    t.lab.setLinkState('esxi-01:vmnic0', false);
    expect(uplinksUsed(t, 2)).toEqual(['vmnic1', 'vmnic1']);
    t.lab.setLinkState('esxi-01:vmnic0', true);
    expect(uplinksUsed(t, 2)).toEqual(['vmnic1', 'vmnic1']); // stays on the standby
    t.lab.setLinkState('esxi-01:vmnic1', false);
    expect(uplinksUsed(t, 2)).toEqual(['vmnic0', 'vmnic0']); // the idle active before the other standby
    // srcid with two actives, no standby: the recovered one idles until the other fails
    const s = teamLab(2, 2, { active: ['vmnic0', 'vmnic1'], failback: false });
    s.lab.setLinkState('esxi-01:vmnic0', false);
    s.lab.setLinkState('esxi-01:vmnic0', true);
    expect(uplinksUsed(s, 2)).toEqual(['vmnic1', 'vmnic1']);
    s.lab.setLinkState('esxi-01:vmnic1', false);
    expect(uplinksUsed(s, 2)).toEqual(['vmnic0', 'vmnic0']);
  });

  it('T7: after a failover each moved port sends FAILOVER_RARPS (5) RARPs out of its new uplink, tagged with its VLAN', () => {
    const t = teamLab(2, 2, { active: ['vmnic0'], standby: ['vmnic1'] });
    t.events.length = 0;
    t.lab.setLinkState('esxi-01:vmnic0', false);
    t.lab.run();
    const r = rarps(t);
    expect(FAILOVER_RARPS).toBe(5);
    expect(r.map((e) => e.port)).toEqual(Array(2 * FAILOVER_RARPS).fill('esxi-01:vmnic1'));
    const f0 = r[0]!.frame!;
    expect([...f0.subarray(0, 6)]).toEqual([255, 255, 255, 255, 255, 255]);
    expect([...f0.subarray(6, 12)]).toEqual([0x00, 0x50, 0x56, 0xaa, 0x00, 0x01]);
    expect((f0[14]! & 0x0f) * 256 + f0[15]!).toBe(10); // VLAN 10 tag (V2)
    expect(f0[16]! * 256 + f0[17]!).toBe(0x8035);
    expect(t.events.filter((e) => e.action === 'notify' && e.rule === 'T7')).toHaveLength(2 * FAILOVER_RARPS);
    // five for each port, back to back
    expect(new Set(r.slice(0, FAILOVER_RARPS).map((e) => e.frame![11]))).toEqual(new Set([0x01]));
    // the switch relearned the MACs on the new port
    const table = t.lab.macTable('tor-1');
    expect(table.filter((row) => row.mac === vmMac(1) || row.mac === vmMac(2)).map((row) => row.port)).toEqual(['tor-1:eth1', 'tor-1:eth1']);
  });

  it('T7: notify switches off sends nothing; a vNIC connecting is announced', () => {
    const off = teamLab(2, 2, { active: ['vmnic0'], standby: ['vmnic1'], notifySwitches: false });
    off.events.length = 0;
    off.lab.setLinkState('esxi-01:vmnic0', false);
    off.lab.run();
    expect(rarps(off)).toHaveLength(0);
    const on = teamLab(2, 2);
    on.lab.setConnected('v1:eth0', false);
    on.events.length = 0;
    on.lab.setConnected('v1:eth0', true);
    on.lab.run();
    expect(rarps(on).map((e) => e.port)).toEqual(['esxi-01:vmnic1']);
    expect(on.lab.macTable('tor-1').find((r) => r.mac === vmMac(2))?.port).toBe('tor-1:eth1');
  });
});
