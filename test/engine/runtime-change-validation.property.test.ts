/**
 * Incremental validation of runtime changes (issue 15): a change validates only what it touches,
 * and must refuse exactly what validating the whole document would. Random sequences of changes
 * of every kind (good and bad names, MACs, groups, VLANs) on example labs: every change the lab
 * accepts leaves a document that full validation accepts (no error the lab did not start with),
 * every refused change leaves the document as it was, and the kinds that skip full validation
 * (VALIDATED_BY_CHANGE_SCHEMA) are refused exactly when full validation of the edited document,
 * or the change's own checks, would refuse them. Bounded in `npm test`; FUZZ_RUNS=n runs longer.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLab } from '../../src/engine/lab.js';
import { VALIDATED_BY_CHANGE_SCHEMA } from '../../src/engine/runtime-changes.js';
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
  const ifaces = fc.oneof(fc.constantFrom(...vnics, ...vmnics), fc.constantFrom('nope:eth0', `${doc.hosts[0]!.name}:vmk0`));
  const hosts = fc.constantFrom(...doc.hosts.map((h) => h.name), 'no-such-host');
  const portGroups = fc.constantFrom(...doc.hosts.flatMap((h) => h.vswitches.flatMap((v) => v.portGroups.map((p) => p.name))), 'No PG');
  const vswitches = fc.constantFrom(...doc.hosts.flatMap((h) => h.vswitches.map((v) => v.name)), 'vSwitch9');
  const uplinks = fc.constantFrom('vmnic0', 'vmnic1', 'vmnic2', 'vmk0');
  const group = fc.constantFrom('01:00:5e:01:02:03', '33:33:00:00:00:01', '00:50:56:00:00:01', 'ff:ff:ff:ff:ff:ff', 'not-a-mac');
  const mac = fc.constantFrom('00:50:56:aa:bb:cc', '01:00:5e:00:00:01', '00:00:00:00:00:00', ...doc.vms.flatMap((v) => v.nics.map((n) => n.mac ?? '00:50:56:00:00:09')));
  return fc.oneof(
    fc.record({ kind: fc.constant('link'), iface: ifaces, up: fc.boolean() }),
    fc.record({ kind: fc.constant('link-impairments'), iface: ifaces, impairments: fc.constantFrom(null, { lossPercent: 5 }, { lossPercent: 500 }) }),
    fc.record({ kind: fc.constant('vnic-connect'), iface: ifaces, connected: fc.oneof(fc.boolean(), fc.constant('yes')) }),
    fc.record({ kind: fc.constant('multicast'), iface: ifaces, groups: fc.array(group, { maxLength: 3 }) }),
    fc.record({ kind: fc.constant('effective-mac'), iface: ifaces, mac }),
    fc.record({ kind: fc.constant('portgroup'), host: hosts, portGroup: portGroups, vlan: fc.constantFrom(0, 10, 20, 4095, 5000) }),
    fc.record({ kind: fc.constant('vswitch-policy'), host: hosts, vswitch: vswitches, policy: fc.constantFrom({ security: { promiscuous: 'accept' } }, { teaming: { active: ['vmnic1'], standby: ['vmnic0'] } }, { teaming: { active: ['vmnic7'] } }) }),
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
