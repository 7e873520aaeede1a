/**
 * Runtime changes (the dynamics of a lab): link up/down, vNIC connect/disconnect, a guest's
 * effective MAC (S2), port group VLAN and policy edits, vSwitch policy edits, uplinks added and
 * removed, and vMotion (E3). One entry point, `RuntimeDynamics.apply(change)`, for the API, the
 * CLI and timed scenarios.
 *
 * Atomic: a change is checked against the schema and the engine's own checks (E3: the
 * destination has a port group of each name with the same VLAN), then made in place on the lab's
 * topology document with an undo log; the part of the document it can affect must still
 * validate (no new error: the same rules as a file, checked incrementally: change-checks.ts),
 * else the log undoes it. Only then is the running fabric brought in line for what the change
 * touched (runtime-config.ts), which cannot fail. A refused change returns a reason and leaves
 * counters, tables, the clock and the document exactly as they were, and emits nothing. Cost:
 * what the change touches, not the size of the lab (issue 15; `npm run bench -- runtime-change`).
 *
 * After a change: teams whose uplinks in use changed emit `failover`, moved ports are announced
 * by RARP (T7), connected vNICs and migrated ones too; the change itself is one `change` trace
 * event.
 */
import { formatMac, isMulticast, macToNumber, parseMac } from '../wire/index.js';
import { hostChangeErrors, vmChangeErrors } from '../topology/change-checks.js';
import { validateTopology } from '../topology/load.js';
import type { Issue } from '../topology/issue.js';
import { RuntimeChange, type PolicyPatchDoc, type RuntimeChangeDoc } from '../topology/runtime-change.js';
import type { HostDoc, LinkDoc, LinkImpairmentsDoc, PolicySettingsDoc, PortGroupDoc, TopologyDoc, VmDoc, VSwitchDoc } from '../topology/schema.js';
import { BeaconProber } from './beacon-probing.js';
import { buildEtherChannels } from './etherchannel.js';
import type { Fabric } from './fabric.js';
import { INTERFACE_KIND_WORDS, type Iface, type VSwitchRt } from './model.js';
import { nearNames } from './lab-error.js';
import { announceMoves, snapshotPins } from './notify-switches.js';
import { syncBuilt, syncFromDoc, type SyncScope } from './runtime-config.js';
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
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Change kinds whose own schema is all the validation they need (see apply). */
export const VALIDATED_BY_CHANGE_SCHEMA: ReadonlySet<RuntimeChangeDoc['kind']> = new Set(['effective-mac', 'link', 'link-impairments', 'vnic-connect', 'multicast']);

/** Edits of the document made in place, each with what it replaced, so that a refused change is undone exactly. */
class Edits {
  private readonly log: { o: Record<string, unknown>; k: string; had: boolean; old: unknown }[] = [];

  /** Sets `o[k]` to `v` (undefined: removes it). */
  set<T extends object, K extends keyof T & string>(o: T, k: K, v: T[K] | undefined): void {
    const r = o as Record<string, unknown>;
    this.log.push({ o: r, k, had: Object.prototype.hasOwnProperty.call(r, k), old: r[k] });
    if (v === undefined) delete r[k];
    else r[k] = v;
  }

  undo(): void {
    for (let i = this.log.length - 1; i >= 0; i--) {
      const { o, k, had, old } = this.log[i]!;
      if (had) o[k] = old;
      else delete o[k];
    }
    this.log.length = 0;
  }
}

/**
 * A checked change, not made yet: what it touches (for the sync and the notify-switches
 * bracket), what its validation covers, and the edit itself.
 */
interface Plan {
  scope: SyncScope;
  /** the part of the document whose reference checks the edit can change (change-checks.ts); none for VALIDATED_BY_CHANGE_SCHEMA */
  checks: (() => Issue[]) | null;
  edit: (w: Edits) => void;
  mac: { port: Iface; bytes: Uint8Array } | null;
}

const issueKey = (e: Issue): string => `${e.path}|${e.message}`;

export class RuntimeDynamics {
  private doc: TopologyDoc;
  /**
   * Errors seen in a checked part before a change that was then made: errors of the lab's first
   * document (a change may remove one and a later one bring it back; see check).
   */
  private readonly known = new Set<string>();
  private vmByName: Map<string, VmDoc> | null = null;
  private linkByEnd: Map<string, LinkDoc> | null = null;
  private readonly proberOf = new Map<VSwitchRt, BeaconProber>();
  readonly probers: BeaconProber[];

  /** reference mode's errors of the lab's first document (computed at its first checked change) */
  private baseErrors: Set<string> | null = null;

