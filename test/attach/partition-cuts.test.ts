/**
 * Cut cables of a partitioned lab (docs/attachments.md, "Partitioned labs"): multi-host planned
 * into net (core-1, client-10) | h1 (esxi-01) | h2 (esxi-02), each partition a server in this
 * process on loopback, run as `serve --plan --partition` runs it (partitionRun: frame id bases,
 * the cut shim, hellos). Checked here:
 *  - frame ids: each partition's own frames are in its range ((index+1) * 1e12 + n); a frame keeps
 *    its id across cuts, so one id follows it through the whole lab — the event list (a
 *    `crossing` note naming the peer partition at each cut it leaves by) and the pcapng packet
 *    ids of each partition's capture (read by tshark);
 *  - a cut cable's state: pulling it on one side takes both ends down (failover on the host, as in
 *    one process); a partition that vanishes shows its cut cables down after the plan's silence,
 *    up again when its hellos return;
 *  - vMotion to a host of another partition is refused with the reason (409);
 *  - each page says which partition it shows (topology name and description, GET /api/partition).
 */
import dgram from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCut } from '../../src/attach/cut-header.js';
import { encodeVxlan } from '../../src/attach/index.js';
import { FRAME_ID_SPAN, partitionRun, partitionTopology, planPartitions, type PartitionPlan } from '../../src/attach/partition-plan.js';
import type { TraceEvent } from '../../src/engine/index.js';
import { validateTopology } from '../../src/topology/load.js';
import { loadTopologyFile } from '../../src/files/topology-file.js';
import type { TopologyDoc } from '../../src/topology/schema.js';
import { startServer } from '../../src/server/server.js';
import { tool } from '../capture/capture-tools.js';
import { next } from './events.js';
import { serveWithAttachments, type ServedLab } from './served-lab.js';

let doc: TopologyDoc;
let plan: PartitionPlan;
const labs = new Map<string, ServedLab>();
const dir = mkdtempSync(path.join(tmpdir(), 'vsl-cuts-'));

async function start(name: string): Promise<ServedLab> {
  const v = validateTopology(partitionTopology(doc, plan, name));
  if (!v.ok) throw new Error(JSON.stringify(v.errors));
  const lab = await serveWithAttachments(v, partitionRun(doc, plan, name));
  labs.set(name, lab);
  return lab;
}

const lab = (name: string): ServedLab => labs.get(name)!;

