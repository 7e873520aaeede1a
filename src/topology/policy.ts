/**
 * Effective policy of a vSwitch and of a port group, and where each value comes from — what the
 * engine applies and what the UI shows ("Promiscuous: Accept — from port group").
 *
 * Inheritance, field by field (vss-behaviour §0, S4, T1):
 *   built-in default  <  topology `defaults`  <  vSwitch `policy`  <  port group `policy`
 * Built-in defaults: security Reject/Reject/Reject (S4, vSphere 7+); teaming srcid, link-status
 * detection, notify switches on, failback on, every uplink active in the vSwitch's order; shaping
 * off (100000 Kbit/s average and peak, 102400 KB burst, vSphere's UI defaults).
 *
 * The failover order (active/standby/unused) is one unit (T1): the level that states any of the
 * three lists states the whole order. At that level an omitted `active` means "every uplink not
 * listed as standby or unused", and an uplink listed nowhere while `active` is given is unused
 * (validation warns). Names that are not uplinks of the vSwitch are dropped here (validation
 * reports them as errors).
 *
 * Pure functions: no state, no I/O.
 */
import type { PolicySettingsDoc, TopologyDoc } from './schema.js';

export type PolicySource = 'default' | 'topology-defaults' | 'vswitch' | 'portgroup';

export interface Sourced<T> {
  value: T;
  source: PolicySource;
}

export interface FailoverOrder {
  active: string[];
  standby: string[];
  unused: string[];
}

export interface EffectivePolicy {
  security: {
    promiscuous: Sourced<'accept' | 'reject'>;
    macChanges: Sourced<'accept' | 'reject'>;
    forgedTransmits: Sourced<'accept' | 'reject'>;
  };
  teaming: {
    loadBalancing: Sourced<'srcid' | 'srcmac' | 'iphash' | 'failover'>;
    failureDetection: Sourced<'link' | 'beacon'>;
    notifySwitches: Sourced<boolean>;
    failback: Sourced<boolean>;
    /** T1: active / standby / unused uplinks, as one unit */
    order: Sourced<FailoverOrder>;
  };
  shaping: {
    enabled: Sourced<boolean>;
    averageBps: Sourced<number>;
    peakBps: Sourced<number>;
    burstBytes: Sourced<number>;
  };
}

/** The built-in values used when nothing in the topology says otherwise. */
export const BUILTIN_POLICY = {
  security: { promiscuous: 'reject', macChanges: 'reject', forgedTransmits: 'reject' },
  teaming: { loadBalancing: 'srcid', failureDetection: 'link', notifySwitches: true, failback: true },
  shaping: { enabled: false, averageBps: 100_000_000, peakBps: 100_000_000, burstBytes: 102_400 * 1024 },
} as const;

/** The policy-bearing part of a topology's `defaults` block. */
export type PolicyDefaults = Pick<PolicySettingsDoc, 'security' | 'teaming' | 'shaping'> | undefined;

function pick<T>(
  layers: readonly [PolicySource, T | undefined][],
  builtin: T,
): Sourced<T> {
  for (let i = layers.length - 1; i >= 0; i--) {
    const [source, value] = layers[i]!;
    if (value !== undefined) return { value, source };
  }
  return { value: builtin, source: 'default' };
}

type Teaming = NonNullable<PolicySettingsDoc['teaming']>;

function statesOrder(t: Teaming | undefined): boolean {
  return t !== undefined && (t.active !== undefined || t.standby !== undefined || t.unused !== undefined);
}

/** The order a policy level states, restricted to `uplinks`. */
export function resolveOrder(t: Teaming | undefined, uplinks: readonly string[]): FailoverOrder {
  const isUplink = new Set(uplinks);
  const keep = (xs: readonly string[] | undefined) => [...new Set((xs ?? []).filter((x) => isUplink.has(x)))];
  const standby = keep(t?.standby);
  const unused = keep(t?.unused).filter((x) => !standby.includes(x));
  let active: string[];
  if (t?.active !== undefined) active = keep(t.active);
  else active = uplinks.filter((u) => !standby.includes(u) && !unused.includes(u));
  active = [...new Set(active)];
  const order = {
    active,
    standby: standby.filter((x) => !active.includes(x)),
    unused: unused.filter((x) => !active.includes(x)),
  };
  for (const u of uplinks) {
    if (!order.active.includes(u) && !order.standby.includes(u) && !order.unused.includes(u)) order.unused.push(u);
  }
  return order;
}

