/**
 * Inspect: what the selected object is and how it is set — vSwitch, port group, port, VM, vmk,
 * physical switch, physical host, link — with effective policies and where each value comes
 * from (resolved by the server), counters, the physical MAC table and ARP caches (fetched from
 * the running lab), and the runtime actions that apply to it (link down/up, vNIC connect, port
 * group VLAN and security, migrate a VM).
 */
import { api, ApiFailure, LabReplaced } from './api.js';
import { clear, h } from './dom.js';
import type { GraphEdgeData, GraphNodeData } from './graph-model.js';
import type { PolicyResponse, TopologyDoc } from './model.js';
import { policyRows, SOURCE_LABEL } from './policy-view.js';
import { ruleTitle } from '../../src/engine/rules.js';
import { SECURITY_KEYS, type RuntimeActions, type SecurityKey } from './runtime-actions.js';
import type { Selection } from './topology-view.js';
import { vlanColour, vlanLabel } from './vlan-colors.js';

/** Any JSON value as a readable table / list. */
export function renderValue(v: unknown, depth = 0): Node {
  if (v === null || v === undefined) return document.createTextNode('—');
  if (typeof v !== 'object') return document.createTextNode(String(v));
  if (Array.isArray(v)) {
    if (v.length === 0) return h('span', { class: 'muted' }, 'none');
    if (v.every((x) => x !== null && typeof x === 'object' && !Array.isArray(x))) {
      const keys = [...new Set(v.flatMap((x) => Object.keys(x as object)))];
      const table = h('table', { class: 'kv grid' }, h('thead', {}, h('tr', {}, ...keys.map((k) => h('th', {}, k)))));
      const body = h('tbody');
      for (const row of v.slice(0, 500)) body.append(h('tr', {}, ...keys.map((k) => h('td', {}, renderValue((row as Record<string, unknown>)[k], depth + 1)))));
      table.append(body);
      return table;
    }
    return document.createTextNode(v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(', '));
  }
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length === 0) return h('span', { class: 'muted' }, 'none');
  if (depth > 3) return document.createTextNode(JSON.stringify(v));
  return h('table', { class: 'kv' }, h('tbody', {}, ...entries.map(([k, x]) => h('tr', {}, h('th', {}, k), h('td', {}, renderValue(x, depth + 1))))));
}

