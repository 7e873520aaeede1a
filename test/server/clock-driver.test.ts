import { describe, expect, it } from 'vitest';
import { ClockDriver } from '../../src/server/clock-driver.js';
import { FakeLab } from './fake-lab.js';
import { defaultTopology } from './helpers.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const FRAME = new Uint8Array(60).fill(0xff);

function labWithHop(hopNs: number): FakeLab {
  const lab = new FakeLab(defaultTopology());
  lab.hopNs = hopNs;
  return lab;
}

function delivered(lab: FakeLab): number {
  return lab.counts.get(lab.deliverTo)?.rx ?? 0;
}

describe('clock driver', () => {
  it('real time: an event 20 ms ahead runs after ~20 ms of wall time, not before', async () => {
    const lab = labWithHop(20_000_000);
    const d = new ClockDriver(lab, { mode: 'realtime' });
    try {
      d.sync();
      const t0 = performance.now();
      lab.inject('web-01:eth0', FRAME);
      d.kick();
      await sleep(5);
      expect(delivered(lab)).toBe(0);
      while (delivered(lab) === 0 && performance.now() - t0 < 1000) await sleep(1);
      const took = performance.now() - t0;
      expect(delivered(lab)).toBe(1);
      expect(took).toBeGreaterThanOrEqual(18);
      expect(took).toBeLessThan(200);
    } finally {
      d.dispose();
    }
  });

  it('real time: a sub-millisecond hop runs within the kick, no timer in between', () => {
    const lab = labWithHop(50_000);
    const d = new ClockDriver(lab, { mode: 'realtime' });
    try {
      d.sync();
      lab.inject('web-01:eth0', FRAME);
      expect(delivered(lab)).toBe(0);
      d.kick();
      expect(delivered(lab)).toBe(1);
    } finally {
      d.dispose();
    }
  });

  it('real time: the virtual clock follows the wall clock (sync before an inject)', async () => {
    const lab = labWithHop(50_000);
    const d = new ClockDriver(lab, { mode: 'realtime' });
    try {
      const v0 = lab.now;
      await sleep(30);
      d.sync();
      const advanced = (lab.now - v0) / 1e6;
      expect(advanced).toBeGreaterThanOrEqual(25);
      expect(advanced).toBeLessThan(200);
    } finally {
      d.dispose();
    }
  });

  it('no busy loop: an event 10 s away costs no work while waiting', async () => {
    const lab = labWithHop(10_000_000_000);
    let polls = 0;
    const next = lab.nextEventTime.bind(lab);
    lab.nextEventTime = () => {
      polls++;
      return next();
    };
    const d = new ClockDriver(lab, { mode: 'realtime' });
    try {
      lab.inject('web-01:eth0', FRAME);
      d.kick();
      const before = polls;
      await sleep(100);
      expect(polls - before).toBe(0);
      expect(delivered(lab)).toBe(0);
    } finally {
      d.dispose();
    }
  });

  it('paused: nothing runs; step runs one event at a time', async () => {
    const lab = labWithHop(50_000);
    const d = new ClockDriver(lab, { mode: 'paused' });
    try {
      lab.inject('web-01:eth0', FRAME);
      lab.inject('web-01:eth0', FRAME);
      d.kick();
      d.sync();
      await sleep(20);
      expect(delivered(lab)).toBe(0);
      expect(d.state()).toMatchObject({ mode: 'paused', next: 50_000 });
      expect(d.step()).toBe(1);
      expect(delivered(lab)).toBe(1);
      expect(d.step(10)).toBe(1);
      expect(d.state().next).toBeNull();
      expect(d.step()).toBe(0);
    } finally {
      d.dispose();
    }
  });

  it('switching to real time runs what is due; a fast-forwarded clock continues from where it is', async () => {
    const lab = labWithHop(50_000);
    const d = new ClockDriver(lab, { mode: 'paused' });
    try {
      lab.inject('web-01:eth0', FRAME);
      d.setMode('realtime');
      await sleep(10);
      expect(delivered(lab)).toBe(1);
      // something runs the virtual clock 5 s ahead (a synchronous ping)
      lab.run({ forNs: 5_000_000_000 });
      const ahead = lab.now;
      lab.inject('web-01:eth0', FRAME);
      d.kick();
      expect(delivered(lab)).toBe(2);
      await sleep(20);
      d.sync();
      expect(lab.now).toBeGreaterThanOrEqual(ahead);
      expect(lab.now - ahead).toBeLessThan(1_000_000_000);
    } finally {
      d.dispose();
    }
  });

  it('yields to the event loop after maxEventsPerTick events', async () => {
    const lab = labWithHop(1000);
    const d = new ClockDriver(lab, { mode: 'paused', maxEventsPerTick: 10 });
    try {
      for (let i = 0; i < 35; i++) lab.inject('web-01:eth0', FRAME);
      d.setMode('realtime');
      expect(delivered(lab)).toBe(10);
      await sleep(20);
      expect(delivered(lab)).toBe(35);
    } finally {
      d.dispose();
    }
  });
});
