/**
 * The clock driver over the real engine, on a wall clock the test moves: vitest's fake timers
 * (setTimeout, setImmediate) and the driver's `hrtimeNs` read the same fake time, so every
 * assertion is about what the driver does at a given moment, never about how fast this machine is.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLab, type Lab } from '../../src/engine/index.js';
import { ClockDriver } from '../../src/server/clock-driver.js';
import { defaultTopology } from './helpers.js';

// web-01 -> broadcast (ARP-like): web-02 gets it at once (same vSwitch); laptop two cables later
const BROADCAST = Uint8Array.from(Buffer.from('ffffffffffff005056a100010806' + '0001080006040001005056a100010a000015000000000000000a000016', 'hex'));

let wallNs = 0;
const hrtimeNs = (): number => wallNs;
/** Moves the fake wall clock and runs the fake timers that fall due on the way. */
function advanceMs(ms: number): void {
  // in 1 ms steps, so that a timer the driver sets while running sees the right wall time
  for (let i = 0; i < ms; i++) {
    wallNs += 1e6;
    vi.advanceTimersByTime(1);
  }
}

function lab(linkLatencyNs: number): Lab {
  return createLab(defaultTopology(), { linkLatencyNs });
}
const rx = (l: Lab, iface: string): number => l.counters(iface).rxFrames;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate'] });
  wallNs = 1e12;
});
afterEach(() => {
  vi.useRealTimers();
});

describe('clock driver (real engine, fake wall clock)', () => {
  it('real time: a copy two 20 ms cables away arrives when the wall clock reaches it, not before', () => {
    const l = lab(20e6);
    const d = new ClockDriver(l, { mode: 'realtime', hrtimeNs });
    try {
      d.sync();
      l.inject('web-01:eth0', BROADCAST);
      d.kick();
      // the same-vSwitch delivery runs within the kick
      expect(rx(l, 'web-02:eth0')).toBe(1);
      expect(rx(l, 'laptop:eth0')).toBe(0);
      advanceMs(38);
      expect(rx(l, 'laptop:eth0')).toBe(0);
      advanceMs(3);
      expect(rx(l, 'laptop:eth0')).toBe(1);
    } finally {
      d.dispose();
    }
  });

  it('real time: the virtual clock follows the wall clock (sync before an inject)', () => {
    const l = lab(1000);
    const d = new ClockDriver(l, { mode: 'realtime', hrtimeNs });
    try {
      const v0 = l.now;
      wallNs += 30e6;
      d.sync();
      expect(l.now - v0).toBe(30e6);
    } finally {
      d.dispose();
    }
  });

  it('no busy loop: an event 10 s away sets one timer and costs no work while waiting', () => {
    const l = lab(10e9);
    let polls = 0;
    const next = l.nextEventTime.bind(l);
    l.nextEventTime = () => {
      polls++;
      return next();
    };
    const d = new ClockDriver(l, { mode: 'realtime', hrtimeNs });
    try {
      l.inject('web-01:eth0', BROADCAST);
      d.kick();
      expect(vi.getTimerCount()).toBe(1);
      const before = polls;
      wallNs += 5e9;
      vi.advanceTimersByTime(5000);
      expect(polls - before).toBe(0);
      expect(rx(l, 'laptop:eth0')).toBe(0);
    } finally {
      d.dispose();
    }
  });

  it('paused: nothing runs whatever the wall clock does; step runs one event at a time', () => {
    const l = lab(1000);
    const d = new ClockDriver(l, { mode: 'paused', hrtimeNs });
    try {
      l.inject('web-01:eth0', BROADCAST);
      d.kick();
      d.sync();
      advanceMs(20);
      expect(rx(l, 'web-02:eth0')).toBe(0);
      expect(d.state().mode).toBe('paused');
      expect(d.state().next).not.toBeNull();
      // one step: the vSwitch's local delivery; the copy on the uplink cable is an event of its own
      expect(d.step()).toBe(1);
      expect(rx(l, 'web-02:eth0')).toBe(1);
      expect(rx(l, 'laptop:eth0')).toBe(0);
      expect(d.step()).toBe(1);
      while (d.step(10) > 0);
      expect(d.state().next).toBeNull();
      expect(rx(l, 'laptop:eth0')).toBe(1);
      expect(d.step()).toBe(0);
    } finally {
      d.dispose();
    }
  });

  it('switching to real time runs what is due; a fast-forwarded clock continues from where it is', () => {
    const l = lab(1000);
    const d = new ClockDriver(l, { mode: 'paused', hrtimeNs });
    try {
      l.inject('web-01:eth0', BROADCAST);
      d.setMode('realtime');
      advanceMs(1);
      expect(rx(l, 'laptop:eth0')).toBe(1);
      // something runs the virtual clock 5 s ahead (a synchronous ping)
      l.run({ forNs: 5_000_000_000 });
      const ahead = l.now;
      l.inject('web-01:eth0', BROADCAST);
      d.kick();
      advanceMs(1);
      expect(rx(l, 'laptop:eth0')).toBe(2);
      wallNs += 20e6;
      d.sync();
      // virtual time went on from where the ping left it, at wall-clock speed
      expect(l.now - ahead).toBeGreaterThanOrEqual(20e6);
      expect(l.now - ahead).toBeLessThan(30e6);
    } finally {
      d.dispose();
    }
  });

  it('yields to the event loop after maxEventsPerTick events, then finishes on the next turn', () => {
    const l = lab(1000);
    const d = new ClockDriver(l, { mode: 'paused', maxEventsPerTick: 10, hrtimeNs });
    try {
      for (let i = 0; i < 35; i++) l.inject('web-01:eth0', BROADCAST);
      d.setMode('realtime');
      expect(d.processed).toBe(10);
      expect(rx(l, 'web-02:eth0')).toBeLessThan(35);
      vi.advanceTimersByTime(0); // the setImmediate turns
      for (let i = 0; i < 1000 && d.state().next !== null; i++) advanceMs(1);
      expect(rx(l, 'web-02:eth0')).toBe(35);
      expect(rx(l, 'laptop:eth0')).toBe(35);
    } finally {
      d.dispose();
    }
  });
});

