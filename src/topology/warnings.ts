/**
 * Warnings: a topology that loads and runs, but probably does not do what its author meant.
 * Each one is a lesson of vss-behaviour.md (the rule ID is in the message).
 */
import { issue, type Issue, type PathSegment } from './issue.js';
import { checkPhysicalLoops } from './loops.js';
import type { Model, MPortGroup } from './model.js';
import { resolvePortGroupPolicy, resolveVSwitchPolicy, type EffectivePolicy } from './policy.js';
import type { PolicySettingsDoc } from './schema.js';

type Path = readonly PathSegment[];

export function checkWarnings(model: Model): Issue[] {
  const out: Issue[] = [];
  const warn = (code: string, path: Path, message: string) => out.push(issue('warning', code, path, message));

  const linked = new Set<string>();
  for (const l of model.links) {
    if (l.a !== undefined) linked.add(l.a);
    if (l.b !== undefined) linked.add(l.b);
  }

  for (const h of model.hosts) {
    const host = h.name ?? '?';
    // uplinks that are not NICs of the host are errors already; no warnings about them
    const nicNames = new Set(h.nics.map((n) => n.name));
    for (const vs of h.vswitches) {
      const vsName = vs.name ?? '?';
      const uplinks = vs.uplinks.map((u) => u.name).filter((x): x is string => x !== undefined);
      const real = (u: string) => !h.interfacesKnown || nicNames.has(u);

      // uplink with no link: its link is down, teaming never uses it
      if (model.known.links && h.name !== undefined) {
        for (const u of vs.uplinks) {
          if (u.name !== undefined && real(u.name) && !linked.has(`${h.name}:${u.name}`)) {
            warn(
              'uplink-without-link',
              u.path,
              `${h.name}:${u.name} is an uplink of ${vsName} but no link connects it, so it is down and teaming never uses it (T6); add a link to a physical switch port`,
            );
          }
        }
      }

      const levels: { path: Path; policy: PolicySettingsDoc | undefined; eff: EffectivePolicy; own: 'vswitch' | 'portgroup'; what: string }[] = [];
      if (!vs.policyInvalid) {
        levels.push({ path: vs.path, policy: vs.policy, eff: resolveVSwitchPolicy(model.defaults, uplinks, vs.policy), own: 'vswitch', what: vsName });
      }
      for (const pg of vs.portGroups) {
        if (!vs.policyInvalid && !pg.policyInvalid) {
          levels.push({
            path: pg.path,
            policy: pg.policy,
            eff: resolvePortGroupPolicy(model.defaults, uplinks, vs.policy, pg.policy),
            own: 'portgroup',
            what: `port group "${pg.name ?? '?'}"`,
          });
        }
        // VST port group on a vSwitch without uplinks: the VLAN never leaves the host
        if (pg.vlan !== undefined && pg.vlan >= 1 && pg.vlan <= 4094 && vs.uplinks.length === 0) {
          warn('vst-without-uplink', [...pg.path, 'vlan'], `port group "${pg.name ?? '?'}" tags VLAN ${pg.vlan}, but ${vsName} has no uplink: VLAN ${pg.vlan} traffic stays inside ${host} (V2)`);
        }
      }

      for (const l of levels) {
        // T4: IP hash wants every uplink active in one EtherChannel
        const t = l.eff.teaming;
        const mine = t.loadBalancing.source === l.own || t.order.source === l.own;
        if (t.loadBalancing.value === 'iphash' && t.order.value.standby.length > 0 && (l.own === 'vswitch' || mine)) {
          warn(
            'iphash-with-standby',
            [...l.path, 'policy', 'teaming'],
            `${l.what} uses IP-hash load balancing with standby uplinks (${
              t.order.value.standby.join(', ')
            }); IP hash needs every uplink active, in one static EtherChannel on the physical switch (T4)`,
          );
        }
        // T1: an order that leaves uplinks out of all three lists
        const stated = l.policy?.teaming;
        if (stated?.active !== undefined) {
          const listed = new Set([...(stated.active ?? []), ...(stated.standby ?? []), ...(stated.unused ?? [])]);
          const missing = uplinks.filter((u) => !listed.has(u) && real(u));
          if (missing.length > 0) {
            warn(
              'uplink-not-in-order',
              [...l.path, 'policy', 'teaming'],
              `${missing.join(', ')} ${missing.length === 1 ? 'is an uplink' : 'are uplinks'} of ${vsName} but not listed in active, standby or unused of ${l.what}; treated as unused (T1)`,
            );
          }
        }
      }
    }

    // F9: a vmk whose MTU is above its vSwitch's MTU (each vSwitch that has a port group of its name)
    const vswitchesOf = new Map<string, typeof h.vswitches>();
    for (const vs of h.vswitches) {
      for (const pg of new Set(vs.portGroups.map((g) => g.name))) {
        if (pg === undefined) continue;
        const list = vswitchesOf.get(pg);
        if (list) list.push(vs);
        else vswitchesOf.set(pg, [vs]);
      }
    }
    for (const k of h.vmkernel) {
      if (k.mtu === undefined || k.portGroup === undefined) continue;
      for (const vs of vswitchesOf.get(k.portGroup) ?? []) {
        const vsName = vs.name ?? '?';
        if (vs.mtu !== undefined && k.mtu > vs.mtu) {
          warn(
            'vmk-mtu-above-vswitch',
            [...k.path, 'mtu'],
            `${host}:${k.name ?? '?'} has MTU ${k.mtu} but ${vsName} has MTU ${vs.mtu}: frames above ${vs.mtu} bytes are dropped by the vSwitch (F9, MTU_EXCEEDED); raise ${vsName}'s mtu to ${k.mtu}`,
          );
        }
      }
    }
  }

  // V3: a vNIC on a VLAN 4095 port group without guest VLAN sub-interfaces
  // per host name (the last host of a name, like a Map of them): its first port group of each
  // name, built once however many VMs run there
  const portGroupsByHost = new Map<string | undefined, Map<string | undefined, MPortGroup>>();
  for (const h of model.hosts) {
    const pgs = new Map<string | undefined, MPortGroup>();
    for (const vs of h.vswitches) for (const g of vs.portGroups) if (!pgs.has(g.name)) pgs.set(g.name, g);
    portGroupsByHost.set(h.name, pgs);
  }
  for (const vm of model.vms) {
    const pgs = portGroupsByHost.get(vm.host);
    if (!pgs) continue;
    for (const nic of vm.nics) {
      const pg = pgs.get(nic.portGroup);
      if (pg?.vlan === 4095 && nic.vlans.length === 0) {
        warn(
          'trunk-without-guest-vlans',
          [...nic.path, 'portGroup'],
          `${vm.name ?? '?'}:${nic.name ?? '?'} is on VLAN 4095 port group "${pg.name}" but has no guest VLAN sub-interfaces (vlans), so its guest sends and receives untagged frames only (V3)`,
        );
      }
    }
  }

  // layout entries for nodes that do not exist: the keys the web UI's Download topology writes
  // (docs/topology-format.md, "layout"): node names (a host or switch: its box), `host:vmnicN`,
  // `host:vmkN`, `switch:port` and `host/port group`
  const nodeNames = new Set(
    [...model.hosts, ...model.vms, ...model.physicalSwitches, ...model.physicalHosts].map((n) => n.name).filter((x) => x !== undefined),
  );
  for (const h of model.hosts) {
    for (const i of [...h.nics, ...h.vmkernel]) nodeNames.add(`${h.name}:${i.name}`);
    for (const vs of h.vswitches) for (const g of vs.portGroups) nodeNames.add(`${h.name}/${g.name}`);
  }
  for (const sw of model.physicalSwitches) for (const p of sw.ports) nodeNames.add(`${sw.name}:${p.name}`);
  for (const n of model.layoutNodes) {
    if (n.name !== undefined && !nodeNames.has(n.name)) {
      warn('layout-unknown-node', n.path, `layout names "${n.name}", which is not a node of this topology (keys: a node name, host:vmnicN, host:vmkN, switch:port or host/port group)`);
    }
  }
  // physical loops and parallel links between physical switches (loops.ts)
  for (const w of checkPhysicalLoops(model)) out.push(w);
  return out;
}
