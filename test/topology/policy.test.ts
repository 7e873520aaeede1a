import { describe, expect, it } from 'vitest';
import { validateTopology } from '../../src/topology/load.js';
import { BUILTIN_POLICY, effectivePortGroupPolicy, effectiveVSwitchPolicy, policyValues, resolveOrder } from '../../src/topology/policy.js';
import type { TopologyDoc } from '../../src/topology/schema.js';
import { example, type Doc } from './helpers.js';

function parsed(d: Doc): TopologyDoc {
  const r = validateTopology(d);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.topology;
}

describe('policy resolution', () => {
  it('S4: silent topology -> Reject/Reject/Reject from the built-in default', () => {
    const d = example('multi-host');
    delete d.defaults;
    const p = effectiveVSwitchPolicy(parsed(d), 'esxi-01', 'vSwitch0')!;
    expect(p.security.promiscuous).toEqual({ value: 'reject', source: 'default' });
    expect(p.security.macChanges).toEqual({ value: 'reject', source: 'default' });
    expect(p.security.forgedTransmits).toEqual({ value: 'reject', source: 'default' });
    expect(p.shaping.enabled).toEqual({ value: false, source: 'default' });
    expect(p.teaming.notifySwitches).toEqual({ value: true, source: 'default' });
    expect(p.teaming.failureDetection).toEqual({ value: 'link', source: 'default' });
  });

  it('S4: the installer vSwitch0 keeps Reject/Accept/Accept, field by field from the vSwitch', () => {
    const t = parsed(example('default'));
    const p = effectivePortGroupPolicy(t, 'esxi-01', 'VM Network')!;
    expect(p.security.promiscuous).toEqual({ value: 'reject', source: 'vswitch' });
    expect(p.security.macChanges).toEqual({ value: 'accept', source: 'vswitch' });
    expect(p.security.forgedTransmits).toEqual({ value: 'accept', source: 'vswitch' });
  });

  it('topology defaults apply where the vSwitch is silent', () => {
    const d = example('security');
    d.defaults.security = { promiscuous: 'accept' };
    const p = effectiveVSwitchPolicy(parsed(d), 'esxi-01', 'vSwitch0')!;
    expect(p.security.promiscuous).toEqual({ value: 'accept', source: 'topology-defaults' });
    expect(p.security.forgedTransmits).toEqual({ value: 'reject', source: 'default' });
  });

  it('a port group overrides single fields and inherits the rest', () => {
    const t = parsed(example('security'));
    const nested = effectivePortGroupPolicy(t, 'esxi-01', 'Nested')!;
    expect(nested.security.promiscuous).toEqual({ value: 'accept', source: 'portgroup' });
    expect(nested.security.forgedTransmits).toEqual({ value: 'accept', source: 'portgroup' });
    expect(nested.security.macChanges).toEqual({ value: 'reject', source: 'topology-defaults' });
    const locked = effectivePortGroupPolicy(t, 'esxi-01', 'Nested-Locked')!;
    expect(policyValues(locked).security).toEqual({ promiscuous: 'reject', macChanges: 'reject', forgedTransmits: 'reject' });
  });

  it('teaming defaults: srcid, every uplink active in order', () => {
    const t = parsed(example('multi-host'));
    const p = effectiveVSwitchPolicy(t, 'esxi-02', 'vSwitch0')!;
    expect(p.teaming.loadBalancing).toEqual({ value: 'srcid', source: 'default' });
    expect(p.teaming.failback).toEqual({ value: true, source: 'default' });
    expect(p.teaming.order).toEqual({ value: { active: ['vmnic0', 'vmnic1'], standby: [], unused: [] }, source: 'default' });
  });

  it('T1: a port group order overrides the whole order', () => {
    const t = parsed(example('multi-host'));
    const p = effectivePortGroupPolicy(t, 'esxi-01', 'vMotion')!;
    expect(p.teaming.order).toEqual({ value: { active: ['vmnic1'], standby: ['vmnic0'], unused: [] }, source: 'portgroup' });
    const d = example('teaming');
    d.hosts[0].vswitches[0].portGroups[1].policy = { teaming: { standby: ['vmnic0'] } };
    const q = effectivePortGroupPolicy(parsed(d), 'esxi-01', 'VM Network')!;
    // standby stated alone: everything else is active; the vSwitch's active list is not merged in
    expect(q.teaming.order).toEqual({ value: { active: ['vmnic1'], standby: ['vmnic0'], unused: [] }, source: 'portgroup' });
    expect(q.teaming.loadBalancing.source).toBe('vswitch');
  });

  it('T1: uplinks missing from a stated active list are unused; non-uplinks are dropped', () => {
    expect(resolveOrder({ active: ['vmnic1', 'vmnic9'] }, ['vmnic0', 'vmnic1', 'vmnic2'])).toEqual({ active: ['vmnic1'], standby: [], unused: ['vmnic0', 'vmnic2'] });
    expect(resolveOrder(undefined, ['vmnic0', 'vmnic1'])).toEqual({ active: ['vmnic0', 'vmnic1'], standby: [], unused: [] });
    expect(resolveOrder({ unused: ['vmnic0'] }, ['vmnic0', 'vmnic1'])).toEqual({ active: ['vmnic1'], standby: [], unused: ['vmnic0'] });
  });

  it('shaping: built-in values and per-field inheritance', () => {
    const d = example();
    d.hosts[0].vswitches[0].policy.shaping = { enabled: true, averageBps: 10_000_000 };
    d.hosts[0].vswitches[0].portGroups[1].policy = { shaping: { peakBps: 20_000_000 } };
    const p = effectivePortGroupPolicy(parsed(d), 'esxi-01', 'VM Network')!;
    expect(p.shaping.enabled).toEqual({ value: true, source: 'vswitch' });
    expect(p.shaping.averageBps).toEqual({ value: 10_000_000, source: 'vswitch' });
    expect(p.shaping.peakBps).toEqual({ value: 20_000_000, source: 'portgroup' });
    expect(p.shaping.burstBytes).toEqual({ value: BUILTIN_POLICY.shaping.burstBytes, source: 'default' });
  });

  it('Q1: shaping peak below average is an error', () => {
    const d = example();
    d.hosts[0].vswitches[0].policy.shaping = { enabled: true, averageBps: 10_000_000, peakBps: 5_000_000 };
    const r = validateTopology(d);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors).toEqual([expect.objectContaining({ code: 'shaping-peak-below-average', path: 'hosts[0].vswitches[0].policy.shaping' })]);
  });

  it('unknown host, vSwitch or port group -> undefined', () => {
    const t = parsed(example());
    expect(effectiveVSwitchPolicy(t, 'esxi-09', 'vSwitch0')).toBeUndefined();
    expect(effectiveVSwitchPolicy(t, 'esxi-01', 'vSwitch9')).toBeUndefined();
    expect(effectivePortGroupPolicy(t, 'esxi-01', 'Nope')).toBeUndefined();
  });
});
