/**
 * Runtime changes (the dynamics of a lab): link up/down, vNIC connect/disconnect, a guest's
 * effective MAC (S2), port group VLAN and policy edits, vSwitch policy edits, uplinks added and
 * removed, and vMotion (E3). One entry point, `RuntimeDynamics.apply(change)`, for the API, the
 * CLI and timed scenarios.
 *
 * Atomic: a change is checked against the schema, then made on a copy of the lab's current
 * topology document, which must still validate (no new error: the same rules as a file), plus
 * the engine's own checks (E3: the destination has a port group of each name with the same
 * VLAN). Only then is the running fabric brought in line (runtime-config.ts), which cannot fail.
 * A refused change returns a reason and leaves counters, tables, the clock and the document
 * exactly as they were, and emits nothing.
 *
 * After a change: teams whose uplinks in use changed emit `failover`, moved ports are announced
 * by RARP (T7), connected vNICs and migrated ones too; the change itself is one `change` trace
 * event.
 */
import { formatMac, isMulticast, macToNumber, parseMac } from '../wire/index.js';
import { validateTopology } from '../topology/load.js';
import { RuntimeChange, type PolicyPatchDoc, type RuntimeChangeDoc } from '../topology/runtime-change.js';
import type { LinkImpairmentsDoc, PolicySettingsDoc, TopologyDoc } from '../topology/schema.js';
import { BeaconProber } from './beacon-probing.js';
import { buildEtherChannels } from './etherchannel.js';
import type { Fabric } from './fabric.js';
import { INTERFACE_KIND_WORDS, type Iface } from './model.js';
import { nearNames } from './lab-error.js';
import { announceMoves, snapshotPins } from './notify-switches.js';
import { syncFromDoc } from './runtime-config.js';
import { refreshVSwitch } from './vswitch-state.js';
import type { RuleId } from './rules.js';

export type { RuntimeChangeDoc as RuntimeChange } from '../topology/runtime-change.js';

export type ChangeResult = { ok: true; rarps: number } | { ok: false; reason: string };

class Refused extends Error {}

function refuse(reason: string): never {
  throw new Refused(reason);
}

/** ` (there: a, b)`: every name when there are few, else the ones that look like `name`. */
function near(name: string, names: readonly string[]): string {
  const shown = names.length <= 8 ? names : nearNames(name, names);
  if (shown.length === 0) return '';
  return ` (there: ${shown.join(', ')}${shown.length < names.length ? ', …' : ''})`;
}

/** Applies a policy patch to a policy level (value = set, null = remove, absent = keep). */
export function patchPolicy(level: PolicySettingsDoc | undefined, patch: PolicyPatchDoc): PolicySettingsDoc | undefined {
  const out: Record<string, Record<string, unknown>> = structuredClone((level ?? {}) as Record<string, Record<string, unknown>>);
  for (const group of ['security', 'teaming', 'shaping'] as const) {
    const g = patch[group];
    if (g === undefined) continue;
    if (g === null) {
      delete out[group];
      continue;
    }
    const cur = out[group] ?? {};
    for (const [k, v] of Object.entries(g)) {
      if (v === undefined) continue;
      if (v === null) delete cur[k];
      else cur[k] = v;
    }
    if (Object.keys(cur).length > 0) out[group] = cur;
    else delete out[group];
  }
  return Object.keys(out).length > 0 ? (out as PolicySettingsDoc) : undefined;
}

/** Change kinds whose own schema is all the validation they need (see apply). */
export const VALIDATED_BY_CHANGE_SCHEMA: ReadonlySet<RuntimeChangeDoc['kind']> = new Set(['effective-mac', 'link', 'link-impairments', 'vnic-connect', 'multicast']);

function errorKeys(doc: TopologyDoc): Set<string> {
  const r = validateTopology(doc);
  return new Set(r.errors.map((e) => `${e.path}|${e.message}`));
}

export class RuntimeDynamics {
  private doc: TopologyDoc;
  private baseErrors: Set<string> | null = null;
  readonly probers: BeaconProber[];

