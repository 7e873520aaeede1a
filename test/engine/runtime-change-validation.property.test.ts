/**
 * Incremental validation of runtime changes (issue 15): a change validates only what it touches,
 * and must refuse exactly what validating the whole document would; and it brings only what it
 * touches of the fabric in line, which must leave the fabric as a sync of the whole document does. Random sequences of changes
 * of every kind (good and bad names, MACs, groups, VLANs) on example labs: every change the lab
 * accepts leaves a document that full validation accepts (no error the lab did not start with),
 * every refused change leaves the document as it was, and the kinds that skip full validation
 * (VALIDATED_BY_CHANGE_SCHEMA) are refused exactly when full validation of the edited document,
 * or the change's own checks, would refuse them. Then the same changes on a lab and on a twin lab
 * whose changes run in reference mode (whole-document validation, whole-fabric sync: the way
 * before issue 15): the same verdicts with the same reasons, the same document, the same trace
 * events (change, failover, notify) and RARPs, and the same fabric state, vSwitch by vSwitch and
 * port by port. Bounded in `npm test`; FUZZ_RUNS=n runs longer.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLab, type Lab } from '../../src/engine/lab.js';
import type { Fabric } from '../../src/engine/fabric.js';
import { RuntimeDynamics, VALIDATED_BY_CHANGE_SCHEMA } from '../../src/engine/runtime-changes.js';
import { syncFromDoc } from '../../src/engine/runtime-config.js';
import type { TraceEvent } from '../../src/engine/trace.js';
import { validateTopology } from '../../src/topology/load.js';
import { loadTopologyFileSync } from '../../src/files/topology-file.js';
import type { TopologyDoc } from '../../src/topology/schema.js';

const runs = (bounded: number): number => Number(process.env.FUZZ_RUNS ?? bounded);

function example(name: string): TopologyDoc {
  const r = loadTopologyFileSync(new URL(`../../topologies/${name}.json`, import.meta.url).pathname);
  if (!r.ok) throw new Error(`${name} does not load`);
  return r.topology;
}

const errorsOf = (doc: TopologyDoc): Set<string> => new Set(validateTopology(doc).errors.map((e) => `${e.path}|${e.message}`));

/** Random changes for a topology: mostly names that exist, sometimes ones that do not. */
function changes(doc: TopologyDoc): fc.Arbitrary<Record<string, unknown>> {
  const vnics = doc.vms.flatMap((v) => v.nics.map((n) => `${v.name}:${n.name}`));
  const vmnics = doc.hosts.flatMap((h) => h.nics.map((n) => `${h.name}:${n.name}`));
  // either end of a cable (the far end's vSwitch is touched too), vNICs, names that do not fit
  const cableEnds = doc.links.flatMap((l) => [l.a, l.b]);
  const ifaces = fc.oneof(fc.constantFrom(...vnics, ...vmnics, ...cableEnds), fc.constantFrom('nope:eth0', `${doc.hosts[0]!.name}:vmk0`));
  const hosts = fc.constantFrom(...doc.hosts.map((h) => h.name), 'no-such-host');
  const portGroups = fc.constantFrom(...doc.hosts.flatMap((h) => h.vswitches.flatMap((v) => v.portGroups.map((p) => p.name))), 'No PG');
  const vswitches = fc.constantFrom(...doc.hosts.flatMap((h) => h.vswitches.map((v) => v.name)), 'vSwitch9');
  const uplinks = fc.constantFrom('vmnic0', 'vmnic1', 'vmnic2', 'vmk0');
  const group = fc.constantFrom('01:00:5e:01:02:03', '33:33:00:00:00:01', '00:50:56:00:00:01', 'ff:ff:ff:ff:ff:ff', 'not-a-mac');
  // policy patches: good ones, ones that break T1 or Q1, ones that take an override away (null)
  const policies = fc.constantFrom<Record<string, unknown>>(
    { security: { promiscuous: 'accept' } },
    { security: null },
    { teaming: { active: ['vmnic1'], standby: ['vmnic0'] } },
    { teaming: { active: ['vmnic7'] } },
    { teaming: { active: ['vmnic0'], standby: ['vmnic0'] } },
    { teaming: { loadBalancing: 'failover', failureDetection: 'beacon' } },
    { teaming: null },
    { shaping: { enabled: true, averageBps: 1_000_000, peakBps: 500_000, burstBytes: 10_000 } },
    { shaping: { enabled: true, averageBps: 1_000_000, peakBps: 2_000_000, burstBytes: 10_000 } },
    { shaping: { enabled: true, averageBps: 2_000_000, peakBps: 1_000_000, burstBytes: 1000 } }, // the error twinDocs' broken lab starts with
    { shaping: { peakBps: null } },
    { shaping: null },
  );
  const mac = fc.constantFrom('00:50:56:aa:bb:cc', '01:00:5e:00:00:01', '00:00:00:00:00:00', ...doc.vms.flatMap((v) => v.nics.map((n) => n.mac ?? '00:50:56:00:00:09')));
  return fc.oneof(
    fc.record({ kind: fc.constant('link'), iface: ifaces, up: fc.boolean() }),
    fc.record({ kind: fc.constant('link-impairments'), iface: ifaces, impairments: fc.constantFrom(null, { lossPercent: 5 }, { lossPercent: 500 }) }),
    fc.record({ kind: fc.constant('vnic-connect'), iface: ifaces, connected: fc.oneof(fc.boolean(), fc.constant('yes')) }),
    fc.record({ kind: fc.constant('multicast'), iface: ifaces, groups: fc.array(group, { maxLength: 3 }) }),
    fc.record({ kind: fc.constant('effective-mac'), iface: ifaces, mac }),
    fc.record({ kind: fc.constant('portgroup'), host: hosts, portGroup: portGroups, vlan: fc.constantFrom(0, 10, 20, 4095, 5000) }),
    fc.record({ kind: fc.constant('portgroup'), host: hosts, portGroup: portGroups, policy: policies }),
    fc.record({ kind: fc.constant('vswitch-policy'), host: hosts, vswitch: vswitches, policy: policies }),
    fc.record({ kind: fc.constantFrom('uplink-add', 'uplink-remove'), host: hosts, vswitch: vswitches, uplink: uplinks }),
    fc.record({ kind: fc.constant('migrate'), vm: fc.constantFrom(...doc.vms.map((v) => v.name), 'no-vm'), toHost: hosts }),
  );
}

