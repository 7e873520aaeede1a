/**
 * Forwarding inside a standard vSwitch (F1–F10), with the ingress stage of each port: VLAN
 * classification (V*), MTU (F9), forged transmits (S3), reflection (F8); then the lookup on
 * destination MAC + VLAN against the configured effective MACs (F1, no learning) and one copy per
 * egress leg, each with the tag its port needs (V2–V4), promiscuous copies (S1), MAC-change
 * rejection (S2), reverse-path filtering (F8) and the uplink the teaming policy picks (T*).
 *
 * Copies: the incoming copy ends at the lookup; every leg after it (delivery, uplink copy, or a
 * drop of that leg) is a child copy. Drops before the lookup end the incoming copy itself.
 * Bytes are copy-on-write: every leg whose tag stack is the incoming one's takes the incoming
 * array itself, and the legs that need the other tag state (the VLAN's tag pushed, or the tag
 * popped) share ONE new array made at the first of them. Nothing in the fabric writes into a
 * frame after it was made, and stacks, trace subscribers and captures get read-only bytes
 * (endpoint.ts), so child copies are distinct copies (ids, events, counters) that may share
 * their bytes.
 */
import { DST_OFFSET, SRC_OFFSET, cTagVid, ethDstIsGroup, formatMac, popTag, pushTag } from '../wire/index.js';
import type { Fabric } from './fabric.js';
import { beaconArrived, isBeacon } from './beacon-probing.js';
import { isForgedTransmit } from './forged-transmits.js';
import { macChangeRejected } from './mac-address-changes.js';
import { filterAccepts, isFilteredMulticast } from './multicast-filter.js';
import { DETECT_BEACON, LB_IPHASH, LB_NAMES, type Iface, type VSwitchRt } from './model.js';
import { exceedsMtu, payloadLength } from './mtu.js';
import { promiscuousPorts } from './promiscuous.js';
import { reflectedFrom, reversePathBlocks } from './reflection.js';
import { pickUplink } from './uplink-selection.js';
import { teamRule } from './point-details.js';
import type { RuleId } from './rules.js';
import { takeXlate, type Xlate } from './xlate.js';
import {
  CLASSIFY_RESERVED,
  TAG_KEEP,
  TAG_NONE,
  TAG_PRIORITY,
  classState,
  classVlan,
  classifyFromPort,
  classifyFromUplink,
  portGroupCarries,
  portWantsTag,
  uplinkWantsTag,
  vlanName,
} from './vlan-classification.js';

function names(list: Iface[]): string {
  return list.length === 0 ? 'none' : list.map((u) => u.name).join(', ');
}

/**
 * F9 at vSwitch ingress, using the tag state the classification just read: untagged or tagged
 * bytes need no second parse; after a priority tag was popped the bytes are read again (an
 * inner tag may now be outer). Same answer as `exceedsMtu(frame, mtu)`.
 */
function ingressExceedsMtu(frame: Uint8Array, state: number, mtu: number): boolean {
  if (state === TAG_NONE) return frame.length - 14 > mtu;
  if (state === TAG_KEEP) return frame.length - 18 > mtu;
  return exceedsMtu(frame, mtu);
}

/** A frame sent by a vNIC or vmk into its port (PortInput). */
export function portIngress(f: Fabric, p: Iface, frame: Uint8Array, fid: number, cid: number, parent: number): void {
  const T = f.tracing;
  if (!f.dry) f.counters.tx(p.idx, frame.length);
  if (T) {
    f.publish({
      frameId: fid,
      copyId: cid,
      parentCopyId: parent,
      node: p.node,
      port: p.id,
      action: 'ingress',
      point: 'PortInput',
      frame,
      detail: f.details.portInput(p),
      seq: ++f.traceSeq,
      time: f.now,
    });
  } else if (f.tapping) {
    f.tap('PortInput', p, frame, fid, cid, parent, undefined, f.details.portInput(p));
  }
  if (frame.length < 14) {
    f.drop(p, 'MALFORMED_FRAME', fid, cid, parent, frame, undefined, f.detailed ? { length: frame.length } : undefined);
    return;
  }
  if (!p.connected) {
    f.drop(p, 'LINK_DOWN', fid, cid, parent, frame, undefined, f.detailed ? { where: p.id, why: 'the vNIC is disconnected' } : undefined);
    return;
  }
  // Q1: a shaped port's frame may wait in its queue (or be dropped SHAPING_QUEUE_FULL)
  if (p.shaper !== null && !f.dry && p.shaper.offer(frame, fid, cid, parent)) return;
  portAdmitted(f, p, frame, fid, cid, parent);
}