  constructor(
    private readonly f: Fabric,
    topology: TopologyDoc,
  ) {
    this.doc = structuredClone(topology);
    buildEtherChannels(f, this.doc);
    syncFromDoc(f, this.doc);
    this.probers = f.vswitches.map((vs) => new BeaconProber(f, vs));
    for (const p of this.probers) p.reconfigure();
  }

  /** A deep copy of the current topology document (changes included). */
  currentTopology(): TopologyDoc {
    return structuredClone(this.doc);
  }

  /** Virtual ns of the next periodic task (beacon round), Infinity when none. */
  nextTaskTime(): number {
    let t = Infinity;
    for (const p of this.probers) if (p.next < t) t = p.next;
    return t;
  }

  /** Runs the periodic tasks due at the fabric's current time. */
  runDueTasks(): void {
    for (const p of this.probers) if (p.next <= this.f.now) p.fire();
  }

  private iface(id: string): Iface {
    const i = this.f.byId.get(id);
    if (!i) refuse(`unknown interface "${id}" (interfaces are written node:interface)${near(id, [...this.f.byId.keys()])}`);
    return i;
  }

  /** Checks and applies one change; see the file comment. Never throws for bad input. */
  apply(input: unknown): ChangeResult {
    const parsed = RuntimeChange.safeParse(input);
    if (!parsed.success) {
      const i = parsed.error.issues[0]!;
      return { ok: false, reason: `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}` };
    }
    const change = parsed.data;
    let next: TopologyDoc;
    const announce: { port: Iface; why: string }[] = [];
    let mac: { port: Iface; bytes: Uint8Array } | null = null;
    try {
      next = structuredClone(this.doc);
      mac = this.edit(next, change);
      // incremental validation: a change validates only what it touches. A cable's state or
      // impairments, a vNIC's connection or multicast filter are checked by the change's schema
      // exactly as the document's schema checks those fields, and no reference check reads them,
      // so they cannot make the document invalid: no re-validation of the whole topology (~1 s in
      // a 2,000-node lab). Property-tested against full validation (runtime-change-validation).
      if (!VALIDATED_BY_CHANGE_SCHEMA.has(change.kind)) this.check(next);
    } catch (err) {
      if (err instanceof Refused) return { ok: false, reason: err.message };
      throw err;
    }
    // --- commit: nothing below can refuse
    const f = this.f;
    const before = snapshotPins(f);
    this.doc = next;
    if (mac !== null) {
      mac.port.effMacBytes = mac.bytes;
      mac.port.effMac = macToNumber(mac.bytes, 0);
      if (mac.port.vs) refreshVSwitch(mac.port.vs);
    }
    const outcome = syncFromDoc(f, next);
    for (const p of this.probers) p.reconfigure();
    if (f.tracing) this.emitChange(change);
    for (const p of outcome.connected) announce.push({ port: p, why: 'after the vNIC connected' });
    for (const p of outcome.moved) announce.push({ port: p, why: `after ${p.node} migrated to ${p.host!.name} (E3)` });
    const rarps = announceMoves(f, before, announce);
    return { ok: true, rarps };
  }

  /** New errors only: a lab built from a document with known problems can still change. */
  private check(next: TopologyDoc): void {
    const r = validateTopology(next);
    if (r.ok) return;
    this.baseErrors ??= errorKeys(this.doc);
    const fresh = r.errors.filter((e) => !this.baseErrors!.has(`${e.path}|${e.message}`));
    if (fresh.length > 0) refuse(fresh.map((e) => `${e.path ? `${e.path}: ` : ''}${e.message}`).join('; '));
  }