describe('incremental validation refuses exactly what full validation refuses', () => {
  for (const name of ['multi-host', 'default', 'security']) {
    it(`random changes on ${name}`, () => {
      const doc = example(name);
      fc.assert(
        fc.property(fc.array(changes(doc), { minLength: 1, maxLength: 12 }), (list) => {
          const lab = createLab(doc, { historyLimitBytes: 0 });
          const start = errorsOf(doc);
          for (const change of list) {
            const before = lab.currentTopology();
            const r = lab.apply(change);
            const after = lab.currentTopology();
            if (!r.ok) {
              expect(after).toEqual(before); // atomic
              continue;
            }
            // full validation of what the lab now runs finds no error it did not start with
            const fresh = [...errorsOf(after)].filter((e) => !start.has(e));
            // (so a kind in VALIDATED_BY_CHANGE_SCHEMA that could add an error fails here)
            expect(fresh, `${JSON.stringify(change)} accepted${VALIDATED_BY_CHANGE_SCHEMA.has(change.kind as never) ? ' without full validation' : ''}`).toEqual([]);
          }
        }),
        { numRuns: runs(60) },
      );
    }, 300_000);
  }
});

/**
 * Labs for the comparison: examples, one whose defaults state a failover order (every vSwitch
 * that inherits it must have those uplinks), and one that starts with errors (a lab can be built
 * from a document with problems; a change may not add one, but may remove one and bring it back).
 */
function twinDocs(): [string, TopologyDoc][] {
  const ordered = example('multi-host');
  ordered.defaults = { arpCacheTimeoutSeconds: 1200, ...ordered.defaults, teaming: { active: ['vmnic0'], standby: ['vmnic1'] } };
  const broken = example('multi-host');
  broken.defaults = { arpCacheTimeoutSeconds: 1200, ...broken.defaults, teaming: { active: ['vmnic0', 'vmnic2'] } };
  broken.hosts[0]!.vswitches[0]!.portGroups[2]!.policy = { shaping: { enabled: true, averageBps: 2_000_000, peakBps: 1_000_000, burstBytes: 1000 } };
  return [
    ['multi-host', example('multi-host')],
    ['vlans', example('vlans')],
    ['teaming', example('teaming')],
    ['multi-host with a defaults order', ordered],
    ['multi-host with errors from the start', broken],
  ];
}

const ids = (l: readonly { id: string }[] | null | undefined): string[] | null => (l ? l.map((x) => x.id) : null);