/** The ingress stage after traffic shaping (Q1): VLAN (V*), MTU (F9), forged transmits (S3), then the lookup. */
export function portAdmitted(f: Fabric, p: Iface, frame: Uint8Array, fid: number, cid: number, parent: number): void {
  const vs = p.vs!;
  const pg = p.pg!;
  const T = f.tracing;
  const c = classifyFromPort(pg.vlan, frame);
  if (c < 0) {
    const tag = cTagVid(frame);
    if (c === CLASSIFY_RESERVED) f.drop(p, 'RESERVED_VLAN', fid, cid, parent, frame, undefined);
    else f.drop(p, 'VLAN_MISMATCH', fid, cid, parent, frame, undefined, f.detailed ? { tag, portGroup: pg.name, pgVlan: pg.vlan } : undefined);
    return;
  }
  const vlan = classVlan(c);
  const state = classState(c);
  if (state === TAG_PRIORITY) {
    frame = popTag(frame);
    if (T) f.emit({ frameId: fid, copyId: cid, parentCopyId: parent, node: p.node, port: p.id, action: 'tag-pop', rule: 'V1', vlan, detail: 'priority tag (VID 0) removed (V1)' });
  }
  if (ingressExceedsMtu(frame, state, vs.mtu)) {
    f.drop(p, 'MTU_EXCEEDED', fid, cid, parent, frame, vlan, f.detailed ? { payload: payloadLength(frame), mtu: vs.mtu, where: `${vs.id} ingress` } : undefined);
    return;
  }
  if (isForgedTransmit(p, frame)) {
    f.drop(p, 'FORGED_TRANSMIT', fid, cid, parent, frame, vlan, f.detailed ? { src: formatMac(frame, SRC_OFFSET), mac: formatMac(p.effMacBytes) } : undefined);
    return;
  }
  if (T) {
    const rule = pg.vlan === 0 ? 'V1' : pg.vlan === 4095 ? 'V3' : 'V2';
    f.publish({
      frameId: fid,
      copyId: cid,
      parentCopyId: parent,
      node: p.node,
      port: p.id,
      action: 'classify',
      rule,
      vlan,
      detail: f.details.classify(p, vlan, rule),
      seq: ++f.traceSeq,
      time: f.now,
    });
  }
  const tagged = state === TAG_KEEP;
  if (!ethDstIsGroup(frame)) {
    // the plain local leg this port's last frame to this MAC and VLAN took (port-decisions.ts):
    // delivered here, without filling the translation record
    const known = f.decisions.plainTarget(p, frame, vlan, tagged);
    if (known !== null) {
      if (T) {
        f.publish({
          frameId: fid,
          copyId: cid,
          parentCopyId: parent,
          node: p.node,
          port: vs.id,
          action: 'lookup',
          rule: 'F2',
          vlan,
          detail: f.details.lookupLocal(known, vlan),
          seq: ++f.traceSeq,
          time: f.now,
        });
      }
      f.deliver(known, frame, fid, f.newCopy(), cid, vlan, 'F2');
      return;
    }
  }
  const x = takeXlate(f);
  x.vs = vs;
  x.src = p;
  x.uplink = null;
  x.at = p;
  x.frame = frame;
  x.vlan = vlan;
  x.tagged = tagged;
  x.fid = fid;
  x.cid = cid;
  x.parent = parent;
  try {
    forward(x);
  } finally {
    x.busy = false;
  }
}

