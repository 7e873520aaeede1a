/**
 * The detail lines of the frequent capture-point events (PortInput, PortOutput/HostRx, UplinkRcv,
 * UplinkSnd, PhysRx), in one place, kept per interface and decision: a text that depends only on
 * the interface, its port group and the decision is built once and handed out again as the same
 * string while they stay the same. So a trace subscriber or a capture (whose comment cache is
 * keyed by the text) pays for a template string only when something changed.
 *
 * Each interface has one entry per kind of line (the last decision seen there): a flood reaches
 * every port with the same decision, and a port sees the same few decisions over and over.
 */
import type { Iface, PortGroupRt, VSwitchRt } from './model.js';
import { formatMac } from '../wire/index.js';
import { pgVlanName, uplinkWantsTag, vlanName } from './vlan-classification.js';
import type { RuleId } from './rules.js';

const TEAM_RULE = ['T2', 'T3', 'T4', 'T5'] as const;

/** T2..T5: the rule of a port's load-balancing mode. */
export function teamRule(port: Iface): string {
  return TEAM_RULE[port.pg!.teaming.lb];
}

export class PointDetails {
  // PortInput: keyed by port group (and its name and vSwitch)
  private readonly inText: (string | null)[];
  private readonly inPg: (PortGroupRt | null)[];
  private readonly inPgName: (string | null)[];
  private readonly inVs: (VSwitchRt | null)[];
  // PortOutput / HostRx: keyed by VLAN (-1 = none) and rule
  private readonly outText: (string | null)[];
  private readonly outVlan: Int32Array;
  private readonly outRule: (string | null)[];
  // UplinkRcv / PhysRx: keyed by the uplink's vSwitch (null for a switch port)
  private readonly rcvText: (string | null)[];
  private readonly rcvVs: (VSwitchRt | null)[];
  // UplinkSnd: keyed by VLAN, rule and the sender's load-balancing mode
  private readonly sndText: (string | null)[];
  private readonly sndVlan: Int32Array;
  private readonly sndRule: (string | null)[];
  private readonly sndLb: Int32Array;
  // classify at a vNIC/vmk (V1-V3): keyed by VLAN, port group (its name and VLAN ID)
  private readonly clsText: (string | null)[];
  private readonly clsVlan: Int32Array;
  private readonly clsPg: (PortGroupRt | null)[];
  private readonly clsPgName: (string | null)[];
  private readonly clsPgVlan: Int32Array;
  // F2 lookup naming this port as the destination: keyed by VLAN, its effective MAC, port group (and name)
  private readonly dstText: (string | null)[];
  private readonly dstVlan: Int32Array;
  private readonly dstMac: (Uint8Array | null)[];
  private readonly dstPg: (PortGroupRt | null)[];
  private readonly dstPgName: (string | null)[];

  constructor(ifaceCount: number) {
    const objs = <T>(): (T | null)[] => new Array<T | null>(ifaceCount).fill(null);
    this.inText = objs();
    this.inPg = objs();
    this.inPgName = objs();
    this.inVs = objs();
    this.outText = objs();
    this.outVlan = new Int32Array(ifaceCount);
    this.outRule = objs();
    this.rcvText = objs();
    this.rcvVs = objs();
    this.sndText = objs();
    this.sndVlan = new Int32Array(ifaceCount);
    this.sndRule = objs();
    this.sndLb = new Int32Array(ifaceCount);
    this.clsText = objs();
    this.clsVlan = new Int32Array(ifaceCount);
    this.clsPg = objs();
    this.clsPgName = objs();
    this.clsPgVlan = new Int32Array(ifaceCount);
    this.dstText = objs();
    this.dstVlan = new Int32Array(ifaceCount);
    this.dstMac = objs();
    this.dstPg = objs();
    this.dstPgName = objs();
  }

