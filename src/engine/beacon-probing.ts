/**
 * T6 — beacon probing. On a vSwitch where any port group uses `failureDetection: beacon`, every
 * second (virtual clock) each uplink with a working cable sends a beacon broadcast: source its
 * vmnic MAC, EtherType 0x05ff (what ESXi's beacons carry [choice]), one per VLAN the probing port
 * groups use (tagged for VST, untagged for VLAN 0 / 4095). A beacon arriving on an uplink is
 * consumed by the vSwitch (trace: `deliver`, rule T6), never forwarded to ports.
 *
 * Verdict, at the start of each round, about the previous round: with 3 or more uplinks that
 * sent, an uplink is cut off when none of the others heard its beacon and it heard none of
 * theirs; when every uplink would be cut off nobody can tell, and none is. With fewer than 3
 * (2 uplinks that cannot hear each other cannot say which one is broken) every uplink stays in
 * use, and when exactly two uplinks sent and neither heard the other the vSwitch goes *shotgun*
 * (vSphere Networking guide; VMware's beacon probing recommendations): every frame a port of a
 * probing port group sends out of the vSwitch leaves by both uplinks, until a round in which they
 * hear each other again (or a third uplink sends: with 3+ the failed one is found and cut off).
 * Port groups with link-status detection ignore the verdict. Detection time: at most two beacon
 * intervals after the failure.
 */
import { ETH_HEADER_LEN, SRC_OFFSET, VLAN_TAG_LEN, buildEthernet, etherTypeBefore, ethFirstType, formatMac, isCTagTpid, macToNumber } from '../wire/index.js';
import type { Fabric } from './fabric.js';
import { DETECT_BEACON, type Iface, type VSwitchRt } from './model.js';
import { announceMoves, snapshotPins } from './notify-switches.js';
import { refreshVSwitch } from './vswitch-state.js';

export const BEACON_ETHERTYPE = 0x05ff;
export const BEACON_INTERVAL_NS = 1_000_000_000;

const probers = new WeakMap<VSwitchRt, BeaconProber>();

/** Is `frame` (untagged or with one 802.1Q tag) a beacon? Two reads of the type field on the hot path. */
export function isBeacon(frame: Uint8Array): boolean {
  const t = ethFirstType(frame);
  if (t === BEACON_ETHERTYPE) return true;
  return isCTagTpid(t) && frame.length >= ETH_HEADER_LEN + VLAN_TAG_LEN && etherTypeBefore(frame, ETH_HEADER_LEN + VLAN_TAG_LEN) === BEACON_ETHERTYPE;
}

export class BeaconProber {
  /** virtual ns of the next round (Infinity while no port group probes) */
  next = Infinity;
  private sent: Iface[] = [];
  private heardBy = new Map<Iface, Set<Iface>>();
  private round = 0;

  constructor(
    private readonly f: Fabric,
    readonly vs: VSwitchRt,
  ) {
    probers.set(vs, this);
  }

  /** The clock's base moved forward by `deltaNs` (Fabric.rebase); Infinity stays Infinity. */
  rebase(deltaNs: number): void {
    this.next -= deltaNs;
  }

  /** VLANs the probing port groups use (0 = untagged); empty when no port group probes. */
  private vlans(): number[] {
    const out = new Set<number>();
    for (const pg of this.vs.portGroups) if (pg.teaming.detection === DETECT_BEACON) out.add(pg.vlan >= 1 && pg.vlan <= 4094 ? pg.vlan : 0);
    return [...out].sort((a, b) => a - b);
  }

  /** Starts or stops the rounds after a configuration change; stopping forgets the rounds and clears the verdict (failed uplinks, shotgun). */
  reconfigure(): void {
    const probing = this.vlans().length > 0;
    if (probing && this.next === Infinity) this.next = this.f.now;
    if (!probing) {
      this.next = Infinity;
      this.sent = [];
      this.heardBy.clear();
      if (this.vs.beaconFailed.size > 0) this.vs.beaconFailed.clear();
      this.vs.beaconShotgun = [];
    }
  }

