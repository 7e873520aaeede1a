import { describe, expect, it } from 'vitest';
import { SHAPING_QUEUE_FRAMES } from '../../src/engine/traffic-shaping.js';
import { PH1, frame, host, makeLab, topology, vm, vmMac } from './fixtures.js';

const SINK = 'ph1:eth0';

/** esxi-01 with "Shaped" (VLAN 0) and "Free"; VM s in Shaped, f in Free; ph1 on an access port. */
function shapedLab(shaping: { averageBps: number; peakBps: number; burstBytes: number } | null) {
  return makeLab(
    topology({
      hosts: [host({
        uplinks: 1,
        portGroups: [
          { name: 'Shaped', vlan: 0, policy: shaping ? { shaping: { enabled: true, ...shaping } } : undefined },
          { name: 'Free', vlan: 0 },
        ],
      })],
      vms: [vm('s', 'Shaped', vmMac(1)), vm('f', 'Free', vmMac(2))],
      physicalSwitches: [{ name: 'tor-1', ports: [{ name: 'eth0', mode: 'access', vlan: 1 }, { name: 'eth9', mode: 'access', vlan: 1 }] }],
      physicalHosts: [{ name: 'ph1', nics: [{ name: 'eth0', mac: PH1 }] }],
      links: [{ a: 'esxi-01:vmnic0', b: 'tor-1:eth0' }, { a: 'ph1:eth0', b: 'tor-1:eth9' }],
    }),
  );
}

/** Offers `count` frames of `len` bytes from `from`, one every `intervalNs`, then runs to the end. */
function offer(t: ReturnType<typeof shapedLab>, from: string, src: string, count: number, intervalNs: number, len = 1000, runAfterNs = 0): void {
  const f = frame(src, PH1, undefined, len - 14);
  for (let k = 0; k < count; k++) {
    const at = k * intervalNs;
    if (at > t.lab.now) t.lab.run({ forNs: at - t.lab.now });
    t.lab.inject(from, f);
  }
  t.lab.run({ forNs: runAfterNs });
}

const arrivals = (t: ReturnType<typeof shapedLab>) => t.delivers().filter((e) => e.port === SINK).map((e) => e.time);

describe('traffic shaping (Q1)', () => {
  it('Q1: the burst leaves at up to peak rate, then frames leave at the average rate', () => {
    const t = shapedLab({ averageBps: 1_000_000, peakBps: 10_000_000, burstBytes: 10_000 });
    offer(t, 's:eth0', vmMac(1), 40, 0, 1000, 1e9);
    const at = arrivals(t);
    const gaps = at.slice(1).map((x, i) => x - at[i]!);
    // while tokens last: one frame per 1000*8/10e6 s = 0.8 ms (peak)
    expect(gaps[0]).toBeCloseTo(800_000, -2);
    const peakFrames = gaps.filter((g) => Math.abs(g - 800_000) < 1000).length;
    // 10 000-byte burst plus what accrues meanwhile (100 bytes per 0.8 ms): 11 frames at peak spacing
    expect(peakFrames).toBeGreaterThanOrEqual(9);
    expect(peakFrames).toBeLessThanOrEqual(11);
    // then 1000*8/1e6 s = 8 ms apart (average)
    for (const g of gaps.slice(12)) expect(g).toBeCloseTo(8_000_000, -3);
    expect(t.events.filter((e) => e.action === 'shape' && e.rule === 'Q1').length).toBeGreaterThan(0);
  });

  it('Q1: over a long stream the measured rate is within 1% of the average once the burst is spent', () => {
    const avg = 2_000_000;
    const t = shapedLab({ averageBps: avg, peakBps: 4_000_000, burstBytes: 50_000 });
    // offer 3 Mbit/s of 500-byte frames for 12 s (more than average, less than peak)
    offer(t, 's:eth0', vmMac(1), 9000, 1_333_333, 500, 0);
    const from = 3e9;
    const to = 12e9;
    const bytes = t.delivers().filter((e) => e.port === SINK && e.time >= from && e.time < to).reduce((n, e) => n + e.frame!.length, 0);
    const bps = (bytes * 8) / ((to - from) / 1e9);
    expect(Math.abs(bps - avg) / avg).toBeLessThan(0.01);
    // the first 50 000 bytes went faster than average (burst honoured)
    const early = t.delivers().filter((e) => e.port === SINK && e.time < 0.1e9).reduce((n, e) => n + e.frame!.length, 0);
    expect((early * 8) / 0.1).toBeGreaterThan(2.5 * 1e6);
  });

  it('Q1: a full queue drops SHAPING_QUEUE_FULL at the port; the queue holds 500 frames', () => {
    const t = shapedLab({ averageBps: 1_000_000, peakBps: 1_000_000, burstBytes: 2_000 });
    offer(t, 's:eth0', vmMac(1), 800, 0, 1000, 0); // 800 frames at once
    const drops = t.drops('SHAPING_QUEUE_FULL');
    // 1 passes at once (the next must wait for the peak-rate line), 500 wait, the rest is dropped
    expect(drops).toHaveLength(800 - 1 - SHAPING_QUEUE_FRAMES);
    expect(drops.every((d) => d.port === 's:eth0' && d.rule === 'Q1' && /queue of s:eth0 is full \(500 frames\)/.test(d.detail))).toBe(true);
    expect(t.lab.counters('s:eth0').drops.SHAPING_QUEUE_FULL).toBe(299);
    t.lab.run();
    expect(arrivals(t)).toHaveLength(501);
    expect(t.lab.counters('s:eth0').txFrames).toBe(800); // the guest sent them all
  });

  it('Q1: ports without shaping are not delayed; shaping can be switched on and off at runtime', () => {
    const t = shapedLab(null);
    offer(t, 'f:eth0', vmMac(2), 50, 0, 1000, 0);
    offer(t, 's:eth0', vmMac(1), 50, 0, 1000, 1e6);
    expect(new Set(arrivals(t)).size).toBe(1); // all at the same instant
    expect(t.lab.apply({ kind: 'portgroup', host: 'esxi-01', portGroup: 'Shaped', policy: { shaping: { enabled: true, averageBps: 1_000_000, peakBps: 1_000_000, burstBytes: 1000 } } }).ok).toBe(true);
    t.events.length = 0;
    offer(t, 's:eth0', vmMac(1), 5, 0, 1000, 1e6);
    expect(arrivals(t)).toHaveLength(1);
    // switching shaping off lets the waiting frames go at once
    expect(t.lab.apply({ kind: 'portgroup', host: 'esxi-01', portGroup: 'Shaped', policy: { shaping: null } }).ok).toBe(true);
    t.lab.run({ forNs: 0 });
    t.lab.run();
    expect(arrivals(t)).toHaveLength(5);
    expect(new Set(arrivals(t).slice(1)).size).toBe(1);
  });
});