  /** Makes the change on `doc` (a copy); refuses with a reason. Returns a MAC change to make, if any. */
  private edit(doc: TopologyDoc, c: RuntimeChangeDoc): { port: Iface; bytes: Uint8Array } | null {
    switch (c.kind) {
      case 'link': {
        const i = this.iface(c.iface);
        if (i.kind === 'vnic' || i.kind === 'vmk') refuse(`${c.iface} is a ${i.kind === 'vnic' ? 'vNIC' : 'VMkernel adapter'}; it has no cable (use vnic-connect for a vNIC)`);
        const link = doc.links.find((l) => l.a === c.iface || l.b === c.iface);
        if (!link || i.peer === null) refuse(`${c.iface} has no cable`);
        link.up = c.up;
        return null;
      }
      case 'link-impairments': {
        const i = this.iface(c.iface);
        if (i.kind === 'vnic' || i.kind === 'vmk') refuse(`${c.iface} is a ${i.kind === 'vnic' ? 'vNIC' : 'VMkernel adapter'}; it has no cable to impair`);
        const link = doc.links.find((l) => l.a === c.iface || l.b === c.iface);
        if (!link || i.peer === null) refuse(`${c.iface} has no cable`);
        if (c.impairments === null) delete link.impairments;
        else link.impairments = c.impairments;
        return null;
      }
      case 'vnic-connect': {
        const nic = this.vnicDoc(doc, c.iface);
        nic.connected = c.connected;
        return null;
      }
      case 'effective-mac': {
        const i = this.iface(c.iface);
        if (i.kind !== 'vnic') refuse(`${c.iface} is ${INTERFACE_KIND_WORDS[i.kind]}; only a VM vNIC's effective MAC can change (S2)`);
        const b = parseMac(c.mac);
        if (!b) refuse(`"${c.mac}" is not a MAC address`);
        if (isMulticast(b)) refuse(`${formatMac(b)} is a multicast address; a vNIC's MAC must be unicast`);
        return { port: i, bytes: b };
      }
      case 'multicast': {
        const i = this.iface(c.iface);
        if (i.kind !== 'vnic') refuse(`${c.iface} is ${INTERFACE_KIND_WORDS[i.kind]}; only a VM vNIC's guest sets a multicast filter (M1)`);
        const nic = doc.vms.find((v) => v.name === i.node)?.nics.find((n) => n.name === i.name);
        if (!nic) refuse(`${c.iface} is not in the topology`);
        if (c.groups.length === 0) delete nic.multicast;
        else nic.multicast = c.groups;
        return null;
      }
      case 'portgroup': {
        const { pg } = this.pgDoc(doc, c.host, c.portGroup);
        if (c.vlan === undefined && c.policy === undefined) refuse('give vlan, policy or both');
        if (c.vlan !== undefined) pg.vlan = c.vlan;
        if (c.policy !== undefined) {
          const p = patchPolicy(pg.policy, c.policy);
          if (p === undefined) delete pg.policy;
          else pg.policy = p;
        }
        return null;
      }
      case 'vswitch-policy': {
        const vs = this.vsDoc(doc, c.host, c.vswitch);
        const p = patchPolicy(vs.policy, c.policy);
        if (p === undefined) delete vs.policy;
        else vs.policy = p;
        return null;
      }
      case 'uplink-add': {
        const vs = this.vsDoc(doc, c.host, c.vswitch);
        const h = doc.hosts.find((x) => x.name === c.host)!;
        if (!h.nics.some((n) => n.name === c.uplink)) refuse(`${c.host} has no physical NIC "${c.uplink}"${near(c.uplink, h.nics.map((n) => n.name))}`);
        if (vs.uplinks.includes(c.uplink)) refuse(`${c.uplink} is already an uplink of ${c.host}:${c.vswitch}`);
        const other = h.vswitches.find((s) => s.uplinks.includes(c.uplink));
        if (other) refuse(`${c.uplink} is an uplink of ${c.host}:${other.name}; a vmnic belongs to at most one vSwitch (remove it there first)`);
        vs.uplinks.push(c.uplink);
        return null;
      }
      case 'uplink-remove': {
        const vs = this.vsDoc(doc, c.host, c.vswitch);
        if (!vs.uplinks.includes(c.uplink)) refuse(`${c.uplink} is not an uplink of ${c.host}:${c.vswitch}${near(c.uplink, vs.uplinks)}`);
        vs.uplinks = vs.uplinks.filter((u) => u !== c.uplink);
        const strip = (p: PolicySettingsDoc | undefined) => {
          const t = p?.teaming;
          if (!t) return;
          for (const k of ['active', 'standby', 'unused'] as const) if (t[k]) t[k] = t[k].filter((u) => u !== c.uplink);
        };
        strip(vs.policy);
        for (const g of vs.portGroups) strip(g.policy);
        return null;
      }
      case 'migrate': {
        const vm = doc.vms.find((v) => v.name === c.vm);
        if (!vm) refuse(`there is no VM named "${c.vm}"${near(c.vm, doc.vms.map((v) => v.name))}`);
        const dest = doc.hosts.find((h) => h.name === c.toHost);
        if (!dest) refuse(`there is no ESXi host named "${c.toHost}"${near(c.toHost, doc.hosts.map((h) => h.name))}`);
        if (vm.host === c.toHost) refuse(`${c.vm} already runs on ${c.toHost}`);
        const src = doc.hosts.find((h) => h.name === vm.host);
        for (const nic of vm.nics) {
          const here = src?.vswitches.flatMap((s) => s.portGroups).find((g) => g.name === nic.portGroup);
          const there = dest.vswitches.flatMap((s) => s.portGroups).find((g) => g.name === nic.portGroup);
          if (!there) refuse(`vMotion refused (E3): ${c.toHost} has no port group "${nic.portGroup}" for ${c.vm}:${nic.name}`);
          if (here && here.vlan !== there.vlan) {
            refuse(`vMotion refused (E3): port group "${nic.portGroup}" has VLAN ${here.vlan} on ${vm.host} but VLAN ${there.vlan} on ${c.toHost} (${c.vm}:${nic.name})`);
          }
          if (dest.vmkernel.some((k) => k.portGroup === nic.portGroup)) refuse(`vMotion refused (E3): port group "${nic.portGroup}" on ${c.toHost} holds a VMkernel adapter`);
        }
        vm.host = c.toHost;
        return null;
      }
    }
  }

