import { describe, expect, it } from 'vitest';
import { example, expectWarning, load } from './helpers.js';

describe('warnings (valid topology, severity warning, with path and line:column)', () => {
  it('T4: IP-hash teaming with standby uplinks', () => {
    const d = example('teaming');
    d.hosts[0].vswitches[0].policy.teaming.loadBalancing = 'iphash';
    expectWarning(d, 'iphash-with-standby', 'hosts[0].vswitches[0].policy.teaming', ['IP-hash load balancing with standby uplinks (vmnic1)', 'T4'], '"teaming": |{');
  });

  it('T4: a port group overriding to IP hash is warned at the port group, once', () => {
    const d = example('teaming');
    d.hosts[0].vswitches[0].portGroups[1].policy = { teaming: { loadBalancing: 'iphash' } };
    const w = expectWarning(d, 'iphash-with-standby', 'hosts[0].vswitches[0].portGroups[1].policy.teaming', ['port group "VM Network"'], '"teaming": |{', 1);
    expect(w.message).toContain('(vmnic1)');
  });

  it('F9: a vmk MTU above its vSwitch MTU (the jumbo lesson)', () => {
    const { result } = load(example('jumbo'));
    expect(result.ok).toBe(true);
    expectWarning(example('jumbo'), 'vmk-mtu-above-vswitch', 'hosts[0].vmkernel[1].mtu', ['esxi-01:vmk1 has MTU 9000 but vSwitch1 has MTU 1500', 'MTU_EXCEEDED'], '"mtu": |9000');
  });

  it('no MTU warning once the vSwitch MTU is raised', () => {
    const d = example('jumbo');
    d.hosts[0].vswitches[1].mtu = 9000;
    const { result } = load(d);
    expect(result.warnings).toEqual([]);
  });

  it('V2: a VST port group on a vSwitch with no uplink', () => {
    const d = example();
    d.hosts[0].vswitches.push({ name: 'vSwitch-internal', uplinks: [], portGroups: [{ name: 'Isolated-VLAN50', vlan: 50 }] });
    expectWarning(d, 'vst-without-uplink', 'hosts[0].vswitches[1].portGroups[0].vlan', ['tags VLAN 50, but vSwitch-internal has no uplink'], '"vlan": |50');
  });

  it('an internal vSwitch with VLAN 0 is not warned', () => {
    const d = example();
    d.hosts[0].vswitches.push({ name: 'vSwitch-internal', portGroups: [{ name: 'Isolated', vlan: 0 }] });
    expect(load(d).result.warnings).toEqual([]);
  });

  it('V3: a vNIC on a 4095 port group without guest VLAN interfaces', () => {
    const d = example('vlans');
    delete d.vms[3].nics[0].vlans;
    expectWarning(d, 'trunk-without-guest-vlans', 'vms[3].nics[0].portGroup', ['sniffer:eth0 is on VLAN 4095 port group "Sniffer-Trunk"'], '"Sniffer-Trunk"', 1);
  });

  it('T6: an uplink with no link', () => {
    const d = example();
    d.links.shift();
    expectWarning(d, 'uplink-without-link', 'hosts[0].vswitches[0].uplinks[0]', ['esxi-01:vmnic0 is an uplink of vSwitch0 but no link connects it'], '"vmnic0"', 1);
  });

  it('T1: uplinks missing from a stated order', () => {
    const d = example('teaming');
    delete d.hosts[0].vswitches[0].policy.teaming.standby;
    expectWarning(
      d,
      'uplink-not-in-order',
      'hosts[0].vswitches[0].policy.teaming',
      ['vmnic1 is an uplink of vSwitch0 but not listed in active, standby or unused', 'treated as unused'],
      '"teaming": |{',
    );
  });

  it('T1: an order without "active" lists every other uplink as active (no warning)', () => {
    const d = example('teaming');
    delete d.hosts[0].vswitches[0].policy.teaming.active;
    expect(load(d).result.warnings).toEqual([]);
  });

  it('layout naming an unknown node', () => {
    const d = example();
    d.layout.positions['web-03'] = { x: 1, y: 2 };
    expectWarning(d, 'layout-unknown-node', 'layout.positions["web-03"]', ['"web-03"'], '"web-03": |{');
  });

  it('layout keys the web UI\'s Download topology writes are known: host:vmnic, host:vmk, switch:port, host/port group, box names', () => {
    const d = example();
    const host = d.hosts[0];
    const sw = d.physicalSwitches[0];
    const keys = [
      host.name,
      `${host.name}:${host.nics[0].name}`,
      `${host.name}:${host.vmkernel[0].name}`,
      `${host.name}/${host.vswitches[0].portGroups[0].name}`,
      sw.name,
      `${sw.name}:${sw.ports[0].name}`,
      d.vms[0].name,
    ];
    d.layout = { positions: Object.fromEntries(keys.map((k: string, i: number) => [k, { x: i, y: i }])) };
    expect(load(d).result.warnings.filter((w) => w.code === 'layout-unknown-node')).toEqual([]);
    d.layout.positions[`${host.name}:vmnic9`] = { x: 0, y: 0 };
    expectWarning(d, 'layout-unknown-node', `layout.positions["${host.name}:vmnic9"]`, ['host:vmnicN'], `"${host.name}:vmnic9": |{`);
  });

  it('warnings are reported next to errors when the topology is invalid', () => {
    const d = example('jumbo');
    d.hosts[0].vswitches[1].uplinks = ['vmnic8'];
    const { result } = load(d);
    expect(result.ok).toBe(false);
    expect(result.warnings.map((w) => w.code)).toEqual(['vmk-mtu-above-vswitch']);
  });
});
