/**
 * Every interface of a topology (`node:interface`) with what the send panel and the inspector
 * need: kind, MAC, addresses, port group and its VLAN. Pure: topology in, list out.
 */
import type { TopologyDoc } from './model.js';

export type InterfaceKind = 'vnic' | 'vmk' | 'vmnic' | 'switch-port' | 'physical-nic';

export interface InterfaceInfo {
  /** `node:interface` */
  ref: string;
  node: string;
  name: string;
  kind: InterfaceKind;
  mac?: string;
  /** address without prefix */
  ipv4?: string;
  /** configured IPv6 addresses without prefix (E4; the link-local one is derived and not listed) */
  ipv6?: string[];
  /** addresses of guest VLAN sub-interfaces (VLAN 4095 port groups) */
  vlanIps?: Array<{ vlan: number; ipv4?: string }>;
  host?: string;
  portGroup?: string;
  /** VLAN ID of the port group (vNIC, vmk) */
  vlan?: number;
  /** physical-host NIC that sends tagged */
  nicVlan?: number;
  /** vSwitch of a vNIC/vmk/uplink */
  vswitch?: string;
}

const addr = (cidr: string | undefined): string | undefined => (cidr ? cidr.split('/')[0] : undefined);

/** Sets `info.ipv6` from a topology `ipv6` list, when it has any. */
function addIpv6(info: InterfaceInfo, list: readonly string[] | undefined): void {
  const v6 = (list ?? []).map((c) => addr(c)).filter((a): a is string => a !== undefined);
  if (v6.length > 0) info.ipv6 = v6;
}

export function listInterfaces(t: TopologyDoc): InterfaceInfo[] {
  const out: InterfaceInfo[] = [];
  const pgOf = new Map<string, { vlan: number; vswitch: string }>();
  for (const h of t.hosts) {
    for (const vs of h.vswitches) for (const pg of vs.portGroups) pgOf.set(`${h.name}/${pg.name}`, { vlan: pg.vlan, vswitch: vs.name });
  }
  for (const vm of t.vms) {
    for (const nic of vm.nics) {
      const pg = pgOf.get(`${vm.host}/${nic.portGroup}`);
      const info: InterfaceInfo = { ref: `${vm.name}:${nic.name}`, node: vm.name, name: nic.name, kind: 'vnic', mac: nic.mac, host: vm.host, portGroup: nic.portGroup };
      const ip = addr(nic.ipv4);
      if (ip) info.ipv4 = ip;
      addIpv6(info, nic.ipv6);
      if (pg) {
        info.vlan = pg.vlan;
        info.vswitch = pg.vswitch;
      }
      if (nic.vlans?.length) info.vlanIps = nic.vlans.map((v) => ({ vlan: v.vlan, ...(v.ipv4 ? { ipv4: addr(v.ipv4)! } : {}) }));
      out.push(info);
    }
  }
  for (const h of t.hosts) {
    for (const vmk of h.vmkernel) {
      const pg = pgOf.get(`${h.name}/${vmk.portGroup}`);
      const info: InterfaceInfo = { ref: `${h.name}:${vmk.name}`, node: h.name, name: vmk.name, kind: 'vmk', mac: vmk.mac, host: h.name, portGroup: vmk.portGroup };
      const ip = addr(vmk.ipv4);
      if (ip) info.ipv4 = ip;
      addIpv6(info, vmk.ipv6);
      if (pg) {
        info.vlan = pg.vlan;
        info.vswitch = pg.vswitch;
      }
      out.push(info);
    }
    for (const nic of h.nics) {
      const vs = h.vswitches.find((v) => v.uplinks.includes(nic.name));
      out.push({ ref: `${h.name}:${nic.name}`, node: h.name, name: nic.name, kind: 'vmnic', mac: nic.mac, host: h.name, ...(vs ? { vswitch: vs.name } : {}) });
    }
  }
  for (const s of t.physicalSwitches) for (const p of s.ports) out.push({ ref: `${s.name}:${p.name}`, node: s.name, name: p.name, kind: 'switch-port' });
  for (const ph of t.physicalHosts) {
    for (const nic of ph.nics) {
      const info: InterfaceInfo = { ref: `${ph.name}:${nic.name}`, node: ph.name, name: nic.name, kind: 'physical-nic', mac: nic.mac };
      const ip = addr(nic.ipv4);
      if (ip) info.ipv4 = ip;
      addIpv6(info, nic.ipv6);
      if (nic.vlan !== undefined) info.nicVlan = nic.vlan;
      out.push(info);
    }
  }
  return out;
}

/** Endpoints that have an IP stack (can ping, answer ARP). */
export function isEndpoint(i: InterfaceInfo): boolean {
  return i.kind === 'vnic' || i.kind === 'vmk' || i.kind === 'physical-nic';
}