function kv(rows: Array<[string, Node | string | number | undefined]>): HTMLElement {
  return h('table', { class: 'kv' }, h('tbody', {}, ...rows.filter(([, v]) => v !== undefined).map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', {}, v instanceof Node ? v : String(v))))));
}

function vlanBadge(vlan: number): HTMLElement {
  return h('span', { class: 'vlan-badge', style: `background:${vlanColour(vlan)}` }, vlanLabel(vlan));
}

/** An endpoint with IPv6 configured (on it or on a guest VLAN sub-interface): it keeps a neighbour cache (E4). */
function hasIpv6(nic: { ipv6?: string[] | undefined; vlans?: Array<{ ipv6?: string[] | undefined }> | undefined }): boolean {
  return (nic.ipv6?.length ?? 0) > 0 || (nic.vlans ?? []).some((v) => (v.ipv6?.length ?? 0) > 0);
}

/** The rule of each load-balancing policy (its title in rules.ts is vSphere's name). */
const LB_RULE: Record<string, string> = { srcid: 'T2', srcmac: 'T3', iphash: 'T4', failover: 'T5' };

export class InspectPanel {
  readonly root: HTMLElement;
  private topology: TopologyDoc | null = null;
  private selection: Selection = null;
  private token = 0;
  /** the parts fetched from the lab, refreshed in place when counters change */
  private live: Array<{ body: HTMLElement; load: () => Promise<unknown> }> = [];

  constructor(private readonly actions: RuntimeActions) {
    this.root = h('div', { class: 'inspect', id: 'inspect-panel' }, h('p', { class: 'muted' }, 'Select something on the graph (or with "Find") to inspect it.'));
  }

  /**
   * A topology to inspect. `selection`: what is still selected after a runtime change (the same
   * object, redrawn from the changed topology); none after a new topology was loaded.
   */
  setTopology(t: TopologyDoc, selection: Selection = null): void {
    this.topology = t;
    this.selection = selection;
    this.render();
  }

  show(sel: Selection): void {
    this.selection = sel;
    this.render();
  }

  /**
   * Counters changed: refetch the live parts of the current selection (forms keep what is typed).
   * Each read carries the shown lab's generation (api.ts): when another client replaced the lab
   * and this page has not heard yet, the server answers 204 and the part keeps what it showed
   * until the new lab's topology redraws the panel.
   */
  refresh(): void {
    const token = this.token;
    for (const part of this.live) {
      if (!part.body.isConnected) continue;
      part
        .load()
        .then((v) => {
          if (token === this.token) part.body.replaceChildren(renderValue(v));
        })
        .catch(() => undefined);
    }
  }

  private section(title: string, ...content: Array<Node | string>): HTMLElement {
    return h('section', {}, h('h4', {}, title), ...content);
  }

  /** A part fetched from the lab: placeholder now, content when it arrives, error text if not. */
  private async_(title: string, load: () => Promise<unknown>): HTMLElement {
    const body = h('div', { class: 'muted' }, 'loading…');
    const token = this.token;
    this.live.push({ body, load });
    load()
      .then((v) => {
        if (token !== this.token) return;
        body.className = '';
        body.replaceChildren(renderValue(v));
      })
      .catch((err: unknown) => {
        // (a lab replaced under this part: the new lab's topology redraws the panel)
        if (token !== this.token || err instanceof LabReplaced) return;
        body.textContent = err instanceof ApiFailure ? err.message : String(err);
      });
    return this.section(title, body);
  }

  private render(): void {
    this.token++;
    this.live = [];
    clear(this.root);
    const t = this.topology;
    const sel = this.selection;
    if (!t || !sel) {
      this.root.append(h('p', { class: 'muted' }, 'Select something on the graph (or with "Find") to inspect it.'));
      return;
    }
    if (sel.kind === 'edge') this.renderEdge(t, sel.data);
    else this.renderNode(t, sel.data);
  }

  /** Which uplink a vNIC's or vmk's frames leave by now (teaming and failover, T2–T5), from the running lab. */
  private teamingNow(iface: string): HTMLElement {
    return this.async_(`Uplink now · ${iface}`, async () => {
      const info = await api.interfaceInfo(iface);
      if (!info.loadBalancing) return 'not on a vSwitch';
      const uplink = info.uplink === undefined ? 'chosen per frame (IP hash, T4)' : info.uplink === null ? 'none usable: frames to other hosts are dropped NO_UPLINK' : info.uplink;
      const rule = LB_RULE[info.loadBalancing]!;
      const groups = info.multicast ?? [];
      return { uplink, 'load balancing': `${ruleTitle(rule)} (${rule})`, 'multicast filter (M1)': groups.length > 0 ? groups.join(', ') : 'none' };
    });
  }

  /** The ports whose frames leave by this uplink now (T2, T3, T5; IP-hash ports listed apart). */
  private carriesNow(host: string, vswitch: string, uplink: string): HTMLElement {
    return this.async_(`Carries now · ${uplink}`, async () => {
      const ports = (await api.interfaces()).filter((i) => i.host === host && i.vswitch === vswitch && i.loadBalancing !== undefined);
      const pinned = ports.filter((i) => i.uplink === uplink).map((i) => i.id);
      const perFrame = ports.filter((i) => i.uplink === undefined).map((i) => i.id);
      return {
        'ports pinned here': pinned.length > 0 ? pinned.join(', ') : 'none',
        ...(perFrame.length > 0 ? { 'IP hash (per frame)': perFrame.join(', ') } : {}),
      };
    });
  }

  /** E4: an endpoint's IPv6 neighbour cache, shown next to its ARP cache. */
  private neighbourCache(iface: string): HTMLElement {
    return this.async_(`IPv6 neighbour cache · ${iface}`, () => api.neighbours(iface));
  }

  private counters(iface: string): HTMLElement {
    return this.async_(`Counters · ${iface}`, () => api.counters(iface));
  }

  private renderEdge(t: TopologyDoc, e: GraphEdgeData): void {
    if (e.kind === 'link') {
      const link = t.links.find((l) => (l.a === e.ifaces[0] && l.b === e.ifaces[1]) || (l.a === e.ifaces[1] && l.b === e.ifaces[0]));
      const up = link?.up !== false;
      this.root.append(h('h3', {}, 'Link'), kv([['A', e.ifaces[0]], ['B', e.ifaces[1]], ['State', up ? 'up' : 'down']]));
      this.root.append(this.actions.linkButton(e.ifaces[0]!, up));
      for (const i of e.ifaces) this.root.append(this.counters(i));
      return;
    }
    this.root.append(h('h3', {}, e.kind === 'vnic' ? 'vNIC connection' : 'VMkernel port'), kv([['Interface', e.ifaces[0]], ['Connected', e.up ? 'yes' : 'no']]));
    if (e.kind === 'vnic') this.root.append(this.actions.vnicButton(e.ifaces[0]!, e.up));
    this.root.append(this.counters(e.ifaces[0]!));
  }

  private renderNode(t: TopologyDoc, n: GraphNodeData): void {
    switch (n.kind) {
      case 'host':
        return this.renderHost(t, n.ref);
      case 'vswitch':
        return this.renderVSwitch(t, n.ref);
      case 'portgroup':
        return this.renderPortGroup(t, n.ref);
      case 'vm':
        return this.renderVm(t, n.ref);
      case 'vmk':
        return this.renderVmk(t, n.ref);
      case 'vmnic':
        return this.renderUplink(t, n.ref);
      case 'pswitch':
        return this.renderPhysicalSwitch(t, n.ref);
      case 'pport':
        return this.renderPhysicalPort(t, n.ref);
      case 'phost':
        return this.renderPhysicalHost(t, n.ref);
    }
  }

  /** An ESXi host: its vSwitches, port groups and VMkernel adapters as esxcli lists them, and its physical NICs. */
  private renderHost(t: TopologyDoc, ref: string): void {
    const host = t.hosts.find((x) => x.name === ref);
    if (!host) return;
    this.root.append(h('h3', {}, `ESXi host ${host.name}`));
    this.root.append(this.async_('vSwitches (esxcli network vswitch standard list)', () => api.vswitches(host.name)));
    this.root.append(this.async_('Port groups (esxcli network vswitch standard portgroup list)', () => api.portGroups(host.name)));
    this.root.append(this.async_('VMkernel interfaces (esxcli network ip interface list)', () => api.vmknics(host.name)));
    this.root.append(this.section('Physical NICs', renderValue(host.nics)));
  }

  /** A standard vSwitch (`host/vSwitch`): its settings, effective policy and uplink counters. */
  private renderVSwitch(t: TopologyDoc, ref: string): void {
    const [hostName, vsName] = ref.split('/') as [string, string];
    const host = t.hosts.find((x) => x.name === hostName);
    const vs = host?.vswitches.find((x) => x.name === vsName);
    if (!host || !vs) return;
    this.root.append(h('h3', {}, `${vs.name} on ${host.name}`));
    this.root.append(kv([['MTU', vs.mtu], ['Uplinks', vs.uplinks.join(', ') || 'none'], ['CDP', vs.cdp ?? 'not set'], ['Port groups', vs.portGroups.map((p) => p.name).join(', ')]]));
    this.root.append(this.policySection(() => api.policy({ host: host.name, vswitch: vs.name })));
    for (const u of vs.uplinks) this.root.append(this.counters(`${host.name}:${u}`));
  }

  /** A port group (`host/name`): VLAN and clients, the runtime editors (VLAN, security with what Inherit means here), effective policy, client counters. */
  private renderPortGroup(t: TopologyDoc, ref: string): void {
    const slash = ref.indexOf('/');
    const hostName = ref.slice(0, slash);
    const pgName = ref.slice(slash + 1);
    const host = t.hosts.find((x) => x.name === hostName);
    const vs = host?.vswitches.find((v) => v.portGroups.some((p) => p.name === pgName));
    const pg = vs?.portGroups.find((p) => p.name === pgName);
    if (!host || !vs || !pg) return;
    const clients = [
      ...t.vms.filter((vm) => vm.host === host.name).flatMap((vm) => vm.nics.filter((c) => c.portGroup === pg.name).map((c) => `${vm.name}:${c.name}`)),
      ...host.vmkernel.filter((k) => k.portGroup === pg.name).map((k) => `${host.name}:${k.name}`),
    ];
    this.root.append(h('h3', {}, `Port group "${pg.name}"`));
    this.root.append(kv([['VLAN ID', vlanBadge(pg.vlan)], ['vSwitch', `${host.name} / ${vs.name}`], ['Active clients', clients.join(', ') || 'none']]));
    const overrides: Partial<Record<SecurityKey, 'accept' | 'reject'>> = {};
    for (const k of SECURITY_KEYS) {
      const v = pg.policy?.security?.[k];
      if (v !== undefined) overrides[k] = v;
    }
    const security = this.actions.securityEditor(host.name, pg.name, overrides);
    this.root.append(this.section('Change (runtime)', this.actions.vlanEditor(host.name, pg.name, pg.vlan), security.root));
    // what "Inherit" means here: the vSwitch's effective value
    const token = this.token;
    api.policy({ host: host.name, vswitch: vs.name }).then(
      (r) => {
        if (token !== this.token) return;
        const inherited: Parameters<typeof security.setInherited>[0] = {};
        for (const k of SECURITY_KEYS) inherited[k] = { value: r.policy.security[k].value, from: SOURCE_LABEL[r.policy.security[k].source] };
        security.setInherited(inherited);
      },
      () => undefined,
    );
    this.root.append(this.policySection(() => api.policy({ host: host.name, portGroup: pg.name })));
    for (const c of clients) this.root.append(this.counters(c));
  }

  /** A VM: vMotion, then per vNIC its settings, connect button, uplink now, counters and caches. */
  private renderVm(t: TopologyDoc, ref: string): void {
    const vm = t.vms.find((x) => x.name === ref);
    if (!vm) return;
    this.root.append(h('h3', {}, `VM ${vm.name}`), kv([['Host', vm.host]]));
    this.root.append(
      this.actions.migrateControl(
        vm.name,
        vm.host,
        t.hosts.map((x) => x.name),
      ),
    );
    for (const nic of vm.nics) {
      const ref = `${vm.name}:${nic.name}`;
      this.root.append(
        this.section(
          `vNIC ${nic.name}`,
          kv([
            ['Port group', nic.portGroup],
            ['MAC (initial)', nic.mac],
            ['Connected', nic.connected ? 'yes' : 'no'],
            ['IPv4', nic.ipv4 ?? '—'],
            ['IPv6', nic.ipv6?.join(', ')],
            ['Gateway', nic.gateway],
            ['MTU', nic.mtu],
            ['VLAN sub-interfaces', nic.vlans?.map((v) => `${v.vlan}${v.ipv4 ? ` → ${v.ipv4}` : ''}`).join('; ')],
          ]),
        ),
      );
      this.root.append(this.actions.vnicButton(ref, nic.connected));
      this.root.append(this.teamingNow(ref));
      this.root.append(this.counters(ref));
      this.root.append(this.async_(`ARP cache · ${ref}`, () => api.arpCache(ref)));
      if (hasIpv6(nic)) this.root.append(this.neighbourCache(ref));
    }
  }

  /** A VMkernel adapter (`host:vmkN`): settings, uplink now, counters and caches. */
  private renderVmk(t: TopologyDoc, ref: string): void {
    const [hostName, vmkName] = ref.split(':') as [string, string];
    const vmk = t.hosts.find((x) => x.name === hostName)?.vmkernel.find((k) => k.name === vmkName);
    if (!vmk) return;
    this.root.append(
      h('h3', {}, `${vmk.name} on ${hostName}`),
      kv([
        ['Port group', vmk.portGroup],
        ['MAC', vmk.mac],
        ['IPv4', vmk.ipv4 ?? '—'],
        ['IPv6', vmk.ipv6?.join(', ')],
        ['Gateway', vmk.gateway],
        ['MTU', vmk.mtu],
        ['TCP/IP stack', vmk.netstack],
        ['Services', vmk.services.join(', ') || 'none'],
      ]),
    );
    this.root.append(this.teamingNow(ref), this.counters(ref), this.async_(`ARP cache · ${ref}`, () => api.arpCache(ref)));
    if (hasIpv6(vmk)) this.root.append(this.neighbourCache(ref));
  }

  /** A physical NIC of a host (`host:vmnicN`), in vSphere words an uplink: its vSwitch and link, the ports it carries now, counters. */
  private renderUplink(t: TopologyDoc, ref: string): void {
    const [hostName, nicName] = ref.split(':') as [string, string];
    const host = t.hosts.find((x) => x.name === hostName);
    const nic = host?.nics.find((x) => x.name === nicName);
    if (!host || !nic) return;
    const vs = host.vswitches.find((v) => v.uplinks.includes(nic.name));
    const link = t.links.find((l) => l.a === ref || l.b === ref);
    this.root.append(
      h('h3', {}, `Uplink ${nic.name} on ${host.name}`),
      kv([
        ['MAC', nic.mac],
        ['vSwitch', vs?.name ?? 'none (unused)'],
        ['Speed', nic.speedMbps ? `${nic.speedMbps} Mb/s` : undefined],
        ['Link', link ? `${link.a === ref ? link.b : link.a} (${link.up ? 'up' : 'down'})` : 'not cabled'],
      ]),
    );
    if (link) this.root.append(this.actions.linkButton(ref, link.up));
    if (vs) this.root.append(this.carriesNow(host.name, vs.name, nic.name));
    this.root.append(this.counters(ref));
  }

  /** A physical switch: its ports and its MAC address table (P1). */
  private renderPhysicalSwitch(t: TopologyDoc, ref: string): void {
    const sw = t.physicalSwitches.find((x) => x.name === ref);
    if (!sw) return;
    this.root.append(h('h3', {}, `Physical switch ${sw.name}`), kv([['MAC aging', `${sw.macAgingSeconds} s`], ['MAC table size', sw.macTableSize]]));
    this.root.append(
      this.section(
        'Ports',
        renderValue(
          sw.ports.map((p) =>
            p.mode === 'access'
              ? { port: p.name, mode: 'access', vlan: p.vlan, channel: p.channelGroup ?? '' }
              : {
                port: p.name,
                mode: 'trunk',
                vlan: `allowed ${p.allowedVlans === 'all' ? 'all' : p.allowedVlans.join(',')}; native ${p.nativeVlan ?? 'none'}${p.nativeTagged ? ' (tagged)' : ''}`,
                channel: p.channelGroup ?? '',
              }
          ),
        ),
      ),
    );
    this.root.append(this.async_('MAC address table (P1)', () => api.macTable(sw.name)));
  }

  /** A port of a physical switch (`switch:port`): its settings and link, counters. */
  private renderPhysicalPort(t: TopologyDoc, ref: string): void {
    const [swName, portName] = [ref.slice(0, ref.indexOf(':')), ref.slice(ref.indexOf(':') + 1)];
    const port = t.physicalSwitches.find((x) => x.name === swName)?.ports.find((p) => p.name === portName);
    if (!port) return;
    const link = t.links.find((l) => l.a === ref || l.b === ref);
    this.root.append(h('h3', {}, `Port ${port.name} on ${swName}`), renderValue(port), kv([['Link', link ? `${link.a === ref ? link.b : link.a} (${link.up ? 'up' : 'down'})` : 'not cabled']]));
    if (link) this.root.append(this.actions.linkButton(ref, link.up));
    this.root.append(this.counters(ref));
  }

  /** A physical host: per NIC its settings and link, counters and caches. */
  private renderPhysicalHost(t: TopologyDoc, ref: string): void {
    const ph = t.physicalHosts.find((x) => x.name === ref);
    if (!ph) return;
    this.root.append(h('h3', {}, `Physical host ${ph.name}`));
    for (const nic of ph.nics) {
      const ref = `${ph.name}:${nic.name}`;
      const link = t.links.find((l) => l.a === ref || l.b === ref);
      this.root.append(
        this.section(`NIC ${nic.name}`, renderValue(nic), link ? this.actions.linkButton(ref, link.up, nic.name) : h('p', { class: 'muted' }, 'not cabled')),
        this.counters(ref),
        this.async_(`ARP cache · ${ref}`, () => api.arpCache(ref)),
      );
      if (hasIpv6(nic)) this.root.append(this.neighbourCache(ref));
    }
  }

  /** The effective policy, as the server resolves it on the running lab, with each value's source. */
  private policySection(load: () => Promise<PolicyResponse>): HTMLElement {
    const body = h('div', { class: 'muted' }, 'loading…');
    const token = this.token;
    load().then(
      (r) => {
        if (token !== this.token) return;
        body.className = '';
        body.replaceChildren(policyTable(r));
      },
      (err: unknown) => {
        if (token !== this.token) return;
        body.className = 'bad';
        body.textContent = `effective policy: ${err instanceof Error ? err.message : String(err)}`;
      },
    );
    return this.section('Effective policy (value — from)', body);
  }
}

function policyTable(r: PolicyResponse): HTMLElement {
  const body = h('tbody');
  let group = '';
  for (const row of policyRows(r.policy)) {
    if (row.group !== group) {
      group = row.group;
      body.append(h('tr', { class: 'group' }, h('th', { colspan: 3 }, row.group[0]!.toUpperCase() + row.group.slice(1))));
    }
    body.append(
      h('tr', { 'data-field': row.key }, h('th', {}, row.field), h('td', {}, row.value), h('td', { class: `src src-${row.source}`, 'data-source': row.source }, SOURCE_LABEL[row.source])),
    );
  }
  return h('table', { class: 'kv policy', 'aria-label': 'Effective policy' }, body);
}
