import { describe, expect, it, vi } from 'vitest';
import { createLab, LabError } from '../../src/engine/index.js';
import { createIpStack } from '../../src/engine/ip-stack.js';
import type { TraceEvent } from '../../src/engine/trace.js';
import { BCAST, frame, makeLab, standardTopology, topology, trunk, vm, vmMac, host } from './fixtures.js';

describe('lab API', () => {
  it('inject at an unknown interface throws LabError naming near interfaces, and changes nothing', () => {
    const t = makeLab(standardTopology());
    let err: unknown;
    try {
      t.lab.inject('a:eth1', frame(vmMac(1), BCAST));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).message).toContain('unknown interface "a:eth1"');
    expect((err as LabError).suggestions).toContain('a:eth0');
    expect(t.lab.nextEventTime()).toBeNull();
    expect(() => t.lab.inject('a:eth0', new Uint8Array(10))).toThrow(LabError);
    expect(t.lab.inject('a:eth0', frame(vmMac(1), BCAST))).toBe(1);
  });

  it('inject copies the bytes; step processes one event; nextEventTime and now follow the virtual clock', () => {
    const t = makeLab(standardTopology(), { linkLatencyNs: 5000 });
    const f = frame(vmMac(1), BCAST);
    t.lab.inject('a:eth0', f);
    f.fill(0);
    expect(t.lab.nextEventTime()).toBe(0);
    expect(t.lab.step()).toBe(true);
    expect(t.rec.frames('b:eth0')).toHaveLength(1);
    expect(t.rec.frames('b:eth0')[0]![0]).toBe(0xff);
    expect(t.lab.nextEventTime()).toBe(5000);
    t.lab.run();
    expect(t.lab.now).toBe(10000); // to ph1: vmnic0 -> tor-1 -> ph1
    expect(t.lab.step()).toBe(false);
    t.lab.run({ forNs: 1e9 });
    expect(t.lab.now).toBe(1e9 + 10000);
  });

  it('wallClockNs is wallClockStartMs + virtual time', () => {
    const lab = createLab(standardTopology(), { stackFactory: makeLab(standardTopology()).rec.factory, wallClockStartMs: 1_700_000_000_000 });
    lab.run({ forNs: 1500 });
    expect(lab.wallClockNs()).toBe(1_700_000_000_000 * 1e6 + 1500);
  });

  it('a forwarding loop storms (P5): the storm is reported and cut, and the run settles instead of running for ever', () => {
    const t = makeLab(
      topology({
        physicalSwitches: [
          { name: 'sw-a', ports: [trunk('x1'), trunk('x2'), { name: 'h', mode: 'access', vlan: 1 }] },
          { name: 'sw-b', ports: [trunk('x1'), trunk('x2')] },
        ],
        physicalHosts: [{ name: 'ph', nics: [{ name: 'eth0', mac: '00:aa:00:00:00:01' }] }],
        links: [
          { a: 'sw-a:x1', b: 'sw-b:x1' },
          { a: 'sw-a:x2', b: 'sw-b:x2' },
          { a: 'ph:eth0', b: 'sw-a:h' },
        ],
      }),
    );
    t.lab.inject('ph:eth0', frame('00:aa:00:00:00:01', BCAST));
    t.lab.run({ maxEvents: 5000 });
    expect(t.lab.storms()).toMatchObject({ count: 1, reports: [{ frameId: 1, threshold: 64 + 2 * 6 }] });
    expect(t.drops('STORM_CUT').length).toBeGreaterThan(0);
    const x = t.lab.explain('ph:eth0', frame('00:aa:00:00:00:01', BCAST));
    expect(x.truncated).toBe(false);
    expect(x.storm).toMatchObject({ threshold: 76 });
  });

  it('interfaces lists every interface with kind, host, vSwitch, port group and VLAN', () => {
    const t = makeLab(standardTopology());
    const byId = new Map(t.lab.interfaces().map((i) => [i.id, i]));
    expect(byId.get('a:eth0')).toMatchObject({ kind: 'vnic', host: 'esxi-01', vswitch: 'vSwitch0', portGroup: 'VM-10', vlan: 10, mac: vmMac(1), up: true });
    expect(byId.get('esxi-01:vmnic0')).toMatchObject({ kind: 'vmnic', vswitch: 'vSwitch0', peer: 'tor-1:eth0', up: true });
    expect(byId.get('tor-1:eth9')).toMatchObject({ kind: 'switch-port', mode: 'access', vlan: 10, peer: 'ph1:eth0' });
    expect(byId.get('ph1:eth0')).toMatchObject({ kind: 'physical-nic' });
  });

  it('counters count from each interface\'s own point of view', () => {
    const t = makeLab(standardTopology());
    t.send('a:eth0', frame(vmMac(1), vmMac(2)));
    expect(t.lab.counters('a:eth0')).toMatchObject({ txFrames: 1, txBytes: 60, rxFrames: 0 });
    expect(t.lab.counters('b:eth0')).toMatchObject({ rxFrames: 1, rxBytes: 60, txFrames: 0 });
    t.send('a:eth0', frame(vmMac(1), BCAST));
    expect(t.lab.counters('esxi-01:vmnic0')).toMatchObject({ txFrames: 1, txBytes: 64 });
    expect(t.lab.counters('tor-1:eth0')).toMatchObject({ rxFrames: 1, rxBytes: 64 });
    expect(t.lab.counters('tor-1:eth9')).toMatchObject({ txFrames: 1, txBytes: 60 });
  });

  it('ping runs the clock until done (real IP stacks, across two hosts)', () => {
    const doc = topology({
      hosts: [host({ portGroups: [{ name: 'VM-10', vlan: 10 }] }, 1), host({ portGroups: [{ name: 'VM-10', vlan: 10 }] }, 2)],
      vms: [vm('a', 'VM-10', vmMac(1), 'esxi-01', { ipv4: '10.0.10.1/24' }), vm('b', 'VM-10', vmMac(2), 'esxi-02', { ipv4: '10.0.10.2/24' })],
      physicalSwitches: [{ name: 'tor-1', ports: [trunk('eth0'), trunk('eth1')] }],
      links: [
        { a: 'esxi-01:vmnic0', b: 'tor-1:eth0' },
        { a: 'esxi-02:vmnic0', b: 'tor-1:eth1' },
      ],
    });
    const lab = createLab(doc, { stackFactory: createIpStack });
    const r = lab.ping('a:eth0', '10.0.10.2', { count: 2, intervalMs: 100 });
    expect(r).toMatchObject({ transmitted: 2, received: 2, done: true });
    expect(lab.arpCache('a:eth0').map((e) => e.mac)).toEqual([vmMac(2)]);
    expect(lab.macTable('tor-1').map((e) => e.port).sort()).toEqual(['tor-1:eth0', 'tor-1:eth1']);
    expect(() => lab.ping('a:eth0', '10.0.10.300')).toThrow(LabError);
    expect(() => lab.ping('esxi-01:vmnic0', '10.0.10.2')).toThrow(/not an endpoint/);
    expect(() => lab.macTable('tor-2')).toThrow(/did you mean tor-1/);
  });

  it('trace listeners may not re-enter the lab', () => {
    const t = makeLab(standardTopology());
    t.lab.trace.subscribe(() => {
      t.lab.run();
    });
    t.lab.inject('a:eth0', frame(vmMac(1), BCAST));
    expect(() => t.lab.run()).toThrow(/already processing/);
  });

  it('without subscribers the fabric builds no trace events; with one, every capture point carries its bytes', () => {
    const t = makeLab(standardTopology({ uplinks: 2 }));
    const lab = createLab(standardTopology({ uplinks: 2 }), { stackFactory: t.rec.factory });
    const emit = vi.spyOn(lab.fabric, 'emit');
    lab.inject('a:eth0', frame(vmMac(1), BCAST));
    lab.inject('a:eth0', frame('00:50:56:aa:00:99', BCAST));
    lab.inject('ph1:eth0', frame('00:aa:bb:00:00:01', BCAST));
    lab.run();
    expect(emit).not.toHaveBeenCalled();
    expect(lab.counters('a:eth0').drops.FORGED_TRANSMIT).toBe(1);
    const seen: TraceEvent[] = [];
    const off = lab.trace.subscribe((e) => seen.push(e));
    lab.inject('ph1:eth0', frame('00:aa:bb:00:00:01', BCAST));
    lab.run();
    off();
    expect(seen.length).toBeGreaterThan(0);
    for (const e of seen) if (e.point) expect(e.frame).toBeInstanceOf(Uint8Array);
    expect(new Set(seen.map((e) => e.point).filter(Boolean))).toEqual(new Set(['HostTx', 'PhysRx', 'PhysTx', 'UplinkRcv', 'PortOutput', 'Drop']));
    const n = seen.length;
    lab.inject('a:eth0', frame(vmMac(1), BCAST));
    lab.run();
    expect(seen.length).toBe(n);
  });
});

