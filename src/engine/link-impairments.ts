/**
 * Link impairments (rules L*): what a bad cable does to the frames crossing it, on the virtual
 * clock — the faults GNS3 and netem let a student put on a link. They are not vSwitch behaviour:
 * a cable with no `impairments` is perfect (only the fabric's fixed hop latency).
 *
 * Each direction of an impaired cable has its own state (a `LinkImpairment` on the sending end):
 * - L1 loss: a frame is lost with probability lossPercent/100 — a drop `LINK_LOSS` at the sending
 *   end, after the send was counted and seen at its capture point (it was lost on the wire).
 * - L4 bandwidth: the line sends one frame at a time at bandwidthKbps; a frame waits until the
 *   line is free and takes length·8/rate to send; at most `queueFrames` frames wait, a frame
 *   beyond is dropped `LINK_QUEUE_FULL`.
 * - L2 delay and jitter: the frame arrives delayMs later, plus a uniform draw in
 *   [-jitterMs, +jitterMs] (never before the plain hop latency); as with netem, jitter may
 *   reorder frames.
 * - L3 duplication: with probability duplicatePercent/100 the far end receives the frame twice
 *   (two child copies of the copy that crossed, arriving at the same time).
 *
 * Determinism: the draws come from a seeded generator (mulberry32) per direction, so the same
 * topology, seed and traffic lose, delay and duplicate the same frames. Explain (dry mode) peeks
 * at the next draws without consuming them. All state is in plain numeric fields and arrays
 * (`rng`, `lineFree`, `starts`, `head`, counters), so a lab snapshot can copy it; frames being
 * delayed are ordinary events on the fabric's queue.
 */
import type { LinkImpairmentsDoc } from '../topology/schema.js';
import type { Fabric } from './fabric.js';
import type { Iface } from './model.js';

/** The step of mulberry32's state. */
const GOLDEN = 0x6d2b79f5;

