import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createLab } from '../../src/engine/lab.js';
import { checkExpect, runTest, runTests, sendAndObserve, type Observed } from '../../src/engine/test-runner.js';
import { resolveFrameSpec } from '../../src/engine/frame-spec.js';
import { validateTopology } from '../../src/topology/load.js';
import { TestCase, type TestCaseDoc, type TopologyDoc } from '../../src/topology/schema.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
function example(name: string): TopologyDoc {
  const r = validateTopology(JSON.parse(readFileSync(path.join(ROOT, 'topologies', `${name}.json`), 'utf8')));
  if (!r.ok) throw new Error(`${name}: ${JSON.stringify(r.errors)}`);
  return r.topology;
}
const tc = (t: unknown): TestCaseDoc => TestCase.parse(t);
const defaultTopo = example('default');
const echoToWeb02 = { from: 'web-01:eth0', frame: { kind: 'icmp-echo', dstIp: '10.0.0.22' } };

describe('runTest', () => {
  it('passes when the expectation holds (F2 delivery, no drops)', () => {
    const r = runTest(defaultTopo, tc({ name: 'ok', send: echoToWeb02, expect: { deliveredTo: ['web-02:eth0'], noDrops: true } }));
    expect(r.failures).toEqual([]);
    expect(r.passed).toBe(true);
    expect(r.explain).toBeUndefined();
    expect(r.deliveries).toHaveLength(1);
    expect(r.deliveries[0]).toMatchObject({ to: 'web-02:eth0', vlan: 'untagged', rule: 'F2' });
  });

  it('fails when the expected set is wrong, saying what is missing and extra, with the explain trace', () => {
    const r = runTest(defaultTopo, tc({ name: 'wrong', send: echoToWeb02, expect: { deliveredTo: ['laptop:eth0', 'web-02:eth0'] } }));
    expect(r.passed).toBe(false);
    expect(r.failures).toEqual(['deliveredTo: expected exactly [laptop:eth0, web-02:eth0], got [web-02:eth0]; missing laptop:eth0']);
    expect(r.explain?.[0]).toBe('explain: the sent frame from web-01:eth0');
    expect(r.explain?.some((l) => /esxi-01:vSwitch0 {2}lookup {2}\[F2\]/.test(l))).toBe(true);
    expect(r.explain?.at(-1)).toBe('result: 1 delivered (web-02:eth0 untagged), 0 dropped');
  });

  it('fails on a drop that did not happen, and on noDrops when one did (S3)', () => {
    const security = example('security');
    const forged = { from: 'nested-esxi-locked:eth0', frame: { kind: 'arp-request', src: '00:50:56:b2:00:01', senderIp: '10.0.0.62', targetIp: '10.0.0.50' } };
    const noDrop = runTest(security, tc({ name: 'x', send: forged, expect: { noDrops: true, alsoDeliveredTo: ['laptop:eth0'] } }));
    expect(noDrop.passed).toBe(false);
    expect(noDrop.failures).toEqual([
      'alsoDeliveredTo: no copy reached laptop:eth0 (delivered to: none)',
      'noDrops: 1 dropped: FORGED_TRANSMIT at nested-esxi-locked:eth0',
    ]);
    const wrongAt = runTest(security, tc({ name: 'y', send: forged, expect: { drop: { reason: 'FORGED_TRANSMIT', at: 'esxi-01:vmnic0' } } }));
    expect(wrongAt.failures).toEqual(['drop: expected FORGED_TRANSMIT at esxi-01:vmnic0; drops: FORGED_TRANSMIT at nested-esxi-locked:eth0']);
    const right = runTest(security, tc({ name: 'z', send: forged, expect: { drop: { reason: 'FORGED_TRANSMIT', at: 'nested-esxi-locked' }, deliveredTo: [] } }));
    expect(right.passed).toBe(true);
  });

  it('F9 on receive: a 9000-byte packet towards an MTU-1500 NIC is dropped at that NIC, so the ping times out', () => {
    const jumbo = example('jumbo');
    const fixed = structuredClone(jumbo);
    fixed.hosts[0]!.vswitches.find((v) => v.name === 'vSwitch1')!.mtu = 9000;
    const nas = fixed.physicalHosts.find((h) => h.name === 'nas-01')!.nics[0]!;
    const big = { from: 'esxi-01:vmk1', to: '10.0.40.50', count: 1, size: 8972, df: true };
    expect(runTest(fixed, tc({ name: 'ok', ping: big, expect: { pingSucceeds: true } })).passed).toBe(true);
    nas.mtu = 1500;
    const r = runTest(fixed, tc({ name: 'small NIC', ping: big, expect: { pingSucceeds: false, drop: { reason: 'MTU_EXCEEDED', at: 'nas-01:eth0' } } }));
    expect(r.failures).toEqual([]);
    expect(r.passed).toBe(true);
  });

  it('ping expectations: success, failure and the message (E2)', () => {
    const jumbo = example('jumbo');
    const tooLong = { from: 'esxi-01:vmk0', to: '10.0.0.12', count: 1, size: 8972, df: true };
    const ok = runTest(jumbo, tc({ name: 'a', ping: tooLong, expect: { pingSucceeds: false, pingMessage: 'Message too long' } }));
    expect(ok.passed).toBe(true);
    expect(ok.ping?.output).toContain('sendto() failed (Message too long)');
    const bad = runTest(jumbo, tc({ name: 'b', ping: tooLong, expect: { pingSucceeds: true, pingMessage: 'Network is unreachable' } }));
    expect(bad.failures).toEqual([
      'pingSucceeds: no reply (0 transmitted, 0 received; Message too long)',
      'pingMessage: the output does not contain "Network is unreachable"',
    ]);
    expect(bad.explain).toEqual(['explain: nothing was sent (Message too long)']);
    const replies = runTest(defaultTopo, tc({ name: 'c', ping: { from: 'web-01:eth0', to: '10.0.0.22', count: 2 }, expect: { pingSucceeds: false } }));
    expect(replies.failures).toEqual(['pingSucceeds: expected failure, got 2 of 2 replies']);
    const noPing = runTest(defaultTopo, tc({ name: 'd', send: echoToWeb02, expect: { pingSucceeds: true } }));
    expect(noPing.failures).toEqual(['pingSucceeds/pingMessage: the test has no ping']);
  });

  it('deliveredVlan checks the tag each copy carried (V2, V3)', () => {
    const vlans = example('vlans');
    const send = { from: 'db-20:eth0', frame: { kind: 'icmp-echo', dstIp: '10.0.20.50' } };
    expect(runTest(vlans, tc({ name: 'ok', send, expect: { deliveredVlan: { 'sniffer:eth0': 20, 'pc-20:eth0': 'untagged' } } })).passed).toBe(true);
    const wrong = runTest(vlans, tc({ name: 'bad', send, expect: { deliveredVlan: { 'sniffer:eth0': 10, 'web-10:eth0': 'untagged' } } }));
    expect(wrong.failures).toEqual(['deliveredVlan: sniffer:eth0 received VLAN 20, expected VLAN 10', 'deliveredVlan: no copy reached web-10:eth0']);
  });

  it('an error is a failure, not an exception (unknown interface, bad frame, nothing to do)', () => {
    const unknown = runTest(defaultTopo, tc({ name: 'u', send: { from: 'web-09:eth0', frame: { kind: 'rarp' } }, expect: {} }));
    expect(unknown.passed).toBe(false);
    expect(unknown.failures[0]).toMatch(/^error: unknown interface "web-09:eth0"/);
    const badFrame = runTest(defaultTopo, tc({ name: 'f', send: { from: 'web-01:eth0', frame: { kind: 'rarp', pcp: 3 } }, expect: {} }));
    expect(badFrame.failures[0]).toMatch(/^error: pcp: a priority needs a tag/);
    expect(runTest(defaultTopo, tc({ name: 'n', expect: {} })).failures).toEqual(['error: the test has neither send nor ping']);
  });

  it('count: the frame is sent that many times', () => {
    const r = runTest(defaultTopo, tc({ name: 'c', send: { ...echoToWeb02, count: 3 }, expect: { deliveredTo: ['web-02:eth0'] } }));
    expect(r.passed).toBe(true);
    expect(r.deliveries).toHaveLength(3);
    expect(new Set(r.deliveries.map((d) => d.frameId)).size).toBe(3);
  });
});

