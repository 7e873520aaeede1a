/**
 * The "tidy" layout: positions computed from the topology's structure, the way one draws it on a
 * whiteboard — each host a box with its VMs and vmks on top, each vSwitch below them with its port
 * groups in a row (every client straight above its port group) and its uplinks at the bottom;
 * hosts in rows; under each row of hosts the physical switches cabled to it, their ports ordered
 * to face what they are cabled to; physical hosts under the ports they hang off. Deterministic
 * (same topology, same picture) and linear in the number of nodes, so a 2,000-node lab lays out
 * instantly.
 */
import type { TopologyDoc } from './model.js';

export type Positions = Map<string, { x: number; y: number }>;

const CLIENT_W = 140;
const PG_GAP = 24;
const VS_GAP = 70;
const HOST_GAP = 90;
const ROW_CLIENTS = 0;
const ROW_PG = 120;
const ROW_UPLINK = 210;
const HOST_H = 250;
const PORT_W = 96;
const SWITCH_GAP = 90;
const SWITCH_BAND = 120;
const PHOST_BAND = 110;
const MIN_ROW_WIDTH = 1600;

interface HostBox {
  name: string;
  width: number;
  /** leaf id -> position relative to the box's top-left */
  rel: Array<[string, number, number]>;
}

function hostBox(t: TopologyDoc, h: TopologyDoc['hosts'][number]): HostBox {
  const rel: HostBox['rel'] = [];
  const vmsHere = t.vms.filter((v) => v.host === h.name);
  const clientsOf = new Map<string, string[]>();
  const add = (pg: string, id: string): void => {
    const l = clientsOf.get(pg) ?? [];
    if (!l.includes(id)) l.push(id);
    clientsOf.set(pg, l);
  };
  // a VM with several vNICs sits above the first of its port groups
  for (const vm of vmsHere) if (vm.nics[0]) add(vm.nics[0].portGroup, `vm:${vm.name}`);
  for (const k of h.vmkernel) add(k.portGroup, `if:${h.name}:${k.name}`);
  const placed = new Set<string>();
  let x = 0;
  for (const vs of h.vswitches) {
    const left = x;
    for (const pg of vs.portGroups) {
      const clients = clientsOf.get(pg.name) ?? [];
      const w = Math.max(1, clients.length) * CLIENT_W;
      rel.push([`pg:${h.name}/${pg.name}`, x + w / 2, ROW_PG]);
      clients.forEach((id, i) => {
        rel.push([id, x + CLIENT_W / 2 + i * CLIENT_W, ROW_CLIENTS]);
        placed.add(id);
      });
      x += w + PG_GAP;
    }
    const vsWidth = Math.max(x - left - PG_GAP, vs.uplinks.length * 80);
    vs.uplinks.forEach((u, i) => rel.push([`if:${h.name}:${u}`, left + vsWidth / 2 + (i - (vs.uplinks.length - 1) / 2) * 80, ROW_UPLINK]));
    x = left + vsWidth + VS_GAP;
  }
  for (const n of h.nics) {
    if (h.vswitches.some((v) => v.uplinks.includes(n.name))) continue;
    rel.push([`if:${h.name}:${n.name}`, x, ROW_UPLINK]);
    x += 80;
  }
  // clients whose port group is missing still need a place
  for (const vm of vmsHere) {
    if (placed.has(`vm:${vm.name}`)) continue;
    rel.push([`vm:${vm.name}`, x + CLIENT_W / 2, ROW_CLIENTS]);
    x += CLIENT_W;
  }
  for (const k of h.vmkernel) {
    const id = `if:${h.name}:${k.name}`;
    if (placed.has(id)) continue;
    rel.push([id, x + CLIENT_W / 2, ROW_CLIENTS]);
    x += CLIENT_W;
  }
  return { name: h.name, width: Math.max(CLIENT_W, x - VS_GAP), rel };
}

