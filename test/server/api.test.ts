import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enhancedPacketBlocks, startTestServer, ROOT, type TestServer } from './helpers.js';

// web-01:eth0 -> broadcast, an ARP-ish frame as hex
const FRAME_HEX = 'ffffffffffff005056a100010806' + '0001080006040001005056a100010a000015000000000000000a000016';

let s: TestServer;
const tmp = mkdtempSync(path.join(tmpdir(), 'vswitch-lab-server-'));

beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s.close();
});

async function json(res: Response): Promise<Record<string, unknown>> {
  const text = await res.text();
  expect(text).not.toMatch(/\n\s+at /); // never a stack trace
  return JSON.parse(text) as Record<string, unknown>;
}

async function expectUnchanged(generation: number, labs: number): Promise<void> {
  const res = await s.api('/api/topology');
  expect(res.status).toBe(200);
  expect((await json(res)).generation).toBe(generation);
  expect(s.labs.length).toBe(labs);
  expect((await s.api('/api/health')).status).toBe(200);
}

describe('topology', () => {
  it('GET / says the UI is not built and lists the API', async () => {
    const res = await s.api('/');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('web UI is not built');
    expect(html).toContain('npm run build:web');
    expect(html).toContain('/api/capture/live');
  });

  it('GET /api/topology returns the loaded topology and its warnings', async () => {
    const body = await json(await s.api('/api/topology'));
    expect((body.topology as { name: string }).name).toBe('default');
    expect(body.generation).toBe(1);
    expect(Array.isArray(body.warnings)).toBe(true);
  });

  it('malformed JSON -> 400 {error}; the lab is unchanged', async () => {
    const res = await s.api('/api/topology', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"topology": {' });
    expect(res.status).toBe(400);
    expect((await json(res)).error).toBe('malformed JSON body');
    await expectUnchanged(1, 1);
  });

  it('invalid topology -> 422 with the paths of the errors; the lab is unchanged', async () => {
    const bad = JSON.parse(readFileSync(path.join(ROOT, 'topologies', 'default.json'), 'utf8')) as { hosts: { vswitches: { mtu: number }[] }[] };
    bad.hosts[0]!.vswitches[0]!.mtu = 99999;
    const res = await s.api('/api/topology', { method: 'POST', json: { topology: bad } });
    expect(res.status).toBe(422);
    const body = await json(res);
    const errors = (body.details as { errors: { path: string; message: string }[] }).errors;
    expect(errors.map((e) => e.path)).toContain('hosts[0].vswitches[0].mtu');
    await expectUnchanged(1, 1);
  });

  it('invalid text -> 422 with line and column', async () => {
    const res = await s.api('/api/topology', { method: 'POST', json: { text: '{\n  "version": 1,\n  "name": 5\n}', fileName: 'x.json' } });
    expect(res.status).toBe(422);
    const errors = ((await json(res)).details as { errors: { path: string; line?: number }[] }).errors;
    const nameErr = errors.find((e) => e.path === 'name');
    expect(nameErr?.line).toBe(3);
    await expectUnchanged(1, 1);
  });

  it('body that is none of the three forms -> 400 saying which forms there are and what came', async () => {
    const res = await s.api('/api/topology', { method: 'POST', json: { nope: 1 } });
    expect(res.status).toBe(400);
    const err = (await json(res)).error as string;
    for (const form of ['"topology"', '"text"', '"example"', '"nope"']) expect(err).toContain(form);
    const two = await s.api('/api/topology', { method: 'POST', json: { example: 'vlans', text: '{}' } });
    expect(two.status).toBe(400);
    expect((await json(two)).error).toMatch(/text and example; give only one/);
    // one form, a bad field: the field is named
    const badName = await s.api('/api/topology', { method: 'POST', json: { example: 5 } });
    expect(badName.status).toBe(400);
    expect(((await json(badName)).details as { issues: { path: string }[] }).issues.map((i) => i.path)).toEqual(['example']);
    await expectUnchanged(1, 1);
  });

  it('a body that is not JSON (curl -d without the header) -> 415 naming the header to send, on any route', async () => {
    for (const route of ['/api/topology', '/api/frames', '/api/changes']) {
      const res = await s.api(route, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '{"example":"vlans"}' });
      expect(res.status, route).toBe(415);
      const body = await json(res);
      expect(body.error).toContain('Content-Type: application/json');
      expect(body.details).toEqual({ contentType: 'application/x-www-form-urlencoded' });
    }
    await expectUnchanged(1, 1);
  });

  it('example names cannot walk the file system; unknown example -> 404 listing them', async () => {
    const r1 = await s.api('/api/topology', { method: 'POST', json: { example: '../package' } });
    expect(r1.status).toBe(400);
    const r2 = await s.api('/api/topology', { method: 'POST', json: { example: 'no-such-example' } });
    expect(r2.status).toBe(404);
    expect(((await json(r2)).details as { examples: string[] }).examples).toContain('default');
    await expectUnchanged(1, 1);
  });

  it('GET /api/examples lists the example topologies', async () => {
    const list = (await (await s.api('/api/examples')).json()) as { name: string; title: string }[];
    expect(list.map((e) => e.name)).toEqual(expect.arrayContaining(['default', 'vlans']));
    // the JSON Schemas that sit next to the examples are not labs
    expect(list.map((e) => e.name).filter((n) => n.includes('schema'))).toEqual([]);
  });

  it('POST /api/topology/validate validates without loading', async () => {
    const res = await s.api('/api/topology/validate', { method: 'POST', json: { example: 'vlans' } });
    const body = await json(res);
    expect(body.ok).toBe(true);
    await expectUnchanged(1, 1);
  });

  it('a topology body over 5 MB -> 413; under it is accepted for validation', async () => {
    const big = { topology: { version: 1, name: 'big', description: 'x'.repeat(6 * 1024 * 1024) } };
    const res = await s.api('/api/topology/validate', { method: 'POST', json: big });
    expect(res.status).toBe(413);
    const ok = await s.api('/api/topology/validate', { method: 'POST', json: { topology: { version: 1, name: 'mid', description: 'x'.repeat(1024 * 1024) } } });
    expect(ok.status).toBe(200);
    await expectUnchanged(1, 1);
  });
});

describe('frames', () => {
  it('POST /api/frames injects a hex frame and returns its trace (real time)', async () => {
    const before = s.injected();
    const res = await s.api('/api/frames', { method: 'POST', json: { from: 'web-01:eth0', frame: { kind: 'hex', hex: FRAME_HEX } } });
    expect(res.status).toBe(200);
    const body = (await json(res)) as { frameIds: number[]; events: { action: string; port?: string; point?: string; frameId: number; frameHex?: string }[]; complete: boolean };
    expect(s.injected()).toBe(before + 1);
    expect(body.frameIds).toHaveLength(1);
    // the broadcast enters at web-01's port, reaches the other VM on the port group and leaves by the uplink
    expect(body.events[0]).toMatchObject({ action: 'ingress', point: 'PortInput', frameHex: FRAME_HEX });
    const points = body.events.filter((e) => e.point !== undefined).map((e) => `${e.port}:${e.point}`);
    expect(points).toEqual(expect.arrayContaining(['web-01:eth0:PortInput', 'web-02:eth0:PortOutput', 'esxi-01:vmnic0:UplinkSnd']));
    expect(body.events.every((e) => e.frameId === body.frameIds[0])).toBe(true);
    expect(body.complete).toBe(true);
  });

  it('unknown interface -> 400 with similar names; nothing injected', async () => {
    const before = s.injected();
    const res = await s.api('/api/frames', { method: 'POST', json: { from: 'web-01:eth9', frame: { kind: 'hex', hex: FRAME_HEX } } });
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.error).toContain('web-01:eth9');
    expect((body.details as { similar: string[] }).similar).toContain('web-01:eth0');
    expect(s.injected()).toBe(before);
  });

  it('bad hex -> 400; nothing injected', async () => {
    const before = s.injected();
    const res = await s.api('/api/frames', { method: 'POST', json: { from: 'web-01:eth0', frame: { kind: 'hex', hex: 'zz' } } });
    expect(res.status).toBe(400);
    expect(s.injected()).toBe(before);
  });

  it('invalid body -> 400 with the paths of the bad fields', async () => {
    const res = await s.api('/api/frames', { method: 'POST', json: { from: 'nocolon', frame: { kind: 'hex' }, count: 0 } });
    expect(res.status).toBe(400);
    const issues = ((await json(res)).details as { issues: { path: string }[] }).issues.map((i) => i.path);
    expect(issues).toEqual(expect.arrayContaining(['from', 'count']));
    expect(issues.some((p) => p.startsWith('frame'))).toBe(true);
  });

  it('a frame request over 64 KB -> 413', async () => {
    const res = await s.api('/api/frames', { method: 'POST', json: { from: 'web-01:eth0', frame: { kind: 'hex', hex: 'ab'.repeat(40_000) } } });
    expect(res.status).toBe(413);
    expect((await json(res)).error).toBe('request body too large');
  });

  it('POST /api/ping relays the engine result; unknown interface -> 400', async () => {
    const res = await s.api('/api/ping', { method: 'POST', json: { from: 'esxi-01:vmk0', to: '10.0.0.21', count: 2 } });
    expect(res.status).toBe(200);
    expect((await json(res)).received).toBe(2);
    expect((await s.api('/api/ping', { method: 'POST', json: { from: 'esxi-01:vmk7', to: '10.0.0.21' } })).status).toBe(400);
    expect((await s.api('/api/ping', { method: 'POST', json: { from: 'esxi-01:vmk0', to: '10.0.0.300' } })).status).toBe(400);
  });

  it('POST /api/explain is a dry run: nothing injected', async () => {
    const before = s.injected();
    const res = await s.api('/api/explain', { method: 'POST', json: { from: 'web-01:eth0', frame: { kind: 'hex', hex: FRAME_HEX } } });
    expect(res.status).toBe(200);
    const body = (await json(res)) as { steps: { action: string; port: string; frameHex?: string; frameLength?: number }[]; copies: unknown[] };
    // the bytes of a step as in live events and POST /api/frames: frameHex and frameLength
    expect(body.steps[0]).toMatchObject({ action: 'ingress', port: 'web-01:eth0', frameHex: FRAME_HEX, frameLength: FRAME_HEX.length / 2 });
    expect(body.copies.length).toBeGreaterThan(1);
    expect(s.injected()).toBe(before);
  });
});

