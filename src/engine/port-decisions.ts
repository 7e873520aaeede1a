/**
 * Per-port decisions cached between frames: what a vSwitch decided for the last unicast frame a
 * vNIC or vmk sent (vswitch.ts `forward`), kept for the next frame with the same destination MAC,
 * VLAN and tag state. A real guest sends most frames to one peer, and every input of that
 * decision — the F1 lookup, the destination's port group VLAN (V5), promiscuous ports (S1), the
 * destination's MAC-change state (S2), the tag the leg needs (V2-V4) — is configuration, fixed
 * between runtime changes.
 *
 * Only a "plain" local leg is kept: one delivery to another port of the vSwitch, with the bytes as
 * they came in, no promiscuous copy and nothing dropped. Anything else (unknown unicast out of an
 * uplink, a leg that needs a tag pushed or popped, a disabled destination) takes the full path
 * every time. Traced frames use it too: the lookup event of a plain leg is built from the kept
 * target, as the full path builds it.
 *
 * Invalidation: every runtime change, beacon verdict, build and restore ends in `refreshVSwitch`
 * (vswitch-state.ts) of the vSwitches it touches, which bumps their `configEpoch`; an entry made
 * under an older epoch of its port's vSwitch is never used (a plain leg stays on that vSwitch, so
 * only its configuration decides it). The epoch is per vSwitch, not per process: a change in one
 * lab leaves the other labs' entries alone.
 */
import { DST_OFFSET, macHigh24, macLow24 } from '../wire/index.js';
import type { Iface } from './model.js';

export class PortDecisions {
  /** its vSwitch's `configEpoch` the entry was made in, plus one (0 = none), per sending port's interface index */
  private readonly epoch: Float64Array;
  /** destination MAC as two 24-bit halves, VLAN and tag state (1 = tagged) of the entry */
  private readonly dstHi: Int32Array;
  private readonly dstLo: Int32Array;
  private readonly vlan: Int32Array;
  private readonly tagged: Uint8Array;
  private readonly target: (Iface | null)[];

  constructor(ifaceCount: number) {
    this.epoch = new Float64Array(ifaceCount);
    this.dstHi = new Int32Array(ifaceCount);
    this.dstLo = new Int32Array(ifaceCount);
    this.vlan = new Int32Array(ifaceCount);
    this.tagged = new Uint8Array(ifaceCount);
    this.target = new Array<Iface | null>(ifaceCount).fill(null);
  }

  /**
   * The port a frame from `src` to the MAC at `frame[0..6]` in `vlan` (`tagged`: with its tag) is
   * delivered to as a plain leg, when that was decided in the current configuration; else null.
   */
  plainTarget(src: Iface, frame: Uint8Array, vlan: number, tagged: boolean): Iface | null {
    const i = src.idx;
    if (this.epoch[i] !== src.vs!.configEpoch + 1) return null;
    if (this.vlan[i] !== vlan || this.tagged[i] !== (tagged ? 1 : 0)) return null;
    if (this.dstHi[i] !== macHigh24(frame, DST_OFFSET)) return null;
    if (this.dstLo[i] !== macLow24(frame, DST_OFFSET)) return null;
    return this.target[i]!;
  }

  /** Keeps `target` as the plain leg of frames from `src` to this frame's destination in `vlan`. */
  keep(src: Iface, frame: Uint8Array, vlan: number, tagged: boolean, target: Iface): void {
    const i = src.idx;
    this.epoch[i] = src.vs!.configEpoch + 1;
    this.vlan[i] = vlan;
    this.tagged[i] = tagged ? 1 : 0;
    this.dstHi[i] = macHigh24(frame, DST_OFFSET);
    this.dstLo[i] = macLow24(frame, DST_OFFSET);
    this.target[i] = target;
  }

  /** @internal for tests: is an entry of the current configuration kept for `src`? */
  holds(src: Iface): boolean {
    return src.vs !== null && this.epoch[src.idx] === src.vs.configEpoch + 1 && this.target[src.idx] !== null;
  }
}