/** A frame arriving on an uplink from its cable (UplinkRcv). */
export function uplinkIngress(f: Fabric, u: Iface, frame: Uint8Array, fid: number, cid: number, parent: number): void {
  const T = f.tracing;
  if (!f.dry) f.counters.rx(u.idx, frame.length);
  const vs = u.vs;
  if (T) {
    f.publish({
      frameId: fid,
      copyId: cid,
      parentCopyId: parent,
      node: u.node,
      port: u.id,
      action: 'ingress',
      point: 'UplinkRcv',
      frame,
      detail: f.details.arrives(u),
      seq: ++f.traceSeq,
      time: f.now,
    });
  } else if (f.tapping) {
    f.tap('UplinkRcv', u, frame, fid, cid, parent, undefined, f.details.arrives(u));
  }
  if (vs === null) {
    f.drop(u, 'UPLINK_NOT_IN_VSWITCH', fid, cid, parent, frame, undefined, f.detailed ? { uplink: u.id } : undefined);
    return;
  }
  if (frame.length < 14) {
    f.drop(u, 'MALFORMED_FRAME', fid, cid, parent, frame, undefined, f.detailed ? { length: frame.length } : undefined);
    return;
  }
  const c = classifyFromUplink(frame);
  if (c < 0) {
    f.drop(u, 'RESERVED_VLAN', fid, cid, parent, frame, undefined);
    return;
  }
  const vlan = classVlan(c);
  const state = classState(c);
  if (state === TAG_PRIORITY) {
    frame = popTag(frame);
    if (T) f.emit({ frameId: fid, copyId: cid, parentCopyId: parent, node: u.node, port: u.id, action: 'tag-pop', rule: 'V1', vlan, detail: 'priority tag (VID 0) removed (V1)' });
  }
  if (ingressExceedsMtu(frame, state, vs.mtu)) {
    f.drop(u, 'MTU_EXCEEDED', fid, cid, parent, frame, vlan, f.detailed ? { payload: payloadLength(frame), mtu: vs.mtu, where: `${vs.id} ingress` } : undefined);
    return;
  }
  if (isBeacon(frame)) {
    beaconArrived(f, vs, u, frame, fid, cid, parent, vlan); // T6: consumed, never forwarded
    return;
  }
  const owner = reflectedFrom(vs, frame);
  if (owner !== null) {
    f.drop(u, 'REFLECTION', fid, cid, parent, frame, vlan, f.detailed ? { src: formatMac(frame, SRC_OFFSET), uplink: u.name, owner: owner.id } : undefined);
    return;
  }
  if (T) {
    f.emit({
      frameId: fid,
      copyId: cid,
      parentCopyId: parent,
      node: u.node,
      port: u.id,
      action: 'classify',
      rule: 'V4',
      vlan,
      detail: `${vlanName(vlan)}: ${state === TAG_KEEP ? `tagged ${vlan}` : 'untagged'} on the wire (V4)`,
    });
  }
  const x = takeXlate(f);
  x.vs = vs;
  x.src = null;
  x.uplink = u;
  x.at = u;
  x.frame = frame;
  x.vlan = vlan;
  x.tagged = state === TAG_KEEP;
  x.fid = fid;
  x.cid = cid;
  x.parent = parent;
  try {
    forward(x);
  } finally {
    x.busy = false;
  }
}

/**
 * The bytes a leg needs: the incoming array when the tag state matches, else the converted one
 * (the other tag state), made at the first leg that needs it and shared by every later one of the
 * same lookup (`x.conv`: within a lookup the frame, its VLAN and the other tag state are fixed).
 * `cid` is the leg's copy.
 */
function legBytes(x: Xlate, at: Iface, wantTag: boolean, cid: number): Uint8Array {
  const frame = x.frame;
  if (wantTag === x.tagged) return frame;
  const vlan = x.vlan;
  let out = x.conv;
  if (out === null) out = x.conv = wantTag ? pushTag(frame, vlan, 0) : popTag(frame);
  const f = x.f;
  if (f.tracing) {
    if (wantTag)
      f.emit({
        frameId: x.fid,
        copyId: cid,
        parentCopyId: x.cid,
        node: at.node,
        port: at.id,
        action: 'tag-push',
        rule: at.kind === 'vmnic' ? 'V4' : 'V3',
        vlan,
        detail: `tag ${vlan} pushed for ${at.id}`,
      });
    else f.emit({ frameId: x.fid, copyId: cid, parentCopyId: x.cid, node: at.node, port: at.id, action: 'tag-pop', rule: 'V2', vlan, detail: `tag ${vlan} removed for ${at.id}` });
  }
  return out;
}

