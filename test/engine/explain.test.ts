import { describe, expect, it } from 'vitest';
import { buildArp } from '../../src/wire/index.js';
import { createLab } from '../../src/engine/lab.js';
import { createIpStack } from '../../src/engine/ip-stack.js';
import type { TraceEvent } from '../../src/engine/trace.js';
import { BCAST, frame, host, makeLab, standardTopology, topology, trunk, vm, vmMac } from './fixtures.js';

/** Two hosts on tor-1; a (10.0.10.1) on esxi-01, b (10.0.10.2) on esxi-02, both VLAN 10. */
function twoHosts() {
  return topology({
    hosts: [host({ portGroups: [{ name: 'VM-10', vlan: 10 }] }, 1), host({ portGroups: [{ name: 'VM-10', vlan: 10 }] }, 2)],
    vms: [
      vm('a', 'VM-10', vmMac(1), 'esxi-01', { ipv4: '10.0.10.1/24' }),
      vm('b', 'VM-10', vmMac(2), 'esxi-02', { ipv4: '10.0.10.2/24' }),
      vm('c', 'VM-10', vmMac(3), 'esxi-02', { ipv4: '10.0.10.3/24' }),
    ],
    physicalSwitches: [{ name: 'tor-1', ports: [trunk('eth0'), trunk('eth1')] }],
    links: [
      { a: 'esxi-01:vmnic0', b: 'tor-1:eth0' },
      { a: 'esxi-02:vmnic0', b: 'tor-1:eth1' },
    ],
  });
}

describe('explain (O2)', () => {
  it('O2: explain follows a frame across vSwitch, uplink, physical switch and another host, naming rules', () => {
    const t = makeLab(twoHosts());
    const ex = t.lab.explain('a:eth0', frame(vmMac(1), BCAST));
    expect(ex.truncated).toBe(false);
    expect(ex.copies).toEqual([
      { at: 'b:eth0', vlanStack: [], delivered: true, rule: 'F6' },
      { at: 'c:eth0', vlanStack: [], delivered: true, rule: 'F6' },
    ]);
    const rules = new Set(ex.steps.map((s: TraceEvent) => s.rule).filter(Boolean));
    for (const r of ['V2', 'F5', 'P2', 'P1', 'P3', 'V4', 'F6']) expect(rules).toContain(r);
    expect(ex.steps.map((s) => s.seq)).toEqual(ex.steps.map((_, i) => i + 1));
    // live subscribers saw nothing
    expect(t.events).toHaveLength(0);
  });

  it('O2: a dry-run explain changes no state (counters, MAC tables, ARP caches, clock, queue)', () => {
    const lab = createLab(twoHosts(), { stackFactory: createIpStack });
    const ping = lab.ping('a:eth0', '10.0.10.2', { count: 1 });
    expect(ping.received).toBe(1);
    // leave something in the live queue
    lab.inject('c:eth0', frame(vmMac(3), BCAST));
    const snapshot = () =>
      JSON.stringify({
        now: lab.now,
        next: lab.nextEventTime(),
        counters: lab.allCounters(),
        mac: lab.macTable('tor-1'),
        arp: ['a:eth0', 'b:eth0', 'c:eth0'].map((i) => lab.arpCache(i)),
      });
    const before = snapshot();
    const seen: TraceEvent[] = [];
    lab.trace.subscribe((e) => seen.push(e));
    // an ARP request from a for c: live, c would learn a and answer
    const arp = buildArp({ op: 'request', srcMac: vmMac(1), senderIp: '10.0.10.1', targetIp: '10.0.10.3' });
    const ex = lab.explain('a:eth0', arp);
    expect(ex.copies.filter((c) => c.delivered).map((c) => c.at)).toEqual(['b:eth0', 'c:eth0']);
    // a frame from a new source: the switch would learn it, but only says so
    const ex2 = lab.explain('tor-1:eth0', frame('00:aa:00:00:00:77', vmMac(2), 10));
    expect(ex2.steps.some((s) => s.action === 'learn' && s.detail.includes('would learn'))).toBe(true);
    expect(snapshot()).toBe(before);
    expect(seen).toHaveLength(0);
    // the queued frame still runs as it would have
    lab.run();
    expect(seen.filter((e) => e.action === 'deliver').map((e) => e.port).sort()).toEqual(['a:eth0', 'b:eth0']);
  });

  it('O2: explain of a dropped frame says why', () => {
    const t = makeLab(standardTopology());
    const ex = t.lab.explain('a:eth0', frame('00:50:56:aa:00:99', vmMac(2)));
    expect(ex.copies).toEqual([{ at: 'a:eth0', vlanStack: [], delivered: false, reason: 'FORGED_TRANSMIT', rule: 'S3' }]);
    expect(ex.steps.at(-1)!.detail).toContain('FORGED_TRANSMIT (S3)');
    expect(t.lab.counters('a:eth0').txFrames).toBe(0);
  });
});
