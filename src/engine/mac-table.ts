/**
 * P1 — a physical switch's MAC address table: (MAC, VLAN) -> port, learned from source
 * addresses on the virtual clock. An entry not refreshed for the aging time is gone (0 = never
 * age); a MAC seen on another port moves; the table is bounded and, when full, the entry seen
 * longest ago is evicted first.
 *
 * Entries live in one Set kept in last-seen order (refresh = delete + add), so the oldest entry
 * is always first: aging and eviction look only at the front.
 */
import { macNumberToString } from '../wire/index.js';

export interface MacEntry {
  mac: number;
  vlan: number;
  /** interface index of the port */
  port: number;
  lastSeen: number;
}

export interface MacTableRow {
  mac: string;
  vlan: number;
  port: string;
  ageSeconds: number;
}

export type LearnOutcome = 'new' | 'refresh' | 'move';

export class MacTable {
  /** per VLAN: MAC -> entry */
  private readonly byVlan = new Map<number, Map<number, MacEntry>>();
  /** every entry, least recently seen first */
  private readonly order = new Set<MacEntry>();
  /** port of the entry an eviction or move displaced (read after `learn`) */
  lastMovedFrom = -1;
  lastEvicted: MacEntry | null = null;

  constructor(
    /** aging time in ns; 0 = never */
    readonly agingNs: number,
    readonly capacity: number,
  ) {}

  get size(): number {
    return this.order.size;
  }

  private expired(e: MacEntry, now: number): boolean {
    return this.agingNs > 0 && now - e.lastSeen >= this.agingNs;
  }

  private remove(e: MacEntry): void {
    this.order.delete(e);
    this.byVlan.get(e.vlan)?.delete(e.mac);
  }

  /** Drops entries whose age reached the aging time. */
  purge(now: number): void {
    if (this.agingNs <= 0) return;
    for (const e of this.order) {
      if (!this.expired(e, now)) break;
      this.remove(e);
    }
  }

  /** Port index for (mac, vlan), or -1 when unknown or aged out. Read-only (aged entries are only skipped). */
  lookup(mac: number, vlan: number, now: number): number {
    const e = this.byVlan.get(vlan)?.get(mac);
    if (e === undefined || this.expired(e, now)) return -1;
    return e.port;
  }

  /** Learns `mac` in `vlan` on `port` at `now`. */
  learn(mac: number, vlan: number, port: number, now: number): LearnOutcome {
    this.purge(now);
    this.lastEvicted = null;
    this.lastMovedFrom = -1;
    let m = this.byVlan.get(vlan);
    if (m === undefined) {
      m = new Map();
      this.byVlan.set(vlan, m);
    }
    const e = m.get(mac);
    if (e !== undefined) {
      const moved = e.port !== port;
      if (moved) this.lastMovedFrom = e.port;
      e.port = port;
      e.lastSeen = now;
      this.order.delete(e);
      this.order.add(e);
      return moved ? 'move' : 'refresh';
    }
    if (this.order.size >= this.capacity) {
      const oldest = this.order.values().next().value as MacEntry;
      this.remove(oldest);
      this.lastEvicted = oldest;
    }
    const n: MacEntry = { mac, vlan, port, lastSeen: now };
    m.set(mac, n);
    this.order.add(n);
    return 'new';
  }

  /** Forgets every entry on `port` (its link went down). */
  flushPort(port: number): void {
    for (const e of [...this.order]) if (e.port === port) this.remove(e);
  }

  /** Current entries (aged ones left out), oldest first. */
  rows(now: number, portName: (idx: number) => string): MacTableRow[] {
    const out: MacTableRow[] = [];
    for (const e of this.order) {
      if (this.expired(e, now)) continue;
      out.push({ mac: macNumberToString(e.mac), vlan: e.vlan, port: portName(e.port), ageSeconds: Math.floor((now - e.lastSeen) / 1e9) });
    }
    return out;
  }

  /** A deep copy of the entries in order (explain's no-change proof). */
  snapshot(): MacEntry[] {
    return [...this.order].map((e) => ({ ...e }));
  }
}
