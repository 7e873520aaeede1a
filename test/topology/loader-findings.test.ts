/**
 * The loader's lower findings of issue 17 (item 7), each shrunk to the smallest document that
 * showed it: what used to validate and then failed later must now be refused with a path and a
 * message.
 */
import { describe, expect, it } from 'vitest';
import { checkScenarioText } from '../../src/topology/scenario.js';
import { example, expectError, load } from './helpers.js';

describe('an interface MAC must be a unicast station address', () => {
  it('a broadcast vNIC MAC does not validate', () => {
    const d = example();
    d.vms[0].nics[0].mac = 'ff:ff:ff:ff:ff:ff';
    expectError(d, 'invalid-interface-mac', 'vms[0].nics[0].mac', ['MAC ff:ff:ff:ff:ff:ff of web-01:eth0 is the broadcast address', 'unicast'], '"ff:ff:ff:ff:ff:ff"');
  });

  it('an all-zero vNIC MAC does not validate (any notation)', () => {
    const d = example();
    d.vms[1].nics[0].mac = '0000.0000.0000';
    expectError(d, 'invalid-interface-mac', 'vms[1].nics[0].mac', ['MAC 00:00:00:00:00:00 of web-02:eth0 is all zero'], '"0000.0000.0000"');
  });

  it('a multicast MAC on a vmk, a vmnic or a physical host NIC does not validate either', () => {
    const d = example();
    d.hosts[0].vmkernel[0].mac = '01:00:5e:00:00:01';
    d.physicalHosts[0].nics[0].mac = '33:33:00:00:00:01';
    const { result } = load(d);
    const errors = result.ok ? [] : result.errors;
    expect(errors.filter((e) => e.code === 'invalid-interface-mac').map((e) => e.path)).toEqual(['hosts[0].vmkernel[0].mac', 'physicalHosts[0].nics[0].mac']);
    expect(errors.find((e) => e.path === 'hosts[0].vmkernel[0].mac')!.message).toContain('a multicast (group) address');
  });

  it('a locally administered unicast MAC is fine', () => {
    const d = example();
    d.vms[0].nics[0].mac = '02:00:00:00:00:01';
    expect(load(d).result.ok).toBe(true);
  });
});

describe('a test must send or ping', () => {
  it('a test with neither send nor ping does not validate (it used to, then failed when run)', () => {
    const d = example();
    d.tests = [{ name: 'nothing', expect: { noDrops: true } }];
    expectError(d, 'test-without-action', 'tests[0]', ['test "nothing" has neither "send" nor "ping"'], '{\n      "name": "nothing"');
  });

  it('send alone, ping alone, or both are fine', () => {
    const d = example();
    const send = { from: 'web-01:eth0', frame: { kind: 'arp-request', targetIp: '10.0.0.12' } };
    const ping = { from: 'web-01:eth0', to: '10.0.0.12' };
    d.tests = [
      { name: 's', send, expect: {} },
      { name: 'p', ping, expect: {} },
      { name: 'sp', send, ping, expect: {} },
    ];
    expect(load(d).result.ok).toBe(true);
  });

  it('the same in a scenario file of tests', () => {
    const r = checkScenarioText(JSON.stringify({ tests: [{ name: 'idle', expect: {} }] }, null, 2));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]).toMatchObject({ code: 'test-without-action', path: 'tests[0]', line: 3, column: 5 });
    const bare = checkScenarioText(JSON.stringify([{ name: 'idle', expect: {} }]));
    expect(bare.ok ? [] : bare.issues.map((i) => i.path)).toEqual(['[0]']);
  });
});

describe('scenario paths stay in the topology folder', () => {
  for (const p of ['../secret.json', 'scenarios/../../x.json', '/etc/scenario.json', '\\\\server\\share\\x.json', 'C:\\labs\\x.json', 'a\\..\\..\\x.json']) {
    it(`"${p}" is refused with a clear error`, () => {
      const d = example('teaming');
      d.scenarios = ['scenarios/teaming-failover.json', p];
      expectError(d, 'scenario-path-outside', 'scenarios[1]', [`"${p}" is outside the topology's folder`, 'no absolute path, no ".."'], JSON.stringify(p));
    });
  }

  it('paths below the folder are fine', () => {
    const d = example('teaming');
    d.scenarios = ['scenarios/teaming-failover.json', './scenarios/teaming-no-failback.json', 'x..y.json'];
    expect(load(d).result.ok).toBe(true);
  });
});