describe('clock driver: bounded slices while a storm runs (P5)', () => {
  it('a turn stops at its wall-clock budget and yields; the storm then runs on, slice by slice, to its cut', async () => {
    const { Topology } = await import('../../src/topology/schema.js');
    const { ring } = await import('../helpers/storm-ring.js');
    const { resolveFrameSpec } = await import('../../src/engine/frame-spec.js');
    // 1 ns cables: the whole storm is due at once (none of it waits for the wall clock)
    const l = createLab(Topology.parse(ring()), { linkLatencyNs: 1 });
    // a slice clock the test controls: every reading is 1 ms later (never this machine's speed)
    let sliceNow = 0;
    const d = new ClockDriver(l, { mode: 'realtime', hrtimeNs, sliceMs: 10, sliceClockMs: () => ++sliceNow });
    try {
      d.sync();
      // ten broadcasts into the ring: ten storms, about 2,000 events in all
      const arp = resolveFrameSpec(l, 'pc-1:eth0', { kind: 'arp-request', targetIp: '10.9.0.3' });
      for (let i = 0; i < 10; i++) l.inject('pc-1:eth0', arp);
      d.kick();
      // one reading at the start, then one every 64 events: the 10 ms budget ends the turn at 640
      expect(d.processed).toBe(640);
      expect(l.nextEventTime()).not.toBeNull();
      let turns = 1;
      while (l.nextEventTime() !== null && turns < 1000) {
        vi.advanceTimersToNextTimer();
        turns++;
      }
      expect(turns).toBeGreaterThan(2);
      expect(l.nextEventTime()).toBeNull();
      expect(l.storms().count).toBe(10);
    } finally {
      d.dispose();
    }
  });
});

describe('clock driver: a step request is bounded too', () => {
  it('step(100000) into forty storms stops at its wall-clock budget (10 slices) and says how many ran', async () => {
    const { Topology } = await import('../../src/topology/schema.js');
    const { ring } = await import('../helpers/storm-ring.js');
    const { resolveFrameSpec } = await import('../../src/engine/frame-spec.js');
    const l = createLab(Topology.parse(ring()), { linkLatencyNs: 1 });
    let sliceNow = 0;
    const d = new ClockDriver(l, { mode: 'step', hrtimeNs, sliceMs: 10, sliceClockMs: () => ++sliceNow });
    try {
      const arp = resolveFrameSpec(l, 'pc-1:eth0', { kind: 'arp-request', targetIp: '10.9.0.3' });
      for (let i = 0; i < 40; i++) l.inject('pc-1:eth0', arp); // 40 x 208 events
      // one reading at the start, then one every 64 events: the 100 ms budget ends it at 6,400
      expect(d.step(100_000)).toBe(6400);
      expect(l.nextEventTime()).not.toBeNull();
      // the next request goes on from there, to the end
      expect(d.step(100_000)).toBe(40 * 208 - 6400);
      expect(l.storms().count).toBe(40);
    } finally {
      d.dispose();
    }
  });
});