  private vnicDoc(doc: TopologyDoc, iface: string) {
    const i = this.iface(iface);
    if (i.kind !== 'vnic') refuse(`${iface} is ${INTERFACE_KIND_WORDS[i.kind]}; only a VM vNIC can be connected or disconnected`);
    const nic = doc.vms.find((v) => v.name === i.node)?.nics.find((n) => n.name === i.name);
    if (!nic) refuse(`${iface} is not in the topology`);
    return nic;
  }

  private vsDoc(doc: TopologyDoc, host: string, vswitch: string) {
    const h = doc.hosts.find((x) => x.name === host);
    if (!h) refuse(`there is no ESXi host named "${host}"${near(host, doc.hosts.map((x) => x.name))}`);
    const vs = h.vswitches.find((s) => s.name === vswitch);
    if (!vs) refuse(`${host} has no vSwitch "${vswitch}"${near(vswitch, h.vswitches.map((s) => s.name))}`);
    return vs;
  }

  private pgDoc(doc: TopologyDoc, host: string, portGroup: string) {
    const h = doc.hosts.find((x) => x.name === host);
    if (!h) refuse(`there is no ESXi host named "${host}"${near(host, doc.hosts.map((x) => x.name))}`);
    for (const vs of h.vswitches) {
      const pg = vs.portGroups.find((g) => g.name === portGroup);
      if (pg) return { vs, pg };
    }
    refuse(`${host} has no port group "${portGroup}"${near(portGroup, h.vswitches.flatMap((s) => s.portGroups.map((g) => g.name)))}`);
  }