/** mulberry32's output for a state, in [0, 1). */
function unit(state: number): number {
  let t = state >>> 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** Does a configuration impair anything? */
export function impairs(c: LinkImpairmentsDoc): boolean {
  return c.lossPercent > 0 || c.delayMs > 0 || c.jitterMs > 0 || c.duplicatePercent > 0 || c.bandwidthKbps !== undefined;
}

function sameConfig(a: LinkImpairmentsDoc, b: LinkImpairmentsDoc): boolean {
  return (
    a.lossPercent === b.lossPercent && a.delayMs === b.delayMs && a.jitterMs === b.jitterMs && a.duplicatePercent === b.duplicatePercent &&
    a.bandwidthKbps === b.bandwidthKbps && a.queueFrames === b.queueFrames && a.seed === b.seed
  );
}

/** One direction of an impaired cable: the frames `from` sends to its peer. */
export class LinkImpairment {
  /** generator state (mulberry32), advanced once per draw */
  rng: number;
  /** L4: virtual ns from which the line is free */
  lineFree = 0;
  /** L4: virtual ns at which each accepted frame starts onto the line, ascending; those after `head` may still wait */
  starts: number[] = [];
  head = 0;
  /** frames lost (L1), duplicated (L3), dropped at the full line queue (L4) */
  lost = 0;
  duplicated = 0;
  queueDrops = 0;

  constructor(
    public config: LinkImpairmentsDoc,
    /** 0: the link's `a` end sends, 1: its `b` end */
    readonly direction: 0 | 1,
  ) {
    this.rng = LinkImpairment.seedState(config.seed, direction);
  }

  /** The generator's start state of a direction: the two directions draw independently. */
  static seedState(seed: number, direction: 0 | 1): number {
    return (seed ^ (direction === 0 ? 0 : 0x9e3779b9)) >>> 0;
  }

  /** The next draw in [0, 1); in dry mode the `k`-th draw ahead, without consuming it. */
  private draw(f: Fabric, k: number): number {
    if (f.dry) return unit(this.rng + k * GOLDEN);
    this.rng = (this.rng + GOLDEN) >>> 0;
    return unit(this.rng);
  }

  /** The clock's base moved forward by `deltaNs` (Fabric.rebase). */
  rebase(deltaNs: number): void {
    this.lineFree -= deltaNs;
    const s = this.starts;
    for (let i = this.head; i < s.length; i++) s[i] = s[i]! - deltaNs;
  }

  /** L4: frames accepted that have not started onto the line at `now`. */
  waiting(now: number): number {
    const s = this.starts;
    while (this.head < s.length && s[this.head]! <= now) this.head++;
    if (this.head > 1024 && this.head * 2 > s.length) {
      this.starts = s.slice(this.head);
      this.head = 0;
    }
    return this.starts.length - this.head;
  }

  /**
   * A copy `from` has just sent (counted, traced at its capture point) crosses the cable to
   * `peer`: lost, queued, delayed and/or duplicated as configured; it arrives (or not) through
   * `f.arriveAt`.
   */
  cross(f: Fabric, from: Iface, peer: Iface, frame: Uint8Array, fid: number, cid: number, parent: number, vlan: number | undefined): void {
    const c = this.config;
    const now = f.now;
    let k = 0;
    if (c.lossPercent > 0 && this.draw(f, ++k) * 100 < c.lossPercent) {
      if (!f.dry) this.lost++;
      f.drop(from, 'LINK_LOSS', fid, cid, parent, frame, vlan, f.detailed ? { from: from.id, to: peer.id, loss: c.lossPercent } : undefined);
      return;
    }
    let sent = now;
    if (c.bandwidthKbps !== undefined) {
      const queued = this.waiting(now);
      if (queued >= c.queueFrames) {
        if (!f.dry) this.queueDrops++;
        f.drop(from, 'LINK_QUEUE_FULL', fid, cid, parent, frame, vlan, f.detailed ? { from: from.id, to: peer.id, kbps: c.bandwidthKbps, queue: c.queueFrames } : undefined);
        return;
      }
      const start = Math.max(now, this.lineFree);
      sent = start + (frame.length * 8e6) / c.bandwidthKbps;
      if (!f.dry) {
        this.lineFree = sent;
        this.starts.push(start);
      }
      if (f.tracing) {
        f.emit({
          frameId: fid,
          copyId: cid,
          parentCopyId: parent,
          node: from.node,
          port: from.id,
          action: 'impair',
          rule: 'L4',
          vlan,
          detail: `bandwidth ${c.bandwidthKbps} kbit/s on ${from.id} -> ${peer.id}: ${start > now ? `waits ${ms(start - now)} ms behind ${queued} frame${queued === 1 ? '' : 's'}, then ` : ''}takes ${
            ms(sent - start)
          } ms to send (L4)`,
        });
      }
    }
    let extra = c.delayMs * 1e6;
    if (c.jitterMs > 0) extra += (this.draw(f, ++k) * 2 - 1) * c.jitterMs * 1e6;
    if (extra < 0) extra = 0;
    extra = Math.round(extra);
    const at = sent + f.latencyNs + extra;
    if (f.tracing && (c.delayMs > 0 || c.jitterMs > 0)) {
      f.emit({
        frameId: fid,
        copyId: cid,
        parentCopyId: parent,
        node: from.node,
        port: from.id,
        action: 'impair',
        rule: 'L2',
        vlan,
        detail: `delayed ${ms(extra)} ms on ${from.id} -> ${peer.id} (delay ${c.delayMs} ms${c.jitterMs > 0 ? `, jitter ±${c.jitterMs} ms` : ''}; L2)`,
      });
    }
    if (c.duplicatePercent > 0 && this.draw(f, ++k) * 100 < c.duplicatePercent) {
      if (!f.dry) this.duplicated++;
      const c1 = f.newCopy();
      const c2 = f.newCopy();
      if (f.tracing) {
        f.emit({
          frameId: fid,
          copyId: cid,
          parentCopyId: parent,
          node: from.node,
          port: from.id,
          action: 'impair',
          rule: 'L3',
          vlan,
          detail: `duplicated on ${from.id} -> ${peer.id}: ${peer.id} receives it twice (copies ${c1} and ${c2}; L3)`,
        });
      }
      f.arriveAt(at, peer, fid, c1, cid, frame);
      f.arriveAt(at, peer, fid, c2, cid, frame);
      return;
    }
    f.arriveAt(at, peer, fid, cid, parent, frame);
  }
}

function ms(ns: number): string {
  return (ns / 1e6).toFixed(3);
}

/**
 * Gives both ends of `a`'s cable the impairments of `config` (or none). An unchanged
 * configuration keeps each direction's state; a changed one starts it afresh (the seed's
 * sequence from its beginning, an idle line).
 */
export function applyLinkImpairments(a: Iface, config: LinkImpairmentsDoc | undefined): void {
  const b = a.peer;
  if (b === null) return;
  const on = config !== undefined && impairs(config);
  const ends: [Iface, 0 | 1][] = [
    [a, 0],
    [b, 1],
  ];
  for (const [end, dir] of ends) {
    if (!on) end.impair = null;
    else if (end.impair === null || !sameConfig(end.impair.config, config)) end.impair = new LinkImpairment(config, dir);
  }
}
