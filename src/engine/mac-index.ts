/**
 * F1 lookup structure: 48-bit MAC -> value, read straight from a frame's bytes. An
 * open-addressing hash table over two typed arrays (the MAC as two 24-bit halves, so every key
 * and hash stays a small integer): a lookup allocates nothing and boxes no number, unlike a
 * `Map` keyed by the 48-bit MAC as a double. Built once per configuration change (vswitch-state.ts),
 * read per frame.
 */
import { macHigh24, macLow24 } from '../wire/index.js';

export class MacIndex<T> {
  private readonly mask: number;
  /** upper 24 bits of the MAC per slot; -1 = empty */
  private readonly his: Int32Array;
  private readonly los: Int32Array;
  private readonly vals: (T | undefined)[];

  constructor(entries: Iterable<[mac: number, value: T]>, count: number) {
    let cap = 8;
    while (cap < count * 2) cap *= 2;
    this.mask = cap - 1;
    this.his = new Int32Array(cap).fill(-1);
    this.los = new Int32Array(cap);
    this.vals = new Array<T | undefined>(cap).fill(undefined);
    for (const [mac, value] of entries) {
      const hi = Math.floor(mac / 0x1000000);
      const lo = mac % 0x1000000;
      let i = hash(hi, lo) & this.mask;
      while (this.his[i]! !== -1 && (this.his[i] !== hi || this.los[i] !== lo)) i = (i + 1) & this.mask;
      this.his[i] = hi;
      this.los[i] = lo;
      this.vals[i] = value;
    }
  }

  /** The value of the MAC at `frame[off..off+6]`, or undefined. */
  lookup(frame: Uint8Array, off: number): T | undefined {
    const hi = macHigh24(frame, off);
    const lo = macLow24(frame, off);
    const his = this.his;
    const mask = this.mask;
    let i = hash(hi, lo) & mask;
    for (;;) {
      const h = his[i]!;
      if (h === hi && this.los[i] === lo) return this.vals[i];
      if (h === -1) return undefined;
      i = (i + 1) & mask;
    }
  }
}

function hash(hi: number, lo: number): number {
  return Math.imul(lo ^ (hi << 7), 0x9e3779b1) >>> 8;
}
