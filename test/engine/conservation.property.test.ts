import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildEthernet } from '../../src/wire/index.js';
import type { TopologyInput } from '../../src/topology/schema.js';
import { conservationViolations, makeLab, topology, vmMac } from './fixtures.js';

const PG_VLANS = [0, 10, 20, 4095] as const;
const FRAME_VLANS = [undefined, 0, 10, 20, 30, 4095] as const;
const acceptReject = fc.constantFrom('accept' as const, 'reject' as const);

const portGroupArb = fc.record({
  vlan: fc.constantFrom(...PG_VLANS),
  promiscuous: acceptReject,
  forgedTransmits: acceptReject,
  macChanges: acceptReject,
  lb: fc.constantFrom('srcid' as const, 'srcmac' as const, 'iphash' as const, 'failover' as const),
});

const hostArb = fc.record({
  uplinks: fc.integer({ min: 0, max: 3 }),
  mtu: fc.constantFrom(1500, 9000),
  portGroups: fc.array(portGroupArb, { minLength: 1, maxLength: 3 }),
  vms: fc.array(fc.record({ pg: fc.nat(), connected: fc.boolean(), mtu: fc.constantFrom(1500, 9000) }), { minLength: 1, maxLength: 4 }),
  rpfPromisc: fc.boolean(),
});

const switchPortArb = fc.oneof(
  fc.record({ mode: fc.constant('access' as const), vlan: fc.constantFrom(1, 10, 20) }),
  fc.record({
    mode: fc.constant('trunk' as const),
    allowedVlans: fc.constantFrom<'all' | number[]>('all', [10], [10, 20], [1, 20]),
    nativeVlan: fc.constantFrom<number | null>(1, 10, null),
    nativeTagged: fc.boolean(),
  }),
);

type LabSpec = typeof labArb extends fc.Arbitrary<infer T> ? T : never;

const labArb = fc.record({
  hosts: fc.array(hostArb, { minLength: 1, maxLength: 2 }),
  twoSwitches: fc.boolean(),
  physHosts: fc.integer({ min: 0, max: 2 }),
  portModes: fc.array(switchPortArb, { minLength: 12, maxLength: 12 }),
  linksDown: fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
});

function buildTopology(spec: LabSpec) {
  const hosts: NonNullable<TopologyInput['hosts']> = [];
  const vms: NonNullable<TopologyInput['vms']> = [];
  const links: { a: string; b: string; up: boolean }[] = [];
  const ports: Record<string, NonNullable<TopologyInput['physicalSwitches']>[number]['ports']> = { 'sw-0': [], 'sw-1': [] };
  let portN = 0;
  const cable = (iface: string) => {
    const sw = spec.twoSwitches && portN % 2 === 1 ? 'sw-1' : 'sw-0';
    const name = `p${portN}`;
    ports[sw]!.push({ name, ...spec.portModes[portN % 12]! });
    links.push({ a: iface, b: `${sw}:${name}`, up: !spec.linksDown[portN % 12] });
    portN++;
  };
  let vmIndex = 0;
  spec.hosts.forEach((h, hi) => {
    const hostName = `esxi-${hi}`;
    const nics = Array.from({ length: h.uplinks }, (_, i) => ({ name: `vmnic${i}`, mac: `00:1b:21:0${hi}:00:0${i}` }));
    hosts.push({
      name: hostName,
      nics,
      settings: { reversePathFwdCheckPromisc: h.rpfPromisc },
      vswitches: [
        {
          name: 'vSwitch0',
          mtu: h.mtu,
          uplinks: nics.map((n) => n.name),
          portGroups: h.portGroups.map((g, gi) => ({
            name: `pg${gi}`,
            vlan: g.vlan,
            policy: { security: { promiscuous: g.promiscuous, forgedTransmits: g.forgedTransmits, macChanges: g.macChanges }, teaming: { loadBalancing: g.lb } },
          })),
        },
      ],
    });
    for (const n of nics) cable(`${hostName}:${n.name}`);
    for (const v of h.vms) {
      vmIndex++;
      vms.push({ name: `vm${vmIndex}`, host: hostName, nics: [{ name: 'eth0', portGroup: `pg${v.pg % h.portGroups.length}`, mac: vmMac(vmIndex), connected: v.connected, mtu: v.mtu }] });
    }
  });
  const physicalHosts = Array.from({ length: spec.physHosts }, (_, i) => ({ name: `ph${i}`, nics: [{ name: 'eth0', mac: `00:aa:bb:00:00:0${i}` }] }));
  for (const ph of physicalHosts) cable(`${ph.name}:eth0`);
  if (spec.twoSwitches) {
    ports['sw-0']!.push({ name: 'isl', mode: 'trunk' });
    ports['sw-1']!.push({ name: 'isl', mode: 'trunk' });
    links.push({ a: 'sw-0:isl', b: 'sw-1:isl', up: true });
  }
  const physicalSwitches = (spec.twoSwitches ? ['sw-0', 'sw-1'] : ['sw-0']).map((name) => ({ name, ports: ports[name]! }));
  return { doc: topology({ hosts, vms, physicalSwitches, physicalHosts, links }), macs: [...vms.map((v) => v.nics[0]!.mac), ...physicalHosts.map((p) => p.nics[0]!.mac)] };
}

describe('conservation (F10)', () => {
  it('F10: every copy of random frames in random labs ends in exactly one deliver or drop, and counters add up', () => {
    fc.assert(
      fc.property(
        labArb,
        fc.array(
          fc.record({
            at: fc.nat(),
            src: fc.nat(),
            dst: fc.oneof(fc.constant('ff:ff:ff:ff:ff:ff'), fc.constant('01:00:5e:00:00:01'), fc.constant('00:50:56:ee:ee:ee'), fc.nat().map(String)),
            vlan: fc.constantFrom(...FRAME_VLANS),
            len: fc.constantFrom(0, 46, 1500, 1501, 9000),
          }),
          { minLength: 1, maxLength: 8 },
        ),
        (spec, frames) => {
          const { doc, macs } = buildTopology(spec);
          const t = makeLab(doc);
          const ifaces = t.lab.interfaces().filter((i) => i.kind !== 'switch-port' || i.peer !== null);
          for (const f of frames) {
            const at = ifaces[f.at % ifaces.length]!;
            const src = macs[f.src % macs.length]!;
            const dst = /^\d+$/.test(f.dst) ? macs[Number(f.dst) % macs.length]! : f.dst;
            t.lab.inject(at.id, buildEthernet({ src, dst, ethertype: 0x88b5, payload: new Uint8Array(f.len), vlan: f.vlan }));
          }
          t.lab.run();
          expect(conservationViolations(t.events)).toEqual([]);
          const counters = Object.entries(t.lab.allCounters());
          const kinds = new Map(t.lab.interfaces().map((i) => [i.id, i.kind]));
          expect(counters.reduce((n, [, c]) => n + c.dropped, 0)).toBe(t.drops().length);
          const endpointRx = counters.filter(([id]) => kinds.get(id) !== 'vmnic' && kinds.get(id) !== 'switch-port').reduce((n, [, c]) => n + c.rxFrames, 0);
          expect(endpointRx).toBe(t.delivers().length);
          // every injected frame produced at least one fate
          const fates = new Set(t.events.filter((e) => e.action === 'deliver' || e.action === 'drop').map((e) => e.frameId));
          for (let id = 1; id <= frames.length; id++) expect(fates.has(id)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