describe('inspection', () => {
  it('counters, per interface and all; unknown interface -> 404', async () => {
    const all = await json(await s.api('/api/counters'));
    expect(all['web-01:eth0']).toBeDefined();
    const one = await json(await s.api(`/api/counters/${encodeURIComponent('web-01:eth0')}`));
    expect(one.txFrames).toBeGreaterThan(0); // the frames sent above
    expect((await s.api('/api/counters/web-01:eth7')).status).toBe(404);
  });

  it('interfaces, all and one; unknown interface -> 404', async () => {
    const all = (await json(await s.api('/api/interfaces'))) as unknown as Array<{ id: string }>;
    const want = all.find((i) => i.id === 'web-01:eth0');
    expect(want).toBeDefined();
    expect(await json(await s.api(`/api/interfaces/${encodeURIComponent('web-01:eth0')}`))).toEqual(want);
    const missing = await s.api('/api/interfaces/web-01:eth7');
    expect(missing.status).toBe(404);
    expect(((await json(missing)) as { error: string }).error).toContain('web-01:eth7');
  });

  it('MAC tables of physical switches and ARP caches', async () => {
    const t = await json(await s.api('/api/mac-tables'));
    expect(Object.keys(t).length).toBeGreaterThan(0);
    expect((await s.api('/api/mac-tables/no-switch')).status).toBe(404);
    const arp = await json(await s.api('/api/arp'));
    expect(arp['esxi-01:vmk0']).toBeDefined();
    expect((await s.api('/api/arp/esxi-01:vmk0')).status).toBe(200);
  });

  it('O3: esxcli-like vSwitch, port group and VMkernel interface lists', async () => {
    const vs = (await (await s.api('/api/esxcli/vswitches')).json()) as { name: string; mtu: number; uplinks: string[]; portGroups: string[]; usedPorts: number }[];
    expect(vs[0]).toMatchObject({ name: 'vSwitch0', mtu: 1500, uplinks: ['vmnic0'], portGroups: ['Management Network', 'VM Network'] });
    // vmnic0 + vmk0 + two VMs
    expect(vs[0]!.usedPorts).toBe(4);
    const pgs = (await (await s.api('/api/esxcli/portgroups?host=esxi-01')).json()) as { name: string; activeClients: number; vlanId: number; vswitch: string }[];
    expect(pgs).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'VM Network', activeClients: 2, vlanId: 0, vswitch: 'vSwitch0' }),
        expect.objectContaining({ name: 'Management Network', activeClients: 1 }),
      ]),
    );
    const vmk = (await (await s.api('/api/esxcli/vmknics')).json()) as unknown[];
    expect(vmk[0]).toMatchObject({ name: 'vmk0', mac: '00:1b:21:3a:4c:10', portGroup: 'Management Network', netstack: 'default', mtu: 1500, ipv4: '10.0.0.11/24' });
    expect((await s.api('/api/esxcli/vswitches?host=nope')).status).toBe(404);
  });

  it('unknown endpoint -> 404 JSON', async () => {
    const res = await s.api('/api/nope');
    expect(res.status).toBe(404);
    expect((await json(res)).error).toContain('/api/nope');
  });
});

