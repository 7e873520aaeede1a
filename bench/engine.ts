/**
 * Engine bench (`npm run bench -- engine`): how fast the fabric moves frames, against the raw
 * cost of copying bytes. Stacks are no-op so the fabric alone is measured.
 *   (a) raw copy ceiling: a 64-byte frame copied into preallocated memory, copies/s
 *   (b) unicast VM -> VM on one vSwitch (VST), 64-byte frames, no trace subscriber, frames/s
 *   (c) broadcast from a VM to 32 other ports of its VLAN, copies/s
 *   (d) (b) with a trace subscriber that counts events
 *   (e) RSS and build time of a generated lab with 10,000 ports
 * Targets: (b), (c) >= 50% of (a); (e) < 200 MB RSS, < 1 s.
 * Every delivered copy is a new array of its own (stacks may keep what they receive), so the
 * allocation lines printed under (a) bound (b) and (c) from above: (b) makes one copy per frame
 * (at inject: the caller keeps its bytes), (c) one per port.
 */
import { Topology, type TopologyInput } from '../src/topology/schema.js';
import { buildEthernet } from '../src/wire/index.js';
import { createLab } from '../src/engine/lab.js';
import type { EndpointStackFactory } from '../src/engine/endpoint.js';

const noopFactory: EndpointStackFactory = () => ({
  receive: () => {},
  ping: (_o, done) => done({ transmitted: 0, received: 0, replies: [], errors: [], done: true }),
  arpCache: () => [],
});

const mac = (n: number) => `00:50:56:${((n >> 16) & 0xff).toString(16).padStart(2, '0')}:${((n >> 8) & 0xff).toString(16).padStart(2, '0')}:${(n & 0xff).toString(16).padStart(2, '0')}`;

/** one host, one vSwitch without uplinks, `vms` VMs in port group VLAN 10 */
function oneVSwitch(vms: number) {
  const input: TopologyInput = {
    version: 1,
    name: 'bench',
    hosts: [{ name: 'esxi-01', vswitches: [{ name: 'vSwitch0', portGroups: [{ name: 'VM-10', vlan: 10 }] }] }],
    vms: Array.from({ length: vms }, (_, i) => ({ name: `vm${i}`, host: 'esxi-01', nics: [{ name: 'eth0', portGroup: 'VM-10', mac: mac(i + 1) }] })),
  };
  return Topology.parse(input);
}

/** Runs `fn(batch)` repeatedly for about `ms`; returns operations per second (fn returns ops done). */
function measure(ms: number, fn: () => number): number {
  // warm-up
  const warmEnd = performance.now() + ms / 4;
  while (performance.now() < warmEnd) fn();
  let ops = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    ops += fn();
    now = performance.now();
  }
  return (ops * 1000) / (now - start);
}

const fmt = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : n.toFixed(0));

