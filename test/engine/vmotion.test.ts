import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { runScenario } from '../../src/engine/scenario.js';
import { loadTopologyFileSync } from '../../src/files/topology-file.js';
import { PH1, atPoint, frame, host, makeLab, topology, trunk, vm, vmMac } from './fixtures.js';

function twoHosts(destVlan = 10) {
  return topology({
    hosts: [host({ uplinks: 1, portGroups: [{ name: 'Prod', vlan: 10 }] }, 1), host({ uplinks: 1, portGroups: [{ name: 'Prod', vlan: destVlan }] }, 2)],
    vms: [vm('a', 'Prod', vmMac(1)), vm('b', 'Prod', vmMac(2), 'esxi-02')],
    physicalSwitches: [{ name: 'tor-1', ports: [trunk('eth0'), trunk('eth1'), { name: 'eth9', mode: 'access', vlan: 10 }] }],
    physicalHosts: [{ name: 'ph1', nics: [{ name: 'eth0', mac: PH1 }] }],
    links: [{ a: 'esxi-01:vmnic0', b: 'tor-1:eth0' }, { a: 'esxi-02:vmnic0', b: 'tor-1:eth1' }, { a: 'ph1:eth0', b: 'tor-1:eth9' }],
  });
}

describe('vMotion (E3)', () => {
  it('E3: the vNIC joins the port group of the same name on the destination and a RARP moves the MAC at the switch', () => {
    const t = makeLab(twoHosts());
    t.send('a:eth0', frame(vmMac(1), PH1));
    expect(t.lab.macTable('tor-1').find((r) => r.mac === vmMac(1))?.port).toBe('tor-1:eth0');
    t.events.length = 0;
    expect(t.lab.apply({ kind: 'migrate', vm: 'a', toHost: 'esxi-02' })).toEqual({ ok: true, rarps: 1 });
    t.lab.run();
    const rarp = atPoint(t.events, 'UplinkSnd');
    expect(rarp.map((e) => e.port)).toEqual(['esxi-02:vmnic0']);
    expect(rarp[0]!.frame![16]! * 256 + rarp[0]!.frame![17]!).toBe(0x8035);
    expect(t.lab.macTable('tor-1').find((r) => r.mac === vmMac(1))?.port).toBe('tor-1:eth1');
    // now local to b on esxi-02 (F2), no longer known on esxi-01
    t.rec.clear();
    t.send('b:eth0', frame(vmMac(2), vmMac(1)));
    expect(t.rec.receivers()).toEqual(['a:eth0']);
    expect(atPoint(t.events, 'UplinkSnd').filter((e) => e.time > 0 && e.port === 'esxi-02:vmnic0' && e.frame![6] === 0 && e.frame![11] === 2)).toHaveLength(0);
  });

  it('E3: refused with a reason when the VLAN differs, and nothing changes', () => {
    const t = makeLab(twoHosts(20));
    const before = JSON.stringify([t.lab.currentTopology(), t.lab.interfaces(), t.lab.allCounters()]);
    const r = t.lab.apply({ kind: 'migrate', vm: 'a', toHost: 'esxi-02' });
    expect(r).toEqual({ ok: false, reason: expect.stringContaining('VLAN 10 on esxi-01 but VLAN 20 on esxi-02') });
    expect(JSON.stringify([t.lab.currentTopology(), t.lab.interfaces(), t.lab.allCounters()])).toBe(before);
  });

  it('E3: multi-host.json vMotion under a continuous ping loses at most one probe', () => {
    const dir = new URL('../../topologies/', import.meta.url);
    const topo = loadTopologyFileSync(new URL('multi-host.json', dir).pathname);
    if (!topo.ok) throw new Error('multi-host.json does not load');
    const sc = JSON.parse(readFileSync(new URL('scenarios/vmotion.json', dir), 'utf8')) as unknown;
    const r = runScenario(topo.topology, sc);
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
    expect(r.passed).toBe(true);
    expect(r.pings[0]!.lost).toBeLessThanOrEqual(1);
    expect(r.timeline.some((e) => e.kind === 'notify' && /app-01:eth0/.test(e.text))).toBe(true);
  });
});
