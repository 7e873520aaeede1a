/**
 * The loader's lower findings of issue 17 (item 7), each shrunk to the smallest document that
 * showed it: what used to validate and then failed later must now be refused with a path and a
 * message.
 */
import { describe, expect, it } from 'vitest';
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