export async function run(): Promise<void> {
  const BATCH = 1000;
  // (a)
  const src = buildEthernet({ src: mac(1), dst: mac(2), ethertype: 0x88b5, payload: new Uint8Array(50) }); // 64 bytes
  const pool = new Uint8Array(64 * 1024);
  let slot = 0;
  const a = measure(1000, () => {
    for (let i = 0; i < BATCH; i++) {
      pool.set(src, slot);
      slot = (slot + 64) & 0xffff;
    }
    return BATCH;
  });
  console.log(`(a) raw copy ceiling, 64-byte frame into preallocated memory: ${fmt(a)} copies/s`);
  const keep: Uint8Array[] = [];
  const a2 = measure(1000, () => {
    for (let i = 0; i < BATCH; i++) {
      const c = new Uint8Array(64);
      c.set(src);
      if ((i & 255) === 0) keep[i >> 8] = c;
    }
    return BATCH;
  });
  console.log(`    context: an independent copy, new 64-byte array + set: ${fmt(a2)} copies/s = ${((100 * a2) / a).toFixed(1)}% of (a)`);
  const a3 = measure(1000, () => {
    for (let i = 0; i < BATCH; i++) {
      const c = new Uint8Array(src);
      if ((i & 255) === 0) keep[i >> 8] = c;
    }
    return BATCH;
  });
  console.log(`    context: an independent copy as the fabric makes it (copyFrame: new Uint8Array(frame)), the floor of every delivered copy: ${fmt(a3)} copies/s = ${((100 * a3) / a).toFixed(1)}% of (a)`);

  // (b)
  const uni = createLab(oneVSwitch(2), { stackFactory: noopFactory });
  const uniFrame = buildEthernet({ src: mac(1), dst: mac(2), ethertype: 0x88b5, payload: new Uint8Array(50) });
  const uniBatch = () => {
    for (let i = 0; i < BATCH; i++) uni.inject('vm0:eth0', uniFrame);
    uni.run();
    return BATCH;
  };
  const b = measure(1500, uniBatch);
  const delivered = uni.counters('vm1:eth0').rxFrames;
  console.log(`(b) unicast VM->VM, one vSwitch, VST, 64 B, no subscribers: ${fmt(b)} frames/s = ${((100 * b) / a).toFixed(1)}% of (a)  [${fmt(delivered)} delivered]`);

  // (c)
  const bc = createLab(oneVSwitch(33), { stackFactory: noopFactory });
  const bcFrame = buildEthernet({ src: mac(1), dst: 'ff:ff:ff:ff:ff:ff', ethertype: 0x88b5, payload: new Uint8Array(50) });
  const c = measure(1500, () => {
    for (let i = 0; i < BATCH / 10; i++) bc.inject('vm0:eth0', bcFrame);
    bc.run();
    return (BATCH / 10) * 32;
  });
  console.log(`(c) broadcast VM -> 32 ports of its VLAN: ${fmt(c)} copies/s = ${((100 * c) / a).toFixed(1)}% of (a)`);

  // (d)
  let events = 0;
  const off = uni.trace.subscribe(() => {
    events++;
  });
  const d = measure(1500, uniBatch);
  off();
  console.log(`(d) (b) with a counting trace subscriber: ${fmt(d)} frames/s = ${((100 * d) / a).toFixed(1)}% of (a), ${((100 * d) / b).toFixed(1)}% of (b)  [${fmt(events)} events]`);

  // (e)
  const HOSTS = 20;
  const PER_HOST = 500;
  const big: TopologyInput = {
    version: 1,
    name: 'bench-10k',
    hosts: Array.from({ length: HOSTS }, (_, h) => ({
      name: `esxi-${h}`,
      nics: [
        { name: 'vmnic0', mac: `00:1b:21:00:${h.toString(16).padStart(2, '0')}:00` },
        { name: 'vmnic1', mac: `00:1b:21:00:${h.toString(16).padStart(2, '0')}:01` },
      ],
      vswitches: [
        {
          name: 'vSwitch0',
          uplinks: ['vmnic0', 'vmnic1'],
          portGroups: Array.from({ length: 10 }, (_, g) => ({ name: `VM-${g + 10}`, vlan: g + 10 })),
        },
      ],
    })),
    vms: Array.from({ length: HOSTS * PER_HOST }, (_, i) => ({
      name: `vm${i}`,
      host: `esxi-${Math.floor(i / PER_HOST)}`,
      nics: [{ name: 'eth0', portGroup: `VM-${(i % 10) + 10}`, mac: mac(i + 1) }],
    })),
    physicalSwitches: [{ name: 'tor-1', ports: Array.from({ length: HOSTS * 2 }, (_, p) => ({ name: `eth${p}`, mode: 'trunk' as const })) }],
    links: Array.from({ length: HOSTS * 2 }, (_, p) => ({ a: `esxi-${Math.floor(p / 2)}:vmnic${p % 2}`, b: `tor-1:eth${p}` })),
  };
  const doc = Topology.parse(big);
  (globalThis as { gc?: () => void }).gc?.();
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  const lab = createLab(doc, { stackFactory: noopFactory });
  const buildMs = performance.now() - t0;
  const rss1 = process.memoryUsage().rss;
  const ports = lab.interfaces().length;
  const t1 = performance.now();
  const labIp = createLab(doc);
  const buildIpMs = performance.now() - t1;
  const rss2 = process.memoryUsage().rss;
  console.log(
    `(e) ${ports}-interface lab (${HOSTS * PER_HOST} vNICs): build ${buildMs.toFixed(0)} ms, RSS ${(rss1 / 2 ** 20).toFixed(0)} MB (+${((rss1 - rss0) / 2 ** 20).toFixed(0)} MB); ` +
      `with real IP stacks: build ${buildIpMs.toFixed(0)} ms, RSS ${(rss2 / 2 ** 20).toFixed(0)} MB`,
  );
  void labIp;
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
