/**
 * Activities (src/engine/activity.ts): each task's check runs on a fresh lab of the topology it
 * is given; the shipped example vmotion-activity.json fails every task as seeded and passes each
 * one once its fault is fixed — by a runtime change of the running lab (what a learner does in
 * the UI) or by an edit of the file.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { gradeActivity } from '../../src/engine/activity.js';
import { createLab } from '../../src/engine/lab.js';
import { validateTopology } from '../../src/topology/load.js';
import { Topology, type TopologyDoc, type TopologyInput } from '../../src/topology/schema.js';

const FILE = path.resolve(__dirname, '../../topologies/vmotion-activity.json');
const raw = (): TopologyInput => JSON.parse(readFileSync(FILE, 'utf8')) as TopologyInput;

function load(input: unknown): TopologyDoc {
  const r = validateTopology(input);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.topology;
}

describe('activity grading', () => {
  it('as seeded: every task fails, with what its check found', () => {
    const t = load(raw());
    const g = gradeActivity(t, t.activity!);
    expect(g).toMatchObject({ title: 'Make vMotion and jumbo frames work', passed: false, score: 0, total: 4 });
    expect(g.tasks.map((x) => x.passed)).toEqual([false, false, false]);
    expect(g.tasks[0]!.failures).toEqual(['esxi-02/vMotion vlan is 51, expected 50']);
    expect(g.tasks[1]!.failures.join('\n')).toContain('pingSucceeds: no reply');
    expect(g.tasks[2]!.failures).toContain('esxi-02/vSwitch0 mtu is 1500, expected 9000');
  });

  it('the learner\'s runtime changes count: the lab\'s current topology after the VLAN fix and the cable plugged in passes tasks 1 and 2', () => {
    const t = load(raw());
    const lab = createLab(t);
    expect(lab.apply({ kind: 'portgroup', host: 'esxi-02', portGroup: 'vMotion', vlan: 50 }).ok).toBe(true);
    let g = gradeActivity(lab.currentTopology(), t.activity!);
    expect(g.tasks.map((x) => x.passed)).toEqual([true, false, false]);
    expect(g.score).toBe(1);
    expect(lab.apply({ kind: 'link', iface: 'esxi-01:vmnic1', up: true }).ok).toBe(true);
    g = gradeActivity(lab.currentTopology(), t.activity!);
    expect(g.tasks.map((x) => x.passed)).toEqual([true, true, false]);
    // F9: the 9000-byte probe is dropped by esxi-02's vSwitch0 at MTU 1500
    expect(g.tasks[2]!.test!.drops.some((d) => d.reason === 'MTU_EXCEEDED')).toBe(true);
  });

  it('the fixed file passes every task: score 4/4', () => {
    const input = raw() as { hosts: Array<{ vswitches: Array<{ mtu?: number; portGroups: Array<{ vlan: number }> }> }>; links: Array<{ up?: boolean }> };
    input.hosts[1]!.vswitches[0]!.portGroups[1]!.vlan = 50;
    input.links[1]!.up = true;
    input.hosts[1]!.vswitches[0]!.mtu = 9000;
    const t = load(input);
    const g = gradeActivity(t, t.activity!);
    expect(g.tasks.map((x) => [x.title, x.failures])).toEqual(t.activity!.tasks.map((x) => [x.title, []]));
    expect(g).toMatchObject({ passed: true, score: 4, total: 4 });
  });

  it('checks: a MAC table entry after the ping, an effective policy value, and errors as failures (never a throw)', () => {
    const input = raw() as Record<string, unknown>;
    input.activity = {
      title: 'checks',
      tasks: [
        {
          title: 'tor-1 learns app-02 on eth4 (esxi-02 pins it to vmnic1, T2)',
          check: { ping: { from: 'app-01:eth0', to: '10.0.10.22', count: 1 }, expect: { pingSucceeds: true }, macTable: [{ switch: 'tor-1', mac: 'app-02:eth0', port: 'tor-1:eth4', vlan: 10 }] },
        },
        { title: 'forged transmits reject on VM Network', check: { setting: [{ host: 'esxi-01', portGroup: 'VM Network', value: 'security.forgedTransmits', equals: 'reject' }] } },
        { title: 'vMotion teaming active vmnic1', check: { setting: [{ host: 'esxi-01', portGroup: 'vMotion', value: 'teaming.active', equals: ['vmnic1'] }] } },
        { title: 'a bad interface', check: { ping: { from: 'nope:eth0', to: '10.0.10.22' }, expect: { pingSucceeds: true } } },
        { title: 'an unknown switch', check: { macTable: [{ switch: 'tor-9', mac: '00:50:56:a5:00:02', port: null }] } },
      ],
    };
    const t = load(input);
    const g = gradeActivity(t, t.activity!);
    expect(g.tasks[0]!.failures).toEqual([]);
    expect(g.tasks.map((x) => x.passed)).toEqual([true, true, true, false, false]);
    expect(g.tasks[3]!.failures[0]).toMatch(/^error: .*nope:eth0/);
    expect(g.tasks[4]!.failures[0]).toMatch(/tor-9/);
  });

  it('the schema: a check needs something to check, and expect needs a send or ping', () => {
    const base = raw() as Record<string, unknown>;
    const withCheck = (check: unknown) => Topology.safeParse({ ...base, activity: { title: 'x', tasks: [{ title: 't', check }] } });
    expect(withCheck({}).success).toBe(false);
    expect(withCheck({ expect: { pingSucceeds: true } }).success).toBe(false);
    expect(withCheck({ setting: [{ host: 'esxi-01', portGroup: 'vMotion', value: 'vlan', equals: 50 }] }).success).toBe(true);
  });
});
