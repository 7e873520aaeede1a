/**
 * An endpoint's IPv6 neighbour cache (rule E4; RFC 4861 section 7.3): IPv6 -> MAC per L3
 * interface, in one of three states:
 * - INCOMPLETE: a neighbour solicitation was sent, no advertisement yet (no MAC);
 * - REACHABLE: confirmed by a solicited advertisement, for `REACHABLE_TIME_NS` (30 s);
 * - STALE: learned without confirmation (an NS's source link-layer option, an unsolicited NA)
 *   or a REACHABLE entry whose time ran out; still used for sending (the lab does no
 *   DELAY/PROBE unreachability detection), removed `staleNs` (the ARP timeout) later.
 * States move lazily (on lookup and listing), so the cache needs no timer of its own.
 */
import { formatMac } from '../wire/mac.js';
import { ipv6ToString } from '../wire/ip.js';
import type { EndpointNeighbourEntry } from './endpoint.js';

/** RFC 4861 REACHABLE_TIME (30 s; Linux base_reachable_time_ms). */
export const REACHABLE_TIME_NS = 30_000_000_000;

export type NeighbourState = 'INCOMPLETE' | 'REACHABLE' | 'STALE';

export interface NeighbourEntry {
  ifIndex: number;
  ip: Uint8Array;
  /** null while INCOMPLETE */
  mac: Uint8Array | null;
  state: NeighbourState;
  /** REACHABLE: when it turns STALE; STALE: when it is removed; INCOMPLETE: unused */
  until: number;
}

export function neighbourKey(ifIndex: number, ip: Uint8Array): string {
  let s = `${ifIndex}/`;
  for (let i = 0; i < 16; i++) s += ip[i]!.toString(16).padStart(2, '0');
  return s;
}

export class NeighbourCache {
  private readonly entries = new Map<string, NeighbourEntry>();

  constructor(private readonly staleNs: number) {}

  private age(key: string, e: NeighbourEntry, now: number): NeighbourEntry | undefined {
    if (e.state === 'REACHABLE' && e.until <= now) {
      e.state = 'STALE';
      e.until += this.staleNs;
    }
    if (e.state === 'STALE' && e.until <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  /** The entry (any state), aged to `now`; undefined when none. */
  get(ifIndex: number, ip: Uint8Array, now: number): NeighbourEntry | undefined {
    const key = neighbourKey(ifIndex, ip);
    const e = this.entries.get(key);
    return e ? this.age(key, e, now) : undefined;
  }

  /** The MAC to send to (REACHABLE or STALE), or undefined. */
  lookup(ifIndex: number, ip: Uint8Array, now: number): Uint8Array | undefined {
    return this.get(ifIndex, ip, now)?.mac ?? undefined;
  }

  /** Creates the INCOMPLETE entry of a resolution (no-op when an entry exists). */
  incomplete(ifIndex: number, ip: Uint8Array, now: number): void {
    if (this.get(ifIndex, ip, now)) return;
    this.entries.set(neighbourKey(ifIndex, ip), { ifIndex, ip: ip.slice(), mac: null, state: 'INCOMPLETE', until: 0 });
  }

  /** The clock's base moved forward by `deltaNs` (Fabric.rebase). */
  rebase(deltaNs: number): void {
    for (const e of this.entries.values()) if (e.state !== 'INCOMPLETE') e.until -= deltaNs;
  }

  /** Drops an entry (a resolution that failed). */
  remove(ifIndex: number, ip: Uint8Array): void {
    this.entries.delete(neighbourKey(ifIndex, ip));
  }

  /** Sets the entry's MAC and state (creating it); `mac` is copied. */
  set(ifIndex: number, ip: Uint8Array, mac: Uint8Array, state: 'REACHABLE' | 'STALE', now: number): void {
    const key = neighbourKey(ifIndex, ip);
    const until = now + (state === 'REACHABLE' ? REACHABLE_TIME_NS : this.staleNs);
    const e = this.entries.get(key);
    if (e) {
      e.mac = mac.slice(0, 6);
      e.state = state;
      e.until = until;
    } else this.entries.set(key, { ifIndex, ip: ip.slice(), mac: mac.slice(0, 6), state, until });
  }

  /** Entries, formatted; `vlanOf` gives the VLAN of an interface index (undefined: untagged). */
  list(now: number, vlanOf: (ifIndex: number) => number | undefined): EndpointNeighbourEntry[] {
    const out: EndpointNeighbourEntry[] = [];
    for (const [key, raw] of [...this.entries]) {
      const e = this.age(key, raw, now);
      if (!e) continue;
      const row: EndpointNeighbourEntry = { ip: ipv6ToString(e.ip), mac: e.mac ? formatMac(e.mac) : null, state: e.state, expiresAt: e.state === 'INCOMPLETE' ? now : e.until };
      const vlan = vlanOf(e.ifIndex);
      if (vlan !== undefined) row.vlan = vlan;
      out.push(row);
    }
    return out;
  }
}