async function api(name: string, method: string, url: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(new URL(url, lab(name).server.url), {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** Waits until both ends of every cut cable show up (the hellos crossed). */
async function allCutsUp(): Promise<void> {
  await Promise.all(
    [...labs.values()].map(async (l) => {
      for (const a of l.served.attachments.status().attachments) {
        if (a.cut && !(a.state === 'up' && a.cut.localUp && a.cut.peerUp)) await next(l.served.attachments, 'link', (n: string, up: boolean) => n === a.name && up);
      }
    }),
  );
}

const up = (name: string, iface: string): boolean => lab(name).lab().interfaces().find((i) => i.id === iface)!.up;

beforeAll(async () => {
  const r = await loadTopologyFile('topologies/multi-host.json');
  if (!r.ok) throw new Error('multi-host.json does not load');
  doc = r.topology;
  const base = 50000 + (process.pid % 3000) * 3;
  plan = planPartitions(doc, {
    groups: [{ name: 'net', nodes: ['core-1', 'client-10'] }, { name: 'h1', nodes: ['esxi-01'] }, { name: 'h2', nodes: ['esxi-02'] }],
    basePort: base,
    silenceSeconds: 0.3,
  });
  for (const p of plan.partitions) await start(p.name);
});

afterAll(async () => {
  for (const l of labs.values()) await l.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('cut cables of a partitioned lab', () => {
  it('a frame keeps its id across two cuts; each side notes the crossing; pcapng packet ids agree (tshark)', async () => {
    const seen = new Map<string, TraceEvent[]>();
    const offs = [...labs].map(([name, l]) => {
      seen.set(name, []);
      return l.lab().trace.subscribe((e) => void seen.get(name)!.push(e));
    });
    try {
      await allCutsUp();
      // h1 is partition 2 of 3: its frames are numbered from 2e12 + 1
      const res = await api('h1', 'POST', '/api/frames', { from: 'app-01:eth0', frame: { kind: 'icmp-echo', dstIp: '10.0.10.22', dst: '00:50:56:a1:60:02' } });
      expect(res.status).toBe(200);
      const [id] = res.json.frameIds as number[];
      expect(id).toBeGreaterThan(2 * FRAME_ID_SPAN);
      expect(id).toBeLessThan(3 * FRAME_ID_SPAN);
      // esxi-02 (partition h2) delivers the same frame, by the same id, to app-02
      const delivered = (e: TraceEvent): boolean => e.frameId === id && e.action === 'deliver' && e.port === 'app-02:eth0';
      if (!seen.get('h2')!.some(delivered)) {
        await new Promise<void>((resolve) => {
          const off = lab('h2').lab().trace.subscribe((e) => {
            if (delivered(e)) {
              off();
              resolve();
            }
          });
        });
      }
      // h1 notes the frame leaving for net; net notes it leaving for h2 — with the id it keeps there
      const crossing = (name: string): string[] => seen.get(name)!.filter((e) => e.frameId === id && e.action === 'crossing').map((e) => `${e.port} ${e.detail}`);
      expect(crossing('h1')).toEqual([expect.stringMatching(/^cut-1000:eth0 frame #\d+ leaves for partition net over the cut cable esxi-01:vmnic0 - core-1:eth1 \(VNI 1000\)/)]);
      expect(crossing('net').some((t) => /leaves for partition h2 over the cut cable esxi-02:vmnic0 - core-1:eth3 \(VNI 1002\)/.test(t))).toBe(true);
      expect(crossing('h1')[0]).toContain(`#${id} `);
      // net (whose own frames are numbered from 1e12 + 1) saw the frame arrive on core-1:eth1 by h1's id
      expect(seen.get('net')!.some((e) => e.port === 'core-1:eth1' && e.frameId === id)).toBe(true);

      // the captures: the same packet id at app-01 (h1), core-1 (net) and app-02 (h2)
      const rows: string[][] = [];
      for (const [name, points] of [['h1', 'app-01:eth0'], ['net', 'core-1:eth3'], ['h2', 'app-02:eth0']] as const) {
        const r = await fetch(new URL(`/api/capture/download?points=${points}`, lab(name).server.url));
        expect(r.status).toBe(200);
        const file = path.join(dir, `${name}.pcapng`);
        writeFileSync(file, Buffer.from(await r.arrayBuffer()));
        const t = await tool('tshark', ['-r', file, '-Y', `frame.packet_id == ${id}`, '-T', 'fields', '-E', 'separator=/t', '-e', 'frame.interface_name', '-e', 'frame.packet_id', '-e', 'icmp.type']);
        expect(t.code, t.stderr).toBe(0);
        rows.push(...t.stdout.trim().split('\n').map((l) => l.split('\t')));
      }
      expect(rows.map((r) => r[0])).toEqual(expect.arrayContaining(['app-01:eth0 PortInput', 'core-1:eth3 PhysTx', 'app-02:eth0 PortOutput']));
      expect(rows.every((r) => r[1] === String(id) && r[2] === '8')).toBe(true);
    } finally {
      for (const off of offs) off();
    }
  });

  it('a cut datagram without the shim, or with a bad one, is dropped CUT_BAD_SHIM; one from another address UNKNOWN_PEER', async () => {
    const net = lab('net').served.attachments;
    const port = plan.partitions.find((p) => p.name === 'net')!.port;
    const sock = dgram.createSocket('udp4');
    try {
      await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
      const arp = Buffer.from('ffffffffffff02000000000108060001080006040001020000000001c0a80001000000000000c0a80002', 'hex');
      const plain = encodeVxlan(1000, arp); // what a kernel vxlan device would send: no shim
      const badKind = encodeCut(1000, true, 7, arp);
      badKind[8] = 9;
      const drops = new Map<string, string>();
      const counted = new Promise<void>((resolve) => {
        const on = (d: { reason: string; attachment?: string }): void => {
          drops.set(`${d.attachment}:${drops.size}`, d.reason);
          if (drops.size === 2) {
            net.off('drop', on);
            resolve();
          }
        };
        net.on('drop', on);
      });
      for (const d of [plain, badKind]) sock.send(d, port, '127.0.0.1');
      await counted;
      expect([...drops.values()]).toEqual(['CUT_BAD_SHIM', 'CUT_BAD_SHIM']);
      expect(net.status().attachments.find((a) => a.name === 'cut-1000')!.drops.CUT_BAD_SHIM).toBeGreaterThanOrEqual(2);
      const foreign = next(net, 'drop', (d: { reason: string }) => d.reason === 'UNKNOWN_PEER');
      const other = dgram.createSocket('udp4');
      try {
        // 127.0.0.2 is loopback too, but not the peer partition's address
        await new Promise<void>((r) => other.bind(0, '127.0.0.2', () => r()));
        other.send(encodeCut(1000, true, 7, arp), port, '127.0.0.1');
        await foreign;
      } finally {
        other.close();
      }
    } finally {
      sock.close();
    }
  });

  it('each page says which partition it shows (name, description, GET /api/partition)', async () => {
    const t = await api('h1', 'GET', '/api/topology');
    const topo = t.json.topology as { name: string; description: string };
    expect(topo.name).toBe('multi-host [partition h1 of 3]');
    expect(topo.description).toMatch(/^Partition h1 \(2 of 3\) of multi-host: this page shows only esxi-01; partitions net, h2 run in other processes, each with its own page\./);
    const p = await api('h1', 'GET', '/api/partition');
    expect(p.status).toBe(200);
    expect(p.json).toMatchObject({ name: 'h1', index: 1, partitions: ['net', 'h1', 'h2'], firstFrameId: 2 * FRAME_ID_SPAN + 1 });
    // a whole lab is no partition
    const whole = await startServer({ host: '127.0.0.1', port: 0, initial: { result: validateTopology(doc), source: 'whole' } });
    try {
      const r = await fetch(new URL('/api/partition', whole.url));
      expect(r.status).toBe(404);
      expect(((await r.json()) as { error: string }).error).toMatch(/a whole lab, not a partition/);
    } finally {
      await whole.close();
    }
    expect((p.json.cuts as Array<{ name: string; peer: string; inside: string }>).map((c) => [c.name, c.peer, c.inside])).toEqual([
      ['cut-1000', 'net', 'esxi-01:vmnic0'],
      ['cut-1001', 'net', 'esxi-01:vmnic1'],
    ]);
  });

  it('vMotion to a host of another partition is refused with the reason (409); a change inside the partition works', async () => {
    const r = await api('h1', 'POST', '/api/changes', { kind: 'migrate', vm: 'app-01', toHost: 'esxi-02' });
    expect(r.status).toBe(409);
    expect(r.json.error).toMatch(/esxi-02 runs in partition h2, another process: vMotion across partitions is not supported/);
    const ok = await api('h1', 'POST', '/api/changes', { kind: 'portgroup', host: 'esxi-01', portGroup: 'Prod-VLAN10', vlan: 10 });
    expect(ok.status).toBe(200);
  });

  it('pulling a cut cable on one side takes both ends down (esxi-01 fails over), plugging it brings both up', async () => {
    await allCutsUp();
    expect(up('net', 'core-1:eth2')).toBe(true);
    const down = next(lab('net').served.attachments, 'link', (n: string, u: boolean) => n === 'cut-1001' && !u);
    const r = await api('h1', 'POST', '/api/links/state', { iface: 'esxi-01:vmnic1', up: false });
    expect(r.status).toBe(200);
    expect(r.json.up).toBe(false);
    await down;
    expect(up('net', 'core-1:eth2')).toBe(false);
    // the vMotion vmk fails over to its standby uplink vmnic0 (T1) and still reaches esxi-02's
    expect(lab('h1').lab().interfaces().find((i) => i.id === 'esxi-01:vmk1')!.uplink).toBe('vmnic0');
    const ping = await api('h1', 'POST', '/api/ping', { from: 'esxi-01:vmk1', to: '10.0.30.12', count: 2, intervalMs: 10 });
    expect(ping.json).toMatchObject({ transmitted: 2, received: 2 });
    const back = next(lab('net').served.attachments, 'link', (n: string, u: boolean) => n === 'cut-1001' && u);
    await api('h1', 'POST', '/api/links/state', { iface: 'esxi-01:vmnic1', up: true });
    await back;
    expect(up('net', 'core-1:eth2')).toBe(true);
    expect(up('h1', 'esxi-01:vmnic1')).toBe(true);
  });

  it('a partition that vanishes: its peers show the cut cables down after the silence (0.3 s here), up when it returns', async () => {
    await allCutsUp();
    const h1 = lab('h1');
    const wentDown = Promise.all(['cut-1000', 'cut-1001'].map((c) => next(h1.served.attachments, 'link', (n: string, u: boolean) => n === c && !u)));
    await lab('net').close();
    labs.delete('net');
    await wentDown;
    expect(up('h1', 'esxi-01:vmnic0')).toBe(false);
    expect(up('h1', 'esxi-01:vmnic1')).toBe(false);
    expect(h1.served.attachments.status().attachments.every((a) => a.state === 'down')).toBe(true);
    const cameBack = Promise.all(['cut-1000', 'cut-1001'].map((c) => next(h1.served.attachments, 'link', (n: string, u: boolean) => n === c && u)));
    await start('net');
    await cameBack;
    expect(up('h1', 'esxi-01:vmnic0')).toBe(true);
    const ping = await api('h1', 'POST', '/api/ping', { from: 'app-01:eth0', to: '10.0.10.22', count: 2, intervalMs: 10 });
    expect(ping.json).toMatchObject({ transmitted: 2, received: 2 });
  });
});
