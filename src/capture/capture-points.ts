/**
 * Capture points (O1), named like ESXi's pktcap-uw: which points exist on which kind of
 * interface, what a selector such as `esxi-01:vmnic0:UplinkRcv` means, and the pcapng interface
 * (name, description) each point becomes.
 *
 * | interface kind        | points                  | sees                                         |
 * | vNIC, vmk             | PortInput / PortOutput  | into the vSwitch port / out to the endpoint  |
 * | uplink (vmnic)        | UplinkRcv / UplinkSnd   | from / to the wire, tags as on the wire      |
 * | physical switch port  | PhysRx / PhysTx         | received / sent by the switch port           |
 * | physical host NIC     | HostRx / HostTx         | received / sent by the NIC                   |
 * | (the whole lab)       | Drop                    | every dropped copy, with where and why       |
 *
 * Point ids: `node:interface:Point`, and `Drop`. pcapng interface names: `node:interface Point`
 * (e.g. `esxi-01:vmnic0 UplinkRcv`), and `Drop`.
 */
import type { CaptureDirection } from './capture-file.js';
import { CAPTURE_POINTS, type CapturePoint, type InterfaceInfo, type InterfaceKind, nearNames } from '../engine/index.js';

export type { CapturePoint };

/** Every capture point name, in the order points are listed: the engine's (a point's code, PointEvent.pointCode, is its index). */
export const CAPTURE_POINT_NAMES: readonly CapturePoint[] = CAPTURE_POINTS;

export const DROP_POINT_ID = 'Drop';

/** The points of each interface kind (Drop belongs to the whole lab, not to an interface). */
export const POINTS_OF_KIND: Readonly<Record<InterfaceKind, readonly CapturePoint[]>> = {
  vnic: ['PortInput', 'PortOutput'],
  vmk: ['PortInput', 'PortOutput'],
  vmnic: ['UplinkRcv', 'UplinkSnd'],
  'switch-port': ['PhysRx', 'PhysTx'],
  'physical-nic': ['HostRx', 'HostTx'],
};

/** Direction of the packets seen at a point, from the point's side (pcapng epb_flags). Drop has none. */
export const POINT_DIRECTION: Readonly<Record<CapturePoint, CaptureDirection | undefined>> = {
  PortInput: 'inbound',
  PortOutput: 'outbound',
  UplinkRcv: 'inbound',
  UplinkSnd: 'outbound',
  PhysRx: 'inbound',
  PhysTx: 'outbound',
  HostRx: 'inbound',
  HostTx: 'outbound',
  Drop: undefined,
};

/** What a point sees, in a few words. */
export const POINT_MEANING: Readonly<Record<CapturePoint, string>> = {
  PortInput: 'frames the endpoint sends into its vSwitch port, before any vSwitch rule',
  PortOutput: 'frames the vSwitch port delivers to the endpoint, tags as the endpoint gets them',
  UplinkRcv: 'frames received from the wire, as on the wire (tags included)',
  UplinkSnd: 'frames sent to the wire, as on the wire (tags included)',
  PhysRx: 'frames the physical switch port receives, as on the wire',
  PhysTx: 'frames the physical switch port sends, as on the wire',
  HostRx: 'frames the physical host NIC receives',
  HostTx: 'frames the physical host NIC sends',
  Drop: 'every dropped copy of every frame; the comment says where and why',
};

/** The part of the engine's InterfaceInfo that capture points need. */
export type CaptureInterfaceInfo =
  Pick<InterfaceInfo, 'id' | 'kind'> &
  Partial<Pick<InterfaceInfo, 'host' | 'vswitch' | 'portGroup' | 'vlan' | 'mode' | 'peer'>>;

export interface CapturePointSpec {
  /** `node:interface:Point`, or `Drop` */
  id: string;
  /** `node:interface`; null for Drop */
  iface: string | null;
  point: CapturePoint;
  kind: InterfaceKind | null;
  /** pcapng if_name: `node:interface Point`, or `Drop` */
  name: string;
  /** pcapng if_description: the interface, its vSwitch / port group / VLAN, and what the point sees */
  description: string;
  direction: CaptureDirection | undefined;
  /**
   * VLAN an untagged frame is in at this point (a VST port group's VLAN, an access port's VLAN,
   * a trunk's native VLAN; 0 = the untagged domain), -1 when not known. Used by VLAN filters.
   */
  untaggedVlan: number;
}

