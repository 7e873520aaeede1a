/**
 * E1: the ping printout of a VM guest or physical host is iputils' — checked line by line against
 * the real iputils ping, run in two network namespaces this test creates (a veth pair named eth0
 * at both ends, 10.99.0.1/24 and 10.99.0.2/24) and always removes. Times differ (the kernel's
 * clock against the virtual one) and are masked; every other character must match.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab } from '../../src/engine/index.js';
import { pingOutput } from '../../src/engine/trace-text.js';
import { host, topology } from './fixtures.js';
import { NamespacePair, masked, sh } from '../helpers/iputils-pair.js';

const pair = new NamespacePair('pg');
const A = pair.a;
let ready = false;

beforeAll(async () => {
  await pair.create('10.99.0.1/24', '10.99.0.2/24');
  ready = true;
});

afterAll(async () => {
  await pair.remove();
});

/** The same two hosts in the lab: VMs a (10.99.0.1) and b (10.99.0.2) on one port group. */
function lab() {
  return createLab(topology({
    hosts: [host({ portGroups: [{ name: 'VM Network', vlan: 0 }] })],
    vms: [
      { name: 'a', host: 'esxi-01', nics: [{ name: 'eth0', portGroup: 'VM Network', mac: '00:50:56:aa:00:01', ipv4: '10.99.0.1/24' }] },
      { name: 'b', host: 'esxi-01', nics: [{ name: 'eth0', portGroup: 'VM Network', mac: '00:50:56:aa:00:02', ipv4: '10.99.0.2/24' }] },
    ],
  }));
}

function ours(dst: string, count: number, intervalMs = 1000): string[] {
  const r = lab().ping('a:eth0', dst, { count, intervalMs });
  return pingOutput(r, { from: 'a:eth0', dstIp: dst, size: 56, vmkping: false });
}

async function real(dst: string, count: number, interval = '1'): Promise<string[]> {
  // as a guest user types it: no -I (with -I the socket is bound to eth0 and never sees the
  // kernel's Destination Host Unreachable, which comes back through lo)
  const r = await sh('ip', ['netns', 'exec', A, 'ping', '-c', String(count), '-i', interval, dst]);
  return r.stdout.trimEnd().split('\n');
}

describe('ping printout against the real iputils (E1)', () => {
  // Every probe is sent at least a second before or after ARP gives up (3 s after the first),
  // so the kernel's timing cannot reorder them: no race with a loaded machine.
  it('answered, unanswered on-link (ARP fails: every probe counted, one error line each, pipe), faster probes', async () => {
    expect(ready).toBe(true);
    // in parallel: the unanswered ones take ARP's three seconds
    const [answered, three, five] = await Promise.all([real('10.99.0.2', 3), real('10.99.0.9', 3), real('10.99.0.10', 5, '0.5')]);
    expect(masked(ours('10.99.0.2', 3))).toEqual(masked(answered));
    expect(three).toContain('From 10.99.0.1 icmp_seq=1 Destination Host Unreachable'); // the oracle really failed ARP
    expect(masked(ours('10.99.0.9', 3))).toEqual(masked(three));
    expect(five).toContain('pipe 5');
    expect(masked(ours('10.99.0.10', 5, 500))).toEqual(masked(five));
  }, 60_000);
});
