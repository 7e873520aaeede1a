/**
 * E4: the `ping -6` printout of a VM guest or physical host is iputils' — checked line by line
 * against the real iputils ping, run in two network namespaces this test creates (a veth pair
 * named eth0 at both ends, 2001:db8:99::1/64 and 2001:db8:99::2/64, no DAD) and always removes.
 * Times are masked; every other character must match.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab } from '../../src/engine/index.js';
import { pingOutput } from '../../src/engine/trace-text.js';
import { host, topology } from './fixtures.js';

function sh(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { encoding: 'utf8' }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr });
    });
  });
}

async function must(cmd: string, args: string[]): Promise<void> {
  const r = await sh(cmd, args);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
}

function masked(lines: string[]): string[] {
  return lines.map((l) => l.replace(/time=[\d.]+ ms/, 'time=T ms').replace(/time \d+ms/, 'time Tms').replace(/^rtt min\/avg\/max\/mdev = [\d./]+ ms/, 'rtt min/avg/max/mdev = T ms'));
}

const tag = `${process.pid.toString(36)}${randomBytes(2).toString('hex')}`;
const A = `p6-a-${tag}`;
const B = `p6-b-${tag}`;
let ready = false;

beforeAll(async () => {
  await must('ip', ['netns', 'add', A]);
  await must('ip', ['netns', 'add', B]);
  await must('ip', ['link', 'add', 'eth0', 'netns', A, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', B]);
  for (const [ns, ip] of [[A, '2001:db8:99::1/64'], [B, '2001:db8:99::2/64']] as const) {
    await must('ip', ['-n', ns, 'addr', 'add', ip, 'dev', 'eth0', 'nodad']);
    await must('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
    await must('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  }
  // warm up: the veth's carrier and the kernel's first neighbour discovery can take a second on a
  // busy machine (a first RTT over the interval makes iputils print `pipe 2`); the printout's
  // format does not depend on what the caches already hold
  await sh('ip', ['netns', 'exec', A, 'ping', '-6', '-c', '1', '-W', '10', '2001:db8:99::2']);
  ready = true;
});

afterAll(async () => {
  await sh('ip', ['netns', 'del', A]);
  await sh('ip', ['netns', 'del', B]);
});

function ours(dst: string, count: number, intervalMs = 1000): string[] {
  const lab = createLab(topology({
    hosts: [host({ portGroups: [{ name: 'VM Network', vlan: 0 }] })],
    vms: [
      { name: 'a', host: 'esxi-01', nics: [{ name: 'eth0', portGroup: 'VM Network', mac: '00:50:56:aa:00:01', ipv6: ['2001:db8:99::1/64'] }] },
      { name: 'b', host: 'esxi-01', nics: [{ name: 'eth0', portGroup: 'VM Network', mac: '00:50:56:aa:00:02', ipv6: ['2001:db8:99::2/64'] }] },
    ],
  }));
  const r = lab.ping('a:eth0', dst, { count, intervalMs });
  return pingOutput(r, { from: 'a:eth0', dstIp: dst, size: 56, vmkping: false, ipv6: true });
}

async function real(dst: string, count: number, interval = '1'): Promise<string[]> {
  const r = await sh('ip', ['netns', 'exec', A, 'ping', '-6', '-c', String(count), '-i', interval, dst]);
  return r.stdout.trimEnd().split('\n');
}

describe('ping -6 printout against the real iputils (E4)', () => {
  it('answered, and unanswered on-link (neighbour discovery fails: every probe counted, one error line each)', async () => {
    expect(ready).toBe(true);
    const [answered, three, five] = await Promise.all([real('2001:db8:99::2', 3), real('2001:db8:99::9', 3), real('2001:db8:99::10', 5, '0.5')]);
    expect(masked(ours('2001:db8:99::2', 3))).toEqual(masked(answered));
    expect(three).toContain('From 2001:db8:99::1 icmp_seq=1 Destination unreachable: Address unreachable'); // the oracle really failed ND
    expect(masked(ours('2001:db8:99::9', 3))).toEqual(masked(three));
    expect(masked(ours('2001:db8:99::10', 5, 500))).toEqual(masked(five));
  }, 60_000);
});