/** Leaf node id -> position (ids as graph-model.ts makes them). */
export function tidyLayout(t: TopologyDoc): Positions {
  const pos: Positions = new Map();
  const boxes = t.hosts.map((h) => hostBox(t, h));
  // rows of hosts: about as wide as the whole picture is tall
  const total = boxes.reduce((n, b) => n + b.width + HOST_GAP, 0);
  const rowWidth = Math.max(MIN_ROW_WIDTH, Math.sqrt(total * (HOST_H + HOST_GAP + SWITCH_BAND) * 1.6));
  const rows: HostBox[][] = [];
  let cur: HostBox[] = [];
  let w = 0;
  for (const b of boxes) {
    if (cur.length > 0 && w + b.width > rowWidth) {
      rows.push(cur);
      cur = [];
      w = 0;
    }
    cur.push(b);
    w += b.width + HOST_GAP;
  }
  if (cur.length) rows.push(cur);
  const rowOfHost = new Map<string, number>();
  rows.forEach((r, i) => r.forEach((b) => rowOfHost.set(b.name, i)));

  // cabling
  const peer = new Map<string, string>();
  for (const l of t.links) {
    peer.set(l.a, l.b);
    peer.set(l.b, l.a);
  }
  // each physical switch goes under the row of hosts it has most cables to (last row when none)
  const switchesOfRow = new Map<number, TopologyDoc['physicalSwitches']>();
  for (const s of t.physicalSwitches) {
    const votes = new Map<number, number>();
    for (const p of s.ports) {
      const other = peer.get(`${s.name}:${p.name}`);
      const r = other === undefined ? undefined : rowOfHost.get(other.split(':')[0]!);
      if (r !== undefined) votes.set(r, (votes.get(r) ?? 0) + 1);
    }
    let best = Math.max(0, rows.length - 1);
    let most = 0;
    for (const [r, n] of votes) if (n > most || (n === most && r < best)) [best, most] = [r, n];
    const l = switchesOfRow.get(best) ?? [];
    l.push(s);
    switchesOfRow.set(best, l);
  }

  const xOf = (iface: string | undefined): number | undefined => {
    if (iface === undefined) return undefined;
    return pos.get(`if:${iface}`)?.x ?? pos.get(`vm:${iface.split(':')[0]}`)?.x;
  };
  const portPos = new Map<string, { x: number; y: number }>();
  let y = 0;
  const rowCount = Math.max(rows.length, switchesOfRow.size > 0 ? 1 : 0);
  for (let r = 0; r < rowCount; r++) {
    let x = 0;
    for (const b of rows[r] ?? []) {
      for (const [id, rx, ry] of b.rel) pos.set(id, { x: x + rx, y: y + ry });
      x += b.width + HOST_GAP;
    }
    if ((rows[r] ?? []).length) y += HOST_H;
    const sws = switchesOfRow.get(r) ?? [];
    if (sws.length === 0) {
      y += HOST_GAP;
      continue;
    }
    const keyed = sws.map((s) => {
      const xs = s.ports.map((p) => xOf(peer.get(`${s.name}:${p.name}`))).filter((v): v is number => v !== undefined);
      return { s, key: xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Infinity };
    });
    keyed.sort((a, b) => a.key - b.key);
    let sx = 0;
    const sy = y + SWITCH_BAND / 2;
    for (const { s, key } of keyed) {
      const ordered = s.ports
        .map((p, i) => ({ p, i, px: xOf(peer.get(`${s.name}:${p.name}`)) }))
        .sort((a, b) => (a.px ?? Infinity) - (b.px ?? Infinity) || a.i - b.i);
      const width = ordered.length * PORT_W;
      const left = Number.isFinite(key) ? Math.max(sx, key - width / 2) : sx;
      ordered.forEach(({ p }, i) => {
        const q = { x: left + PORT_W / 2 + i * PORT_W, y: sy };
        pos.set(`if:${s.name}:${p.name}`, q);
        portPos.set(`${s.name}:${p.name}`, q);
      });
      sx = left + width + SWITCH_GAP;
    }
    y += SWITCH_BAND;
    // physical hosts cabled to these switches
    const names = new Set(sws.map((s) => s.name));
    const taken: Array<{ x: number; y: number }> = [];
    let any = false;
    for (const ph of t.physicalHosts) {
      const anchors = ph.nics.map((n) => peer.get(`${ph.name}:${n.name}`)).filter((p): p is string => p !== undefined && names.has(p.split(':')[0]!));
      if (anchors.length === 0 || pos.has(`ph:${ph.name}`)) continue;
      const xs = anchors.map((a) => portPos.get(a)!.x);
      const p = { x: xs.reduce((a, b) => a + b, 0) / xs.length, y: y + PHOST_BAND / 2 };
      while (taken.some((q) => Math.abs(q.x - p.x) < CLIENT_W && Math.abs(q.y - p.y) < 60)) p.y += 60;
      taken.push(p);
      pos.set(`ph:${ph.name}`, p);
      any = true;
    }
    y += (any ? PHOST_BAND + Math.max(0, ...taken.map((q) => q.y)) - (y + PHOST_BAND / 2) : 0) + HOST_GAP;
  }
  // VMs on hosts that do not exist, physical hosts cabled to no switch
  let x = 0;
  for (const vm of t.vms) {
    if (pos.has(`vm:${vm.name}`)) continue;
    pos.set(`vm:${vm.name}`, { x, y });
    x += CLIENT_W;
  }
  for (const ph of t.physicalHosts) {
    if (pos.has(`ph:${ph.name}`)) continue;
    pos.set(`ph:${ph.name}`, { x, y });
    x += CLIENT_W;
  }
  return pos;
}
