/**
 * A physical switch: a learning 802.1Q bridge (P1–P3).
 * - P2 admission: access ports take untagged and priority-tagged (VID 0) frames into their VLAN
 *   and drop any frame tagged with a non-zero VID; trunks take tagged frames of allowed VLANs,
 *   untagged and priority-tagged ones into the native VLAN (which must be allowed; no native
 *   VLAN: dropped). Egress: access untagged; trunk tagged, except the native VLAN untagged unless
 *   `nativeTagged`.
 * - P1 learning: source MAC + VLAN -> ingress port on the virtual clock (mac-table.ts).
 * - P3: known unicast to its port (a destination learned on the ingress port is filtered);
 *   unknown unicast, broadcast and multicast flood to every other port of the VLAN with a
 *   working cable.
 * - P2 reads only 0x8100 tags (an 802.1Q C-VLAN bridge, `cTagVid`): an 0x88a8 or 0x9100 frame is
 *   untagged to it and joins the access / native VLAN (docs/vss-behaviour.md P2, V6).
 * - P4 static EtherChannel: the members of a channel group act as one logical port — MACs are
 *   learned on the channel (the table names it `switch:Po<id>`), a frame never goes back into
 *   the channel it came from, and a frame for the channel (known unicast or flooded) leaves by
 *   exactly one member with a working cable, chosen by src-dst-ip (the T4 hash: last octets
 *   XOR) modulo the working members — IP-hash teaming's partner (etherchannel.ts).
 */
import { DST_OFFSET, SRC_OFFSET, cTagVid, formatMac, isMulticast, macNumberToString, macToNumber, popTag, pushTag, rewriteTag } from '../wire/index.js';
import type { Fabric } from './fabric.js';
import { channelMember, logicalPort } from './etherchannel.js';
import { MODE_ACCESS, type Iface, type PhysSwitchRt } from './model.js';
import { takeXlate, type Xlate } from './xlate.js';
import { CLASSIFY_RESERVED, TAG_KEEP, TAG_NONE, TAG_PRIORITY, classState, classVlan, classified } from './vlan-classification.js';

/** Does switch port `p` carry VLAN `vlan` (P2)? */
export function switchPortCarries(p: Iface, vlan: number): boolean {
  if (p.swMode === MODE_ACCESS) return p.swVlan === vlan;
  return p.swAllowed === null || p.swAllowed[vlan] === 1;
}

/** P2 admission: a classification (vlan | state << 12) or a negative number when not admitted. */
export function admit(p: Iface, frame: Uint8Array): number {
  const vid = cTagVid(frame);
  if (vid === 4095) return CLASSIFY_RESERVED;
  if (p.swMode === MODE_ACCESS) {
    if (vid > 0) return -1;
    return classified(p.swVlan, vid === 0 ? TAG_PRIORITY : TAG_NONE);
  }
  if (vid <= 0) {
    if (p.swVlan < 0 || !switchPortCarries(p, p.swVlan)) return -1;
    return classified(p.swVlan, vid === 0 ? TAG_PRIORITY : TAG_NONE);
  }
  return switchPortCarries(p, vid) ? classified(vid, TAG_KEEP) : -1;
}

function admissionWhy(p: Iface, frame: Uint8Array): string {
  const vid = cTagVid(frame);
  if (p.swMode === MODE_ACCESS) return `access port ${p.id} (VLAN ${p.swVlan}) does not accept frames tagged VLAN ${vid}`;
  if (vid <= 0) {
    return p.swVlan < 0
      ? `trunk ${p.id} has no native VLAN, so ${vid === 0 ? 'priority-tagged' : 'untagged'} frames are not accepted`
      : `the native VLAN ${p.swVlan} of trunk ${p.id} is not in its allowed list`;
  }
  return `VLAN ${vid} is not allowed on trunk ${p.id}`;
}

/** Does `p` send VLAN `vlan` tagged (P2)? */
export function switchPortTags(p: Iface, vlan: number): boolean {
  if (p.swMode === MODE_ACCESS) return false;
  return !(vlan === p.swVlan && !p.swNativeTagged);
}

/**
 * Logical ports that flood VLAN `vlan`: carry it and have a working cable; an EtherChannel (P4)
 * appears once, as its representative port, when any member works. Cached per switch.
 */