describe('runTests', () => {
  it('every test gets a fresh lab: what one test taught tor-1 does not leak into the next', () => {
    const teaming = example('teaming');
    // In a fresh lab tor-1 does not know the client, floods app-01's frame back into vmnic1 and
    // the vSwitch drops it REFLECTION (F8). After the ping, a shared lab's tor-1 would know it.
    const tests = [
      tc({ name: 'ping', ping: { from: 'client:eth0', to: '10.0.0.21' }, expect: { pingSucceeds: true } }),
      tc({ name: 'flood', send: { from: 'app-01:eth0', frame: { kind: 'icmp-echo', dstIp: '10.0.0.50' } }, expect: { drop: { reason: 'REFLECTION', at: 'esxi-01:vmnic1' } } }),
    ];
    const r = runTests(teaming, tests);
    expect(r.results.map((x) => x.failures)).toEqual([[], []]);
    expect(r).toMatchObject({ passed: 2, failed: 0 });

    // the same two steps on one lab: no flood, no drop — so the test above can tell
    const lab = createLab(teaming);
    lab.ping('client:eth0', '10.0.0.21', { count: 1 });
    const frame = resolveFrameSpec(lab, 'app-01:eth0', { kind: 'icmp-echo', dstIp: '10.0.0.50' });
    expect(sendAndObserve(lab, 'app-01:eth0', frame).drops).toEqual([]);
  });

  it('counts passes and failures', () => {
    const r = runTests(defaultTopo, [
      tc({ name: 'a', send: echoToWeb02, expect: { deliveredTo: ['web-02:eth0'] } }),
      tc({ name: 'b', send: echoToWeb02, expect: { notDeliveredTo: ['web-02:eth0'] } }),
    ]);
    expect(r).toMatchObject({ passed: 1, failed: 1 });
    expect(r.results[1]!.failures).toEqual(['notDeliveredTo: a copy reached web-02:eth0']);
  });
});

