import { describe, expect, it } from 'vitest';
import { runScenario } from '../../src/engine/scenario.js';
import { BEACON_INTERVAL_NS } from '../../src/engine/beacon-probing.js';
import { BCAST, atPoint, frame, makeLab, topology, trunk } from './fixtures.js';

/**
 * esxi-01 with vmnic0, vmnic1 on tor-1 and vmnic2 on tor-2; tor-2 reaches tor-1 by one
 * inter-switch link (tor-2:eth9 <-> tor-1:eth9). Cutting that link leaves vmnic2's own link up:
 * only beacon probing can see that vmnic2 is cut off. VMs v0..v2 in "Probe" (beacon), w0..w2 in
 * "Link" (link status only), all srcid, so v2/w2 are pinned to vmnic2.
 */
function beaconTopo(uplinks = 3) {
  const nics = Array.from({ length: uplinks }, (_, i) => ({ name: `vmnic${i}`, mac: `00:1b:21:01:00:0${i}` }));
  return topology({
    hosts: [{
      name: 'esxi-01',
      nics,
      vswitches: [{
        name: 'vSwitch0',
        uplinks: nics.map((n) => n.name),
        portGroups: [
          { name: 'Probe', vlan: 0, policy: { teaming: { failureDetection: 'beacon' } } },
          { name: 'Link', vlan: 0 },
        ],
      }],
    }],
    vms: [
      ...Array.from({ length: 3 }, (_, i) => ({ name: `v${i}`, host: 'esxi-01', nics: [{ name: 'eth0', portGroup: 'Probe', mac: `00:50:56:aa:00:0${i + 1}`, ipv4: `10.0.0.${21 + i}/24` }] })),
      ...Array.from({ length: 3 }, (_, i) => ({ name: `w${i}`, host: 'esxi-01', nics: [{ name: 'eth0', portGroup: 'Link', mac: `00:50:56:bb:00:0${i + 1}`, ipv4: `10.0.0.${31 + i}/24` }] })),
    ],
    physicalSwitches: [
      { name: 'tor-1', ports: [trunk('eth0'), trunk('eth1'), trunk('eth8'), trunk('eth9')] },
      { name: 'tor-2', ports: [trunk('eth2'), trunk('eth9')] },
    ],
    physicalHosts: [{ name: 'client', nics: [{ name: 'eth0', mac: '3c:22:fb:00:00:50', ipv4: '10.0.0.50/24' }] }],
    links: [
      // the last uplink is on tor-2, the others on tor-1
      ...nics.map((n, i) => ({ a: `esxi-01:${n.name}`, b: i === uplinks - 1 ? 'tor-2:eth2' : `tor-1:eth${i}` })),
      { a: 'tor-2:eth9', b: 'tor-1:eth9' },
      { a: 'client:eth0', b: 'tor-1:eth8' },
    ],
  });
}

