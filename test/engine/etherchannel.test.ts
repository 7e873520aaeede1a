import { describe, expect, it } from 'vitest';
import { buildIcmpEcho } from '../../src/wire/index.js';
import { BCAST, PH1, atPoint, frame, host, makeLab, topology, vm, vmMac } from './fixtures.js';

/** esxi-01 vSwitch0 with two uplinks under IP hash, cabled to tor-1 eth0/eth1 (a channel when `channel`), ph1 on eth9. */
function ipHashLab(channel: boolean) {
  const port = (name: string) => ({ name, mode: 'access' as const, vlan: 1, ...(channel ? { channelGroup: 1 } : {}) });
  return makeLab(
    topology({
      hosts: [host({ uplinks: 2, policy: { teaming: { loadBalancing: 'iphash' } }, portGroups: [{ name: 'VM', vlan: 0 }] })],
      vms: [vm('a', 'VM', vmMac(1))],
      physicalSwitches: [{ name: 'tor-1', ports: [port('eth0'), port('eth1'), { name: 'eth9', mode: 'access', vlan: 1 }], ...(channel ? { channelGroups: [{ id: 1 }] } : {}) }],
      physicalHosts: [{ name: 'ph1', nics: [{ name: 'eth0', mac: PH1 }] }],
      links: [{ a: 'esxi-01:vmnic0', b: 'tor-1:eth0' }, { a: 'esxi-01:vmnic1', b: 'tor-1:eth1' }, { a: 'ph1:eth0', b: 'tor-1:eth9' }],
    }),
  );
}

const echo = (srcMac: string, dstMac: string, s: number, d: number) => buildIcmpEcho({ type: 'request', srcMac, dstMac, srcIp: `10.0.0.${s}`, dstIp: `10.0.0.${d}`, id: 1, seq: 1 });

describe('static EtherChannel (P4)', () => {
  it('P4: member ports act as one port: a flooded frame enters the channel once (without it, IP hash sees duplicates)', () => {
    const without = ipHashLab(false);
    without.send('ph1:eth0', frame(PH1, BCAST));
    expect(without.rec.frames('a:eth0')).toHaveLength(2); // the classic IP-hash-without-EtherChannel duplicate
    const withCh = ipHashLab(true);
    withCh.send('ph1:eth0', frame(PH1, BCAST));
    expect(withCh.rec.frames('a:eth0')).toHaveLength(1);
    expect(atPoint(withCh.events, 'PhysTx').filter((e) => e.port === 'tor-1:eth0' || e.port === 'tor-1:eth1')).toHaveLength(1);
  });

  it('P4: a MAC seen on either member is learned on the channel and does not move', () => {
    const t = ipHashLab(true);
    // 21^50 = 39 -> vmnic1, 21^51 = 38 -> vmnic0: the VM's frames use both uplinks
    t.send('a:eth0', echo(vmMac(1), PH1, 21, 50));
    t.send('a:eth0', echo(vmMac(1), PH1, 21, 51));
    const used = atPoint(t.events, 'UplinkSnd').map((e) => e.port);
    expect(new Set(used)).toEqual(new Set(['esxi-01:vmnic0', 'esxi-01:vmnic1']));
    expect(t.lab.macTable('tor-1').find((r) => r.mac === vmMac(1))?.port).toBe('tor-1:Po1');
    expect(t.events.filter((e) => e.action === 'learn' && /moved/.test(e.detail))).toEqual([]);
    // without the channel the MAC flaps between the two ports
    const u = ipHashLab(false);
    u.send('a:eth0', echo(vmMac(1), PH1, 21, 50));
    u.send('a:eth0', echo(vmMac(1), PH1, 21, 51));
    expect(u.events.filter((e) => e.action === 'learn' && /moved/.test(e.detail))).toHaveLength(1);
  });

  it('P4: a frame for the channel leaves by one member chosen by src-dst-ip; a failed member is left out, the entry kept', () => {
    const t = ipHashLab(true);
    t.send('a:eth0', echo(vmMac(1), PH1, 21, 50));
    t.events.length = 0;
    t.send('ph1:eth0', echo(PH1, vmMac(1), 50, 21)); // (50^21) % 2 = 1 -> eth1
    expect(atPoint(t.events, 'PhysTx').map((e) => e.port)).toEqual(['tor-1:eth1']);
    t.send('ph1:eth0', echo(PH1, vmMac(1), 50, 20)); // (50^20) % 2 = 0 -> eth0
    expect(atPoint(t.events, 'PhysTx').map((e) => e.port)).toEqual(['tor-1:eth1', 'tor-1:eth0']);
    t.lab.setLinkState('tor-1:eth1', false);
    expect(t.lab.macTable('tor-1').find((r) => r.mac === vmMac(1))?.port).toBe('tor-1:Po1');
    t.events.length = 0;
    t.send('ph1:eth0', echo(PH1, vmMac(1), 50, 21));
    expect(atPoint(t.events, 'PhysTx').map((e) => e.port)).toEqual(['tor-1:eth0']);
    expect(t.rec.frames('a:eth0')).toHaveLength(3);
    t.lab.setLinkState('tor-1:eth0', false);
    expect(t.lab.macTable('tor-1').find((r) => r.mac === vmMac(1))).toBeUndefined();
  });
});
