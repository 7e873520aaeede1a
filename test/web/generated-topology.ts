/**
 * A large generated topology for the UI's performance test: `hosts` ESXi hosts, each with one
 * vSwitch (4 VLAN port groups, 2 uplinks), a vmk and `vmsPerHost` VMs; top-of-rack switches with
 * trunk ports, one per 10 hosts. About 29 nodes per host with the defaults.
 */
const hex2 = (n: number): string => n.toString(16).padStart(2, '0');

export function generatedTopology(hosts = 70, vmsPerHost = 20): Record<string, unknown> {
  const vlans = [10, 20, 30, 40];
  const hostDocs = [];
  const vms = [];
  const links = [];
  const racks = Math.ceil(hosts / 10);
  const switches = Array.from({ length: racks }, (_, r) => ({
    name: `tor-${r + 1}`,
    ports: Array.from({ length: 20 }, (_, p) => ({ name: `eth${p + 1}`, mode: 'trunk', allowedVlans: vlans, nativeVlan: null })),
  }));
  for (let h = 0; h < hosts; h++) {
    const name = `esxi-${String(h + 1).padStart(3, '0')}`;
    hostDocs.push({
      name,
      nics: [0, 1].map((n) => ({ name: `vmnic${n}`, mac: `00:1b:21:${hex2(h >> 8)}:${hex2(h & 255)}:${hex2(n)}` })),
      vswitches: [{ name: 'vSwitch0', uplinks: ['vmnic0', 'vmnic1'], portGroups: [{ name: 'Management Network', vlan: 0 }, ...vlans.map((v) => ({ name: `VLAN${v}`, vlan: v }))] }],
      vmkernel: [{ name: 'vmk0', portGroup: 'Management Network', mac: `00:1b:21:${hex2(h >> 8)}:${hex2(h & 255)}:ff`, ipv4: `10.255.${h >> 7}.${(h & 127) + 1}/16`, services: ['management'] }],
    });
    for (let v = 0; v < vmsPerHost; v++) {
      const vlan = vlans[v % vlans.length]!;
      const id = h * vmsPerHost + v;
      vms.push({
        name: `vm-${h + 1}-${v + 1}`,
        host: name,
        nics: [{ name: 'eth0', portGroup: `VLAN${vlan}`, mac: `00:50:56:${hex2(id >> 16)}:${hex2((id >> 8) & 255)}:${hex2(id & 255)}`, ipv4: `10.${vlan}.${id >> 7}.${(id & 127) + 1}/16` }],
      });
    }
    const rack = Math.floor(h / 10);
    const slot = (h % 10) * 2;
    links.push({ a: `${name}:vmnic0`, b: `tor-${rack + 1}:eth${slot + 1}` }, { a: `${name}:vmnic1`, b: `tor-${rack + 1}:eth${slot + 2}` });
  }
  return { version: 1, name: `generated ${hosts} hosts`, hosts: hostDocs, vms, physicalSwitches: switches, physicalHosts: [], links };
}
