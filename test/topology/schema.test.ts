import { describe, expect, it } from 'vitest';
import { errorsOf, example, expectError, load } from './helpers.js';

describe('schema ranges and formats (path, message, line:column)', () => {
  it('port group VLAN ID above 4095', () => {
    const d = example();
    d.hosts[0].vswitches[0].portGroups[1].vlan = 4096;
    expectError(d, 'out-of-range', 'hosts[0].vswitches[0].portGroups[1].vlan', ['VLAN ID must be 0..4095', 'got 4096'], '4096');
  });

  it('port group VLAN ID below 0, and not whole', () => {
    const d = example();
    d.hosts[0].vswitches[0].portGroups[1].vlan = -1;
    expectError(d, 'out-of-range', 'hosts[0].vswitches[0].portGroups[1].vlan', ['VLAN ID must be 0..4095'], '-1');
    d.hosts[0].vswitches[0].portGroups[1].vlan = 10.5;
    expect(errorsOf(load(d).result)[0]!.message).toContain('must be a whole number');
  });

  it('VLAN 0 and 4095 are accepted', () => {
    const d = example();
    d.hosts[0].vswitches[0].portGroups[1].vlan = 4095;
    d.vms.forEach((vm: { nics: { vlans?: unknown[] }[] }) => (vm.nics[0]!.vlans = [{ vlan: 10 }]));
    expect(load(d).result.ok).toBe(true);
  });

  it('vSwitch MTU outside 1280..9000', () => {
    for (const mtu of [1279, 9001]) {
      const d = example();
      d.hosts[0].vswitches[0].mtu = mtu;
      expectError(d, 'out-of-range', 'hosts[0].vswitches[0].mtu', ['vSwitch MTU must be 1280..9000', `got ${mtu}`], `"mtu": |${mtu}`);
    }
    const ok = example();
    ok.hosts[0].vswitches[0].mtu = 9000;
    expect(load(ok).result.ok).toBe(true);
  });

  it('vmk MTU outside 1280..9000', () => {
    const d = example();
    d.hosts[0].vmkernel[0].mtu = 9216;
    expectError(d, 'out-of-range', 'hosts[0].vmkernel[0].mtu', ['vmk MTU must be 1280..9000'], '9216');
  });

  it('vSwitch and port group names longer than 32 characters', () => {
    const long = 'x'.repeat(33);
    const d = example();
    d.hosts[0].vswitches[0].name = long;
    expectError(d, 'out-of-range', 'hosts[0].vswitches[0].name', ['must be at most 32 characters (vSphere\'s limit)'], `"${long}"`);
    const e = example();
    e.hosts[0].vswitches[0].portGroups[1].name = long;
    e.vms.forEach((vm: { nics: { portGroup: string }[] }) => (vm.nics[0]!.portGroup = long));
    expectError(e, 'out-of-range', 'hosts[0].vswitches[0].portGroups[1].name', ['at most 32 characters'], `"${long}"`);
    const ok = example();
    ok.hosts[0].vswitches[0].name = 'y'.repeat(32);
    expect(load(ok).result.ok).toBe(true);
  });

  it('bad IPv4 address, missing prefix, prefix out of range', () => {
    const cases: [string, string][] = [
      ['10.0.0.256/24', 'is not an IPv4 address with prefix'],
      ['10.0.0.21', 'needs a prefix length'],
      ['10.0.0.21/33', 'is not an IPv4 address with prefix'],
      ['web-01', 'needs a prefix length'],
    ];
    for (const [ip, msg] of cases) {
      const d = example();
      d.vms[0].nics[0].ipv4 = ip;
      expectError(d, 'invalid-value', 'vms[0].nics[0].ipv4', [`"${ip}"`, msg], `"ipv4": |"${ip}"`);
    }
  });

  it('bad gateway and IPv6', () => {
    const d = example();
    d.vms[0].nics[0].gateway = '10.0.0';
    d.vms[0].nics[0].ipv6 = ['2001:db8::zz/64'];
    const errs = errorsOf(load(d).result);
    expect(errs.find((i) => i.path === 'vms[0].nics[0].gateway')?.message).toContain('"10.0.0" is not an IPv4 address');
    expect(errs.find((i) => i.path === 'vms[0].nics[0].ipv6[0]')?.message).toContain('is not an IPv6 address');
  });

  it('bad MACs in each notation are rejected', () => {
    for (const mac of ['00:50:56:a1:00', '00:50:56:a1:00:01:02', '00:50:56:g1:00:01', '00-50-56-a1-00', '00-50-56-a1-0-01', '0050.56a1.00', '0050:56a1:0001', '00:50-56:a1-00:01', '']) {
      const d = example();
      d.vms[0].nics[0].mac = mac;
      expectError(d, 'invalid-value', 'vms[0].nics[0].mac', [`"${mac}" is not a MAC address`, '00:50:56:aa:00:01, 00-50-56-aa-00-01 or 0050.56aa.0001'], `"mac": |"${mac}"`);
    }
  });

  it('MACs in colon, dash and Cisco notation are accepted (any case)', () => {
    for (const mac of ['00:50:56:A1:00:77', '00-50-56-a1-00-77', '0050.56a1.0077', '0:50:56:a1:0:77']) {
      const d = example();
      d.vms[0].nics[0].mac = mac;
      const { result } = load(d);
      expect(errorsOf(result), mac).toEqual([]);
    }
  });

  it('unknown field, with a did-you-mean', () => {
    const d = example();
    d.hosts[0].vswitches[0].portgroups = d.hosts[0].vswitches[0].portGroups;
    delete d.hosts[0].vswitches[0].portGroups;
    const { result } = load(d);
    // the port groups are gone, so vmk0 and the VMs also point at nothing: all reported at once
    const i = errorsOf(result).find((x) => x.code === 'unknown-field')!;
    expect(i.path).toBe('hosts[0].vswitches[0].portgroups');
    expect(i.message).toBe('unknown field "portgroups"; did you mean "portGroups"?');
    expect(errorsOf(result).filter((x) => x.code === 'unknown-port-group')).toHaveLength(3);
  });

  it('unknown field points at the key', () => {
    const d = example();
    d.vms[0].colour = 'blue';
    expectError(d, 'unknown-field', 'vms[0].colour', ['unknown field "colour"', 'fields here: name, host, nics'], '"colour"');
  });

  it('missing required field points at the object that lacks it', () => {
    const d = example();
    delete d.hosts[0].vswitches[0].portGroups[1].vlan;
    const { text, result } = load(d);
    const i = errorsOf(result).find((x) => x.code === 'missing-field')!;
    expect(i.path).toBe('hosts[0].vswitches[0].portGroups[1].vlan');
    expect(i.message).toBe('missing required field "vlan"');
    // the object { "name": "VM Network" } starts on the line before its "name"
    const nameLine = text.split('\n').findIndex((l) => l.includes('"name": "VM Network"')) + 1;
    expect(i.line).toBe(nameLine - 1);
  });

  it('wrong type says what it got', () => {
    const d = example();
    d.hosts[0].vswitches[0].mtu = '9000';
    expectError(d, 'wrong-type', 'hosts[0].vswitches[0].mtu', ['expected a number, got the string "9000"'], '"9000"');
  });

  it('enum value with a case hint', () => {
    const d = example();
    d.defaults.security.promiscuous = 'Accept';
    expectError(d, 'invalid-value', 'defaults.security.promiscuous', ['must be one of "accept" or "reject"', 'did you mean "accept"?'], '"Accept"');
  });

  it('switch port mode typo', () => {
    const d = example();
    d.physicalSwitches[0].ports[0].mode = 'acess';
    expectError(d, 'invalid-value', 'physicalSwitches[0].ports[0].mode', ['must be "access" or "trunk"', 'did you mean "access"?'], '"acess"');
  });

  it('version must be 1', () => {
    const d = example();
    d.version = 2;
    expectError(d, 'invalid-value', 'version', ['must be 1'], '2');
    delete d.version;
    expect(errorsOf(load(d).result)[0]).toMatchObject({ path: 'version', code: 'missing-field', line: 1, column: 1 });
  });

  it('a trunk allowed-VLAN list with a bad entry points at the entry', () => {
    const d = example('vlans');
    d.physicalSwitches[0].ports[0].allowedVlans = [1, 10, 5000];
    expectError(d, 'out-of-range', 'physicalSwitches[0].ports[0].allowedVlans[2]', ['VLAN must be 1..4094'], '5000');
  });
});
