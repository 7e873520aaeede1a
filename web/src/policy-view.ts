/**
 * Effective policy of a vSwitch or port group, field by field, with where each value comes from
 * (built-in default, topology defaults, vSwitch, port-group override). The server resolves it
 * (GET /api/policy, the engine's own cascade of vss-behaviour §0 / S4 / T1, on the running lab's
 * current topology, runtime changes included); this file only turns the answer into rows.
 */
import type { EffectivePolicy, PolicySource, Sourced } from './model.js';

/** How a source is written in the UI. */
export const SOURCE_LABEL: Record<PolicySource, string> = {
  default: 'built-in default',
  'topology-defaults': 'topology defaults',
  vswitch: 'vSwitch',
  portgroup: 'port group',
};

export interface PolicyRow {
  group: 'security' | 'teaming' | 'shaping';
  /** field key in the policy (`forgedTransmits`) */
  key: string;
  /** label with the rule it feeds (`Forged transmits (S3)`) */
  field: string;
  value: string;
  source: PolicySource;
}

const LABELS: Record<string, string> = {
  promiscuous: 'Promiscuous mode (S1)',
  macChanges: 'MAC address changes (S2)',
  forgedTransmits: 'Forged transmits (S3)',
  loadBalancing: 'Load balancing (T2–T5)',
  failureDetection: 'Failure detection (T6)',
  notifySwitches: 'Notify switches (T7)',
  failback: 'Failback (T8)',
  order: 'Failover order (T1)',
  enabled: 'Traffic shaping (Q1)',
  averageBps: 'Average bandwidth',
  peakBps: 'Peak bandwidth',
  burstBytes: 'Burst size',
};

/** A policy value as vSphere's client writes it. */
export function showPolicyValue(field: string, v: unknown): string {
  if (v === 'accept') return 'Accept';
  if (v === 'reject') return 'Reject';
  if (typeof v === 'boolean') return v ? 'Yes' : 'No';
  if (field === 'averageBps' || field === 'peakBps') return `${Math.round((v as number) / 1000)} Kbit/s`;
  if (field === 'burstBytes') return `${Math.round((v as number) / 1024)} KB`;
  if (field === 'order') {
    const o = v as { active: string[]; standby: string[]; unused: string[] };
    return `active ${o.active.join(', ') || '—'}; standby ${o.standby.join(', ') || '—'}; unused ${o.unused.join(', ') || '—'}`;
  }
  return String(v);
}

/** Rows in the server's order (security, teaming, shaping; fields as the engine lists them). */
export function policyRows(p: EffectivePolicy): PolicyRow[] {
  const rows: PolicyRow[] = [];
  for (const group of ['security', 'teaming', 'shaping'] as const) {
    for (const [key, s] of Object.entries(p[group] as Record<string, Sourced<unknown>>)) {
      rows.push({ group, key, field: LABELS[key] ?? key, value: showPolicyValue(key, s.value), source: s.source });
    }
  }
  return rows;
}
