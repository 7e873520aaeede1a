// Copy-on-write frame bytes (endpoint.ts): copies whose bytes are the same share one read-only
// array. Freezing by test: every array a stack received or a trace event carried is compared,
// after all traffic ran, with a snapshot taken when it was seen — nobody (fabric, IP stacks,
// switches, trace consumers) may have written into a shared frame.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createLab } from '../../src/engine/index.js';
import { createIpStack } from '../../src/engine/ip-stack.js';
import type { EndpointStackFactory } from '../../src/engine/endpoint.js';
import { Topology } from '../../src/topology/schema.js';
import { BCAST, conservationViolations, frame, vids } from './fixtures.js';
import type { TraceEvent } from '../../src/engine/trace.js';

interface Seen {
  ref: Uint8Array;
  snap: Uint8Array;
  where: string;
}

function vlansLab() {
  const doc = JSON.parse(readFileSync(new URL('../../topologies/vlans.json', import.meta.url), 'utf8')) as { vms: unknown[] };
  // a second VST VM in VLAN 10: floods have several legs with the same bytes
  doc.vms.push({ name: 'web-11', host: 'esxi-01', nics: [{ name: 'eth0', portGroup: 'VLAN10-Web', mac: '00:50:56:a1:10:02', ipv4: '10.0.10.22/24' }] });
  const seen: Seen[] = [];
  const received = new Map<string, Uint8Array[]>();
  const factory: EndpointStackFactory = (config, port) => {
    const inner = createIpStack(config, port);
    const list: Uint8Array[] = [];
    received.set(config.id, list);
    return {
      receive: (f) => {
        seen.push({ ref: f, snap: f.slice(), where: `receive at ${config.id}` });
        list.push(f);
        inner.receive(f);
      },
      ping: (o, done) => inner.ping(o, done),
      arpCache: () => inner.arpCache(),
    };
  };
  const lab = createLab(Topology.parse(doc), { stackFactory: factory });
  const events: TraceEvent[] = [];
  lab.trace.subscribe((e) => {
    events.push(e);
    if (e.frame !== undefined) seen.push({ ref: e.frame, snap: e.frame.slice(), where: `${e.action} ${e.point ?? ''} at ${e.port}` });
  });
  return { lab, seen, received, events };
}

const changed = (seen: Seen[]) => seen.filter((s) => s.ref.length !== s.snap.length || s.ref.some((b, i) => b !== s.snap[i])).map((s) => s.where);

describe('copy-on-write frames', () => {
  it('a broadcast shares one array among the ports with the same tag stack; a tag push or pop makes one new array for all that need it', () => {
    const { lab, received, events } = vlansLab();
    lab.inject('web-10:eth0', frame('00:50:56:a1:10:01', BCAST));
    lab.run();
    const atWeb11 = received.get('web-11:eth0')![0]!;
    const atSniffer = received.get('sniffer:eth0')![0]!;
    const atPc10 = received.get('pc-10:eth0')![0]!;
    expect(vids(atWeb11)).toEqual([]);
    expect(vids(atSniffer)).toEqual([10]); // VGT: tag pushed (V3)
    expect(vids(atPc10)).toEqual([]); // tagged on the trunk, popped at the access port (P2)
    const uplinkCopy = events.find((e) => e.point === 'UplinkSnd')!.frame!;
    expect(vids(uplinkCopy)).toEqual([10]);
    // the uplink's tagged bytes and the sniffer's are one array (same tag stack)
    expect(uplinkCopy).toBe(atSniffer);
    // the sender's bytes reach web-11 as they are
    expect(events.find((e) => e.point === 'PortInput')!.frame).toBe(atWeb11);
    // still one copy id and one end per leg (F10)
    expect(conservationViolations(events)).toEqual([]);
    expect(new Set(events.filter((e) => e.action === 'deliver').map((e) => e.copyId)).size).toBe(events.filter((e) => e.action === 'deliver').length);
  });

  it('nothing writes into a delivered or traced frame: ARP, pings, floods across VST, EST, VGT and a physical switch', () => {
    const { lab, seen, events } = vlansLab();
    const pings: [string, string][] = [
      ['web-10:eth0', '10.0.10.50'],
      ['web-10:eth0', '10.0.10.22'],
      ['pc-10:eth0', '10.0.10.250'],
      ['sniffer:eth0', '10.0.20.21'],
      ['legacy-01:eth0', '10.0.0.50'],
      ['pc-20:eth0', '10.0.20.21'],
      ['esxi-01:vmk0', '10.0.0.31'],
    ];
    for (const [from, to] of pings) expect(lab.ping(from, to, { count: 2, intervalMs: 10 }).received, `${from} -> ${to}`).toBe(2);
    // large frames too (slab-backed copies at inject), fragmented pings
    expect(lab.ping('web-10:eth0', '10.0.10.22', { count: 1, size: 3000 }).received).toBe(1);
    for (const from of ['web-10:eth0', 'legacy-01:eth0', 'admin:eth0', 'pc-20:eth0']) {
      lab.inject(from, frame('00:00:00:00:00:01', BCAST, undefined, 1000));
    }
    lab.inject('sniffer:eth0', frame('00:50:56:a1:40:95', BCAST, 20));
    lab.run();
    expect(seen.length).toBeGreaterThan(200);
    expect(changed(seen)).toEqual([]);
    // the test did see shared arrays
    const refs = new Set(seen.map((s) => s.ref));
    expect(refs.size).toBeLessThan(seen.length);
    expect(conservationViolations(events)).toEqual([]);
  });

  it('explain (dry run) writes into no frame and leaves the live bytes alone', () => {
    const { lab, seen } = vlansLab();
    lab.ping('web-10:eth0', '10.0.10.50', { count: 1 });
    const bytes = frame('00:50:56:a1:10:01', BCAST);
    const keep = bytes.slice();
    const r = lab.explain('web-10:eth0', bytes);
    expect(r.copies.length).toBeGreaterThan(2);
    expect(bytes).toEqual(keep);
    expect(changed(seen)).toEqual([]);
  });
});
