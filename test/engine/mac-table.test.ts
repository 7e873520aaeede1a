/**
 * P1 — the physical switch's MAC table: aging, moves, and eviction of the entry seen longest ago
 * when full, checked against a plain reference model (an array in last-seen order) on random
 * sequences of learns, lookups, link-downs and clock jumps.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MacTable } from '../../src/engine/mac-table.js';

interface RefEntry {
  mac: number;
  vlan: number;
  port: number;
  lastSeen: number;
}

/** The rules as written in docs/vss-behaviour.md P1, with nothing clever. */
class ReferenceTable {
  entries: RefEntry[] = []; // oldest first
  constructor(
    readonly agingNs: number,
    readonly capacity: number,
  ) {}
  private expired(e: RefEntry, now: number): boolean {
    return this.agingNs > 0 && now - e.lastSeen >= this.agingNs;
  }
  purge(now: number): void {
    this.entries = this.entries.filter((e) => !this.expired(e, now));
  }
  lookup(mac: number, vlan: number, now: number): number {
    const e = this.entries.find((x) => x.mac === mac && x.vlan === vlan);
    return e === undefined || this.expired(e, now) ? -1 : e.port;
  }
  learn(mac: number, vlan: number, port: number, now: number): { outcome: string; movedFrom: number; evicted: RefEntry | null } {
    this.purge(now);
    const i = this.entries.findIndex((x) => x.mac === mac && x.vlan === vlan);
    if (i >= 0) {
      const e = this.entries[i]!;
      const movedFrom = e.port !== port ? e.port : -1;
      this.entries.splice(i, 1);
      this.entries.push({ mac, vlan, port, lastSeen: now });
      return { outcome: movedFrom >= 0 ? 'move' : 'refresh', movedFrom, evicted: null };
    }
    let evicted: RefEntry | null = null;
    if (this.entries.length >= this.capacity) evicted = this.entries.shift()!;
    this.entries.push({ mac, vlan, port, lastSeen: now });
    return { outcome: 'new', movedFrom: -1, evicted };
  }
  flushPort(port: number): void {
    this.entries = this.entries.filter((e) => e.port !== port);
  }
}

type Op =
  | { k: 'learn'; mac: number; vlan: number; port: number; dt: number }
  | { k: 'lookup'; mac: number; vlan: number; dt: number }
  | { k: 'flush'; port: number }
  | { k: 'purge'; dt: number };

// few MACs, VLANs and ports so that refreshes, moves, evictions and aging all happen often
const MACS = [0x005056a10001, 0x005056a10002, 0x001b213a4c10, 0x00000c9ff001, 0xfeffffffffff, 0x000000000001];
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ k: fc.constant('learn' as const), mac: fc.constantFrom(...MACS), vlan: fc.constantFrom(1, 10, 4094), port: fc.integer({ min: 0, max: 3 }), dt: fc.integer({ min: 0, max: 40 }) }),
  fc.record({ k: fc.constant('lookup' as const), mac: fc.constantFrom(...MACS), vlan: fc.constantFrom(1, 10, 4094), dt: fc.integer({ min: 0, max: 40 }) }),
  fc.record({ k: fc.constant('flush' as const), port: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ k: fc.constant('purge' as const), dt: fc.integer({ min: 0, max: 200 }) }),
);