describe('clock', () => {
  it('paused: a sent frame waits in the queue; step runs the next event; step refused in real time', async () => {
    expect((await s.api('/api/clock/step', { method: 'POST', json: {} })).status).toBe(409);
    const set = await json(await s.api('/api/clock', { method: 'POST', json: { mode: 'step' } }));
    expect(set.mode).toBe('step');
    const sent = (await json(await s.api('/api/frames', { method: 'POST', json: { from: 'web-01:eth0', frame: { kind: 'hex', hex: FRAME_HEX } } }))) as {
      events: { point?: string }[];
      complete: boolean;
      clock: { next: number | null };
    };
    // nothing ran: the frame waits in the queue for the learner's step
    expect(sent.complete).toBe(false);
    expect(sent.events).toEqual([]);
    expect(sent.clock.next).not.toBeNull();
    const counters = async (): Promise<number> => ((await json(await s.api('/api/counters/web-02%3Aeth0'))) as { rxFrames: number }).rxFrames;
    const rx0 = await counters();
    // one step runs one event; stepping until the queue is empty delivers the broadcast to web-02
    const one = (await json(await s.api('/api/clock/step', { method: 'POST', json: {} }))) as { stepped: number };
    expect(one.stepped).toBe(1);
    let next: number | null = 0;
    for (let i = 0; i < 100 && next !== null; i++) {
      next = ((await json(await s.api('/api/clock/step', { method: 'POST', json: { count: 5 } }))) as { clock: { next: number | null } }).clock.next;
    }
    expect(next).toBeNull();
    expect(await counters()).toBe(rx0 + 1);
    // a ping while stepping: queued, 202; stepping runs it
    const ping = await s.api('/api/ping', { method: 'POST', json: { from: 'esxi-01:vmk0', to: '10.0.0.21' } });
    expect(ping.status).toBe(202);
    const pending = (await json(ping)) as { pending: boolean; clock: { next: number | null }; message: string };
    expect(pending.pending).toBe(true);
    expect(pending.message).toMatch(/step/);
    expect(pending.clock.next).not.toBeNull();
    // stepping runs the ping (ARP, echo, reply) to the end of its queue
    next = pending.clock.next;
    for (let i = 0; i < 1000 && next !== null; i++) {
      next = ((await json(await s.api('/api/clock/step', { method: 'POST', json: { count: 10 } }))) as { clock: { next: number | null } }).clock.next;
    }
    expect(next).toBeNull();
    expect((await json(await s.api('/api/clock', { method: 'POST', json: { mode: 'realtime' } }))).mode).toBe('realtime');
    expect((await s.api('/api/clock', { method: 'POST', json: { mode: 'fast' } })).status).toBe(400);
  });
});

