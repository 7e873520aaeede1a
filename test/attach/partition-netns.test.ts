/**
 * Issue 14's partitioned-lab test: topologies/multi-host.json as three `vswitch-lab serve --plan
 * --partition` processes — net (core-1, client-10), h1 (esxi-01), h2 (esxi-02) — each in its own
 * network namespace, the three joined by veth (h1 and h2 to a bridge in net's namespace: the
 * cut cables' VXLAN runs there), each API reached over a veth from the test's namespace (bound to
 * that address, with a token). Nothing leaves those namespaces and their veths.
 *
 * For each of the topology's tests, and for a failover (esxi-01's vmnic1 cable pulled, then a
 * vmkping on the vMotion VLAN that must take the standby uplink), every partition starts from a
 * fresh lab and the deliveries (endpoint interface and VLAN), drops (where and why) and ping
 * replies of all three processes together — read from their pcapng captures by tshark, frames
 * followed by the ids they keep across the cuts — are compared with the single-process run of
 * the same test (the engine's test runner, or the same steps on one lab). The stand-ins of the
 * cut cables are the only thing a partition has more of, and are left out.
 *
 * The processes, namespaces and veths are removed afterwards, also when the test fails. Waiting is
 * on events: a process is ready when it prints its URL; a step is over when every partition says
 * nothing of a frame is due and every frame sent on a cut cable arrived at the other end (GET
 * /api/partition), read twice the same.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLab, resolveFrameSpec, runTests, type TraceEvent } from '../../src/engine/index.js';
import { loadTopologyFile } from '../../src/files/topology-file.js';
import { readTags } from '../../src/wire/index.js';
import type { TopologyDoc } from '../../src/topology/schema.js';
import { tool } from '../capture/capture-tools.js';
import { Netns, must, randomPair, run, uniqueName, vethInto } from './netns.js';

const cli = ['--import', 'tsx', 'src/cli.ts'];
const PARTS = ['net', 'h1', 'h2'] as const;
type Part = (typeof PARTS)[number];
const TOKEN = randomBytes(16).toString('hex');

interface Cut {
  vni: number;
  up: boolean;
  txFrames: number;
  rxFrames: number;
}
interface PartitionStatus {
  name: string;
  idle: boolean;
  settled: boolean;
  cuts: Cut[];
}

/** What a test saw: `iface vlan` of each delivery, `at reason` of each drop, sorted. */
interface Seen {
  deliveries: string[];
  drops: string[];
}

const partOfNode: Record<string, Part> = { 'core-1': 'net', 'client-10': 'net', 'esxi-01': 'h1', 'app-01': 'h1', 'esxi-02': 'h2', 'app-02': 'h2' };
const partOf = (iface: string): Part => partOfNode[iface.slice(0, iface.indexOf(':'))]!;

