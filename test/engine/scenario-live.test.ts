/**
 * A timed scenario played on a running lab (startScenario): it starts where the lab's clock is,
 * happens as the clock reaches its steps (step by step or run), among other traffic, and — being
 * one journaled input of the lab — a restore (Back, Reset, a jump) brings back the lab and the
 * run exactly as a fresh lab given the same inputs has them at that moment.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createLab, type Lab } from '../../src/engine/lab.js';
import { LabError } from '../../src/engine/lab-error.js';
import { currentScenario, runScenario, startScenario } from '../../src/engine/scenario.js';
import { buildEthernet } from '../../src/wire/index.js';
import { load } from './workload.js';

const failover = JSON.parse(readFileSync(new URL('../../topologies/scenarios/teaming-failover.json', import.meta.url), 'utf8')) as { duration: string };

/** What a learner or a test can observe of the lab and of its scenario, as plain data. */
function state(lab: Lab): unknown {
  const f = lab.fabric;
  return {
    now: f.now,
    frameSeq: f.frameSeq,
    copySeq: f.copySeq,
    next: lab.nextEventTime(),
    queued: f.queue.size,
    counters: lab.allCounters(),
    macTables: f.switches.map((s) => lab.macTable(s.name)),
    interfaces: lab.interfaces(),
    topology: lab.currentTopology(),
    scenario: currentScenario(lab)?.progress() ?? null,
  };
}

/** The inputs of the run under test, in order. */
function inputs(): ((lab: Lab) => void)[] {
  return [
    // some traffic of the learner's before the scenario: the lab's clock is not at 0
    (lab) => {
      const v = lab.interfaces().find((i) => i.id === 'client:eth0')!;
      lab.inject(v.id, buildEthernet({ src: v.mac!, dst: 'ff:ff:ff:ff:ff:ff', ethertype: 0x88b5, payload: new Uint8Array(46) }));
    },
    (lab) => lab.run({ forNs: 300_000_000 }),
    (lab) => startScenario(lab, failover),
    (lab) => lab.run({ forNs: 1_900_000_000 }),
    // up to the link change at scenario time 2 s, one event at a time
    (lab) => {
      for (let k = 0; k < 40; k++) lab.step();
    },
    (lab) => lab.run({ forNs: 2_500_000_000 }),
    (lab) => lab.apply({ kind: 'link', iface: 'esxi-01:vmnic2', up: false }),
    (lab) => lab.run(),
  ];
}

describe('a scenario on a running lab', () => {
  it('starts at the lab clock, waits for it, and ends as the same scenario on a fresh lab ends', () => {
    const doc = load('teaming.json');
    const lab = createLab(doc);
    lab.run({ forNs: 300_000_000 });
    const run = startScenario(lab, failover);
    expect(run.startNs).toBe(300_000_000);
    // nothing has happened yet: the first change waits for the clock
    expect(run.progress().timeline.map((e) => e.kind)).toEqual(['start']);
    lab.run({ forNs: 1_999_000_000 });
    expect(run.progress().timeline.some((e) => e.kind === 'change')).toBe(false);
    lab.run({ forNs: 2_000_000 });
    const p = run.progress();
    expect(p.timeline.find((e) => e.kind === 'change')).toMatchObject({ time: 2e9 });
    expect(p.done).toBe(false);
    expect(p.checks).toEqual([]);
    lab.run({ forNs: 2_100_000_000 });
    const mid = run.progress().checks;
    expect(mid.map((c) => c.what.slice(0, 10))).toEqual(['at 4.000s:', 'at 4.000s:']);
    expect(mid.every((c) => c.ok)).toBe(true);
    lab.run();
    const end = run.progress();
    expect(end.done).toBe(true);
    expect(end.elapsedNs).toBe(end.durationNs);
    // scenario times count from its start: the result is the fresh lab's, line for line
    const fresh = runScenario(doc, failover);
    expect(end.passed).toBe(true);
    expect({ timeline: end.timeline, checks: end.checks, pings: end.pings }).toEqual({ timeline: fresh.timeline, checks: fresh.checks, pings: fresh.pings });
    expect(currentScenario(lab)).toBe(run);
  });

  it('a restore to any moment of a scenario run is the lab and the run a fresh lab reaches with the same inputs', () => {
    const doc = load('teaming.json');
    const steps = inputs();
    const lab = createLab(doc, { history: true });
    const seen: string[] = [];
    lab.trace.subscribe((e) => seen.push(e.action));
    const snaps = [lab.snapshot()];
    const states = [state(lab)];
    for (const fn of steps) {
      fn(lab);
      snaps.push(lab.snapshot());
      states.push(state(lab));
    }
    expect(currentScenario(lab)!.progress().done).toBe(true);
    expect(seen).toContain('change');
    // go back to each moment (the scenario not yet started, mid-run, done) in an odd order
    for (const k of [4, 2, 0, 5, 3, 1, 7, 6]) {
      // (every other restore runs on the base built ahead of time, as the server prepares one)
      if (k % 2 === 0) lab.prepareRestore();
      lab.restore(snaps[k]!);
      expect(state(lab), `restored to after input ${k}`).toEqual(states[k]);
      const fresh = createLab(doc, { history: true });
      for (let i = 0; i < k; i++) steps[i]!(fresh);
      expect(state(fresh), `fresh lab after ${k} inputs`).toEqual(states[k]);
    }
    // from a mid-run moment, the clock plays the rest of the scenario as the first time
    lab.restore(snaps[4]!);
    for (let i = 4; i < steps.length; i++) steps[i]!(lab);
    expect(state(lab)).toEqual(states[steps.length]);
    // Back then Step: a step re-takes what the first step did, the scenario's timers included
    lab.restore(snaps[4]!);
    lab.step();
    const once = state(lab);
    lab.restore(snaps[4]!);
    lab.step();
    expect(state(lab)).toEqual(once);
    // and a scenario started after going back replaces the undone future, like any other input
    lab.restore(snaps[1]!);
    expect(currentScenario(lab)).toBeNull();
  });

  it('a bad scenario starts nothing: a step after its end, a ping from a switch port', () => {
    const lab = createLab(load('teaming.json'), { history: true });
    const before = lab.history().position;
    expect(() => startScenario(lab, { name: 'x', duration: '1s', steps: [{ at: '2s', check: {} }] })).toThrow(LabError);
    expect(() => startScenario(lab, { name: 'x', duration: '1s', pings: [{ from: 'tor-1:eth1', to: '10.0.0.21' }] })).toThrow(/not an endpoint/);
    expect(lab.history().position).toBe(before);
    expect(lab.programs()).toEqual([]);
    expect(lab.nextEventTime()).toBeNull();
  });
});
