import { describe, expect, it } from 'vitest';
import { errorsOf, example, expectError, load, positionOf } from './helpers.js';

describe('cross-reference checks (errors with path, message and line:column)', () => {
  it('a vNIC port group must exist on its VM host', () => {
    const d = example();
    d.vms[1].nics[0].portGroup = 'No Such PG';
    expectError(d, 'unknown-port-group', 'vms[1].nics[0].portGroup', ['"No Such PG" does not exist on esxi-01', 'Management Network, VM Network'], '"No Such PG"');
  });

  it('a vNIC port group on another host does not count', () => {
    const d = example('multi-host');
    d.hosts[1].vswitches[0].portGroups[2].name = 'Only-On-02';
    d.vms[1].nics[0].portGroup = 'Only-On-02';
    d.vms[0].nics[0].portGroup = 'Only-On-02';
    expectError(d, 'unknown-port-group', 'vms[0].nics[0].portGroup', ['"Only-On-02" does not exist on esxi-01'], '"Only-On-02"', 1);
  });

  it('a vmk port group must exist on its host', () => {
    const d = example();
    d.hosts[0].vmkernel[0].portGroup = 'Mgmt';
    expectError(d, 'unknown-port-group', 'hosts[0].vmkernel[0].portGroup', ['"Mgmt" of vmk0 does not exist on esxi-01'], '"Mgmt"');
  });

  it('vSwitch uplinks must be the host\'s NICs', () => {
    const d = example();
    d.hosts[0].vswitches[0].uplinks.push('vmnic7');
    expectError(d, 'unknown-uplink', 'hosts[0].vswitches[0].uplinks[1]', ['uplink "vmnic7" of vSwitch0 is not a physical NIC of esxi-01', 'vmnic0'], '"vmnic7"');
  });

  it('a vmk is not an uplink', () => {
    const d = example();
    d.hosts[0].vswitches[0].uplinks = ['vmk0'];
    d.links.shift();
    const { result } = load(d);
    expect(errorsOf(result).find((i) => i.code === 'unknown-uplink')?.message).toContain('vmk0 is a VMkernel adapter');
  });

  it('a VM must run on an existing ESXi host', () => {
    const d = example();
    d.vms[0].host = 'esxi-09';
    expectError(d, 'unknown-host', 'vms[0].host', ['there is no ESXi host named "esxi-09"', 'hosts: esxi-01'], '"esxi-09"');
  });

  it('a VM cannot run on a physical switch', () => {
    const d = example();
    d.vms[0].host = 'tor-1';
    expectError(d, 'unknown-host', 'vms[0].host', ['"tor-1" is a physical switch, not an ESXi host'], '"host": |"tor-1"');
  });

  it('link endpoints: unknown node', () => {
    const d = example();
    d.links[1].a = 'labtop:eth0';
    expectError(d, 'unknown-node', 'links[1].a', ['link endpoint labtop:eth0', 'no node named "labtop"'], '"labtop:eth0"');
  });

  it('link endpoints: unknown interface on an existing node', () => {
    const d = example();
    d.links[0].b = 'tor-1:eth9';
    expectError(d, 'unknown-interface', 'links[0].b', ['tor-1 has no interface "eth9"', 'eth1, eth2'], '"tor-1:eth9"');
  });

  it('link endpoints: a VM vNIC is not a physical interface', () => {
    const d = example();
    d.physicalSwitches[0].ports.push({ name: 'eth3', mode: 'access', vlan: 1 });
    d.links.push({ a: 'web-01:eth0', b: 'tor-1:eth3' });
    expectError(d, 'virtual-link-endpoint', 'links[2].a', ['web-01:eth0 is a VM vNIC', 'its port group', 'Links join physical interfaces'], '"web-01:eth0"');
  });

  it('link endpoints: a VMkernel adapter is not a physical interface', () => {
    const d = example();
    d.physicalSwitches[0].ports.push({ name: 'eth3', mode: 'access', vlan: 1 });
    d.links.push({ a: 'tor-1:eth3', b: 'esxi-01:vmk0' });
    expectError(d, 'virtual-link-endpoint', 'links[2].b', ['esxi-01:vmk0 is a VMkernel adapter'], '"esxi-01:vmk0"');
  });

  it('a link endpoint may be used only once', () => {
    const d = example();
    d.physicalSwitches[0].ports.push({ name: 'eth3', mode: 'access', vlan: 1 });
    d.links.push({ a: 'tor-1:eth3', b: 'laptop:eth0' });
    expectError(d, 'endpoint-used-twice', 'links[2].b', ['laptop:eth0 is already connected by links[1].a'], '"laptop:eth0"', 1);
  });

  it('T1: teaming lists name only uplinks of their vSwitch (vSwitch level)', () => {
    const d = example('teaming');
    d.hosts[0].vswitches[0].policy.teaming.standby = ['vmnic2'];
    expectError(d, 'teaming-not-an-uplink', 'hosts[0].vswitches[0].policy.teaming.standby[0]', ['"vmnic2" in the standby list is not an uplink of vSwitch0', 'vmnic0, vmnic1'], '"vmnic2"');
  });

  it('T1: teaming lists name only uplinks of their vSwitch (port group level)', () => {
    const d = example('teaming');
    d.hosts[0].vswitches[0].portGroups[1].policy = { teaming: { active: ['vmnic1'], unused: ['vmnic3'] } };
    expectError(d, 'teaming-not-an-uplink', 'hosts[0].vswitches[0].portGroups[1].policy.teaming.unused[0]', ['"vmnic3" in the unused list'], '"vmnic3"');
  });

  it('T1: an order in defaults applies to vSwitches without their own', () => {
    const d = example('jumbo');
    d.defaults.teaming = { active: ['vmnic0'] };
    expectError(d, 'teaming-not-an-uplink', 'defaults.teaming.active[0]', ['esxi-01/vSwitch1, which inherits this order'], '"vmnic0"');
  });

  it('T1: a vmnic cannot be both active and standby', () => {
    const d = example('teaming');
    d.hosts[0].vswitches[0].policy.teaming.standby = ['vmnic1', 'vmnic0'];
    expectError(d, 'active-and-standby', 'hosts[0].vswitches[0].policy.teaming.standby[1]', ['vmnic0 is both active and standby'], '"vmnic0"', 3);
  });

  it('a vmnic belongs to at most one vSwitch', () => {
    const d = example('teaming');
    d.hosts[0].vswitches[0].uplinks = ['vmnic0'];
    d.hosts[0].vswitches[0].policy.teaming = {};
    d.hosts[0].vswitches.push({ name: 'vSwitch1', uplinks: ['vmnic1', 'vmnic0'], portGroups: [] });
    expectError(d, 'vmnic-in-two-vswitches', 'hosts[0].vswitches[1].uplinks[1]', ['vmnic0 is already an uplink of vSwitch0', 'at most one vSwitch'], '"vmnic0"', 2);
  });

  it('node names are unique across hosts, VMs, physical switches and physical hosts', () => {
    const d = example();
    d.physicalHosts[0].name = 'tor-1';
    d.links[1].a = 'tor-1:eth0';
    expectError(d, 'duplicate-node-name', 'physicalHosts[0].name', ['node name "tor-1" is already used by a physical switch (physicalSwitches[0])'], '"tor-1"', 1);
  });

  it('a VM may not take a host name', () => {
    const d = example();
    d.vms[1].name = 'esxi-01';
    expectError(d, 'duplicate-node-name', 'vms[1].name', ['already used by an ESXi host'], '"name": |"esxi-01"', 1);
  });

  it('port group names are unique per host, across its vSwitches', () => {
    const d = example('jumbo');
    d.hosts[0].vswitches[1].portGroups.push({ name: 'Management Network', vlan: 0 });
    expectError(d, 'duplicate-port-group', 'hosts[0].vswitches[1].portGroups[1].name', ['port group "Management Network" already exists on esxi-01 (on vSwitch0'], '"Management Network"', 1);
  });

  it('the same port group name on two hosts is fine', () => {
    expect(load(example('multi-host')).result.ok).toBe(true);
  });

  it('vSwitch names are unique per host', () => {
    const d = example('jumbo');
    d.hosts[0].vswitches[1].name = 'vSwitch0';
    expectError(d, 'duplicate-vswitch', 'hosts[0].vswitches[1].name', ['vSwitch "vSwitch0" already exists on esxi-01'], '"vSwitch0"', 1);
  });

  it('interface names are unique per node (host NICs and vmks)', () => {
    const d = example('jumbo');
    d.hosts[0].vmkernel[1].name = 'vmk0';
    expectError(d, 'duplicate-interface', 'hosts[0].vmkernel[1].name', ['interface "vmk0" is already defined on esxi-01 (hosts[0].vmkernel[0])'], '"vmk0"', 1);
  });

  it('interface names are unique per node (vNICs, switch ports, physical host NICs)', () => {
    const d = example();
    d.vms[0].nics.push({ name: 'eth0', portGroup: 'VM Network', mac: '00:50:56:a1:00:99' });
    d.physicalSwitches[0].ports.push({ name: 'eth2', mode: 'access' });
    d.physicalHosts[0].nics.push({ name: 'eth0', mac: '3c:22:fb:12:34:99' });
    const { result } = load(d);
    const errs = errorsOf(result);
    expect(errs.find((i) => i.path === 'vms[0].nics[1].name')?.code).toBe('duplicate-interface');
    expect(errs.find((i) => i.path === 'physicalSwitches[0].ports[2].name')?.message).toContain('port "eth2" is already defined on tor-1');
    expect(errs.find((i) => i.path === 'physicalHosts[0].nics[1].name')?.message).toContain('already defined on laptop');
  });

  it('MACs are unique, whatever the notation', () => {
    const d = example();
    d.vms[1].nics[0].mac = '0050.56A1.0001';
    expectError(d, 'duplicate-mac', 'vms[1].nics[0].mac', ['MAC 00:50:56:a1:00:01 of web-02:eth0 is already used by web-01:eth0 (vms[0].nics[0])'], '"0050.56A1.0001"');
  });

  it('a physical host may not reuse a vmnic MAC', () => {
    const d = example();
    d.physicalHosts[0].nics[0].mac = '00-1b-21-3a-4c-10';
    expectError(d, 'duplicate-mac', 'physicalHosts[0].nics[0].mac', ['already used by esxi-01:vmnic0'], '"00-1b-21-3a-4c-10"');
  });

  it('vmk0 may take its own host\'s vmnic0 MAC (installer convention), not another host\'s', () => {
    expect(load(example()).result.ok).toBe(true);
    const d = example('multi-host');
    d.hosts[1].vmkernel[0].mac = '00:1b:21:3a:80:10';
    expectError(d, 'duplicate-mac', 'hosts[1].vmkernel[0].mac', ['already used by esxi-01:vmnic0'], '"00:1b:21:3a:80:10"', 2);
  });

  it('a VMkernel adapter sits alone in its port group (another vmk)', () => {
    const d = example();
    d.hosts[0].vmkernel.push({ name: 'vmk1', portGroup: 'Management Network', mac: '00:50:56:61:00:01' });
    expectError(d, 'vmk-port-group-shared', 'hosts[0].vmkernel[1].portGroup', ['"Management Network" on esxi-01 already holds vmk0'], '"Management Network"', 2);
  });

  it('a VMkernel adapter sits alone in its port group (a VM vNIC)', () => {
    const d = example();
    d.vms[0].nics[0].portGroup = 'Management Network';
    expectError(d, 'vmk-port-group-shared', 'vms[0].nics[0].portGroup', ['holds VMkernel adapter vmk0', 'give the VM a port group of its own'], '"Management Network"', 2);
  });

  it('a port names a declared channel group', () => {
    const d = example();
    d.physicalSwitches[0].ports[0].channelGroup = 7;
    expectError(d, 'unknown-channel-group', 'physicalSwitches[0].ports[0].channelGroup', ['channel group 7 is not declared on tor-1', '"id": 7'], '"channelGroup": |7');
    d.physicalSwitches[0].channelGroups = [{ id: 7 }];
    expect(load(d).result.ok).toBe(true);
  });

  it('V3: guest VLAN sub-interfaces need a 4095 port group', () => {
    const d = example('vlans');
    d.vms[3].nics[0].portGroup = 'VLAN10-Web';
    expectError(d, 'guest-vlans-not-trunk', 'vms[3].nics[0].vlans', ['need a VLAN 4095 port group', '"VLAN10-Web" has VLAN 10'], '"vlans": |[');
  });

  it('tests blocks may name only existing interfaces', () => {
    const d = example();
    d.tests = [
      {
        name: 'web-01 to web-02',
        send: { from: 'web-01:eth1', frame: { kind: 'arp-request', targetIp: '10.0.0.22' } },
        expect: { deliveredTo: ['web-02:eth0', 'web-03:eth0'] },
      },
    ];
    const { text, result } = load(d);
    const errs = errorsOf(result);
    const a = errs.find((i) => i.path === 'tests[0].send.from');
    expect(a?.code).toBe('unknown-interface');
    expect(a?.message).toContain('test refers to web-01:eth1: web-01 has no interface "eth1"');
    expect({ line: a?.line, column: a?.column }).toEqual(positionOf(text, '"web-01:eth1"'));
    const b = errs.find((i) => i.path === 'tests[0].expect.deliveredTo[1]');
    expect(b?.code).toBe('unknown-node');
    expect(errs).toHaveLength(2);
  });

  it('reports every problem at once, shape errors and references together', () => {
    const d = example();
    d.vms[0].nics[0].mac = 'not-a-mac';
    d.vms[1].nics[0].portGroup = 'Nope';
    d.hosts[0].vswitches[0].mtu = 12000;
    const codes = errorsOf(load(d).result).map((i) => i.code).sort();
    expect(codes).toEqual(['invalid-value', 'out-of-range', 'unknown-port-group']);
  });

  it('does not report unknown references into a list it could not read', () => {
    const d = example();
    d.hosts[0].vswitches = 'vSwitch0';
    const errs = errorsOf(load(d).result);
    expect(errs.map((i) => i.code)).toEqual(['wrong-type']);
    expect(errs[0]!.path).toBe('hosts[0].vswitches');
  });
});
