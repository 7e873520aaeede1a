/**
 * Effective policy of a vSwitch or port group, field by field, with where each value comes from
 * (built-in default, topology defaults, vSwitch, port-group override) — the cascade of
 * vss-behaviour §0 / S4 / T1, read from the topology document the server sent.
 */
import type { DefaultsDoc, PolicySettingsDoc } from './model.js';

export type PolicySource = 'built-in default' | 'topology defaults' | 'vSwitch' | 'port group';

export interface PolicyRow {
  group: 'security' | 'teaming' | 'shaping';
  field: string;
  value: string;
  source: PolicySource;
}

const BUILTIN: Record<string, Record<string, unknown>> = {
  security: { promiscuous: 'reject', macChanges: 'reject', forgedTransmits: 'reject' },
  teaming: { loadBalancing: 'srcid', failureDetection: 'link', notifySwitches: true, failback: true },
  shaping: { enabled: false, averageBps: 100_000_000, peakBps: 100_000_000, burstBytes: 102_400 * 1024 },
};

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

function show(field: string, v: unknown): string {
  if (v === 'accept') return 'Accept';
  if (v === 'reject') return 'Reject';
  if (typeof v === 'boolean') return v ? 'Yes' : 'No';
  if (field === 'averageBps' || field === 'peakBps') return `${Math.round((v as number) / 1000)} Kbit/s`;
  if (field === 'burstBytes') return `${Math.round((v as number) / 1024)} KB`;
  return String(v);
}

export function policyRows(defaults: DefaultsDoc | undefined, uplinks: readonly string[], vswitch: PolicySettingsDoc | undefined, portGroup?: PolicySettingsDoc): PolicyRow[] {
  const levels: Array<[PolicySource, PolicySettingsDoc | DefaultsDoc | undefined]> = [
    ['topology defaults', defaults],
    ['vSwitch', vswitch],
  ];
  if (portGroup !== undefined) levels.push(['port group', portGroup]);
  const rows: PolicyRow[] = [];
  for (const group of ['security', 'teaming', 'shaping'] as const) {
    for (const field of Object.keys(BUILTIN[group]!)) {
      let value: unknown = BUILTIN[group]![field];
      let source: PolicySource = 'built-in default';
      for (const [src, p] of levels) {
        const v = (p?.[group] as Record<string, unknown> | undefined)?.[field];
        if (v !== undefined) {
          value = v;
          source = src;
        }
      }
      rows.push({ group, field: LABELS[field] ?? field, value: show(field, value), source });
    }
    if (group === 'teaming') {
      // T1: the level that states any of the lists states the whole order
      let order = { active: [...uplinks], standby: [] as string[], unused: [] as string[] };
      let source: PolicySource = 'built-in default';
      for (const [src, p] of levels) {
        const t = p?.teaming;
        if (t && (t.active !== undefined || t.standby !== undefined || t.unused !== undefined)) {
          const standby = (t.standby ?? []).filter((u) => uplinks.includes(u));
          const unused = (t.unused ?? []).filter((u) => uplinks.includes(u));
          const active = t.active !== undefined ? t.active.filter((u) => uplinks.includes(u)) : uplinks.filter((u) => !standby.includes(u) && !unused.includes(u));
          for (const u of uplinks) if (!active.includes(u) && !standby.includes(u) && !unused.includes(u)) unused.push(u);
          order = { active, standby, unused };
          source = src;
        }
      }
      const text = `active ${order.active.join(', ') || '—'}; standby ${order.standby.join(', ') || '—'}; unused ${order.unused.join(', ') || '—'}`;
      rows.push({ group, field: LABELS.order!, value: text, source });
    }
  }
  return rows;
}
