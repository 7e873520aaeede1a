/**
 * POST /api/changes over the real engine, on topologies/multi-host.json: two ESXi hosts with a
 * "Prod-VLAN10" port group each (app-01 on esxi-01, app-02 on esxi-02), both cabled to trunks of
 * core-1, and client-10 on core-1 in VLAN 10.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ChangeResponse, LiveUpdate, TopologyState } from '../../src/server/api-types.js';
import type { TopologyDoc } from '../../src/topology/schema.js';
import { jsonOf, liveClient, startEngineServer, type EngineServer } from './helpers.js';

interface MacRow {
  mac: string;
  vlan: number;
  port: string;
  ageSeconds: number;
}
interface PingResult {
  transmitted: number;
  received: number;
}

const servers: EngineServer[] = [];
afterEach(async () => {
  while (servers.length > 0) await servers.pop()!.close();
});
async function server(): Promise<EngineServer> {
  const s = await startEngineServer('multi-host');
  servers.push(s);
  return s;
}

/** The physical switch ports cabled to a host's uplinks, from the topology's links. */
function switchPortsOf(doc: TopologyDoc, host: string): string[] {
  return doc.links.flatMap((l) => (l.a.startsWith(`${host}:`) ? [l.b] : l.b.startsWith(`${host}:`) ? [l.a] : []));
}
function vmMac(doc: TopologyDoc, vm: string): string {
  return doc.vms.find((v) => v.name === vm)!.nics[0]!.mac;
}
function ipOf(doc: TopologyDoc, node: string): string {
  const vm = doc.vms.find((v) => v.name === node);
  const nic = vm ? vm.nics[0]! : doc.physicalHosts.find((h) => h.name === node)!.nics[0]!;
  return nic.ipv4!.split('/')[0]!;
}
async function macRow(s: EngineServer, sw: string, mac: string): Promise<MacRow | undefined> {
  return (await s.get<MacRow[]>(`/api/mac-tables/${sw}`)).find((r) => r.mac === mac);
}
async function ping(s: EngineServer, from: string, to: string): Promise<PingResult> {
  const res = await s.post('/api/ping', { from, to, count: 1, timeoutMs: 50 });
  expect(res.status).toBe(200);
  return jsonOf<PingResult>(res);
}

/** Everything a refused request must leave as it was, as the API shows it. */
async function snapshot(s: EngineServer, ignoreAge: boolean): Promise<Record<string, string>> {
  const text = async (p: string): Promise<string> => (await s.api(p)).text();
  const macs = await s.get<Record<string, MacRow[]>>('/api/mac-tables');
  if (ignoreAge) { for (const rows of Object.values(macs)) for (const r of rows) r.ageSeconds = 0; }
  return {
    topology: await text('/api/topology'),
    counters: await text('/api/counters'),
    macTables: JSON.stringify(macs),
    interfaces: await text('/api/interfaces'),
    arp: await text('/api/arp'),
    portgroups: await text('/api/esxcli/portgroups'),
  };
}

