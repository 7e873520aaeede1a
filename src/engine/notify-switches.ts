/**
 * T7 — notify switches, and the failover events of T1/T2/T5/T8.
 *
 * When a vNIC connects, when a port's traffic moves to another uplink, and after a VM migrates in
 * (E3), the host sends RARP broadcasts (ethertype 0x8035, both hardware addresses the port's
 * effective MAC, IPs 0.0.0.0) out of the port's new uplink — tagged with the port group's VLAN
 * for VST (V2), untagged otherwise — so physical switches relearn where the MAC is (P1). Only when
 * the port group's notify switches is on. VMkernel ports are announced like vNICs [choice].
 * The RARP does not reach local ports: it goes straight to the uplink (UplinkSnd).
 *
 * How many: `FAILOVER_RARPS` (5) back to back for a port whose traffic moved to another uplink —
 * VMware KB 343401 ("IP to MAC mapping, GARP, RARP and Notify Switch"): on a link change "around
 * 5 (max. 8) RARP packets for each VM are sent"; one when a vNIC connects or after vMotion (the
 * KB: "the destination ESXi host will send a RARP") [choice for connect: the KB gives no count].
 *
 * `snapshotPins` / `announceMoves` bracket any change: the teams whose uplinks in use changed get
 * a `failover` trace event, the ports whose uplink changed are announced. Both take the vSwitches
 * the change touches (pins elsewhere cannot change), all of them when not given.
 */
import { buildRarp, formatMac } from '../wire/index.js';
import type { Fabric } from './fabric.js';
import type { Iface, TeamingRt, VSwitchRt } from './model.js';
import { pickUplink } from './uplink-selection.js';

export interface PinSnapshot {
  pins: Map<Iface, Iface | null>;
  teams: Map<TeamingRt, { names: string; owner: string }>;
}

function teamNames(t: TeamingRt): string {
  return t.inUse.length === 0 ? 'none' : t.inUse.map((u) => u.name).join(', ');
}

/** The uplink of every port and the in-use uplinks of every team (of `vswitches`: those a change touches), before a change. */
export function snapshotPins(f: Fabric, vswitches: readonly VSwitchRt[] = f.vswitches): PinSnapshot {
  const pins = new Map<Iface, Iface | null>();
  const teams = new Map<TeamingRt, { names: string; owner: string }>();
  for (const vs of vswitches) {
    for (const p of vs.ports) if (p.connected) pins.set(p, p.pinned);
    for (const pg of vs.portGroups) teams.set(pg.teaming, { names: teamNames(pg.teaming), owner: `port group "${pg.name}" on ${vs.id}` });
  }
  return { pins, teams };
}

/** RARPs per port when its traffic moves to another uplink (KB 343401: "around 5 (max. 8)"). */
export const FAILOVER_RARPS = 5;

/** `count` RARPs of T7 for port `p` back to back; how many were sent (0 when no uplink is usable or notify is off). */
function sendRarps(f: Fabric, p: Iface, why: string, count: number): number {
  let n = 0;
  for (let i = 0; i < count; i++) if (sendRarp(f, p, count > 1 ? `${why} (${i + 1} of ${count})` : why)) n++;
  return n;
}

/** The RARP of T7 for port `p`, out of the uplink its traffic uses; false when none is usable or notify is off. */
export function sendRarp(f: Fabric, p: Iface, why: string): boolean {
  const pg = p.pg;
  if (pg === null || !p.connected || !pg.teaming.notify) return false;
  const vlan = pg.vlan >= 1 && pg.vlan <= 4094 ? pg.vlan : undefined;
  const frame = buildRarp({ srcMac: p.effMacBytes, vlan });
  const u = pickUplink(p, frame);
  if (u === null) return false;
  const fid = ++f.frameSeq;
  const cid = f.newCopy();
  if (f.tracing) {
    f.emit({
      frameId: fid,
      copyId: cid,
      parentCopyId: 0,
      node: u.node,
      port: p.id,
      action: 'notify',
      rule: 'T7',
      vlan: vlan ?? 0,
      detail: `notify switches: RARP for ${formatMac(p.effMacBytes)} (${p.id}) out of ${u.name} ${why} (T7)`,
    });
  }
  f.cableTx(u, frame, fid, cid, 0, vlan ?? 0, 'UplinkSnd', f.detailed ? `RARP for ${p.id} out ${u.name} (T7)` : '');
  return true;
}

/**
 * After a change: a `failover` event per team whose uplinks in use changed, FAILOVER_RARPS RARPs
 * (T7) for every connected port whose uplink changed and one for every port in `alsoAnnounce`
 * (connected or migrated in). Each port is announced once. Returns the RARP frames sent.
 */
export function announceMoves(f: Fabric, before: PinSnapshot, alsoAnnounce: readonly { port: Iface; why: string }[] = [], vswitches: readonly VSwitchRt[] = f.vswitches): number {
  // in the fabric's order, whatever the order of `vswitches` (the snapshot's)
  const within = vswitches === f.vswitches ? f.vswitches : f.vswitches.filter((vs) => vswitches.includes(vs));
  for (const vs of within) {
    for (const pg of vs.portGroups) {
      const was = before.teams.get(pg.teaming);
      const now = teamNames(pg.teaming);
      if (was !== undefined && was.names !== now && f.tracing) {
        const t = pg.teaming;
        // an uplink in use became unusable: a failover (T6 detected it, T1's order picks the
        // next); otherwise a recovered uplink took its traffic back: failback (T8) when it is on
        const usable = new Set([...t.inUse, ...t.usableStandby].map((u) => u.name));
        const lost = was.names !== 'none' && was.names.split(', ').some((n) => !usable.has(n));
        const rule = !lost && t.failback ? 'T8' : 'T1';
        f.emit({
          frameId: 0,
          copyId: 0,
          parentCopyId: 0,
          node: vs.host.name,
          port: vs.id,
          action: 'failover',
          rule,
          detail: lost
            ? `${was.owner}: failover, uplinks in use ${now} (were ${was.names}) (T6, T1)`
            : `${was.owner}: uplinks in use ${now} (were ${was.names}; failback ${t.failback ? 'on' : 'off'}) (${rule})`,
        });
      }
    }
  }
  const done = new Set<Iface>();
  let sent = 0;
  for (const { port, why } of alsoAnnounce) {
    if (done.has(port)) continue;
    done.add(port);
    sent += sendRarps(f, port, why, 1);
  }
  for (const vs of within) {
    for (const p of vs.ports) {
      if (done.has(p) || !p.connected || p.pinned === null) continue;
      const old = before.pins.get(p);
      if (old === undefined || old === p.pinned) continue;
      done.add(p);
      sent += sendRarps(f, p, old === null ? 'now that an uplink is usable again' : `after its traffic moved from ${old.name}`, FAILOVER_RARPS);
    }
  }
  return sent;
}