describe('checkExpect', () => {
  const obs: Observed = {
    deliveries: [
      { frameId: 1, to: 'a:eth0', frame: '', summary: '', vlan: 'untagged', rule: 'F5' },
      { frameId: 1, to: 'b:eth0', frame: '', summary: '', vlan: 10, rule: 'F5' },
    ],
    drops: [{ frameId: 1, at: 'c:eth0', reason: 'REVERSE_PATH', rule: 'F8', detail: '' }],
  };
  it('an empty expect passes; each expectation can fail', () => {
    expect(checkExpect({}, obs, undefined)).toEqual([]);
    expect(checkExpect({ deliveredTo: ['b:eth0', 'a:eth0'] }, obs, undefined)).toEqual([]);
    expect(checkExpect({ deliveredTo: [] }, obs, undefined)).toEqual(['deliveredTo: expected exactly [], got [a:eth0, b:eth0]; unexpected a:eth0, b:eth0']);
    expect(checkExpect({ drop: { reason: 'REVERSE_PATH', at: 'c' } }, obs, undefined)).toEqual([]);
    expect(checkExpect({ drop: { reason: 'REFLECTION' } }, obs, undefined)).toHaveLength(1);
    expect(checkExpect({ deliveredVlan: { 'b:eth0': 'untagged' } }, obs, undefined)).toEqual(['deliveredVlan: b:eth0 received VLAN 10, expected untagged']);
  });
});
