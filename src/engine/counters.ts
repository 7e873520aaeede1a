/**
 * Per-interface counters (F10), kept without the trace stream in typed arrays: counting a frame
 * allocates nothing. Counts are from the interface's own point of view, like `ip -s link` on
 * that node: for `web-01:eth0`, tx = frames the guest sent, rx = frames delivered to it; for an
 * uplink or a physical switch port, rx = from its cable, tx = onto its cable. A drop is counted
 * at the interface where it happened.
 */
import { REASON_CODES, type ReasonCode } from './reasons.js';

export interface PortCounters {
  rxFrames: number;
  rxBytes: number;
  txFrames: number;
  txBytes: number;
  /** total drops counted at this interface */
  dropped: number;
  /** drops by reason code (only codes with a non-zero count) */
  drops: Partial<Record<ReasonCode, number>>;
}

const NREASONS = REASON_CODES.length;

export class CounterStore {
  /** per interface: rxFrames, rxBytes, txFrames, txBytes */
  readonly io: Float64Array;
  readonly drops: Float64Array;

  constructor(readonly ifaceCount: number) {
    this.io = new Float64Array(ifaceCount * 4);
    this.drops = new Float64Array(ifaceCount * NREASONS);
  }

  rx(iface: number, bytes: number): void {
    const o = iface * 4;
    this.io[o]!++;
    this.io[o + 1]! += bytes;
  }

  tx(iface: number, bytes: number): void {
    const o = iface * 4 + 2;
    this.io[o]!++;
    this.io[o + 1]! += bytes;
  }

  drop(iface: number, reasonIndex: number): void {
    this.drops[iface * NREASONS + reasonIndex]!++;
  }

  read(iface: number): PortCounters {
    const o = iface * 4;
    const drops: Partial<Record<ReasonCode, number>> = {};
    let dropped = 0;
    for (let r = 0; r < NREASONS; r++) {
      const v = this.drops[iface * NREASONS + r]!;
      if (v > 0) {
        drops[REASON_CODES[r]!] = v;
        dropped += v;
      }
    }
    return { rxFrames: this.io[o]!, rxBytes: this.io[o + 1]!, txFrames: this.io[o + 2]!, txBytes: this.io[o + 3]!, dropped, drops };
  }

  /** A deep copy (for tests and explain's no-change proof). */
  snapshot(): { io: Float64Array; drops: Float64Array } {
    return { io: this.io.slice(), drops: this.drops.slice() };
  }
}
