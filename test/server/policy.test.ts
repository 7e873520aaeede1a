/**
 * GET /api/policy: effective vSwitch / port group policy with the source of every value, on the
 * topology as it runs (runtime changes included). Expected values come from the topology files.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { PolicyResponse, TopologyState } from '../../src/server/api-types.js';
import { jsonOf, startEngineServer, type EngineServer } from './helpers.js';

const servers: EngineServer[] = [];
afterEach(async () => {
  while (servers.length > 0) await servers.pop()!.close();
});
async function server(example: string): Promise<EngineServer> {
  const s = await startEngineServer(example);
  servers.push(s);
  return s;
}
const q = (query: Record<string, string>): string => `/api/policy?${new URLSearchParams(query).toString()}`;

describe('GET /api/policy', () => {
  it('a vSwitch: values it states come from "vswitch", the rest from the topology defaults or the built-in defaults', async () => {
    const s = await server('default');
    const doc = (await s.get<TopologyState>('/api/topology')).topology;
    const vs = doc.hosts[0]!.vswitches[0]!;
    const p = await s.get<PolicyResponse>(q({ host: doc.hosts[0]!.name, vswitch: vs.name }));
    expect(p.host).toBe(doc.hosts[0]!.name);
    expect(p.vswitch).toBe(vs.name);
    expect(p.portGroup).toBeUndefined();
    const stated = vs.policy!.security!;
    expect(p.policy.security.promiscuous).toEqual({ value: stated.promiscuous, source: 'vswitch' });
    expect(p.policy.security.macChanges).toEqual({ value: stated.macChanges, source: 'vswitch' });
    expect(p.policy.security.forgedTransmits).toEqual({ value: stated.forgedTransmits, source: 'vswitch' });
    // nothing in default.json says anything about teaming or shaping
    expect(doc.defaults?.teaming).toBeUndefined();
    expect(p.policy.teaming.loadBalancing.source).toBe('default');
    expect(p.policy.teaming.order).toEqual({ value: { active: vs.uplinks, standby: [], unused: [] }, source: 'default' });
    expect(p.policy.shaping.enabled).toEqual({ value: false, source: 'default' });
  });

  it('a port group: inherits from its vSwitch; names the vSwitch it is on; a failover order it states is its own (T1)', async () => {
    const s = await server('multi-host');
    const doc = (await s.get<TopologyState>('/api/topology')).topology;
    const host = doc.hosts[0]!;
    const vs = host.vswitches[0]!;
    const vmotion = vs.portGroups.find((g) => g.policy?.teaming?.active !== undefined)!;
    const p = await s.get<PolicyResponse>(q({ host: host.name, portGroup: vmotion.name }));
    expect(p).toMatchObject({ host: host.name, vswitch: vs.name, portGroup: vmotion.name });
    const t = vmotion.policy!.teaming!;
    expect(p.policy.teaming.order).toEqual({
      value: { active: t.active, standby: t.standby ?? [], unused: vs.uplinks.filter((u) => !t.active!.includes(u) && !(t.standby ?? []).includes(u)) },
      source: 'portgroup',
    });
    // security: stated only in the topology defaults
    expect(vs.policy?.security).toBeUndefined();
    expect(p.policy.security.forgedTransmits).toEqual({ value: doc.defaults!.security!.forgedTransmits, source: 'topology-defaults' });
    const plain = vs.portGroups.find((g) => g.policy === undefined)!;
    const p2 = await s.get<PolicyResponse>(q({ host: host.name, portGroup: plain.name }));
    expect(p2.policy.teaming.order.source).toBe('default');
  });

  it('follows runtime changes: a port group override shows as "portgroup"; removing a vSwitch value falls back to the topology defaults', async () => {
    const s = await server('default');
    const doc = (await s.get<TopologyState>('/api/topology')).topology;
    const host = doc.hosts[0]!.name;
    const vs = doc.hosts[0]!.vswitches[0]!;
    const pg = vs.portGroups.find((g) => g.policy === undefined)!.name;
    const before = await s.get<PolicyResponse>(q({ host, portGroup: pg }));
    expect(before.policy.security.promiscuous.source).toBe('vswitch');

    expect((await s.post('/api/changes', { kind: 'portgroup', host, portGroup: pg, policy: { security: { promiscuous: 'accept' } } })).status).toBe(200);
    expect((await s.post('/api/changes', { kind: 'vswitch-policy', host, vswitch: vs.name, policy: { security: { macChanges: null } } })).status).toBe(200);
    const after = await s.get<PolicyResponse>(q({ host, portGroup: pg }));
    expect(after.policy.security.promiscuous).toEqual({ value: 'accept', source: 'portgroup' });
    expect(after.policy.security.macChanges).toEqual({ value: doc.defaults!.security!.macChanges, source: 'topology-defaults' });
    // unchanged values keep their source
    expect(after.policy.security.forgedTransmits).toEqual(before.policy.security.forgedTransmits);
    const vsAfter = await s.get<PolicyResponse>(q({ host, vswitch: vs.name }));
    expect(vsAfter.policy.security.promiscuous).toEqual(before.policy.security.promiscuous); // the vSwitch itself did not change there
  });

  it('unknown host, vSwitch or port group -> 404 naming what exists; a missing or ambiguous query -> 400', async () => {
    const s = await server('default');
    const doc = (await s.get<TopologyState>('/api/topology')).topology;
    const host = doc.hosts[0]!.name;
    const cases: [string, number, RegExp, unknown?][] = [
      [q({ host: 'esxi-99', vswitch: 'vSwitch0' }), 404, /esxi-99/, { hosts: doc.hosts.map((h) => h.name) }],
      [q({ host, vswitch: 'vSwitch9' }), 404, /vSwitch9/, { vswitches: doc.hosts[0]!.vswitches.map((v) => v.name) }],
      [q({ host, portGroup: 'No Such PG' }), 404, /No Such PG/, { portGroups: doc.hosts[0]!.vswitches.flatMap((v) => v.portGroups.map((g) => g.name)) }],
      ['/api/policy', 400, /host/],
      [q({ vswitch: 'vSwitch0' }), 400, /host/],
      [q({ host }), 400, /vswitch or portGroup/],
      [q({ host, vswitch: 'vSwitch0', portGroup: 'VM Network' }), 400, /vswitch or portGroup/],
      [`/api/policy?host=${host}&host=${host}&vswitch=vSwitch0`, 400, /host/],
      [q({ host: '', vswitch: 'vSwitch0' }), 400, /host/],
    ];
    for (const [url, status, says, details] of cases) {
      const res = await s.api(url);
      expect(res.status, url).toBe(status);
      const body = await jsonOf<{ error: string; details?: unknown }>(res);
      expect(body.error, url).toMatch(says);
      if (details !== undefined) expect(body.details, url).toEqual(details);
    }
  });
});