describe('capture', () => {
  it('lists capture points with pktcap-uw names', async () => {
    const st = (await json(await s.api('/api/capture/points'))) as { points: { id: string }[] };
    const ids = st.points.map((p) => p.id);
    expect(ids).toEqual(expect.arrayContaining(['web-01:eth0:PortInput', 'esxi-01:vmnic0:UplinkRcv', 'Drop']));
  });

  it('downloads recorded packets as pcapng (tshark reads them, one interface per point) and pcap; clear empties it', async () => {
    await s.api('/api/capture', { method: 'DELETE', headers: { 'x-vswitch-lab': '1' } });
    await s.api('/api/frames', { method: 'POST', json: { from: 'web-01:eth0', frame: { kind: 'hex', hex: FRAME_HEX } } });
    // the same frame with a guest tag: VLAN ID 0 port groups drop guest tags (V1)
    await s.api('/api/frames', { method: 'POST', json: { from: 'web-01:eth0', frame: { kind: 'arp-request', targetIp: '10.0.0.22', vlan: 30 } } });
    const res = await s.api('/api/capture/download?points=web-01:eth0,web-02:eth0,Drop&format=pcapng');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="vswitch-lab-.*\.pcapng"/);
    const file = path.join(tmp, 'dl.pcapng');
    writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    const out = execFileSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.interface_name', '-e', 'frame.comment', '-e', 'eth.src'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const lines = out.trim().split('\n').map((l) => l.split('\t'));
    expect(lines[0]![0]).toBe('web-01:eth0 PortInput');
    expect(lines[0]![2]).toBe('00:50:56:a1:00:01');
    expect(lines.some((l) => l[0] === 'web-02:eth0 PortOutput')).toBe(true);
    // every packet carries the lab's decision line; a drop says why and where
    expect(lines.every((l) => l[1]!.length > 0)).toBe(true);
    const drop = lines.find((l) => l[0] === 'Drop')!;
    expect(drop[1]).toMatch(/VLAN_MISMATCH/);
    expect(drop[1]).toMatch(/V1/);
    expect(drop[1]).toMatch(/web-01:eth0/);

    const pcap = await s.api('/api/capture/download?points=web-01:eth0:PortInput&format=pcap');
    const pfile = path.join(tmp, 'dl.pcap');
    writeFileSync(pfile, Buffer.from(await pcap.arrayBuffer()));
    expect(execFileSync('capinfos', ['-c', '-M', pfile], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })).toMatch(/Number of packets:\s+2/);

    const unknown = await s.api('/api/capture/download?points=web-01:eth0,web-01:eth9,Drop');
    expect(unknown.status).toBe(400);
    const ub = (await json(unknown)) as { error: string; details: { unknown: string[]; similar?: string[] } };
    expect(ub.error).toContain('web-01:eth9');
    expect(ub.details.unknown).toEqual(['web-01:eth9']);
    expect(ub.details.similar).toContain('web-01:eth0');
    expect((await s.api('/api/capture/download?points=web-01:eth0:UplinkRcv')).status).toBe(400); // a vNIC has no uplink points
    const ns = await s.api('/api/capture/download?points=web-01:eth0:PortInput&format=pcap-ns');
    expect(ns.status).toBe(200);
    const nsFile = path.join(tmp, 'dl-ns.pcap');
    writeFileSync(nsFile, Buffer.from(await ns.arrayBuffer()));
    expect(execFileSync('capinfos', ['-c', '-M', nsFile], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })).toMatch(/Number of packets:\s+2/);
    expect((await s.api('/api/capture/download?points=web-01:eth0&format=txt')).status).toBe(400);
    const cleared = await json(await s.api('/api/capture', { method: 'DELETE', headers: { 'x-vswitch-lab': '1' } }));
    expect(cleared.cleared).toBeGreaterThan(0);
    expect((await json(await s.api('/api/capture/points'))).recorded).toBe(0);
  });

  it('live pcapng stream: several points, one interface block each, packets as they happen', async () => {
    const ac = new AbortController();
    const res = await s.api('/api/capture/live?points=web-01:eth0:PortInput&points=web-02:eth0', { signal: ac.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-pcapng');
    const reader = res.body!.getReader();
    const chunks: Uint8Array[] = [];
    const first = await reader.read(); // header blocks arrive before any packet
    chunks.push(first.value);
    await s.api('/api/frames', { method: 'POST', json: { from: 'web-01:eth0', frame: { kind: 'hex', hex: FRAME_HEX } } });
    // read until two whole packet blocks have arrived (no deadline: the stream is event-driven)
    while (enhancedPacketBlocks(Buffer.concat(chunks)) < 2) {
      const r = await reader.read();
      if (r.done) break;
      chunks.push(r.value);
    }
    ac.abort();
    const file = path.join(tmp, 'live.pcapng');
    writeFileSync(file, Buffer.concat(chunks));
    const out = execFileSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.interface_name'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out.trim().split('\n')).toEqual(['web-01:eth0 PortInput', 'web-02:eth0 PortOutput']);
    const ifaces = execFileSync('capinfos', ['-I', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(ifaces).toContain('web-02:eth0 PortInput'); // declared, even without packets
    // the stream's listener is gone once the client left (waited for, not timed: the server sees the close when it sees it)
    while (s.session.capture.listenerCount > 0) await new Promise((r) => setTimeout(r, 5));
    expect(s.session.capture.listenerCount).toBe(0);
    expect((await s.api('/api/health')).status).toBe(200);
  });
});

describe('topology replace', () => {
  it('loading an example replaces the lab atomically and bumps the generation', async () => {
    const res = await s.api('/api/topology', { method: 'POST', json: { example: 'vlans' } });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.generation).toBe(2);
    expect(body.source).toBe('example:vlans');
    expect(s.labs.length).toBe(2);
    expect((await json(await s.api('/api/topology'))).generation).toBe(2);
  });
});

describe('rate limit', () => {
  it('frame sends beyond the burst -> 429 with Retry-After', async () => {
    const t = await startTestServer({ rateLimit: { burst: 3, perSecond: 0.01 } });
    try {
      const send = () => t.api('/api/explain', { method: 'POST', json: { from: 'web-01:eth0', frame: { kind: 'hex', hex: FRAME_HEX } } });
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await send()).status);
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      const r = await send();
      expect(r.headers.get('retry-after')).not.toBeNull();
      expect(((await r.json()) as { error: string }).error).toMatch(/rate limited/);
      expect((await t.api('/api/topology')).status).toBe(200); // reads are not limited
    } finally {
      await t.close();
    }
  });

  it('runtime changes share the limit, whichever route they take (each re-validates the whole topology)', async () => {
    const t = await startTestServer({ rateLimit: { burst: 3, perSecond: 0.01 } });
    try {
      const doc = t.lab().currentTopology();
      const cable = doc.links[0]!.a;
      const vnic = `${doc.vms[0]!.name}:${doc.vms[0]!.nics[0]!.name}`;
      const statuses = [
        (await t.api('/api/changes', { method: 'POST', json: { kind: 'link', iface: cable, up: false } })).status,
        (await t.api('/api/links/state', { method: 'POST', json: { iface: cable, up: true } })).status,
        (await t.api('/api/vnics/state', { method: 'POST', json: { iface: vnic, connected: false } })).status,
        (await t.api('/api/vnics/state', { method: 'POST', json: { iface: vnic, connected: true } })).status,
        (await t.api('/api/links/state', { method: 'POST', json: { iface: cable, up: false } })).status,
        (await t.api('/api/changes', { method: 'POST', json: { kind: 'link', iface: cable, up: true } })).status,
      ];
      expect(statuses).toEqual([200, 200, 200, 429, 429, 429]);
      // the three accepted ones took effect (link down then up, vNIC disconnected); the refused ones changed nothing
      const after = t.lab().currentTopology();
      expect(after.vms[0]!.nics[0]!.connected).toBe(false);
      expect(after.links[0]!.up).toBe(true);
    } finally {
      await t.close();
    }
  });
});