/** A copy delivered to local port `port` (vNIC or vmk). */
function deliverLeg(x: Xlate, port: Iface, rule: RuleId): void {
  if (macChangeRejected(port)) {
    rejectedLeg(x, port);
    return;
  }
  const f = x.f;
  const cid = f.newCopy();
  const wantTag = portWantsTag(port.pg!.vlan, x.vlan);
  // same tag state (the common case, every leg of a flood): the incoming bytes, no legBytes call
  const out = wantTag === x.tagged ? x.frame : legBytes(x, port, wantTag, cid);
  f.deliver(port, out, x.fid, cid, x.cid, x.vlan, rule);
}

/** S2: a port whose guest changed its MAC under MAC address changes Reject is disabled for inbound frames: every leg to it is dropped. */
function rejectedLeg(x: Xlate, port: Iface): void {
  const f = x.f;
  const frame = x.frame;
  f.drop(
    port,
    'MAC_CHANGE_REJECTED',
    x.fid,
    f.newCopy(),
    x.cid,
    frame,
    x.vlan,
    f.detailed ?
      {
        dst: formatMac(frame, DST_OFFSET),
        port: port.id,
        mac: formatMac(port.effMacBytes),
        initial: formatMac(initialBytes(port)),
      } :
      undefined,
  );
}

/**
 * T6 shotgun: the uplinks a frame of port `p` leaves by while beacon probing cannot tell which of
 * two uplinks failed — both, when the port's team probes and holds both; otherwise null.
 */
function shotgunUplinks(vs: VSwitchRt, p: Iface): Iface[] | null {
  if (vs.beaconShotgun.length === 0) return null;
  const t = p.pg!.teaming;
  if (t.detection !== DETECT_BEACON || t.lb === LB_IPHASH) return null;
  const out = vs.beaconShotgun.filter((u) => t.active.includes(u) || t.standby.includes(u));
  return out.length >= 2 ? out : null;
}

/** A copy out of an uplink onto its cable (UplinkSnd); `rule` and the sender's teaming rule name why (built only when tracing). */
function uplinkLeg(x: Xlate, u: Iface, rule: RuleId, sender: Iface): void {
  const f = x.f;
  const vlan = x.vlan;
  const cid = f.newCopy();
  const out = legBytes(x, u, uplinkWantsTag(vlan), cid);
  f.cableTx(u, out, x.fid, cid, x.cid, vlan, 'UplinkSnd', f.detailed ? f.details.uplinkOut(u, vlan, rule, sender) : '');
}

/** Copies for promiscuous ports of the VLAN (S1), other than the sender and `except`. Returns how many. */
function promiscuousLegs(x: Xlate, except: Iface | null): number {
  const vs = x.vs!;
  if (vs.promiscCount === 0) return 0;
  const src = x.src;
  const list = promiscuousPorts(vs, x.vlan);
  let n = 0;
  for (let i = 0; i < list.length; i++) {
    const p = list[i]!;
    if (p === src || p === except) continue;
    deliverLeg(x, p, 'S1');
    n++;
  }
  return n;
}

function hasPromiscuous(vs: VSwitchRt, src: Iface | null, except: Iface | null, vlan: number): boolean {
  if (vs.promiscCount === 0) return false;
  for (const p of promiscuousPorts(vs, vlan)) if (p !== src && p !== except) return true;
  return false;
}

