/**
 * The reference checks a runtime change can make fail, run on just the part of the document it
 * touches (issue 15: a runtime change validates what changed, not the whole topology).
 *
 * A runtime change edits a schema-valid document with values its own schema checks exactly as the
 * document's schema does (runtime-change.ts), so it cannot add a shape error; what it can add is a
 * reference error, and only these:
 * - an edit of an ESXi host's configuration (a port group's VLAN or policy, a vSwitch's policy or
 *   uplinks): the host's own checks (checkHost: failover orders T1, shaping Q1, ...), the order in
 *   `defaults.teaming` (it names uplinks of every vSwitch that inherits it), and the placement of
 *   the VMs that run on that host (a guest VLAN trunk needs VLAN 4095, ...): `hostChangeErrors`;
 * - a vMotion (E3): the placement of that VM on its new host: `vmChangeErrors`.
 * No other check reads what those changes edit, so the errors elsewhere stay as they were. Each
 * function returns exactly the errors full validation (validateTopology) reports in its part, with
 * the same paths and messages and in the same order; the property test
 * test/engine/runtime-change-validation.property.test.ts holds the two to that.
 */
import { checkDefaultsOrder, checkHost, checkVmPlacement, hostPlacementIndex } from './cross-references.js';
import { issue, type Issue, type PathSegment } from './issue.js';
import { defaultsModel, hostModel, vmModel, type MHost } from './model.js';
import type { HostDoc, TopologyDoc, VmDoc } from './schema.js';

type Raw = Record<string, unknown>;

function collector(): { out: Issue[]; err: (code: string, path: readonly PathSegment[], message: string) => void } {
  const out: Issue[] = [];
  return { out, err: (code, path, message) => out.push(issue('error', code, path, message)) };
}

/** Index of the first host named `name` (the one full validation places VMs on), or -1. */
function firstHost(doc: TopologyDoc, name: string): number {
  return doc.hosts.findIndex((h) => h.name === name);
}

/** The errors of full validation that an edit of `host`'s configuration can change (see the file comment). */
export function hostChangeErrors(doc: TopologyDoc, host: HostDoc): Issue[] {
  const { out, err } = collector();
  const hi = doc.hosts.indexOf(host);
  if (hi < 0) return out;
  const { defaults } = defaultsModel(doc);
  const h = hostModel(host, ['hosts', hi]);
  checkHost({ defaults }, h, err);
  const t = defaults?.teaming;
  if (t && (t.active !== undefined || t.standby !== undefined || t.unused !== undefined)) {
    const hosts: MHost[] = doc.hosts.map((x, i) => (i === hi ? h : hostModel(x as unknown as Raw, ['hosts', i])));
    checkDefaultsOrder({ defaults, hosts }, err);
  }
  if (firstHost(doc, host.name) === hi) {
    const index = hostPlacementIndex(h);
    doc.vms.forEach((vm, vi) => {
      if (vm.host === host.name) checkVmPlacement(vmModel(vm, ['vms', vi]), h, index, err);
    });
  }
  return out;
}

/** The errors of full validation that moving `vm` to another host can change: its placement there. */
export function vmChangeErrors(doc: TopologyDoc, vm: VmDoc): Issue[] {
  const { out, err } = collector();
  const vi = doc.vms.indexOf(vm);
  const hi = firstHost(doc, vm.host);
  if (vi < 0 || hi < 0) return out;
  const h = hostModel(doc.hosts[hi] as unknown as Raw, ['hosts', hi]);
  checkVmPlacement(vmModel(vm, ['vms', vi]), h, hostPlacementIndex(h), err);
  return out;
}
