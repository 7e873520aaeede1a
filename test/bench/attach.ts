/**
 * A `vxlan` attachment against the Linux kernel's own VXLAN (`npm run bench -- attach`), side by
 * side in one run (docs/attachments.md):
 *   - kernel: two network namespaces joined by a veth, a kernel vxlan device in each; the one
 *     pings the other across the tunnel;
 *   - lab: a namespace with a kernel vxlan device pointed at the lab (the lab binds the host end
 *     of its veth), pinging web-10 behind an access port, tor-1, a trunk and the vSwitch.
 * For each: round-trip time of single pings (p50/p99 of `ping -i 0.01`; added latency = lab -
 * kernel), and a flood (`ping -f`) as frames per second (requests + replies). For the lab, the
 * CPU time of this process per frame during the flood. Namespaces are removed afterwards.
 */
import { Netns, must, randomPair, uniqueName, vethInto } from '../attach/netns.js';
import { OUTSIDE_IP, OUTSIDE_MAC, VM_IP, validAttachTopology } from '../attach/attach-lab.js';
import { serveWithAttachments } from '../attach/served-lab.js';

const PINGS = 300;
const FLOOD = 5000;

interface Figures {
  rttP50: number;
  rttP99: number;
  fps: number;
}

const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

async function measure(ns: Netns, to: string): Promise<Figures> {
  await ns.exec('ping', ['-c', '3', '-i', '0.01', '-W', '2', to]); // ARP, caches
  const r = await ns.exec('ping', ['-c', String(PINGS), '-i', '0.01', '-W', '2', to]);
  const rtts = [...r.stdout.matchAll(/time=([\d.]+) ms/g)].map((m) => Number(m[1]));
  if (rtts.length < PINGS * 0.9) throw new Error(`ping ${to}: ${rtts.length}/${PINGS} replies\n${r.stdout}${r.stderr}`);
  const f = await ns.exec('ping', ['-f', '-c', String(FLOOD), '-W', '2', to]);
  const m = /(\d+) packets transmitted, (\d+) received.*time (\d+)ms/.exec(f.stdout);
  if (!m) throw new Error(`ping -f ${to}: ${f.stdout}${f.stderr}`);
  const frames = Number(m[1]) + Number(m[2]);
  return { rttP50: pct(rtts, 50), rttP99: pct(rtts, 99), fps: frames / (Number(m[3]) / 1000) };
}

async function kernelPair(port: number): Promise<Figures> {
  const a = await Netns.create('vslba');
  const b = await Netns.create('vslbb');
  try {
    const [ipA, ipB] = randomPair();
    const ea = uniqueName('vba');
    const eb = uniqueName('vbb');
    await must('ip', ['link', 'add', ea, 'netns', a.name, 'type', 'veth', 'peer', 'name', eb, 'netns', b.name]);
    for (const [ns, dev, ip] of [[a, ea, ipA], [b, eb, ipB]] as const) {
      await ns.ip('addr', 'add', `${ip}/30`, 'dev', dev);
      await ns.ip('link', 'set', dev, 'up');
    }
    for (const [ns, local, remote, ip] of [[a, ipA, ipB, OUTSIDE_IP], [b, ipB, ipA, VM_IP]] as const) {
      await ns.ip('link', 'add', 'vx0', 'type', 'vxlan', 'id', '4242', 'local', local, 'remote', remote, 'dstport', String(port));
      await ns.ip('addr', 'add', `${ip}/24`, 'dev', 'vx0');
      await ns.ip('link', 'set', 'vx0', 'up');
    }
    return await measure(a, VM_IP);
  } finally {
    await a.destroy();
    await b.destroy();
  }
}

async function throughLab(port: number): Promise<Figures & { cpuUsPerFrame: number }> {
  const ns = await Netns.create('vslbl');
  let lab: Awaited<ReturnType<typeof serveWithAttachments>> | undefined;
  try {
    const [labIp, nsIp] = randomPair();
    await vethInto(ns, labIp, nsIp);
    await ns.ip('link', 'add', 'vx0', 'type', 'vxlan', 'id', '4242', 'local', nsIp, 'remote', labIp, 'dstport', String(port));
    await ns.ip('link', 'set', 'vx0', 'address', OUTSIDE_MAC);
    await ns.ip('addr', 'add', `${OUTSIDE_IP}/24`, 'dev', 'vx0');
    await ns.ip('link', 'set', 'vx0', 'up');
    lab = await serveWithAttachments(validAttachTopology([{ type: 'vxlan', local: { address: labIp, port }, remote: { address: nsIp, port }, vni: 4242 }]));
    const before = process.cpuUsage();
    const rx0 = lab.served.attachments.status().attachments[0]!;
    const f = await measure(ns, VM_IP);
    const cpu = process.cpuUsage(before);
    const rx1 = lab.served.attachments.status().attachments[0]!;
    const frames = rx1.rxFrames - rx0.rxFrames + rx1.txFrames - rx0.txFrames;
    return { ...f, cpuUsPerFrame: (cpu.user + cpu.system) / frames };
  } finally {
    await lab?.close();
    await ns.destroy();
  }
}

export async function run(): Promise<void> {
  const port = 22000 + (process.pid % 20000);
  const k = await kernelPair(port);
  const l = await throughLab(port + 1);
  const ms = (x: number): string => `${(x * 1000).toFixed(0)} µs`;
  console.log(`ping across VXLAN, ${PINGS} pings at 10 ms, then ping -f -c ${FLOOD}; kernel vxlan <-> kernel vxlan vs kernel vxlan <-> vswitch-lab attachment`);
  console.log(`  kernel <-> kernel : RTT p50 ${ms(k.rttP50)}, p99 ${ms(k.rttP99)}; flood ${k.fps.toFixed(0)} frames/s`);
  console.log(`  kernel <-> lab    : RTT p50 ${ms(l.rttP50)}, p99 ${ms(l.rttP99)}; flood ${l.fps.toFixed(0)} frames/s; lab CPU ${l.cpuUsPerFrame.toFixed(1)} µs/frame`);
  console.log(`  added by the lab  : RTT p50 +${ms(l.rttP50 - k.rttP50)} (target: under 1 ms), flood ${(l.fps / k.fps * 100).toFixed(1)} % of the kernel's rate`);
}