describe('P1: MAC table (intrusive LRU) against the reference rules', () => {
  it('property: lookups, learn outcomes, moves, evictions and the rows (oldest first) agree with the reference', () => {
    fc.assert(
      fc.property(fc.constantFrom(0, 100), fc.integer({ min: 1, max: 8 }), fc.array(op, { maxLength: 120 }), (aging, capacity, ops) => {
        const t = new MacTable(aging, capacity);
        const ref = new ReferenceTable(aging, capacity);
        let now = 0;
        for (const o of ops) {
          if (o.k === 'learn') {
            now += o.dt;
            const got = t.learn(o.mac, o.vlan, o.port, now);
            const want = ref.learn(o.mac, o.vlan, o.port, now);
            expect(got).toBe(want.outcome);
            expect(t.lastMovedFrom).toBe(want.movedFrom);
            expect(t.lastEvicted === null ? null : { mac: t.lastEvicted.mac, vlan: t.lastEvicted.vlan, port: t.lastEvicted.port }).toEqual(
              want.evicted === null ? null : { mac: want.evicted.mac, vlan: want.evicted.vlan, port: want.evicted.port },
            );
          } else if (o.k === 'lookup') {
            now += o.dt;
            expect(t.lookup(o.mac, o.vlan, now)).toBe(ref.lookup(o.mac, o.vlan, now));
          } else if (o.k === 'flush') {
            t.flushPort(o.port);
            ref.flushPort(o.port);
          } else {
            now += o.dt;
            t.purge(now);
            ref.purge(now);
          }
          const name = (i: number): string => `p${i}`;
          expect(t.rows(now, name)).toEqual(
            ref.entries.filter((e) => !(aging > 0 && now - e.lastSeen >= aging)).map((e) => ({
              mac: expect.any(String),
              vlan: e.vlan,
              port: name(e.port),
              ageSeconds: Math.floor((now - e.lastSeen) / 1e9),
            })),
          );
          expect(t.rows(now, name).map((r) => r.mac)).toEqual(
            ref.entries.filter((e) => !(aging > 0 && now - e.lastSeen >= aging)).map((e) => e.mac.toString(16).padStart(12, '0').match(/../g)!.join(':')),
          );
        }
      }),
      { numRuns: 300 },
    );
  });

  it('property: with many MACs and VLANs (hash collisions, deletions from the middle of probe runs, growth) lookups and rows still agree with the reference', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.array(
          fc.record({
            k: fc.constantFrom('learn', 'learn', 'learn', 'lookup', 'flush'),
            mac: fc.integer({ min: 0, max: 600 }),
            hi: fc.constantFrom(0, 0x005056, 0xffffff),
            vlan: fc.constantFrom(1, 2, 4094),
            port: fc.integer({ min: 0, max: 5 }),
          }),
          { maxLength: 1500 },
        ),
        (capacity, ops) => {
          const t = new MacTable(0, capacity);
          const ref = new ReferenceTable(0, capacity);
          let now = 0;
          for (const o of ops) {
            const mac = o.hi * 0x1000000 + ((o.mac * 0x9e37) % 0x1000000);
            now++;
            if (o.k === 'learn') {
              expect(t.learn(mac, o.vlan, o.port, now)).toBe(ref.learn(mac, o.vlan, o.port, now).outcome);
            } else if (o.k === 'lookup') {
              expect(t.lookup(mac, o.vlan, now)).toBe(ref.lookup(mac, o.vlan, now));
            } else {
              t.flushPort(o.port);
              ref.flushPort(o.port);
            }
          }
          expect(t.size).toBe(ref.entries.length);
          for (const e of ref.entries) expect(t.lookup(e.mac, e.vlan, now)).toBe(e.port);
          expect(t.rows(now, String).map((r) => `${r.mac}/${r.vlan}/${r.port}`)).toEqual(
            ref.entries.map((e) => `${e.mac.toString(16).padStart(12, '0').match(/../g)!.join(':')}/${e.vlan}/${e.port}`),
          );
        },
      ),
      { numRuns: 150 },
    );
  });

  it('a refresh moves an entry to the young end: the next eviction takes the one seen longest ago, not the one learned first', () => {
    const t = new MacTable(0, 2);
    t.learn(1, 1, 0, 0);
    t.learn(2, 1, 0, 1);
    t.learn(1, 1, 0, 2); // 1 refreshed: 2 is now the oldest
    t.learn(3, 1, 0, 3);
    expect(t.lastEvicted?.mac).toBe(2);
    expect(t.lookup(1, 1, 3)).toBe(0);
    expect(t.lookup(2, 1, 3)).toBe(-1);
    expect(t.size).toBe(2);
  });

  it('100,000 learned MACs: every one found on its port, the oldest evicted first past capacity', () => {
    const n = 100_000;
    const t = new MacTable(0, n);
    for (let i = 0; i < n; i++) t.learn(0x020000000000 + i, 1, i % 48, i);
    expect(t.size).toBe(n);
    for (let i = 0; i < n; i += 997) expect(t.lookup(0x020000000000 + i, 1, n)).toBe(i % 48);
    t.learn(0x030000000000, 1, 1, n);
    expect(t.lastEvicted?.mac).toBe(0x020000000000);
    expect(t.size).toBe(n);
  });
});