/** The lookup (F2–F7) and the egress legs. Exactly one of `src` (a vNIC/vmk) and `uplink` is set. */
function forward(x: Xlate): void {
  const f = x.f;
  const vs = x.vs!;
  const src = x.src;
  const uplink = x.uplink;
  const frame = x.frame;
  const vlan = x.vlan;
  const tagged = x.tagged;
  const fid = x.fid;
  const cid = x.cid;
  const parent = x.parent;
  const T = f.tracing;
  const at = x.at!;
  if (ethDstIsGroup(frame)) {
    flood(x);
    return;
  }
  // --- unicast: F1 configured effective MACs, F2 same VLAN anywhere on the vSwitch (V5)
  // (a port's kept plain leg, port-decisions.ts, was tried by portAdmitted before the record was filled)
  const candidates = vs.macIndex.lookup(frame, DST_OFFSET);
  let target: Iface | null = null;
  if (candidates !== undefined) {
    for (let i = 0; i < candidates.length; i++) {
      const c = candidates[i]!;
      if (portGroupCarries(c.pg!.vlan, vlan)) {
        target = c;
        break;
      }
    }
  }
  if (target !== null) {
    if (target === src) {
      f.drop(at, 'SELF_ADDRESSED', fid, cid, parent, frame, vlan, f.detailed ? { dst: formatMac(frame, DST_OFFSET) } : undefined);
      return;
    }
    if (T) {
      f.publish({
        frameId: fid,
        copyId: cid,
        parentCopyId: parent,
        node: at.node,
        port: vs.id,
        action: 'lookup',
        rule: 'F2',
        vlan,
        detail: f.details.lookupLocal(target, vlan),
        seq: ++f.traceSeq,
        time: f.now,
      });
    }
    const promisc = hasPromiscuous(vs, src, target, vlan);
    if (src !== null && !promisc && !macChangeRejected(target) && portWantsTag(target.pg!.vlan, vlan) === tagged) f.decisions.keep(src, frame, vlan, tagged, target);
    deliverLeg(x, target, 'F2'); // S2: dropped MAC_CHANGE_REJECTED while the port is disabled
    if (promisc) promiscuousLegs(x, target);
    return;
  }
  if (uplink !== null) {
    // F4: unknown unicast from an uplink is not flooded; promiscuous ports still see it (S1)
    if (T) {
      f.emit({
        frameId: fid,
        copyId: cid,
        parentCopyId: parent,
        node: at.node,
        port: vs.id,
        action: 'lookup',
        rule: 'F4',
        vlan,
        detail: `${vlanName(vlan)}: ${formatMac(frame, DST_OFFSET)} is not a port of ${vs.id} (F1, F4)`,
      });
    }
    promiscuousLegs(x, null);
    f.drop(uplink, 'UNKNOWN_DST', fid, f.newCopy(), cid, frame, vlan, f.detailed ? { dst: formatMac(frame, DST_OFFSET), vlan: vlanName(vlan), vswitch: vs.id } : undefined);
    return;
  }
  // F3: unknown unicast from a port leaves by exactly one uplink, never flooded locally
  const p = src!;
  const up = pickUplink(p, frame);
  if (T) {
    f.emit({
      frameId: fid,
      copyId: cid,
      parentCopyId: parent,
      node: at.node,
      port: vs.id,
      action: 'lookup',
      rule: 'F3',
      vlan,
      detail: `${vlanName(vlan)}: ${formatMac(frame, DST_OFFSET)} is not local: ${up ? `out ${up.name} by ${LB_NAMES[p.pg!.teaming.lb]} (F3, ${teamRule(p)})` : 'no usable uplink (F3)'}`,
    });
  }
  const promisc = hasPromiscuous(vs, p, null, vlan);
  const shotgun = up !== null ? shotgunUplinks(vs, p) : null;
  if (shotgun !== null) { for (const u of shotgun) uplinkLeg(x, u, 'T6', p); }
  else if (up !== null) uplinkLeg(x, up, 'F3', p);
  else noUplink(x, p);
  if (promisc) promiscuousLegs(x, null);
}

function noUplink(x: Xlate, p: Iface): void {
  const f = x.f;
  const t = p.pg!.teaming;
  f.drop(p, 'NO_UPLINK', x.fid, f.newCopy(), x.cid, x.frame, x.vlan, f.detailed ? { port: p.id, vswitch: x.vs!.id, active: names(t.active), standby: names(t.standby) } : undefined);
}

