/**
 * A peer in the same run (`npm run bench -- kernel-bridge`): the Linux kernel's own bridge moving
 * 64-byte frames between two network namespaces, beside the engine moving the same frames VM -> VM
 * on one vSwitch, as frames per CPU-second and their ratio.
 *
 * Kernel side: namespaces vsl-kb-a, vsl-kb-b and vsl-kb-br; veth a0<->a1 and b0<->b1, a1 and b1 in
 * bridge br0 (vsl-kb-br). test/bench/kernel-bridge.c, compiled here with gcc, receives on b0 and
 * blasts on a0 through AF_PACKET. CPU = the sender's and receiver's own CPU time plus the softirq
 * time the whole machine spent meanwhile (where the bridge's forwarding runs; on a busy machine
 * that over-counts, so the kernel's figure is a lower bound). Median of 5 rounds.
 * Needs root, gcc and iproute2: otherwise it says why and measures nothing. The namespaces are
 * removed afterwards, also when a step fails.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Topology, type TopologyInput } from '../../src/topology/schema.js';
import { createLab } from '../../src/engine/lab.js';
import type { EndpointStackFactory } from '../../src/engine/endpoint.js';
import { cpuRate } from './_cpu-rate.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const NS = ['vsl-kb-a', 'vsl-kb-b', 'vsl-kb-br'] as const;
const FRAMES = 300_000;
const ROUNDS = 5;
const median = (xs: number[]): number => [...xs].sort((p, q) => p - q)[xs.length >> 1]!;
const fmt = (n: number): string => `${(n / 1e6).toFixed(2)} M`;

function sh(args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function cleanup(): void {
  for (const ns of NS) spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
}

/** Softirq jiffies of the whole machine (/proc/stat "cpu" line, 7th value), in µs. */
function softirqUs(): number {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
  const hz = 100; // USER_HZ on Linux
  return (Number(cpu[7]) * 1e6) / hz;
}

function why(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces); run as root';
  if (spawnSync('gcc', ['--version'], { stdio: 'ignore' }).status !== 0) return 'needs gcc (apt-get install gcc)';
  if (spawnSync('ip', ['-V'], { stdio: 'ignore' }).status !== 0) return 'needs iproute2 (apt-get install iproute2)';
  return null;
}

function setUp(): string {
  cleanup();
  for (const ns of NS) sh(['netns', 'add', ns]);
  sh(['-n', 'vsl-kb-br', 'link', 'add', 'br0', 'type', 'bridge']);
  for (const [side, ns] of [['a', 'vsl-kb-a'], ['b', 'vsl-kb-b']] as const) {
    sh(['-n', 'vsl-kb-br', 'link', 'add', `${side}1`, 'type', 'veth', 'peer', 'name', `${side}0`, 'netns', ns]);
    sh(['-n', 'vsl-kb-br', 'link', 'set', `${side}1`, 'master', 'br0', 'up']);
    sh(['-n', ns, 'link', 'set', `${side}0`, 'up']);
  }
  sh(['-n', 'vsl-kb-br', 'link', 'set', 'br0', 'up']);
  const out = execFileSync('ip', ['-n', 'vsl-kb-b', '-j', 'link', 'show', 'b0'], { encoding: 'utf8' });
  return (JSON.parse(out) as { address: string }[])[0]!.address;
}

interface KernelRound {
  rate: number;
  sendNs: number;
  recvNs: number;
  softNs: number;
}

async function kernelRound(bin: string, dstMac: string): Promise<KernelRound> {
  const recv = spawn('ip', ['netns', 'exec', 'vsl-kb-b', bin, 'recv', 'b0', String(FRAMES)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  recv.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  await new Promise<void>((resolve, reject) => {
    recv.stdout.on('data', () => out.includes('ready') && resolve());
    recv.on('exit', () => reject(new Error(`receiver ended early: ${out}`)));
  });
  const soft0 = softirqUs();
  const send = execFileSync('ip', ['netns', 'exec', 'vsl-kb-a', bin, 'send', 'a0', dstMac, String(FRAMES)], { encoding: 'utf8' });
  await new Promise<void>((resolve) => recv.on('exit', () => resolve()));
  const soft = softirqUs() - soft0;
  const s = /sent (\d+) cpu_us (\d+)/.exec(send);
  const r = /received (\d+) cpu_us (\d+)/.exec(out);
  if (!s || !r) throw new Error(`unexpected output: ${send} / ${out}`);
  const received = Number(r[1]);
  const cpuUs = Number(s[2]) + Number(r[2]) + soft;
  return { rate: (received * 1e6) / cpuUs, sendNs: (Number(s[2]) * 1e3) / received, recvNs: (Number(r[2]) * 1e3) / received, softNs: (soft * 1e3) / received };
}

const noopFactory: EndpointStackFactory = () => ({
  receive: () => {},
  ping: (_o, done) => done({ transmitted: 0, received: 0, replies: [], errors: [], done: true }),
  arpCache: () => [],
});

/** The engine's unicast VM -> VM on one vSwitch, 64-byte frames, frames per CPU-second. */
function engineRate(): number {
  const input: TopologyInput = {
    version: 1,
    name: 'bench',
    hosts: [{ name: 'esxi-01', vswitches: [{ name: 'vSwitch0', portGroups: [{ name: 'VM-10', vlan: 10 }] }] }],
    vms: [1, 2].map((i) => ({ name: `vm${i}`, host: 'esxi-01', nics: [{ name: 'eth0', portGroup: 'VM-10', mac: `00:50:56:00:00:0${i}` }] })),
  };
  const lab = createLab(Topology.parse(input), { stackFactory: noopFactory, historyLimitBytes: 0 });
  const frame = new Uint8Array(64).fill(0xab);
  frame.set([0x00, 0x50, 0x56, 0, 0, 0x02, 0x00, 0x50, 0x56, 0, 0, 0x01, 0x88, 0xb5]);
  const rates: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    rates.push(
      cpuRate(400, () => {
        for (let i = 0; i < 1000; i++) lab.inject('vm1:eth0', frame);
        lab.run();
        return 1000;
      }).rate,
    );
  }
  return median(rates);
}

export async function run(): Promise<void> {
  const reason = why();
  if (reason !== null) {
    console.log(`kernel bridge: not measured — ${reason}`);
    return;
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'vsl-kb-'));
  const bin = path.join(dir, 'kernel-bridge');
  try {
    execFileSync('gcc', ['-O2', '-o', bin, path.join(here, 'kernel-bridge.c')], { stdio: 'inherit' });
    const dstMac = setUp();
    const kernel: KernelRound[] = [];
    for (let r = 0; r < ROUNDS; r++) kernel.push(await kernelRound(bin, dstMac));
    const k = median(kernel.map((x) => x.rate));
    const mid = kernel.find((x) => x.rate === k)!;
    const e = engineRate();
    console.log('64-byte frames between two ports of one switch, per CPU-second (median of 5)');
    console.log(`  Linux bridge (veth, AF_PACKET both ends):  ${fmt(k)} frames/s`);
    console.log(`    per frame: sender ${mid.sendNs.toFixed(0)} ns, receiver ${mid.recvNs.toFixed(0)} ns, softirq ${mid.softNs.toFixed(0)} ns (batches of 256 system calls)`);
    console.log(`  vswitch-lab engine (VM -> VM, one vSwitch): ${fmt(e)} frames/s`);
    console.log(`  ratio engine / kernel bridge: ${(e / k).toFixed(1)}x`);
  } finally {
    cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
}