export function floodPorts(sw: PhysSwitchRt, vlan: number): Iface[] {
  let list = sw.floodCache.get(vlan);
  if (list === undefined) {
    const out: Iface[] = [];
    for (const p of sw.ports) {
      if (p.peer === null || !p.linkUp || !switchPortCarries(p, vlan)) continue;
      const lp = logicalPort(p);
      if (!out.includes(lp)) out.push(lp);
    }
    list = out;
    sw.floodCache.set(vlan, list);
  }
  return list;
}

/** `; eth2 carries it but its link is down` for the ports of `sw` other than `p` that carry `vlan` with no working cable (NO_FLOOD_PORT's detail), else ''. */
function downCarriers(sw: PhysSwitchRt, p: Iface, vlan: number): string {
  const down = sw.ports.filter((o) => o !== p && (o.peer === null || !o.linkUp) && switchPortCarries(o, vlan)).map((o) => `${o.id} ${o.peer === null ? 'is not cabled' : 'has its link down'}`);
  return down.length === 0 ? '' : `; ${down.join(', ')} (it carries VLAN ${vlan})`;
}

/** A frame arriving at switch port `p` from its cable (PhysRx). */
export function switchIngress(f: Fabric, p: Iface, frame: Uint8Array, fid: number, cid: number, parent: number): void {
  const sw = p.sw!;
  const T = f.tracing;
  if (!f.dry) f.counters.rx(p.idx, frame.length);
  if (T) f.emit({ frameId: fid, copyId: cid, parentCopyId: parent, node: p.node, port: p.id, action: 'ingress', point: 'PhysRx', frame, detail: f.details.arrives(p) });
  else if (f.tapping) f.tap('PhysRx', p, frame, fid, cid, parent, undefined, f.details.arrives(p));
  if (frame.length < 14) {
    f.drop(p, 'MALFORMED_FRAME', fid, cid, parent, frame, undefined, f.detailed ? { length: frame.length } : undefined);
    return;
  }
  const c = admit(p, frame);
  if (c < 0) {
    f.drop(p, 'VLAN_NOT_ALLOWED', fid, cid, parent, frame, undefined, f.detailed ? { why: c === CLASSIFY_RESERVED ? 'VLAN ID 4095 is reserved' : admissionWhy(p, frame) } : undefined);
    return;
  }
  const vlan = classVlan(c);
  const state = classState(c);
  if (T) {
    f.emit({
      frameId: fid,
      copyId: cid,
      parentCopyId: parent,
      node: p.node,
      port: p.id,
      action: 'classify',
      rule: 'P2',
      vlan,
      detail: `VLAN ${vlan}: ${state === TAG_KEEP ? `tagged ${vlan}` : state === TAG_PRIORITY ? 'priority-tagged' : 'untagged'} on ${
        p.swMode === MODE_ACCESS ? 'access' : 'trunk'
      } port ${p.name} (P2)`,
    });
  }
  // P1 learning (not in dry mode: explain only says what would be learned); P4: on the channel
  const lp = p.channel === null ? p : p.channel.rep;
  if (!isMulticast(frame, SRC_OFFSET)) {
    const src = macToNumber(frame, SRC_OFFSET);
    if (!f.dry) {
      const outcome = sw.table.learn(src, vlan, lp.idx, f.now);
      if (T && outcome !== 'refresh') {
        const from = sw.table.lastMovedFrom;
        const ev = sw.table.lastEvicted;
        f.emit({
          frameId: fid,
          copyId: cid,
          parentCopyId: parent,
          node: p.node,
          port: p.id,
          action: 'learn',
          rule: 'P1',
          vlan,
          detail: `learned ${formatMac(frame, SRC_OFFSET)} VLAN ${vlan} on ${portName(lp)}${outcome === 'move' ? ` (moved from ${portName(f.ifaces[from]!)})` : ''}${
            ev ? ` (table full: evicted ${macNumberToString(ev.mac)} VLAN ${ev.vlan})` : ''
          } (P1)`,
        });
      }
    } else if (T && sw.table.lookup(src, vlan, f.now) !== lp.idx) {
      f.emit({
        frameId: fid,
        copyId: cid,
        parentCopyId: parent,
        node: p.node,
        port: p.id,
        action: 'learn',
        rule: 'P1',
        vlan,
        detail: `would learn ${formatMac(frame, SRC_OFFSET)} VLAN ${vlan} on ${portName(lp)} (P1; dry run, table unchanged)`,
      });
    }
  }
  const tagged = state !== TAG_NONE;
  // the frame's translation context (xlate.ts); the bytes as they leave tagged / untagged
  // (egress): the incoming ones where they already are
  const x = takeXlate(f);
  x.frame = frame;
  x.vlan = vlan;
  x.state = state;
  x.tagged = tagged;
  x.at = p;
  x.fid = fid;
  x.cid = cid;
  x.parent = parent;
  x.egTagged = state === TAG_KEEP ? frame : null;
  x.egUntagged = tagged ? null : frame;
  try {
    forwardFrame(x, lp);
  } finally {
    x.busy = false;
  }
}

