/**
 * An endpoint's ARP cache (rule E1): IPv4 -> MAC per L3 interface, each entry living
 * `arpTimeoutNs` of virtual time from its last confirmation. Expired entries are dropped lazily
 * (on lookup and listing), so the cache needs no timer of its own.
 *
 * Keys are plain numbers (interface index * 2^32 + address), so a lookup allocates nothing.
 */
import { formatMac } from '../wire/mac.js';
import { ipv4ToString } from '../wire/ip.js';
import type { EndpointArpEntry } from './endpoint.js';

export interface ArpCacheEntry {
  /** index of the L3 interface (in the stack's interface list) the neighbour was seen on */
  ifIndex: number;
  ip: number;
  /** the neighbour's MAC, 6 bytes owned by the cache */
  mac: Uint8Array;
  expiresAt: number;
}

/** 2^32: interface index above the 32 address bits of a key. */
const IF_SHIFT = 0x1_0000_0000;

export function arpKey(ifIndex: number, ip: number): number {
  return ifIndex * IF_SHIFT + ip;
}

export class ArpCache {
  private readonly entries = new Map<number, ArpCacheEntry>();

  constructor(private readonly timeoutNs: number) {}

  /** The live entry for `ip` on interface `ifIndex`, or undefined (an expired one is removed). */
  lookup(ifIndex: number, ip: number, now: number): ArpCacheEntry | undefined {
    const key = arpKey(ifIndex, ip);
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  /**
   * Creates or refreshes the entry (the MAC is copied from `macBytes` at `macOffset`).
   * Returns 'new' when created, 'changed' when the MAC moved, 'refreshed' when only the
   * lifetime was renewed.
   */
  learn(ifIndex: number, ip: number, macBytes: Uint8Array, macOffset: number, now: number): 'new' | 'changed' | 'refreshed' {
    const key = arpKey(ifIndex, ip);
    const expiresAt = now + this.timeoutNs;
    const e = this.entries.get(key);
    if (e && e.expiresAt > now) {
      let same = true;
      for (let i = 0; i < 6; i++) {
        if (e.mac[i] !== macBytes[macOffset + i]) {
          same = false;
          e.mac[i] = macBytes[macOffset + i]!;
        }
      }
      e.expiresAt = expiresAt;
      return same ? 'refreshed' : 'changed';
    }
    this.entries.set(key, { ifIndex, ip, mac: macBytes.slice(macOffset, macOffset + 6), expiresAt });
    return 'new';
  }

  /** True when a live entry exists (RFC 826 "merge": only existing entries are updated by third-party ARP). */
  /** The clock's base moved forward by `deltaNs` (Fabric.rebase). */
  rebase(deltaNs: number): void {
    for (const e of this.entries.values()) e.expiresAt -= deltaNs;
  }

  has(ifIndex: number, ip: number, now: number): boolean {
    return this.lookup(ifIndex, ip, now) !== undefined;
  }

  /** Live entries, formatted; `vlanOf` gives the VLAN of an interface index (undefined: untagged). */
  list(now: number, vlanOf: (ifIndex: number) => number | undefined): EndpointArpEntry[] {
    const out: EndpointArpEntry[] = [];
    for (const [key, e] of this.entries) {
      if (e.expiresAt <= now) {
        this.entries.delete(key);
        continue;
      }
      const entry: EndpointArpEntry = { ip: ipv4ToString(e.ip), mac: formatMac(e.mac), expiresAt: e.expiresAt };
      const vlan = vlanOf(e.ifIndex);
      if (vlan !== undefined) entry.vlan = vlan;
      out.push(entry);
    }
    return out;
  }
}
