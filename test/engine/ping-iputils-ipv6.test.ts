/**
 * E4: the `ping -6` printout of a VM guest or physical host is iputils' — checked line by line
 * against the real iputils ping, run in two network namespaces this test creates (a veth pair
 * named eth0 at both ends, 2001:db8:99::1/64 and 2001:db8:99::2/64, no DAD) and always removes.
 * Times are masked; every other character must match.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab } from '../../src/engine/index.js';
import { pingOutput } from '../../src/engine/trace-text.js';
import { host, topology } from './fixtures.js';
import { NamespacePair, masked, sh } from '../helpers/iputils-pair.js';

const pair = new NamespacePair('p6');
const A = pair.a;
let ready = false;

beforeAll(async () => {
  await pair.create('2001:db8:99::1/64', '2001:db8:99::2/64', ['nodad']);
  // warm up: the veth's carrier and the kernel's first neighbour discovery can take a second on a
  // busy machine (a first RTT over the interval makes iputils print `pipe 2`); the printout's
  // format does not depend on what the caches already hold
  await sh('ip', ['netns', 'exec', A, 'ping', '-6', '-c', '1', '-W', '10', '2001:db8:99::2']);
  ready = true;
});

afterAll(async () => {
  await pair.remove();
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