/** What forwarding reads of a fabric, by name (no object identity, no configuration epoch). */
function fabricState(f: Fabric): unknown {
  const vswitches = f.vswitches.map((vs) => ({
    id: vs.id,
    uplinks: ids(vs.uplinks),
    ports: vs.ports.map((p) => `${p.id}#${p.portId}`),
    macPorts: vs.ports.map((p) => ids(vs.macIndex.lookup(p.effMacBytes, 0))),
    members: [...vs.members].map(([v, l]) => [v, ids(l)]),
    promiscMembers: [...vs.promiscMembers].map(([v, l]) => [v, ids(l)]),
    vgt: ids(vs.vgtMembers),
    promiscVgt: ids(vs.promiscVgt),
    promiscCount: vs.promiscCount,
    beaconFailed: [...vs.beaconFailed].map((u) => u.id),
    shotgun: ids(vs.beaconShotgun),
    portGroups: vs.portGroups.map((pg) => ({
      name: pg.name,
      vlan: pg.vlan,
      security: [pg.promiscuous, pg.macChangesAccept, pg.forgedAccept],
      teaming: {
        ...pg.teaming,
        active: ids(pg.teaming.active),
        standby: ids(pg.teaming.standby),
        inUse: ids(pg.teaming.inUse),
        usableStandby: ids(pg.teaming.usableStandby),
        lastUsable: ids(pg.teaming.lastUsable),
      },
      shaping: pg.shaping,
      ports: ids(pg.ports),
    })),
  }));
  const ifaces = f.ifaces.map((i) => ({
    id: i.id,
    linkUp: i.linkUp,
    connected: i.connected,
    vs: i.vs?.id ?? null,
    pg: i.pg?.name ?? null,
    portId: i.portId,
    pinned: i.pinned?.id ?? null,
    effMac: i.effMac,
    impair: i.impair?.config ?? null,
    shaper: i.shaper?.config ?? null,
    mcast: i.mcast ? [...i.mcast.macs].sort() : null,
  }));
  return { vswitches, ifaces };
}

describe('incremental runtime changes do what whole-document validation and a whole sync do', () => {
  it('a lab as built (syncBuilt) is what a whole sync of its document makes of it', () => {
    const extra = example('multi-host');
    extra.links[0]!.impairments = { lossPercent: 5, delayMs: 1, jitterMs: 0, duplicatePercent: 0, seed: 3, queueFrames: 100 };
    extra.vms[0]!.nics[0]!.multicast = ['01:00:5e:01:02:03'];
    extra.hosts[0]!.vswitches[0]!.policy = { shaping: { enabled: true, averageBps: 1_000_000, peakBps: 2_000_000, burstBytes: 10_000 } };
    const docs: TopologyDoc[] = [...['default', 'vlans', 'shaping', 'teaming', 'security'].map(example), ...twinDocs().map(([, d]) => d), extra];
    for (const doc of docs) {
      const lab = createLab(doc, { historyLimitBytes: 0 });
      const built = fabricState(lab.fabric);
      syncFromDoc(lab.fabric, lab.currentTopology());
      expect(fabricState(lab.fabric), doc.name).toEqual(built);
    }
  });

  it('an error the lab started with may go and come back; a new one may not', () => {
    const doc = twinDocs().find(([n]) => n.includes('errors'))![1];
    const lab = createLab(doc, { historyLimitBytes: 0 });
    const reference = new RuntimeDynamics(createLab(doc, { historyLimitBytes: 0 }).fabric, doc, true);
    const shaping = (peakBps: number) => ({ kind: 'portgroup', host: 'esxi-01', portGroup: 'Prod-VLAN10', policy: { shaping: { enabled: true, averageBps: 2_000_000, peakBps, burstBytes: 1000 } } });
    const steps = [
      { kind: 'portgroup', host: 'esxi-01', portGroup: 'Prod-VLAN10', policy: { shaping: null } }, // removes the error
      shaping(1_000_000), // the same error again: the lab started with it
      shaping(1_500_000), // another peak below the average: new
    ];
    const verdicts = steps.map((c) => {
      const r = lab.apply(c);
      expect(r).toEqual(reference.apply(c));
      expect(lab.currentTopology()).toEqual(reference.currentTopology());
      return r.ok;
    });
    expect(verdicts).toEqual([true, true, false]);
  });

  for (const [name, doc] of twinDocs()) {
    it(`random changes on ${name}`, () => {
      fc.assert(
        fc.property(fc.array(changes(doc), { minLength: 1, maxLength: 12 }), (list) => {
          const lab = createLab(doc, { historyLimitBytes: 0 });
          // the twin's changes go through a reference-mode RuntimeDynamics on its fabric (not
          // twin.apply); nothing runs the clock, so the twin's own beacon rounds never fire
          const twin: Lab = createLab(doc, { historyLimitBytes: 0 });
          const reference = new RuntimeDynamics(twin.fabric, doc, true);
          const events: [TraceEvent[], TraceEvent[]] = [[], []];
          lab.trace.subscribe((e) => void events[0].push(e));
          twin.trace.subscribe((e) => void events[1].push(e));
          expect(fabricState(lab.fabric)).toEqual(fabricState(twin.fabric));
          for (const change of list) {
            const r = lab.apply(change);
            const want = reference.apply(change);
            expect(r, JSON.stringify(change)).toEqual(want);
            expect(lab.currentTopology(), JSON.stringify(change)).toEqual(reference.currentTopology());
            expect(fabricState(lab.fabric), JSON.stringify(change)).toEqual(fabricState(twin.fabric));
          }
          expect(events[0].map((e) => ({ ...e, seq: 0 }))).toEqual(events[1].map((e) => ({ ...e, seq: 0 })));
        }),
        { numRuns: runs(40) },
      );
    }, 300_000);
  }
});