describe('lab.startPing (non-blocking ping)', () => {
  const pingDoc = () =>
    topology({
      hosts: [host({ portGroups: [{ name: 'VM-10', vlan: 10 }] }, 1)],
      vms: [vm('a', 'VM-10', vmMac(1), 'esxi-01', { ipv4: '10.0.10.1/24' }), vm('b', 'VM-10', vmMac(2), 'esxi-01', { ipv4: '10.0.10.2/24' })],
    });

  it('queues the ping without running the clock; run() completes it and onDone gets the result', () => {
    const lab = createLab(pingDoc(), { stackFactory: createIpStack });
    const results: unknown[] = [];
    lab.startPing('a:eth0', '10.0.10.2', { count: 2, intervalMs: 100 }, (r) => results.push(r));
    expect(lab.now).toBe(0);
    expect(results).toEqual([]);
    expect(lab.nextEventTime()).toBe(0); // the first probe (its ARP request) waits in the queue
    expect(lab.counters('a:eth0').txFrames).toBe(0);
    lab.run({ forNs: 50e6 });
    expect(results).toEqual([]); // the second probe is due at 100 ms
    lab.run();
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ transmitted: 2, received: 2, done: true });
    expect(lab.counters('b:eth0').txFrames).toBeGreaterThanOrEqual(3); // ARP reply + two echo replies
  });

  it('bad requests throw LabError and change nothing', () => {
    const lab = createLab(pingDoc(), { stackFactory: createIpStack });
    const done = vi.fn();
    expect(() => lab.startPing('a:eth9', '10.0.10.2', {}, done)).toThrow(LabError);
    expect(() => lab.startPing('esxi-01:vmnic0', '10.0.10.2', {}, done)).toThrow(/not an endpoint/);
    expect(() => lab.startPing('a:eth0', '10.0.10.300', {}, done)).toThrow(LabError);
    expect(() => lab.startPing('a:eth0', '10.0.10.2', { count: 0 }, done)).toThrow(/count/);
    expect(() => lab.startPing('a:eth0', '10.0.10.2', { timeoutMs: 0 }, done)).toThrow(LabError);
    expect(lab.nextEventTime()).toBeNull();
    expect(lab.run().events).toBe(0);
    expect(done).not.toHaveBeenCalled();
  });

  it('is refused from a trace listener while the lab is processing', () => {
    const lab = createLab(pingDoc(), { stackFactory: createIpStack });
    const errors: unknown[] = [];
    const off = lab.trace.subscribe(() => {
      try {
        lab.startPing('b:eth0', '10.0.10.1', {}, () => {});
      } catch (e) {
        errors.push(e);
      }
    });
    lab.inject('a:eth0', frame(vmMac(1), BCAST));
    lab.run();
    off();
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toBeInstanceOf(LabError);
  });
});