function resolve(
  levels: readonly [PolicySource, PolicySettingsDoc | undefined][],
  uplinks: readonly string[],
): EffectivePolicy {
  const field = <G extends 'security' | 'teaming' | 'shaping', K extends keyof NonNullable<PolicySettingsDoc[G]>>(
    group: G,
    key: K,
    builtin: NonNullable<NonNullable<PolicySettingsDoc[G]>[K]>,
  ) =>
    pick(
      // tsc needs the assertion to index by K; the lint rule sees the two types as equal
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
      levels.map(([s, p]) => [s, (p?.[group] as NonNullable<PolicySettingsDoc[G]> | undefined)?.[key]] as [PolicySource, typeof builtin | undefined]),
      builtin,
    );

  let order: Sourced<FailoverOrder> = { value: resolveOrder(undefined, uplinks), source: 'default' };
  for (const [source, p] of levels) {
    if (statesOrder(p?.teaming)) order = { value: resolveOrder(p!.teaming, uplinks), source };
  }
  const B = BUILTIN_POLICY;
  return {
    security: {
      promiscuous: field('security', 'promiscuous', B.security.promiscuous),
      macChanges: field('security', 'macChanges', B.security.macChanges),
      forgedTransmits: field('security', 'forgedTransmits', B.security.forgedTransmits),
    },
    teaming: {
      loadBalancing: field('teaming', 'loadBalancing', B.teaming.loadBalancing),
      failureDetection: field('teaming', 'failureDetection', B.teaming.failureDetection),
      notifySwitches: field('teaming', 'notifySwitches', B.teaming.notifySwitches),
      failback: field('teaming', 'failback', B.teaming.failback),
      order,
    },
    shaping: {
      enabled: field('shaping', 'enabled', B.shaping.enabled),
      averageBps: field('shaping', 'averageBps', B.shaping.averageBps),
      peakBps: field('shaping', 'peakBps', B.shaping.peakBps),
      burstBytes: field('shaping', 'burstBytes', B.shaping.burstBytes),
    },
  };
}

/** Effective policy of a vSwitch from its parts (for callers that hold the parts, e.g. validation). */
export function resolveVSwitchPolicy(
  defaults: PolicyDefaults,
  uplinks: readonly string[],
  vswitch: PolicySettingsDoc | undefined,
): EffectivePolicy {
  return resolve(
    [
      ['topology-defaults', defaults],
      ['vswitch', vswitch],
    ],
    uplinks,
  );
}

/** Effective policy of a port group from its parts. */
export function resolvePortGroupPolicy(
  defaults: PolicyDefaults,
  uplinks: readonly string[],
  vswitch: PolicySettingsDoc | undefined,
  portGroup: PolicySettingsDoc | undefined,
): EffectivePolicy {
  return resolve(
    [
      ['topology-defaults', defaults],
      ['vswitch', vswitch],
      ['portgroup', portGroup],
    ],
    uplinks,
  );
}

/** Effective policy of a vSwitch; undefined when the host or vSwitch does not exist. */
export function effectiveVSwitchPolicy(topology: TopologyDoc, hostName: string, vswitchName: string): EffectivePolicy | undefined {
  const vs = topology.hosts.find((h) => h.name === hostName)?.vswitches.find((s) => s.name === vswitchName);
  if (!vs) return undefined;
  return resolveVSwitchPolicy(topology.defaults, vs.uplinks, vs.policy);
}

/**
 * Effective policy of a port group, found by name on its host (port group names are unique per
 * host); undefined when the host or port group does not exist.
 */
export function effectivePortGroupPolicy(topology: TopologyDoc, hostName: string, portGroupName: string): EffectivePolicy | undefined {
  const host = topology.hosts.find((h) => h.name === hostName);
  if (!host) return undefined;
  for (const vs of host.vswitches) {
    const pg = vs.portGroups.find((g) => g.name === portGroupName);
    if (pg) return resolvePortGroupPolicy(topology.defaults, vs.uplinks, vs.policy, pg.policy);
  }
  return undefined;
}

/** Plain values of an effective policy, without sources. */
export function policyValues(p: EffectivePolicy) {
  const v = <T>(s: Sourced<T>) => s.value;
  return {
    security: { promiscuous: v(p.security.promiscuous), macChanges: v(p.security.macChanges), forgedTransmits: v(p.security.forgedTransmits) },
    teaming: {
      loadBalancing: v(p.teaming.loadBalancing),
      failureDetection: v(p.teaming.failureDetection),
      notifySwitches: v(p.teaming.notifySwitches),
      failback: v(p.teaming.failback),
      ...v(p.teaming.order),
    },
    shaping: { enabled: v(p.shaping.enabled), averageBps: v(p.shaping.averageBps), peakBps: v(p.shaping.peakBps), burstBytes: v(p.shaping.burstBytes) },
  };
}