describe('partitioned lab: three processes in three network namespaces', () => {
  it('the topology tests and a failover give the same deliveries, drops, reasons and replies as one process', { timeout: 900_000 }, async () => {
    const loaded = await loadTopologyFile('topologies/multi-host.json');
    if (!loaded.ok) throw new Error('multi-host.json does not load');
    const doc: TopologyDoc = loaded.topology;
    const dir = mkdtempSync(path.join(tmpdir(), 'vsl-part-ns-'));
    const spaces: Netns[] = [];
    const strayLinks: string[] = [];
    try {
      const ns = {} as Record<Part, Netns>;
      for (const p of PARTS) {
        ns[p] = await Netns.create(`vp${p}`);
        spaces.push(ns[p]);
      }
      // the underlay: a bridge in net's namespace, h1 and h2 each on a veth to it
      const sub = `198.18.${randomBytes(1)[0]!}`;
      const addr: Record<Part, string> = { net: `${sub}.1`, h1: `${sub}.2`, h2: `${sub}.3` };
      await ns.net.ip('link', 'add', 'br0', 'type', 'bridge');
      await ns.net.ip('addr', 'add', `${addr.net}/24`, 'dev', 'br0');
      await ns.net.ip('link', 'set', 'br0', 'up');
      for (const p of ['h1', 'h2'] as const) {
        const inHost = uniqueName('vu');
        const onBridge = uniqueName('vb');
        strayLinks.push(inHost);
        await must('ip', ['link', 'add', inHost, 'type', 'veth', 'peer', 'name', onBridge]);
        await must('ip', ['link', 'set', onBridge, 'netns', ns.net.name]);
        await must('ip', ['link', 'set', inHost, 'netns', ns[p].name]);
        await ns[p].ip('addr', 'add', `${addr[p]}/24`, 'dev', inHost);
        await ns[p].ip('link', 'set', inHost, 'up');
        await ns.net.ip('link', 'set', onBridge, 'master', 'br0');
        await ns.net.ip('link', 'set', onBridge, 'up');
      }
      // the APIs: a veth from the test's namespace into each, the server bound to its end there
      const apiAddr = {} as Record<Part, string>;
      for (const p of PARTS) {
        const [mine, theirs] = randomPair();
        const v = await vethInto(ns[p], mine, theirs);
        strayLinks.push(v.host);
        apiAddr[p] = theirs;
      }

      const plan = path.join(dir, 'plan.json');
      const planned = await run(process.execPath, [
        ...cli,
        'plan',
        'multi-host',
        '--group',
        'net=core-1,client-10',
        '--group',
        'h1=esxi-01',
        '--group',
        'h2=esxi-02',
        ...PARTS.flatMap((p) => ['--address', `${p}=${addr[p]}`]),
        '--silence',
        '1',
        '-o',
        plan,
      ]);
      expect(planned.stderr).toBe('');
      expect(planned.code).toBe(0);

      const url = {} as Record<Part, string>;
      await Promise.all(
        PARTS.map(async (p) => {
          const { output } = await ns[p].spawnReady(
            process.execPath,
            [...cli, 'serve', 'multi-host', '--plan', plan, '--partition', p, '--host', apiAddr[p], '--port', '0', '--token', TOKEN],
            /serving .* at http:\/\/\S+\n/,
          );
          url[p] = /serving .* at (http:\/\/\S+)/.exec(output())![1]!;
        }),
      );

      const api = async <T = Record<string, unknown>>(p: Part, method: string, route: string, body?: unknown): Promise<{ status: number; json: T }> => {
        const res = await fetch(new URL(route, url[p]), {
          method,
          headers: { authorization: `Bearer ${TOKEN}`, 'x-vswitch-lab': '1', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        const text = await res.text();
        return { status: res.status, json: (text === '' ? {} : JSON.parse(text)) as T };
      };

      /**
       * Until every partition has nothing of a frame due, every frame sent on a cut arrived at the
       * other end (and, with `cutsUp`, every cut cable is up at both ends) — the same twice in a row.
       */
      const quiet = async (cutsUp: boolean): Promise<void> => {
        let last = '';
        for (;;) {
          const st = await Promise.all(PARTS.map(async (p) => (await api<PartitionStatus>(p, 'GET', '/api/partition')).json));
          const ends = new Map<number, Cut[]>();
          for (const s of st) for (const c of s.cuts) ends.set(c.vni, [...(ends.get(c.vni) ?? []), c]);
          const balanced = [...ends.values()].every((e) => e.length === 2 && e[0]!.txFrames === e[1]!.rxFrames && e[1]!.txFrames === e[0]!.rxFrames);
          const ok = balanced && st.every((s) => s.idle && (!cutsUp || s.cuts.every((c) => c.up)));
          const key = JSON.stringify(st.map((s) => s.cuts.map((c) => [c.vni, c.txFrames, c.rxFrames, c.up])));
          if (ok && key === last) return;
          last = ok ? key : '';
          // paces the reads; the loop ends on what the partitions say, not on time
          await new Promise((r) => setTimeout(r, 50));
        }
      };

      const topologies = {} as Record<Part, unknown>;
      for (const p of PARTS) topologies[p] = (await api<{ topology: unknown }>(p, 'GET', '/api/topology')).json.topology;
      /** Every partition on a fresh lab of its topology (as the test runner gives each test one), captures empty. */
      const fresh = async (): Promise<void> => {
        for (const p of PARTS) expect((await api(p, 'POST', '/api/topology', { topology: topologies[p] })).status).toBe(200);
        await quiet(true);
        for (const p of PARTS) expect((await api(p, 'DELETE', '/api/capture')).status).toBeLessThan(300);
      };

      /** What the three captures saw (of the frames `ids`, or of every frame), stand-ins left out. */
      const seen = async (tag: string, ids?: number[]): Promise<Seen> => {
        const out: Seen = { deliveries: [], drops: [] };
        for (const p of PARTS) {
          // net has no vNIC or vmk (no PortOutput point); every partition has physical NICs (its stand-ins at least)
          const res = await fetch(new URL(`/api/capture/download?points=${p === 'net' ? '' : 'PortOutput,'}HostRx,Drop`, url[p]), { headers: { authorization: `Bearer ${TOKEN}` } });
          expect(res.status, res.status === 200 ? '' : await res.text()).toBe(200);
          const file = path.join(dir, `${tag}-${p}.pcapng`);
          writeFileSync(file, Buffer.from(await res.arrayBuffer()));
          const t = await tool('tshark', ['-r', file, '-T', 'fields', '-E', 'separator=/t', '-e', 'frame.interface_name', '-e', 'frame.packet_id', '-e', 'vlan.id', '-e', 'frame.comment']);
          expect(t.code, t.stderr).toBe(0);
          for (const line of t.stdout.split('\n')) {
            if (line === '') continue;
            const [name, id, vlan, comment] = line.split('\t') as [string, string, string, string];
            if (ids && !ids.includes(Number(id))) continue;
            if (name === 'Drop') {
              const m = /^dropped (\S+) .*\(at ([^)\s]+)\)$/s.exec(comment);
              expect(m, comment).not.toBeNull();
              if (!m![2]!.startsWith('cut-')) out.drops.push(`${m![2]} ${m![1]}`);
            } else {
              const iface = name.slice(0, name.lastIndexOf(' '));
              if (!iface.startsWith('cut-')) out.deliveries.push(`${iface} ${vlan === '' ? 'untagged' : vlan.split(',')[0]}`);
            }
          }
        }
        out.deliveries.sort();
        out.drops.sort();
        return out;
      };

      // the topology's tests: the single-process runner's view, then the three processes'
      const single = runTests(doc, doc.tests ?? []);
      expect(single.failed).toBe(0);
      for (const [i, test] of (doc.tests ?? []).entries()) {
        const expected = single.results[i]!;
        expect(expected.deliveries.length, test.name).toBeGreaterThan(0);
        await fresh();
        let ids: number[] | undefined;
        if (test.send) {
          const bytes = resolveFrameSpec(createLab(doc), test.send.from, test.send.frame);
          const r = await api<{ frameIds: number[] }>(partOf(test.send.from), 'POST', '/api/frames', {
            from: test.send.from,
            frame: { kind: 'hex', hex: Buffer.from(bytes).toString('hex') },
            count: test.send.count ?? 1,
          });
          expect(r.status).toBe(200);
          ids = r.json.frameIds;
        }
        if (test.ping) {
          const r = await api<{ transmitted: number; received: number }>(partOf(test.ping.from), 'POST', '/api/ping', { from: test.ping.from, to: test.ping.to, count: test.ping.count ?? 3 });
          expect(r.status, test.name).toBe(200);
          expect(r.json.received, test.name).toBe(expected.ping!.result.received);
          ids = undefined; // a ping test looks at every frame, as the runner does
        }
        await quiet(true);
        const got = await seen(`test${i}`, ids);
        expect(got, test.name).toEqual({
          deliveries: expected.deliveries.map((d) => `${d.to} ${d.vlan}`).sort(),
          drops: expected.drops.map((d) => `${d.at} ${d.reason}`).sort(),
        });
      }

      // a failover: esxi-01's vmnic1 cable pulled, the vMotion vmk takes its standby vmnic0 (T1, T5, T7)
      const lab = createLab(doc);
      const events: TraceEvent[] = [];
      const off = lab.trace.subscribe((e) => {
        if (e.action === 'deliver' || e.action === 'drop') events.push(e);
      });
      const change = lab.apply({ kind: 'link', iface: 'esxi-01:vmnic1', up: false });
      expect(change.ok).toBe(true);
      lab.run();
      const singlePing = lab.ping('esxi-01:vmk1', '10.0.30.12', { count: 2 });
      off();
      expect(singlePing.received).toBe(2);
      await fresh();
      expect((await api(partOf('esxi-01:vmnic1'), 'POST', '/api/links/state', { iface: 'esxi-01:vmnic1', up: false })).status).toBe(200);
      const ping = await api<{ received: number }>('h1', 'POST', '/api/ping', { from: 'esxi-01:vmk1', to: '10.0.30.12', count: 2 });
      expect(ping.json.received).toBe(singlePing.received);
      await quiet(false);
      // both ends of the cut cable are down, as one cable in one process
      const net = await api<{ cuts: Array<Cut & { inside: string }> }>('net', 'GET', '/api/partition');
      expect(net.json.cuts.find((c) => c.inside === 'core-1:eth2')!.up).toBe(false);
      const got = await seen('failover');
      expect(got).toEqual({
        deliveries: events.filter((e) => e.action === 'deliver').map((e) => `${e.port} ${readTags(e.frame!)[0]?.vid ?? 'untagged'}`).sort(),
        drops: events.filter((e) => e.action === 'drop').map((e) => `${e.port} ${e.reason}`).sort(),
      });
    } finally {
      for (const s of spaces) await s.destroy();
      for (const l of strayLinks) await run('ip', ['link', 'del', l]); // gone with its namespace already, unless creating it failed half-way
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