/** P3: known unicast to its port, else flood to the VLAN's other logical ports. */
function forwardFrame(x: Xlate, lp: Iface): void {
  const f = x.f;
  const p = x.at!;
  const sw = p.sw!;
  const T = f.tracing;
  const frame = x.frame;
  const vlan = x.vlan;
  const fid = x.fid;
  const cid = x.cid;
  const parent = x.parent;
  if (!isMulticast(frame, DST_OFFSET)) {
    const dst = macToNumber(frame, DST_OFFSET);
    // a dry run (explain) changes no table, but a real frame's source was learned just above: a
    // frame addressed to its own source finds it on the ingress port, as `send` does (P1, P3)
    const out = f.dry && !isMulticast(frame, SRC_OFFSET) && dst === macToNumber(frame, SRC_OFFSET) ? lp.idx : sw.table.lookup(dst, vlan, f.now);
    if (out >= 0) {
      const op = f.ifaces[out]!;
      if (op === lp) {
        f.drop(p, 'SAME_PORT', fid, cid, parent, frame, vlan, f.detailed ? { dst: formatMac(frame, DST_OFFSET), vlan, port: p.id } : undefined);
        return;
      }
      if (T)
        f.emit({
          frameId: fid,
          copyId: cid,
          parentCopyId: parent,
          node: p.node,
          port: `${sw.name}`,
          action: 'lookup',
          rule: 'P1',
          vlan,
          detail: `VLAN ${vlan}: ${formatMac(frame, DST_OFFSET)} learned on ${portName(op)} (P1)`,
        });
      egress(x, channelMember(op, frame));
      return;
    }
  }
  const ports = floodPorts(sw, vlan);
  if (T) {
    const n = ports.length - (ports.includes(lp) ? 1 : 0);
    f.emit({
      frameId: fid,
      copyId: cid,
      parentCopyId: parent,
      node: p.node,
      port: sw.name,
      action: 'lookup',
      rule: 'P3',
      vlan,
      detail: `VLAN ${vlan}: ${isMulticast(frame, DST_OFFSET) ? 'broadcast/multicast' : `unknown unicast ${formatMac(frame, DST_OFFSET)}`} floods to ${n} other port${n === 1 ? '' : 's'} (P3)`,
    });
  }
  let children = 0;
  for (let i = 0; i < ports.length; i++) {
    const op = ports[i]!;
    if (op === lp) continue;
    children++;
    egress(x, op.channel === null ? op : channelMember(op, frame));
  }
  if (children === 0) f.drop(p, 'NO_FLOOD_PORT', fid, cid, parent, frame, vlan, f.detailed ? { switch: sw.name, vlan, down: downCarriers(sw, p, vlan) } : undefined);
}

/** A port's name in traces: its own, or its EtherChannel's (`Po1`) for a member (P4). */
function portName(p: Iface): string {
  return p.channel === null ? p.name : p.channel.name;
}

/** A child copy out of switch port `op` with the tagging its mode needs (P2). */
function egress(x: Xlate, op: Iface): void {
  const f = x.f;
  const frame = x.frame;
  const vlan = x.vlan;
  const cid = f.newCopy();
  const want = switchPortTags(op, vlan);
  // made at the first egress that needs them and shared by the later ones of the same frame
  // (copy-on-write: nothing writes into a frame after it was made; see vswitch.ts); set per frame by switchIngress
  let out: Uint8Array;
  if (want) out = x.egTagged ??= x.state === TAG_PRIORITY ? rewriteTag(frame, vlan) : pushTag(frame, vlan, 0);
  else out = x.egUntagged ??= popTag(frame);
  f.cableTx(
    op,
    out,
    x.fid,
    cid,
    x.cid,
    vlan,
    'PhysTx',
    f.detailed
      ? `VLAN ${vlan}: ${want ? 'tagged' : 'untagged'} out ${op.name} (${op.swMode === MODE_ACCESS ? 'access' : vlan === op.swVlan ? (want ? 'native, nativeTagged' : 'native') : 'trunk'}, P2)`
      : '',
  );
}