describe('beacon probing (T6)', () => {
  it('T6: every second each uplink sends a beacon, visible at UplinkSnd; beacons are consumed, never forwarded to ports', () => {
    const t = makeLab(beaconTopo());
    t.lab.run({ forNs: 2.5 * BEACON_INTERVAL_NS });
    const beacons = atPoint(t.events, 'UplinkSnd').filter((e) => e.frame![12] === 0x05 && e.frame![13] === 0xff);
    expect(beacons.map((e) => `${e.time}/${e.port}`)).toEqual([0, 1e9, 2e9].flatMap((s) => [0, 1, 2].map((i) => `${s}/esxi-01:vmnic${i}`)));
    expect(t.events.filter((e) => e.action === 'deliver' && e.rule === 'T6').length).toBeGreaterThan(0);
    expect(t.rec.receivers()).toEqual(['client:eth0']); // the physical network floods them; no VM saw one
    // an idle lab with beacons still settles: run() until idle returns
    expect(t.lab.run().events).toBe(0);
  });

  it('T6: with 3 uplinks, an uplink whose beacons nobody hears is taken out of use; loss is bounded by the detection time', () => {
    const r = runScenario(beaconTopo(), {
      name: 'beacon',
      duration: '8s',
      pings: [
        { name: 'probe', from: 'client:eth0', to: '10.0.0.23', intervalMs: 100 },
        { name: 'link', from: 'client:eth0', to: '10.0.0.33', intervalMs: 100 },
      ],
      steps: [{ at: '2.05s', change: { kind: 'link', iface: 'tor-1:eth9', up: false } }],
      expect: {
        frames: [
          { at: 'esxi-01:vmnic2', point: 'UplinkSnd', ping: 'probe', after: '4s', max: 0, min: 0 },
          { at: 'esxi-01:vmnic0', point: 'UplinkSnd', kind: 'rarp', src: 'v2:eth0', after: '2.05s', min: 5, max: 5 },
        ],
      },
    });
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
    const verdict = r.timeline.find((e) => e.kind === 'beacon' && /vmnic2 cut off/.test(e.text))!;
    expect(verdict).toBeDefined();
    const detection = verdict.time - 2.05e9;
    expect(detection).toBeLessThanOrEqual(2 * BEACON_INTERVAL_NS);
    const probe = r.pings.find((p) => p.name === 'probe')!;
    expect(probe.lost).toBeGreaterThan(0);
    expect(probe.lost).toBeLessThanOrEqual(Math.floor(detection / 100e6) + 1);
    // the link-status port group keeps using vmnic2 (its link is up) and loses everything after the cut
    const link = r.pings.find((p) => p.name === 'link')!;
    expect(link.lost).toBeGreaterThan(probe.lost);
  });

  it('T6: with 2 uplinks that cannot hear each other, neither is cut off and every frame leaves by both (shotgun)', () => {
    const t = makeLab(beaconTopo(2));
    t.lab.run({ forNs: 1.5 * BEACON_INTERVAL_NS });
    t.events.length = 0;
    t.send('v1:eth0', frame('00:50:56:aa:00:02', '00:50:56:ee:ee:ee'));
    expect(atPoint(t.events, 'UplinkSnd').map((e) => e.port)).toEqual(['esxi-01:vmnic1']); // they hear each other: one uplink
    t.lab.apply({ kind: 'link', iface: 'tor-1:eth9', up: false });
    t.lab.run({ forNs: 5 * BEACON_INTERVAL_NS });
    expect(t.events.filter((e) => e.action === 'beacon' && /cut off/.test(e.detail))).toEqual([]);
    expect(t.events.filter((e) => e.action === 'beacon' && /shotgun, every frame/.test(e.detail))).toHaveLength(1);
    t.events.length = 0;
    t.send('v1:eth0', frame('00:50:56:aa:00:02', '00:50:56:ee:ee:ee'));
    expect(atPoint(t.events, 'UplinkSnd').map((e) => e.port).sort()).toEqual(['esxi-01:vmnic0', 'esxi-01:vmnic1']);
    t.events.length = 0;
    t.send('v1:eth0', frame('00:50:56:aa:00:02', BCAST));
    expect(atPoint(t.events, 'UplinkSnd').map((e) => e.port).sort()).toEqual(['esxi-01:vmnic0', 'esxi-01:vmnic1']);
    // the beacons hear each other again: one uplink per frame
    t.lab.apply({ kind: 'link', iface: 'tor-1:eth9', up: true });
    t.lab.run({ forNs: 3 * BEACON_INTERVAL_NS });
    expect(t.events.filter((e) => e.action === 'beacon' && /shotgun over/.test(e.detail))).toHaveLength(1);
    t.events.length = 0;
    t.send('v1:eth0', frame('00:50:56:aa:00:02', '00:50:56:ee:ee:ee'));
    expect(atPoint(t.events, 'UplinkSnd').map((e) => e.port)).toEqual(['esxi-01:vmnic1']);
  });

  it('T6: a third uplink changes it: the one nobody hears is found and cut off, no shotgun', () => {
    const t = makeLab(beaconTopo(3));
    t.lab.run({ forNs: 1.5 * BEACON_INTERVAL_NS });
    t.lab.apply({ kind: 'link', iface: 'tor-1:eth9', up: false });
    t.lab.run({ forNs: 5 * BEACON_INTERVAL_NS });
    expect(t.events.filter((e) => e.action === 'beacon' && /shotgun/.test(e.detail))).toEqual([]);
    expect(t.events.filter((e) => e.action === 'beacon' && /cut off/.test(e.detail)).length).toBeGreaterThan(0);
    t.events.length = 0;
    t.send('v1:eth0', frame('00:50:56:aa:00:02', '00:50:56:ee:ee:ee'));
    expect(atPoint(t.events, 'UplinkSnd')).toHaveLength(1);
  });
});