describe('POST /api/changes applies a runtime change through the engine', () => {
  it('E3/T7: migrate moves app-01 to esxi-02; its RARP moves the MAC on core-1; the topology, the API and live clients show it', async () => {
    const s = await server();
    const doc = (await s.get<TopologyState>('/api/topology')).topology;
    const before = await s.get<TopologyState>('/api/topology');
    const mac = vmMac(doc, 'app-01');
    // core-1 learns app-01 where it is now
    expect((await ping(s, 'app-01:eth0', ipOf(doc, 'app-02'))).received).toBe(1);
    expect(switchPortsOf(doc, 'esxi-01')).toContain((await macRow(s, 'core-1', mac))?.port);

    const live = await liveClient(s.url);
    try {
      const change = { kind: 'migrate', vm: 'app-01', toHost: 'esxi-02' };
      const res = await s.post('/api/changes', change);
      expect(res.status).toBe(200);
      const body = await jsonOf<ChangeResponse>(res);
      // notify switches (on by default) announces each vNIC of the moved VM once
      expect(body).toEqual({ ok: true, change, rarps: doc.vms.find((v) => v.name === 'app-01')!.nics.length });

      // real time: the RARP has travelled by the time the answer came
      expect(switchPortsOf(doc, 'esxi-02')).toContain((await macRow(s, 'core-1', mac))?.port);

      const after = await s.get<TopologyState>('/api/topology');
      expect(after.topology.vms.find((v) => v.name === 'app-01')!.host).toBe('esxi-02');
      expect(after.generation).toBe(before.generation); // the same lab
      expect(after.revision).toBe(before.revision + 1);
      expect(Array.isArray(after.warnings)).toBe(true);

      // live: the change as a state entry, and the changed topology to redraw
      const withState = await live.waitFor((u) => (u.state ?? []).some((e) => e.kind === 'change'));
      expect(withState.state).toEqual([{ kind: 'change', change, rarps: body.rarps }]);
      const withTopology = await live.waitFor((u: LiveUpdate) => u.topology?.revision === after.revision);
      expect(withTopology.topology!.topology.vms.find((v) => v.name === 'app-01')!.host).toBe('esxi-02');
      expect(withTopology.topology!.generation).toBe(before.generation);
      // the trace: the change itself, then the RARP (frame bytes included) sent for app-01's MAC
      await live.waitFor((u) => (u.trace ?? []).some((e) => e.action === 'deliver' || e.point === 'PhysRx'));
      const trace = live.updates.flatMap((u) => u.trace ?? []);
      expect(trace.some((e) => e.action === 'change')).toBe(true);
      const notify = trace.find((e) => e.action === 'notify')!;
      const rarpHex = trace.filter((e) => e.frameId === notify.frameId && e.frameHex !== undefined).map((e) => e.frameHex!);
      expect(rarpHex.length).toBeGreaterThan(0);
      const plainMac = mac.replace(/:/g, '');
      for (const h of rarpHex) expect(h).toMatch(new RegExp(`^.{12}${plainMac}(8100.{4})?8035`));

      // and the lab runs with it: app-01 and app-02 now share esxi-02's vSwitch
      expect((await ping(s, 'app-01:eth0', ipOf(doc, 'app-02'))).received).toBe(1);
    } finally {
      live.close();
    }
  });

  it('V1: a port group VLAN change cuts app-01 off from client-10 (VLAN 10) and changing it back restores it; esxcli and the topology show it', async () => {
    const s = await server();
    const doc = (await s.get<TopologyState>('/api/topology')).topology;
    const client = ipOf(doc, 'client-10');
    const vlan = doc.hosts.find((h) => h.name === 'esxi-01')!.vswitches[0]!.portGroups.find((g) => g.name === 'Prod-VLAN10')!.vlan;
    expect((await ping(s, 'app-01:eth0', client)).received).toBe(1);

    const res = await s.post('/api/changes', { kind: 'portgroup', host: 'esxi-01', portGroup: 'Prod-VLAN10', vlan: 20 });
    expect(res.status).toBe(200);
    expect((await ping(s, 'app-01:eth0', client)).received).toBe(0);
    const pgs = await s.get<{ host: string; name: string; vlanId: number }[]>('/api/esxcli/portgroups?host=esxi-01');
    expect(pgs.find((g) => g.name === 'Prod-VLAN10')!.vlanId).toBe(20);
    const t = await s.get<TopologyState>('/api/topology');
    expect(t.topology.hosts[0]!.vswitches[0]!.portGroups.find((g) => g.name === 'Prod-VLAN10')!.vlan).toBe(20);

    expect((await s.post('/api/changes', { kind: 'portgroup', host: 'esxi-01', portGroup: 'Prod-VLAN10', vlan })).status).toBe(200);
    expect((await ping(s, 'app-01:eth0', client)).received).toBe(1);
  });

  it('paused clock: the change is applied at once, its RARP waits in the queue until stepped', async () => {
    const s = await server();
    const doc = (await s.get<TopologyState>('/api/topology')).topology;
    const mac = vmMac(doc, 'app-01');
    expect((await ping(s, 'app-01:eth0', ipOf(doc, 'app-02'))).received).toBe(1);
    expect((await s.post('/api/clock', { mode: 'step' })).status).toBe(200);
    const res = await s.post('/api/changes', { kind: 'migrate', vm: 'app-01', toHost: 'esxi-02' });
    expect(res.status).toBe(200);
    expect((await s.get<TopologyState>('/api/topology')).topology.vms.find((v) => v.name === 'app-01')!.host).toBe('esxi-02');
    expect(switchPortsOf(doc, 'esxi-01')).toContain((await macRow(s, 'core-1', mac))?.port);
    const clock = await s.get<{ next: number | null }>('/api/clock');
    expect(clock.next).not.toBeNull();
    let steps = 0;
    while (steps < 100 && !switchPortsOf(doc, 'esxi-02').includes((await macRow(s, 'core-1', mac))?.port ?? '')) {
      expect((await s.post('/api/clock/step', { count: 1 })).status).toBe(200);
      steps++;
    }
    expect(steps).toBeGreaterThan(0);
    expect(switchPortsOf(doc, 'esxi-02')).toContain((await macRow(s, 'core-1', mac))?.port);
  });

  it('the older routes are wrappers over it: /api/links/state shows in GET /api/topology', async () => {
    const s = await server();
    const before = await s.get<TopologyState>('/api/topology');
    const res = await s.post('/api/links/state', { iface: 'esxi-01:vmnic1', up: false });
    expect(res.status).toBe(200);
    expect((await jsonOf<{ id: string; up: boolean }>(res)).up).toBe(false);
    const after = await s.get<TopologyState>('/api/topology');
    expect(after.revision).toBe(before.revision + 1);
    expect(after.topology.links.find((l) => l.a === 'esxi-01:vmnic1' || l.b === 'esxi-01:vmnic1')!.up).toBe(false);
  });
});

