/**
 * esxcli-like inspection views (O3), read from the loaded topology: `esxcli network vswitch
 * standard list`, `... portgroup list`, `esxcli network ip interface list`. Configuration views
 * only; runtime numbers (counters, MAC tables, ARP caches) come from the Lab.
 *
 * Used ports counts the ports the lab occupies (uplinks, vNICs, VMkernel adapters); real ESXi
 * adds a few internal ports to that number.
 */
import type { TopologyDoc } from '../topology/schema.js';
import type { PortGroupRow, VmknicRow, VSwitchRow } from './api-types.js';

function clientsByPortGroup(doc: TopologyDoc, host: string): Map<string, number> {
  const m = new Map<string, number>();
  const add = (pg: string): void => {
    m.set(pg, (m.get(pg) ?? 0) + 1);
  };
  for (const vm of doc.vms) if (vm.host === host) { for (const nic of vm.nics) if (nic.connected) add(nic.portGroup); }
  for (const h of doc.hosts) if (h.name === host) { for (const vmk of h.vmkernel) add(vmk.portGroup); }
  return m;
}

function hosts(doc: TopologyDoc, host?: string): TopologyDoc['hosts'] {
  return host === undefined ? doc.hosts : doc.hosts.filter((h) => h.name === host);
}

export function vswitchList(doc: TopologyDoc, host?: string): VSwitchRow[] {
  const rows: VSwitchRow[] = [];
  for (const h of hosts(doc, host)) {
    const clients = clientsByPortGroup(doc, h.name);
    for (const vs of h.vswitches) {
      const inGroups = vs.portGroups.reduce((n, pg) => n + (clients.get(pg.name) ?? 0), 0);
      rows.push({
        host: h.name,
        name: vs.name,
        mtu: vs.mtu,
        uplinks: [...vs.uplinks],
        portGroups: vs.portGroups.map((pg) => pg.name),
        usedPorts: vs.uplinks.length + inGroups,
      });
    }
  }
  return rows;
}

export function portGroupList(doc: TopologyDoc, host?: string): PortGroupRow[] {
  const rows: PortGroupRow[] = [];
  for (const h of hosts(doc, host)) {
    const clients = clientsByPortGroup(doc, h.name);
    for (const vs of h.vswitches) {
      for (const pg of vs.portGroups) {
        rows.push({ host: h.name, name: pg.name, vswitch: vs.name, activeClients: clients.get(pg.name) ?? 0, vlanId: pg.vlan });
      }
    }
  }
  return rows;
}

export function vmknicList(doc: TopologyDoc, host?: string): VmknicRow[] {
  const rows: VmknicRow[] = [];
  for (const h of hosts(doc, host)) {
    for (const vmk of h.vmkernel) {
      rows.push({ host: h.name, name: vmk.name, mac: vmk.mac, portGroup: vmk.portGroup, netstack: vmk.netstack, mtu: vmk.mtu, ipv4: vmk.ipv4 ?? null });
    }
  }
  return rows;
}
