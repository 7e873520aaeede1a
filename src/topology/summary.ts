/**
 * A one-screen text summary of a valid topology: what `vswitch-lab validate` prints, in esxcli's
 * vocabulary (vSwitch, MTU, uplinks, port groups by VLAN ID, used ports).
 */
import { policyValues, resolveVSwitchPolicy } from './policy.js';
import type { PolicySettingsDoc, TopologyDoc } from './schema.js';

export interface SummaryOptions {
  /** at most this many hosts, VMs lines, switches, physical hosts, links in detail (default 12) */
  maxItems?: number;
}

const vlanLabel = (vlan: number) => (vlan === 0 ? 'VLAN 0 (untagged)' : vlan === 4095 ? 'VLAN 4095 (trunk)' : `VLAN ${vlan}`);

function capped<T>(items: readonly T[], max: number, line: (t: T) => string, noun: string, indent: string): string[] {
  const out = items.slice(0, max).map(line);
  if (items.length > max) out.push(`${indent}… ${items.length - max} more ${noun}`);
  return out;
}

function orderText(o: { active: string[]; standby: string[]; unused: string[] }): string {
  return [`active ${o.active.join(',') || 'none'}`, o.standby.length ? `standby ${o.standby.join(',')}` : '', o.unused.length ? `unused ${o.unused.join(',')}` : '']
    .filter(Boolean)
    .join(' ');
}

/** What a port group overrides, e.g. `promiscuous accept, active vmnic1, standby vmnic0`. */
function overridesText(policy: PolicySettingsDoc | undefined): string {
  if (!policy) return '';
  const parts: string[] = [];
  const words: Record<string, string> = { promiscuous: 'promiscuous', macChanges: 'MAC changes', forgedTransmits: 'forged transmits' };
  for (const [k, v] of Object.entries(policy.security ?? {})) parts.push(`${words[k] ?? k} ${String(v)}`);
  for (const [k, v] of Object.entries(policy.teaming ?? {})) parts.push(`${k} ${Array.isArray(v) ? v.join(',') || 'none' : String(v)}`);
  for (const [k, v] of Object.entries(policy.shaping ?? {})) parts.push(`shaping ${k} ${String(v)}`);
  return parts.join(', ');
}

export function summarizeTopology(t: TopologyDoc, options: SummaryOptions = {}): string {
  const max = options.maxItems ?? 12;
  const vmkCount = t.hosts.reduce((n, h) => n + h.vmkernel.length, 0);
  const vnicCount = t.vms.reduce((n, v) => n + v.nics.length, 0);
  const uplinkCount = t.hosts.reduce((n, h) => n + h.vswitches.reduce((m, s) => m + s.uplinks.length, 0), 0);
  const lines: string[] = [];
  lines.push(
    `${t.name}: ${t.hosts.length} host${t.hosts.length === 1 ? '' : 's'}, ${t.vms.length} VM${t.vms.length === 1 ? '' : 's'}, ${vmkCount} vmk, ${t.physicalSwitches.length} physical switch${
      t.physicalSwitches.length === 1 ? '' : 'es'
    }, ${t.physicalHosts.length} physical host${t.physicalHosts.length === 1 ? '' : 's'}, ${t.links.length} link${t.links.length === 1 ? '' : 's'}; ports used ${
      vnicCount + vmkCount + uplinkCount
    } (${vnicCount} vNIC, ${vmkCount} vmk, ${uplinkCount} uplink)`,
  );

  const vmsByHost = new Map<string, typeof t.vms>();
  for (const vm of t.vms) vmsByHost.set(vm.host, [...(vmsByHost.get(vm.host) ?? []), vm]);

  lines.push(
    ...capped(
      t.hosts,
      max,
      (h) => {
        const out = [`host ${h.name}`];
        for (const vs of h.vswitches) {
          const eff = policyValues(resolveVSwitchPolicy(t.defaults, vs.uplinks, vs.policy));
          const sec = eff.security;
          const teaming = vs.uplinks.length > 1 ? `  teaming ${eff.teaming.loadBalancing} ${orderText(eff.teaming)}` : '';
          out.push(`  ${vs.name}  MTU ${vs.mtu}  uplinks ${vs.uplinks.length ? vs.uplinks.join(', ') : 'none'}${teaming}`);
          out.push(`    promiscuous/MAC changes/forged transmits: ${sec.promiscuous}/${sec.macChanges}/${sec.forgedTransmits}`);
          const byVlan = new Map<number, string[]>();
          for (const pg of vs.portGroups) {
            const clients = [
              ...h.vmkernel.filter((k) => k.portGroup === pg.name).map((k) => k.name),
              ...(vmsByHost.get(h.name) ?? []).flatMap((vm) => vm.nics.filter((n) => n.portGroup === pg.name).map((n) => `${vm.name}:${n.name}`)),
            ];
            const shown = clients.length > 6 ? `${clients.slice(0, 6).join(', ')}, … ${clients.length - 6} more` : clients.join(', ');
            const overrides = overridesText(pg.policy);
            byVlan.set(pg.vlan, [...(byVlan.get(pg.vlan) ?? []), `"${pg.name}"${overrides ? ` (${overrides})` : ''}${clients.length ? ` [${shown}]` : ''}`]);
          }
          for (const vlan of [...byVlan.keys()].sort((a, b) => a - b)) out.push(`    ${vlanLabel(vlan)}: ${byVlan.get(vlan)!.join(', ')}`);
        }
        const unused = h.nics.filter((n) => !h.vswitches.some((s) => s.uplinks.includes(n.name))).map((n) => n.name);
        if (unused.length) out.push(`  not in any vSwitch: ${unused.join(', ')}`);
        return out.join('\n');
      },
      'hosts',
      '',
    ),
  );
  if (t.physicalSwitches.length) {
    lines.push('physical switches');
    lines.push(
      ...capped(
        t.physicalSwitches,
        max,
        (s) => {
          const ports = s.ports.map((p) => (p.mode === 'access'
            ? `${p.name} access ${p.vlan}`
            : `${p.name} trunk ${p.allowedVlans === 'all' ? 'all' : p.allowedVlans.join(',')}${p.nativeVlan === null ? ' no native' : ` native ${p.nativeVlan}`}`)
          );
          return `  ${s.name}: ${ports.length > 8 ? `${ports.slice(0, 8).join('; ')}; … ${ports.length - 8} more ports` : ports.join('; ')}`;
        },
        'physical switches',
        '  ',
      ),
    );
  }
  if (t.physicalHosts.length) {
    lines.push('physical hosts');
    lines.push(
      ...capped(
        t.physicalHosts,
        max,
        (p) => `  ${p.name}: ${p.nics.map((n) => `${n.name} ${n.ipv4 ?? 'no IPv4'}${n.vlan ? ` VLAN ${n.vlan}` : ''}${n.mtu !== 1500 ? ` MTU ${n.mtu}` : ''}`).join('; ')}`,
        'physical hosts',
        '  ',
      ),
    );
  }
  if (t.links.length) {
    lines.push('links');
    lines.push(...capped(t.links, max, (l) => `  ${l.a} — ${l.b}${l.up ? '' : ' (down)'}`, 'links', '  '));
  }
  return lines.join('\n');
}