describe('POST /api/changes refuses bad input and changes nothing', () => {
  /** Traffic first, so that counters, MAC tables and ARP caches hold something to compare. */
  async function busyServer(): Promise<EngineServer> {
    const s = await server();
    const doc = (await s.get<TopologyState>('/api/topology')).topology;
    expect((await ping(s, 'app-01:eth0', ipOf(doc, 'client-10'))).received).toBe(1);
    expect((await ping(s, 'app-02:eth0', ipOf(doc, 'app-01'))).received).toBe(1);
    return s;
  }

  const refused: { why: string; change: Record<string, unknown> }[] = [
    { why: 'already there', change: { kind: 'migrate', vm: 'app-01', toHost: 'esxi-01' } },
    { why: 'unknown host', change: { kind: 'migrate', vm: 'app-01', toHost: 'esxi-09' } },
    { why: 'unknown VM', change: { kind: 'migrate', vm: 'app-09', toHost: 'esxi-02' } },
    { why: 'already an uplink', change: { kind: 'uplink-add', host: 'esxi-01', vswitch: 'vSwitch0', uplink: 'vmnic0' } },
    { why: 'not an uplink', change: { kind: 'uplink-remove', host: 'esxi-01', vswitch: 'vSwitch0', uplink: 'vmnic7' } },
    { why: 'a vNIC has no cable', change: { kind: 'link', iface: 'app-01:eth0', up: false } },
    { why: 'a vmk is not a vNIC', change: { kind: 'vnic-connect', iface: 'esxi-01:vmk0', connected: false } },
    { why: 'only a vNIC MAC changes', change: { kind: 'effective-mac', iface: 'esxi-01:vmk0', mac: '00:50:56:00:00:99' } },
    { why: 'nothing to change', change: { kind: 'portgroup', host: 'esxi-01', portGroup: 'Prod-VLAN10' } },
    { why: 'unknown port group', change: { kind: 'portgroup', host: 'esxi-01', portGroup: 'Prod-VLAN99', vlan: 99 } },
    { why: 'failover order names a vmnic that is no uplink', change: { kind: 'vswitch-policy', host: 'esxi-02', vswitch: 'vSwitch0', policy: { teaming: { active: ['vmnic7'] } } } },
  ];

  for (const mode of ['realtime', 'paused'] as const) {
    it(`refused changes -> 409 {error: reason, details: {change}}; topology, counters, MAC tables, ARP caches as they were (${mode})`, async () => {
      const s = await busyServer();
      if (mode === 'paused') expect((await s.post('/api/clock', { mode })).status).toBe(200);
      const live = await liveClient(s.url);
      try {
        // real time: virtual time follows the wall clock, so MAC ages may tick; nothing else may move
        const before = await snapshot(s, mode === 'realtime');
        for (const { why, change } of refused) {
          const res = await s.post('/api/changes', change);
          expect(res.status, why).toBe(409);
          const body = await jsonOf<{ error: string; details: { change: unknown } }>(res);
          expect(typeof body.error, why).toBe('string');
          expect(body.error.length, why).toBeGreaterThan(0);
          expect(body.details.change, why).toEqual(change);
        }
        expect(await snapshot(s, mode === 'realtime')).toEqual(before);
        // then one accepted change as a marker: live updates arrive in order, so once its update has
        // come, whatever a refused change had sent would have come before it (no wait on the wall clock)
        const marker = { kind: 'migrate', vm: 'app-01', toHost: 'esxi-02' };
        expect((await s.post('/api/changes', marker)).status).toBeLessThan(300);
        await live.waitFor((u) => (u.state ?? []).some((e) => e.kind === 'change'));
        const at = live.updates.findIndex((u) => (u.state ?? []).some((e) => e.kind === 'change'));
        expect(live.updates[at]!.state).toEqual([expect.objectContaining({ kind: 'change', change: marker })]);
        const earlier = live.updates.slice(0, at);
        expect(earlier.flatMap((u) => u.state ?? [])).toEqual([]);
        expect(earlier.some((u) => u.topology !== undefined)).toBe(false);
        expect(earlier.flatMap((u) => u.trace ?? []).filter((e) => e.action === 'change')).toEqual([]);
      } finally {
        live.close();
      }
    });
  }

  it('schema-invalid bodies -> 400 naming the fields; malformed JSON -> 400; too large -> 413; nothing changes', async () => {
    const s = await busyServer();
    const before = await snapshot(s, true);
    const invalid: [unknown, string[]][] = [
      [{ kind: 'reboot' }, ['kind']],
      [{ kind: 'link', iface: 'nocolon', up: 1 }, ['iface', 'up']],
      [{ kind: 'migrate', vm: 'app-01' }, ['toHost']],
      [{ kind: 'link', iface: 'esxi-01:vmnic0', up: false, extra: true }, ['']],
      [{ kind: 'portgroup', host: 'esxi-01', portGroup: 'Prod-VLAN10', vlan: 4096 }, ['vlan']],
      [{ kind: 'vswitch-policy', host: 'esxi-01', vswitch: 'vSwitch0', policy: { security: { promiscuous: 'maybe' } } }, ['policy.security.promiscuous']],
      [['link'], ['']],
      [{}, ['kind']],
    ];
    for (const [body, paths] of invalid) {
      const res = await s.post('/api/changes', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      const out = await jsonOf<{ error: string; details: { issues: { path: string; message: string }[] } }>(res);
      expect(out.error).toBe('invalid runtime change');
      expect(out.details.issues.map((i) => i.path), JSON.stringify(body)).toEqual(expect.arrayContaining(paths));
    }
    const malformed = await s.api('/api/changes', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"kind": "link",' });
    expect(malformed.status).toBe(400);
    expect((await jsonOf(malformed)).error).toBe('malformed JSON body');
    const big = await s.post('/api/changes', { kind: 'migrate', vm: 'a'.repeat(70_000), toHost: 'esxi-02' });
    expect(big.status).toBe(413);
    expect(await snapshot(s, true)).toEqual(before);
  });

  it('an interface the lab does not have -> 400 naming similar ones, on every route that changes an interface', async () => {
    const s = await busyServer();
    const before = await snapshot(s, true);
    const asks: [string, unknown][] = [
      ['/api/changes', { kind: 'link', iface: 'esxi-01:vmnic9', up: false }],
      ['/api/changes', { kind: 'vnic-connect', iface: 'app-01:eth1', connected: false }],
      ['/api/changes', { kind: 'effective-mac', iface: 'app-01:eth1', mac: '00:50:56:00:00:99' }],
      ['/api/links/state', { iface: 'esxi-01:vmnic9', up: false }],
      ['/api/vnics/state', { iface: 'app-01:eth1', connected: false }],
    ];
    for (const [route, body] of asks) {
      const res = await s.post(route, body);
      expect(res.status, route).toBe(400);
      const out = await jsonOf<{ error: string; details: { similar?: string[] } }>(res);
      const iface = (body as { iface: string }).iface;
      expect(out.error).toBe(`unknown interface "${iface}"`);
      // the nearest name is a real interface of the same node
      const node = iface.split(':')[0]!;
      expect(out.details.similar?.[0]?.startsWith(`${node}:`), route).toBe(true);
      const real = new Set((await s.get<{ id: string }[]>('/api/interfaces')).map((i) => i.id));
      for (const n of out.details.similar!) expect(real.has(n), n).toBe(true);
    }
    expect(await snapshot(s, true)).toEqual(before);
  });

  it('the shorthand routes refuse like /api/changes: 409 with the reason, and change nothing either', async () => {
    const s = await busyServer();
    const before = await snapshot(s, true);
    for (
      const [route, body] of [
        ['/api/vnics/state', { iface: 'esxi-01:vmk0', mac: '00:50:56:00:00:99' }],
        ['/api/vnics/state', { iface: 'esxi-01:vmk0', mac: '00:50:56:00:00:99', connected: false }],
        ['/api/links/state', { iface: 'app-01:eth0', up: false }],
      ] as const
    ) {
      const res = await s.post(route, body);
      expect(res.status, JSON.stringify(body)).toBe(409);
      const out = await jsonOf<{ error: string }>(res);
      expect(out.error).toMatch(/vNIC|cable/);
    }
    expect((await s.post('/api/links/state', { iface: 'core-1:eth99', up: false })).status).toBe(400);
    expect(await snapshot(s, true)).toEqual(before);
  });
});