  /** The classify line of a frame from vNIC/vmk `p` into VLAN `vlan` under `rule` (V1 EST, V2 VST, V3 VGT: fixed by the port group's VLAN ID). */
  classify(p: Iface, vlan: number, rule: RuleId): string {
    const i = p.idx;
    const pg = p.pg!;
    const cached = this.clsText[i]!;
    if (cached !== null && this.clsVlan[i] === vlan && this.clsPg[i] === pg && this.clsPgName[i] === pg.name && this.clsPgVlan[i] === pg.vlan) return cached;
    const text = `${vlanName(vlan)}: port group "${pg.name}" is ${pgVlanName(pg.vlan)} (${rule})`;
    this.clsText[i] = text;
    this.clsVlan[i] = vlan;
    this.clsPg[i] = pg;
    this.clsPgName[i] = pg.name;
    this.clsPgVlan[i] = pg.vlan;
    return text;
  }

  /**
   * The F2 lookup line of a frame in VLAN `vlan` whose destination MAC is port `target`'s
   * effective MAC (the lookup found it by that MAC, F1).
   */
  lookupLocal(target: Iface, vlan: number): string {
    const i = target.idx;
    const pg = target.pg!;
    const mac = target.effMacBytes;
    const cached = this.dstText[i]!;
    if (cached !== null && this.dstVlan[i] === vlan && this.dstMac[i] === mac && this.dstPg[i] === pg && this.dstPgName[i] === pg.name) return cached;
    const text = `${vlanName(vlan)}: ${formatMac(mac)} is ${target.id} in port group "${pg.name}" (F1, F2)`;
    this.dstText[i] = text;
    this.dstVlan[i] = vlan;
    this.dstMac[i] = mac;
    this.dstPg[i] = pg;
    this.dstPgName[i] = pg.name;
    return text;
  }

  /** PortInput of a vNIC or vmk attached to a port group. */
  portInput(p: Iface): string {
    const i = p.idx;
    const pg = p.pg!;
    const vs = p.vs!;
    const cached = this.inText[i]!;
    if (cached !== null && this.inPg[i] === pg && this.inVs[i] === vs && this.inPgName[i] === pg.name) return cached;
    const text = `${p.kind === 'vmk' ? 'vmk' : 'vNIC'} ${p.id} sends into port group "${pg.name}" on ${vs.id}`;
    this.inText[i] = text;
    this.inPg[i] = pg;
    this.inPgName[i] = pg.name;
    this.inVs[i] = vs;
    return text;
  }

  /** A copy delivered to an endpoint (PortOutput, HostRx) under `rule`. */
  delivered(port: Iface, vlan: number | undefined, rule: RuleId): string {
    const i = port.idx;
    const v = vlan === undefined ? -1 : vlan;
    const cached = this.outText[i]!;
    if (cached !== null && this.outVlan[i] === v && this.outRule[i] === rule) return cached;
    const text = `delivered to ${port.id}${vlan !== undefined ? ` (${vlanName(vlan)})` : ''} (${rule})`;
    this.outText[i] = text;
    this.outVlan[i] = v;
    this.outRule[i] = rule;
    return text;
  }

  /** A frame arriving on an uplink (UplinkRcv) or a physical switch port (PhysRx) from its cable. */
  arrives(u: Iface): string {
    const i = u.idx;
    const vs = u.kind === 'vmnic' ? u.vs : null;
    const cached = this.rcvText[i]!;
    if (cached !== null && this.rcvVs[i] === vs) return cached;
    const text = vs ? `arrives on uplink ${u.id} of ${vs.id}` : `arrives on ${u.id}`;
    this.rcvText[i] = text;
    this.rcvVs[i] = vs;
    return text;
  }

  /** A copy out of uplink `u` (UplinkSnd) in VLAN `vlan`, by `rule` and the teaming of port `sender`. */
  uplinkOut(u: Iface, vlan: number, rule: RuleId, sender: Iface): string {
    const i = u.idx;
    const lb = sender.pg!.teaming.lb;
    const cached = this.sndText[i]!;
    if (cached !== null && this.sndVlan[i] === vlan && this.sndRule[i] === rule && this.sndLb[i] === lb) return cached;
    const text = `${vlanName(vlan)}: ${uplinkWantsTag(vlan) ? 'tagged' : 'untagged'} out ${u.name} (${rule}, ${teamRule(sender)})`;
    this.sndText[i] = text;
    this.sndVlan[i] = vlan;
    this.sndRule[i] = rule;
    this.sndLb[i] = lb;
    return text;
  }
}