  constructor(
    private readonly f: Fabric,
    topology: TopologyDoc,
    /**
     * @internal for the property test: validate the whole document and bring the whole fabric
     * in line on every change — the slow, evidently complete way the incremental one is held to.
     */
    private readonly reference = false,
  ) {
    this.doc = structuredClone(topology);
    buildEtherChannels(f, this.doc);
    syncBuilt(f, this.doc);
    this.probers = f.vswitches.map((vs) => new BeaconProber(f, vs));
    for (const p of this.probers) {
      this.proberOf.set(p.vs, p);
      p.reconfigure();
    }
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

  /**
   * Checks and applies one change; see the file comment. Never throws for bad input.
   *
   * Made in place, not on a copy of the document: the change is checked (plan), its edits are
   * made and logged, and the part of the document they can affect is validated (incremental
   * validation: change-checks.ts, not the whole topology); a refusal undoes the logged edits. A
   * cable's state or impairments, a vNIC's connection, multicast filter or MAC are checked by
   * the change's schema exactly as the document's schema checks those fields, and no reference
   * check reads them (VALIDATED_BY_CHANGE_SCHEMA). Only then is the fabric brought in line, for
   * what the change touched (runtime-config.ts), which cannot fail. Property-tested against full
   * validation and a whole sync (runtime-change-validation.property.test.ts).
   */
  apply(input: unknown): ChangeResult {
    const parsed = RuntimeChange.safeParse(input);
    if (!parsed.success) {
      const i = parsed.error.issues[0]!;
      return { ok: false, reason: `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}` };
    }
    const change = parsed.data;
    const w = new Edits();
    let plan: Plan;
    try {
      plan = this.plan(this.doc, change);
      if (this.reference) {
        if (plan.checks) this.baseErrors ??= new Set(validateTopology(this.doc).errors.map(issueKey));
        plan.edit(w);
        if (plan.checks) this.checkWhole();
      } else {
        const before = plan.checks?.() ?? [];
        plan.edit(w);
        if (plan.checks) this.check(before, plan.checks());
      }
    } catch (err) {
      w.undo();
      if (err instanceof Refused) return { ok: false, reason: err.message };
      throw err;
    }
    // --- commit: nothing below can refuse
    const f = this.f;
    const touched = this.reference ? f.vswitches : plan.scope.refresh;
    const pins = snapshotPins(f, touched);
    const mac = plan.mac;
    if (mac !== null) {
      mac.port.effMacBytes = mac.bytes;
      mac.port.effMac = macToNumber(mac.bytes, 0);
    }
    const outcome = syncFromDoc(f, this.doc, this.reference ? undefined : plan.scope);
    for (const vs of touched) this.proberOf.get(vs)?.reconfigure();
    if (f.tracing) this.emitChange(change);
    const announce: { port: Iface; why: string }[] = [];
    for (const p of outcome.connected) announce.push({ port: p, why: 'after the vNIC connected' });
    for (const p of outcome.moved) announce.push({ port: p, why: `after ${p.node} migrated to ${p.host!.name} (E3)` });
    const rarps = announceMoves(f, pins, announce, touched);
    return { ok: true, rarps };
  }

  /**
   * Refuses a change that brings an error full validation of the document would report and the
   * lab's first document did not have. `before` and `after`: the errors of the checked part
   * (change-checks.ts) before and after the edit; the rest of the document's errors are unchanged
   * by it. An error of the first document is either still there (then in `before`, when the part
   * holds it) or was removed by an earlier change (then it was in that change's `before`: known).
   */
  private check(before: Issue[], after: Issue[]): void {
    const was = new Set(before.map(issueKey));
    const fresh = after.filter((e) => !was.has(issueKey(e)) && !this.known.has(issueKey(e)));
    if (fresh.length > 0) refuse(fresh.map((e) => `${e.path ? `${e.path}: ` : ''}${e.message}`).join('; '));
    for (const k of was) this.known.add(k);
  }

  /** Reference mode: no error of the whole document that its first one did not have. */
  private checkWhole(): void {
    const r = validateTopology(this.doc);
    const fresh = r.errors.filter((e) => !this.baseErrors!.has(issueKey(e)));
    if (fresh.length > 0) refuse(fresh.map((e) => `${e.path ? `${e.path}: ` : ''}${e.message}`).join('; '));
  }

  private vmDoc(doc: TopologyDoc, name: string): VmDoc | undefined {
    if (this.vmByName === null) {
      this.vmByName = new Map();
      for (const v of doc.vms) if (!this.vmByName.has(v.name)) this.vmByName.set(v.name, v);
    }
    return this.vmByName.get(name);
  }

  /** The first link that names `iface` at either end. */
  private linkDoc(doc: TopologyDoc, iface: string): LinkDoc | undefined {
    if (this.linkByEnd === null) {
      this.linkByEnd = new Map();
      for (const l of doc.links) {
        if (!this.linkByEnd.has(l.a)) this.linkByEnd.set(l.a, l);
        if (!this.linkByEnd.has(l.b)) this.linkByEnd.set(l.b, l);
      }
    }
    return this.linkByEnd.get(iface);
  }

  private vsRt(host: string, vswitch: string): VSwitchRt[] {
    const vs = this.f.vswitches.find((v) => v.id === `${host}:${vswitch}`);
    return vs ? [vs] : [];
  }

  /** Checks `c` against the lab (refuses with a reason) and says what making it edits and touches; changes nothing. */
  private plan(doc: TopologyDoc, c: RuntimeChangeDoc): Plan {
    const none = { links: [], vswitches: [], vms: [] };
    const ofPorts = (...ports: (Iface | null)[]): VSwitchRt[] => [...new Set(ports.map((p) => p?.vs ?? null).filter((v): v is VSwitchRt => v !== null))];
    switch (c.kind) {
      case 'link':
      case 'link-impairments': {
        const i = this.iface(c.iface);
        if (i.kind === 'vnic' || i.kind === 'vmk') {
          refuse(
            c.kind === 'link'
              ? `${c.iface} is a ${i.kind === 'vnic' ? 'vNIC' : 'VMkernel adapter'}; it has no cable (use vnic-connect for a vNIC)`
              : `${c.iface} is a ${i.kind === 'vnic' ? 'vNIC' : 'VMkernel adapter'}; it has no cable to impair`,
          );
        }
        const link = this.linkDoc(doc, c.iface);
        if (!link || i.peer === null) refuse(`${c.iface} has no cable`);
        return {
          scope: { ...none, links: [link], refresh: ofPorts(i, i.peer) },
          checks: null,
          mac: null,
          edit: (w) => (c.kind === 'link' ? w.set(link, 'up', c.up) : w.set(link, 'impairments', c.impairments ?? undefined)),
        };
      }
      case 'vnic-connect': {
        const { vm, nic, port } = this.vnicDoc(doc, c.iface, 'only a VM vNIC can be connected or disconnected');
        return { scope: { ...none, vms: [vm], refresh: ofPorts(port) }, checks: null, mac: null, edit: (w) => w.set(nic, 'connected', c.connected) };
      }
      case 'effective-mac': {
        const i = this.iface(c.iface);
        if (i.kind !== 'vnic') refuse(`${c.iface} is ${INTERFACE_KIND_WORDS[i.kind]}; only a VM vNIC's effective MAC can change (S2)`);
        const b = parseMac(c.mac);
        if (!b) refuse(`"${c.mac}" is not a MAC address`);
        if (isMulticast(b)) refuse(`${formatMac(b)} is a multicast address; a vNIC's MAC must be unicast`);
        return { scope: { ...none, refresh: ofPorts(i) }, checks: null, mac: { port: i, bytes: b }, edit: () => {} };
      }
      case 'multicast': {
        const { vm, nic, port } = this.vnicDoc(doc, c.iface, 'only a VM vNIC\'s guest sets a multicast filter (M1)');
        return {
          scope: { ...none, vms: [vm], refresh: ofPorts(port) },
          checks: null,
          mac: null,
          edit: (w) => w.set(nic, 'multicast', c.groups.length === 0 ? undefined : c.groups),
        };
      }
      case 'portgroup': {
        const { h, vs, pg } = this.pgDoc(doc, c.host, c.portGroup);
        if (c.vlan === undefined && c.policy === undefined) refuse('give vlan, policy or both');
        return {
          scope: { ...none, vswitches: [{ host: h, vswitch: vs }], refresh: this.vsRt(h.name, vs.name) },
          checks: () => hostChangeErrors(doc, h),
          mac: null,
          edit: (w) => {
            if (c.vlan !== undefined) w.set(pg, 'vlan', c.vlan);
            if (c.policy !== undefined) w.set(pg, 'policy', patchPolicy(pg.policy, c.policy));
          },
        };
      }
      case 'vswitch-policy': {
        const { h, vs } = this.vsDoc(doc, c.host, c.vswitch);
        return {
          scope: { ...none, vswitches: [{ host: h, vswitch: vs }], refresh: this.vsRt(h.name, vs.name) },
          checks: () => hostChangeErrors(doc, h),
          mac: null,
          edit: (w) => w.set(vs, 'policy', patchPolicy(vs.policy, c.policy)),
        };
      }
      case 'uplink-add': {
        const { h, vs } = this.vsDoc(doc, c.host, c.vswitch);
        if (!h.nics.some((n) => n.name === c.uplink)) refuse(`${c.host} has no physical NIC "${c.uplink}"${near(c.uplink, h.nics.map((n) => n.name))}`);
        if (vs.uplinks.includes(c.uplink)) refuse(`${c.uplink} is already an uplink of ${c.host}:${c.vswitch}`);
        const other = h.vswitches.find((s) => s.uplinks.includes(c.uplink));
        if (other) refuse(`${c.uplink} is an uplink of ${c.host}:${other.name}; a vmnic belongs to at most one vSwitch (remove it there first)`);
        return {
          scope: { ...none, vswitches: [{ host: h, vswitch: vs }], refresh: this.vsRt(h.name, vs.name) },
          checks: () => hostChangeErrors(doc, h),
          mac: null,
          edit: (w) => w.set(vs, 'uplinks', [...vs.uplinks, c.uplink]),
        };
      }
      case 'uplink-remove': {
        const { h, vs } = this.vsDoc(doc, c.host, c.vswitch);
        if (!vs.uplinks.includes(c.uplink)) refuse(`${c.uplink} is not an uplink of ${c.host}:${c.vswitch}${near(c.uplink, vs.uplinks)}`);
        return {
          scope: { ...none, vswitches: [{ host: h, vswitch: vs }], refresh: this.vsRt(h.name, vs.name) },
          checks: () => hostChangeErrors(doc, h),
          mac: null,
          edit: (w) => {
            w.set(vs, 'uplinks', vs.uplinks.filter((u) => u !== c.uplink));
            const strip = (p: PolicySettingsDoc | undefined) => {
              const t = p?.teaming;
              if (!t) return;
              for (const k of ['active', 'standby', 'unused'] as const) {
                const list = t[k];
                if (list) w.set(t, k, list.filter((u) => u !== c.uplink));
              }
            };
            strip(vs.policy);
            for (const g of vs.portGroups) strip(g.policy);
          },
        };
      }
      case 'migrate': {
        const vm = this.vmDoc(doc, c.vm);
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
        // the vSwitches the vNICs leave and every vSwitch of the host they join
        const ports = vm.nics.map((n) => this.f.byId.get(`${vm.name}:${n.name}`) ?? null);
        const refresh = [...new Set([...ofPorts(...ports), ...this.f.vswitches.filter((v) => v.host.name === c.toHost)])];
        return { scope: { ...none, vms: [vm], refresh }, checks: () => vmChangeErrors(doc, vm), mac: null, edit: (w) => w.set(vm, 'host', c.toHost) };
      }
    }
  }

  private vnicDoc(doc: TopologyDoc, iface: string, only: string): { vm: VmDoc; nic: VmDoc['nics'][number]; port: Iface } {
    const i = this.iface(iface);
    if (i.kind !== 'vnic') refuse(`${iface} is ${INTERFACE_KIND_WORDS[i.kind]}; ${only}`);
    const vm = this.vmDoc(doc, i.node);
    const nic = vm?.nics.find((n) => n.name === i.name);
    if (!vm || !nic) refuse(`${iface} is not in the topology`);
    return { vm, nic, port: i };
  }

  private vsDoc(doc: TopologyDoc, host: string, vswitch: string): { h: HostDoc; vs: VSwitchDoc } {
    const h = doc.hosts.find((x) => x.name === host);
    if (!h) refuse(`there is no ESXi host named "${host}"${near(host, doc.hosts.map((x) => x.name))}`);
    const vs = h.vswitches.find((s) => s.name === vswitch);
    if (!vs) refuse(`${host} has no vSwitch "${vswitch}"${near(vswitch, h.vswitches.map((s) => s.name))}`);
    return { h, vs };
  }

  private pgDoc(doc: TopologyDoc, host: string, portGroup: string): { h: HostDoc; vs: VSwitchDoc; pg: PortGroupDoc } {
    const h = doc.hosts.find((x) => x.name === host);
    if (!h) refuse(`there is no ESXi host named "${host}"${near(host, doc.hosts.map((x) => x.name))}`);
    for (const vs of h.vswitches) {
      const pg = vs.portGroups.find((g) => g.name === portGroup);
      if (pg) return { h, vs, pg };
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