/** Thrown for a selector that names no capture point; the message lists what exists. */
export class CaptureSelectError extends Error {
  constructor(
    message: string,
    readonly unknown: string[],
    readonly suggestions: string[] = [],
  ) {
    super(message);
    this.name = 'CaptureSelectError';
  }
}

function vlanText(vlan: number): string {
  if (vlan === 0) return 'VLAN 0 (untagged)';
  if (vlan === 4095) return 'VLAN 4095 (all VLANs, the guest tags)';
  return `VLAN ${vlan}`;
}

/** One line saying what the interface is and where it sits. */
export function interfaceDescription(info: CaptureInterfaceInfo): string {
  const on = info.vswitch !== undefined ? `${info.vswitch} on ${info.host ?? info.id.split(':')[0]}` : undefined;
  const cable = info.peer ? `, cable to ${info.peer}` : '';
  switch (info.kind) {
    case 'vnic':
    case 'vmk': {
      const what = info.kind === 'vnic' ? `VM vNIC ${info.id}` : `VMkernel adapter ${info.id}`;
      const pg = info.portGroup !== undefined ? `, port group "${info.portGroup}"` : '';
      const vlan = typeof info.vlan === 'number' ? `, ${vlanText(info.vlan)}` : '';
      return `${what}${on ? `: ${on}` : ''}${pg}${vlan}`;
    }
    case 'vmnic':
      return `uplink ${info.id}: ${on ?? 'in no vSwitch'}${cable}`;
    case 'switch-port': {
      const mode = info.mode === 'access'
        ? `access VLAN ${info.vlan ?? '?'}`
        : info.mode === 'trunk'
        ? `trunk${typeof info.vlan === 'number' ? `, native VLAN ${info.vlan}` : ', no native VLAN'}`
        : '';
      return `physical switch port ${info.id}${mode ? `: ${mode}` : ''}${cable}`;
    }
    case 'physical-nic':
      return `physical host NIC ${info.id}${cable}`;
  }
}

function untaggedVlanOf(info: CaptureInterfaceInfo): number {
  switch (info.kind) {
    case 'vnic':
    case 'vmk':
      return typeof info.vlan === 'number' && info.vlan >= 1 && info.vlan <= 4094 ? info.vlan : 0;
    case 'switch-port':
      return typeof info.vlan === 'number' ? info.vlan : -1;
    case 'vmnic':
    case 'physical-nic':
      return 0;
  }
}

/** The Drop point. */
export function dropPoint(): CapturePointSpec {
  return { id: DROP_POINT_ID, iface: null, point: 'Drop', kind: null, name: 'Drop', description: `Drop: ${POINT_MEANING.Drop}`, direction: undefined, untaggedVlan: -1 };
}

/** The points of one interface. */
export function interfacePoints(info: CaptureInterfaceInfo): CapturePointSpec[] {
  const base = interfaceDescription(info);
  const untaggedVlan = untaggedVlanOf(info);
  return POINTS_OF_KIND[info.kind].map((point) => ({
    id: `${info.id}:${point}`,
    iface: info.id,
    point,
    kind: info.kind,
    name: `${info.id} ${point}`,
    description: `${base}; ${point}: ${POINT_MEANING[point]}`,
    direction: POINT_DIRECTION[point],
    untaggedVlan,
  }));
}

/** Every capture point of a lab: each interface's points in the lab's order, then Drop. */
export function listCapturePoints(interfaces: readonly CaptureInterfaceInfo[]): CapturePointSpec[] {
  const out: CapturePointSpec[] = [];
  for (const i of interfaces) out.push(...interfacePoints(i));
  out.push(dropPoint());
  return out;
}

const POINT_BY_LOWER = new Map<string, CapturePoint>(CAPTURE_POINT_NAMES.map((p) => [p.toLowerCase(), p]));

/** The point name written any case (`uplinkrcv`), or null. */
export function capturePointName(text: string): CapturePoint | null {
  return POINT_BY_LOWER.get(text.trim().toLowerCase()) ?? null;
}

export interface PointSelector {
  /** `node:interface`, a node name, or null (every interface) */
  target: string | null;
  /** one point, or null (every point of the target) */
  point: CapturePoint | null;
}

/**
 * Reads a selector: `node:iface` (all its points), `node:iface:Point` (one), `Point` (that point
 * on every interface that has it; `Drop`), or `node` (every point of that node's interfaces).
 * Point names are case-insensitive. Syntax only; `selectCapturePoints` checks names.
 */