  private emitChange(c: RuntimeChangeDoc): void {
    const f = this.f;
    let node = '';
    let port = '';
    let rule: RuleId | undefined;
    let detail = '';
    switch (c.kind) {
      case 'link':
        node = c.iface.split(':')[0]!;
        port = c.iface;
        rule = 'T6';
        detail = `link ${c.iface} <-> ${this.f.byId.get(c.iface)?.peer?.id ?? '?'} ${c.up ? 'up' : 'down'}`;
        break;
      case 'link-impairments': {
        const m = c.impairments;
        node = c.iface.split(':')[0]!;
        port = c.iface;
        rule = m === null || m.lossPercent > 0 ? 'L1' : m.delayMs > 0 || m.jitterMs > 0 ? 'L2' : m.duplicatePercent > 0 ? 'L3' : m.bandwidthKbps !== undefined ? 'L4' : 'L1';
        detail = `cable ${c.iface} <-> ${this.f.byId.get(c.iface)?.peer?.id ?? '?'} ${m === null ? 'has no impairments' : `impaired: ${describeImpairments(m)}`}`;
        break;
      }
      case 'vnic-connect':
        node = c.iface.split(':')[0]!;
        port = c.iface;
        rule = 'T7';
        detail = `${c.iface} ${c.connected ? 'connected' : 'disconnected'}`;
        break;
      case 'effective-mac':
        node = c.iface.split(':')[0]!;
        port = c.iface;
        rule = 'S2';
        detail = `the guest sets ${c.iface}'s effective MAC to ${c.mac}`;
        break;
      case 'multicast':
        node = c.iface.split(':')[0]!;
        port = c.iface;
        rule = 'M1';
        detail = `the guest sets ${c.iface}'s multicast filter to ${c.groups.length === 0 ? 'no group' : c.groups.join(', ')}`;
        break;
      case 'portgroup':
        node = c.host;
        port = `${c.host}:${c.portGroup}`;
        rule = c.vlan !== undefined ? 'V2' : policyPatchRule(c.policy);
        detail = `port group "${c.portGroup}" on ${c.host}:${c.vlan !== undefined ? ` VLAN ${c.vlan}` : ''}${c.policy ? ` policy ${JSON.stringify(c.policy)}` : ''}`;
        break;
      case 'vswitch-policy':
        node = c.host;
        port = `${c.host}:${c.vswitch}`;
        rule = policyPatchRule(c.policy);
        detail = `${c.host}:${c.vswitch} policy ${JSON.stringify(c.policy)}`;
        break;
      case 'uplink-add':
      case 'uplink-remove':
        node = c.host;
        port = `${c.host}:${c.vswitch}`;
        rule = 'T1';
        detail = `${c.uplink} ${c.kind === 'uplink-add' ? 'added to' : 'removed from'} ${c.host}:${c.vswitch}`;
        break;
      case 'migrate':
        node = c.vm;
        port = c.vm;
        rule = 'E3';
        detail = `vMotion: ${c.vm} now runs on ${c.toHost}`;
        break;
    }
    f.emit({ frameId: 0, copyId: 0, parentCopyId: 0, node, port, action: 'change', rule, detail: `change: ${detail} (${rule ?? ''})` });
  }
}

/** The rule a policy edit is about: the security setting it touches (S1-S3; S4 when it removes them all), shaping (Q1), else teaming (T1). */
function policyPatchRule(policy: PolicyPatchDoc | undefined): RuleId {
  const sec = policy?.security;
  if (sec === null) return 'S4';
  if (sec !== undefined) return sec.promiscuous !== undefined ? 'S1' : sec.macChanges !== undefined ? 'S2' : sec.forgedTransmits !== undefined ? 'S3' : 'S4';
  if (policy?.shaping !== undefined) return 'Q1';
  return 'T1';
}

/** `loss 2%, delay 20 ms ±5 ms, duplicate 1%, 512 kbit/s, seed 7`: a cable's impairments in one line. */
export function describeImpairments(m: LinkImpairmentsDoc): string {
  const parts: string[] = [];
  if (m.lossPercent > 0) parts.push(`loss ${m.lossPercent}%`);
  if (m.delayMs > 0 || m.jitterMs > 0) parts.push(`delay ${m.delayMs} ms${m.jitterMs > 0 ? ` ±${m.jitterMs} ms` : ''}`);
  if (m.duplicatePercent > 0) parts.push(`duplicate ${m.duplicatePercent}%`);
  if (m.bandwidthKbps !== undefined) parts.push(`${m.bandwidthKbps} kbit/s (queue ${m.queueFrames} frames)`);
  if (parts.length === 0) return 'none';
  return `${parts.join(', ')}, seed ${m.seed}`;
}