  /** A round: the verdict on the previous round's beacons, then this round's beacons. */
  fire(): void {
    const f = this.f;
    this.verdict();
    const vlans = this.vlans();
    if (vlans.length === 0) {
      this.next = Infinity;
      return;
    }
    this.round++;
    this.sent = [];
    this.heardBy.clear();
    for (const u of this.vs.uplinks) {
      if (u.peer === null || !u.linkUp) continue;
      this.sent.push(u);
      for (const vlan of vlans) {
        const payload = new Uint8Array(46);
        payload[0] = (this.round >>> 24) & 0xff;
        payload[1] = (this.round >>> 16) & 0xff;
        payload[2] = (this.round >>> 8) & 0xff;
        payload[3] = this.round & 0xff;
        const frame = buildEthernet({ dst: 'ff:ff:ff:ff:ff:ff', src: u.effMacBytes, ethertype: BEACON_ETHERTYPE, payload, vlan: vlan === 0 ? undefined : vlan });
        const fid = ++f.frameSeq;
        const cid = f.newCopy();
        if (f.tracing) {
          f.emit({
            frameId: fid,
            copyId: cid,
            parentCopyId: 0,
            node: u.node,
            port: u.id,
            action: 'beacon',
            rule: 'T6',
            vlan,
            detail: `beacon ${this.round} out of ${u.name} (${vlan === 0 ? 'untagged' : `VLAN ${vlan}`}) (T6)`,
          });
        }
        f.cableTx(u, frame, fid, cid, 0, vlan, 'UplinkSnd', f.detailed ? `beacon out ${u.name} (T6)` : '');
      }
    }
    this.next = f.now + BEACON_INTERVAL_NS;
  }

  private verdict(): void {
    const sent = this.sent;
    let failed: Iface[] = [];
    if (sent.length >= 3) {
      const hears = (u: Iface) => sent.some((o) => o !== u && this.heardBy.get(o)?.has(u) === true);
      failed = sent.filter((u) => (this.heardBy.get(u)?.size ?? 0) === 0 && !hears(u));
      if (failed.length === sent.length) failed = [];
    }
    // two uplinks that do not hear each other: nobody can tell which one failed -> shotgun (T6)
    const deaf = sent.length === 2 && (this.heardBy.get(sent[0]!)?.size ?? 0) === 0 && (this.heardBy.get(sent[1]!)?.size ?? 0) === 0;
    const shotgun = deaf ? sent.slice() : [];
    const wasShotgun = this.vs.beaconShotgun;
    if (shotgun.length !== wasShotgun.length || shotgun.some((u, i) => u !== wasShotgun[i])) {
      this.vs.beaconShotgun = shotgun;
      if (this.f.tracing) {
        this.f.emit({
          frameId: 0,
          copyId: 0,
          parentCopyId: 0,
          node: this.vs.host.name,
          port: this.vs.id,
          action: 'beacon',
          rule: 'T6',
          detail: shotgun.length > 0
            ? `beacon probing on ${this.vs.id}: ${
              shotgun.map((u) => u.name).join(' and ')
            } do not hear each other and two uplinks cannot tell which failed: shotgun, every frame of a probing port group leaves by both (T6)`
            : `beacon probing on ${this.vs.id}: shotgun over, frames leave by one uplink again (T6)`,
        });
      }
    }
    const now = new Set(failed);
    const old = this.vs.beaconFailed;
    if (now.size === old.size && [...now].every((u) => old.has(u))) return;
    const f = this.f;
    const before = snapshotPins(f);
    this.vs.beaconFailed = now;
    if (f.tracing) {
      f.emit({
        frameId: 0,
        copyId: 0,
        parentCopyId: 0,
        node: this.vs.host.name,
        port: this.vs.id,
        action: 'beacon',
        rule: 'T6',
        detail: `beacon probing on ${this.vs.id}: ${failed.length === 0 ? 'every uplink hears the others' : `${failed.map((u) => u.name).join(', ')} cut off (no beacon heard either way)`} (T6)`,
      });
    }
    refreshVSwitch(this.vs);
    announceMoves(f, before);
  }

  /** A beacon arrived on uplink `u` of this vSwitch. */
  heard(u: Iface, frame: Uint8Array): Iface | null {
    const src = macToNumber(frame, SRC_OFFSET);
    const sender = this.vs.uplinks.find((x) => x.effMac === src) ?? null;
    if (sender === null || sender === u) return null;
    let s = this.heardBy.get(sender);
    if (!s) {
      s = new Set();
      this.heardBy.set(sender, s);
    }
    s.add(u);
    return sender;
  }
}

/** Uplink ingress of a beacon (call when `isBeacon`): consumed here (trace `deliver`, T6). */
export function beaconArrived(f: Fabric, vs: VSwitchRt, u: Iface, frame: Uint8Array, fid: number, cid: number, parent: number, vlan: number): void {
  const prober = probers.get(vs);
  const sender = f.dry || !prober ? null : prober.heard(u, frame);
  if (f.tracing) {
    f.emit({
      frameId: fid,
      copyId: cid,
      parentCopyId: parent,
      node: u.node,
      port: u.id,
      action: 'deliver',
      rule: 'T6',
      vlan,
      detail: sender ? `beacon of ${sender.name} heard on ${u.name} (T6)` : `beacon from ${formatMac(frame, SRC_OFFSET)} consumed by ${vs.id}; beacons are never forwarded (T6)`,
    });
  }
}