export function parsePointSelector(text: string): PointSelector {
  const s = text.trim();
  const parts = s.split(':');
  if (parts.length === 1) {
    const point = capturePointName(s);
    return point !== null ? { target: null, point } : { target: s, point: null };
  }
  if (parts.length >= 3) {
    const point = capturePointName(parts[parts.length - 1]!);
    if (point !== null) return { target: parts.slice(0, -1).join(':'), point };
  }
  return { target: s, point: null };
}

/**
 * The points `selectors` name, in the order of `all`, without duplicates; no selector (or an
 * empty list) means every point. Throws CaptureSelectError naming the unknown selectors and
 * listing what exists.
 */
export function selectCapturePoints(all: readonly CapturePointSpec[], selectors: readonly string[] | undefined): CapturePointSpec[] {
  const wanted = (selectors ?? []).map((s) => s.trim()).filter((s) => s !== '');
  if (wanted.length === 0) return [...all];
  const chosen = new Set<CapturePointSpec>();
  const unknown: string[] = [];
  const problems: string[] = [];
  const ifaces = [...new Set(all.flatMap((p) => (p.iface === null ? [] : [p.iface])))];
  for (const raw of wanted) {
    const sel = parsePointSelector(raw);
    let matched: CapturePointSpec[];
    if (sel.target === null) {
      matched = all.filter((p) => p.point === sel.point);
      if (matched.length === 0) problems.push(`no interface of this lab has point ${sel.point}`);
    } else if (sel.target.includes(':')) {
      const mine = all.filter((p) => p.iface === sel.target);
      if (mine.length === 0) {
        unknown.push(raw);
        // `web-10:eth0:Foo`: the interface exists, only the point name is wrong
        const cut = sel.target.lastIndexOf(':');
        const owner = cut > 0 ? all.filter((p) => p.iface === sel.target!.slice(0, cut)) : [];
        if (owner.length > 0) {
          const bad = sel.target.slice(cut + 1);
          const nearPoint = nearNames(bad, owner.map((p) => p.point));
          problems.push(
            `"${bad}" is not a capture point of ${owner[0]!.iface}: its points are ${owner.map((p) => p.point).join(', ')}${nearPoint.length ? `; did you mean ${nearPoint.join(', ')}?` : ''}`,
          );
          continue;
        }
        const near = nearNames(sel.target, ifaces);
        problems.push(`unknown interface "${sel.target}"${near.length ? `; did you mean ${near.join(', ')}?` : ''}`);
        continue;
      }
      if (sel.point === 'Drop') {
        problems.push(`Drop is one point for the whole lab, not per interface: write "Drop" (each drop's comment names where it happened)`);
        unknown.push(raw);
        continue;
      }
      matched = sel.point === null ? mine : mine.filter((p) => p.point === sel.point);
      if (matched.length === 0) {
        unknown.push(raw);
        problems.push(`${sel.target} is ${articleKind(mine[0]!.kind)}: its points are ${mine.map((p) => p.point).join(', ')}, not ${sel.point}`);
        continue;
      }
    } else {
      matched = all.filter((p) => p.iface !== null && p.iface.startsWith(`${sel.target}:`));
      if (matched.length === 0) {
        unknown.push(raw);
        const near = nearNames(sel.target, ifaces);
        problems.push(`"${sel.target}" is neither a point name (${CAPTURE_POINT_NAMES.join(', ')}) nor a node or node:interface of this lab${near.length ? `; did you mean ${near.join(', ')}?` : ''}`);
        continue;
      }
    }
    for (const p of matched) chosen.add(p);
  }
  if (problems.length > 0) {
    const listed = ifaces.length > 40 ? `${ifaces.slice(0, 40).join(', ')}, … (${ifaces.length} in all)` : ifaces.join(', ');
    throw new CaptureSelectError(
      `${problems.join('; ')}\n  interfaces: ${listed}\n  points: ${CAPTURE_POINT_NAMES.join(', ')} (write node:interface[:Point], a Point on every interface, or Drop)`,
      unknown,
      unknown.flatMap((u) => nearNames(u, ifaces)),
    );
  }
  return all.filter((p) => chosen.has(p));
}

function articleKind(kind: InterfaceKind | null): string {
  switch (kind) {
    case 'vnic':
      return 'a VM vNIC';
    case 'vmk':
      return 'a VMkernel adapter';
    case 'vmnic':
      return 'an uplink';
    case 'switch-port':
      return 'a physical switch port';
    case 'physical-nic':
      return 'a physical host NIC';
    case null:
      return 'the lab';
  }
}