function initialBytes(p: Iface): Uint8Array {
  const b = new Uint8Array(6);
  let v = p.initialMac;
  for (let i = 5; i >= 0; i--) {
    b[i] = v % 256;
    v = Math.floor(v / 256);
  }
  return b;
}

/**
 * Broadcast / multicast (F5, F6, F7). Multicast other than broadcast reaches only the local ports
 * whose filter holds its MAC, and promiscuous ports (M2, M3, S1); the others' legs are dropped
 * MULTICAST_FILTERED. The uplink leg is not filtered (F5).
 */
function flood(x: Xlate): void {
  const f = x.f;
  const vs = x.vs!;
  const src = x.src;
  const uplink = x.uplink;
  const frame = x.frame;
  const vlan = x.vlan;
  const fid = x.fid;
  const cid = x.cid;
  const parent = x.parent;
  const T = f.tracing;
  const members = vs.members.get(vlan) ?? vs.vgtMembers;
  const up = src !== null ? pickUplink(src, frame) : null;
  const filtered = isFilteredMulticast(frame);
  const shotgun = up !== null ? shotgunUplinks(vs, src!) : null;
  if (T) {
    const local = members.length - (src !== null && members.includes(src) ? 1 : 0);
    const rule = src !== null ? 'F5' : 'F6';
    const out = src !== null
      ? (shotgun !== null
        ? ` + uplinks ${shotgun.map((u) => u.name).join(' and ')} (T6 shotgun: beacon probing cannot tell which failed)`
        : up
        ? ` + uplink ${up.name} (${teamRule(src)})`
        : vs.uplinks.length > 0
        ? ' + no usable uplink'
        : '')
      : ', never another uplink (F7)';
    let what = `broadcast to ${local} local port${local === 1 ? '' : 's'}`;
    if (filtered) {
      const takers = members.filter((m) => m !== src && (m.pg!.promiscuous || filterAccepts(m, frame))).length;
      what = `multicast ${formatMac(frame, DST_OFFSET)} to the ${takers} of ${local} local port${local === 1 ? '' : 's'} that registered it or are promiscuous (M2, M3)`;
    }
    f.emit({
      frameId: fid,
      copyId: cid,
      parentCopyId: parent,
      node: (src ?? uplink)!.node,
      port: vs.id,
      action: 'lookup',
      rule,
      vlan,
      detail: `${vlanName(vlan)}: ${what}${out} (${rule})`,
    });
  }
  let children = 0;
  for (let i = 0; i < members.length; i++) {
    const m = members[i]!;
    if (m === src) continue;
    children++;
    if (filtered && !m.pg!.promiscuous && !filterAccepts(m, frame)) {
      f.drop(m, 'MULTICAST_FILTERED', fid, f.newCopy(), cid, frame, vlan, f.detailed ? { dst: formatMac(frame, DST_OFFSET), port: m.id } : undefined);
      continue;
    }
    if (uplink !== null && reversePathBlocks(m, uplink)) {
      const expected = m.pinned;
      f.drop(m, 'REVERSE_PATH', fid, f.newCopy(), cid, frame, vlan, f.detailed ? { uplink: uplink.name, port: m.id, expected: expected ? expected.name : 'none' } : undefined);
      continue;
    }
    deliverLeg(x, m, filtered ? (filterAccepts(m, frame) ? 'M2' : 'S1') : src !== null ? 'F5' : 'F6');
  }
  if (src !== null) {
    if (shotgun !== null) {
      for (const u of shotgun) uplinkLeg(x, u, 'T6', src);
      children += shotgun.length;
    } else if (up !== null) {
      uplinkLeg(x, up, 'F5', src);
      children++;
    } else if (vs.uplinks.length > 0) {
      noUplink(x, src);
      children++;
    }
    if (children === 0) {
      f.drop(src, 'NO_OTHER_PORT', fid, cid, parent, frame, vlan, f.detailed ? { vswitch: vs.id, vlan: vlanName(vlan) } : undefined);
    }
  } else if (children === 0) {
    f.drop(uplink!, 'NO_PORT_IN_VLAN', fid, cid, parent, frame, vlan, f.detailed ? { vswitch: vs.id, vlan: vlanName(vlan) } : undefined);
  }
}
