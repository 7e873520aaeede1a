/**
 * Q1 — traffic shaping of what a port (vNIC or vmk) sends into its vSwitch, on the virtual clock.
 *
 * Token bucket per port: tokens (bytes) accrue at the average rate up to the burst size; the
 * bucket starts full. A frame of L bytes may leave when the bucket holds min(L, burst) bytes and
 * the peak-rate line is free (the previous frame took L·8/peak seconds), so a burst goes out at up
 * to peak and, once spent, the port sends at the average rate. Frames that must wait queue in
 * order (500 frames by default); a frame arriving at a full queue is dropped SHAPING_QUEUE_FULL.
 * A frame waiting in the queue is released by a timer at the exact virtual time it conforms and
 * then continues through the vSwitch's ingress stage (VLAN, MTU, security, lookup).
 *
 * Counting: the port's tx counter counts the frame when the guest sends it (PortInput); the
 * shaping delay is visible as the time between PortInput and the later decisions.
 * Ports of port groups without shaping have no shaper: the hot path pays one null check.
 */
import type { Fabric } from './fabric.js';
import type { Iface } from './model.js';

/** Default shaping queue length, frames (Q1). */
export const SHAPING_QUEUE_FRAMES = 500;

export interface ShapingConfig {
  /** bits per second */
  averageBps: number;
  /** bits per second (>= average) */
  peakBps: number;
  /** bytes */
  burstBytes: number;
  /** frames that may wait */
  queueFrames: number;
}

/** The rest of the ingress stage, run when a frame leaves the shaper. */
export type IngressContinuation = (f: Fabric, p: Iface, frame: Uint8Array, fid: number, cid: number, parent: number) => void;

const EPS = 1e-6;

export class Shaper {
  /** bytes in the bucket */
  tokens: number;
  /** virtual ns of the last refill */
  private last: number;
  /** virtual ns from which the peak-rate line is free */
  private peakFree: number;
  private frames: Uint8Array[] = [];
  private meta: number[] = [];
  private head = 0;
  /** virtual ns the release timer is armed for (-1: none) */
  private armedAt = -1;
  private readonly onTimer = () => this.release();
  /** frames released / queued / dropped so far (inspection) */
  passed = 0;
  delayed = 0;
  dropped = 0;

  constructor(
    public config: ShapingConfig,
    private readonly f: Fabric,
    private readonly port: Iface,
    private readonly next: IngressContinuation,
  ) {
    this.tokens = config.burstBytes;
    this.last = f.now;
    this.peakFree = f.now;
  }

  /** The clock's base moved forward by `deltaNs` (Fabric.rebase): the armed timer is in the future, so it stays >= 0. */
  rebase(deltaNs: number): void {
    this.last -= deltaNs;
    this.peakFree -= deltaNs;
    if (this.armedAt >= 0) this.armedAt -= deltaNs;
    const m = this.meta;
    for (let i = this.head * 4 + 3; i < m.length; i += 4) m[i] = m[i]! - deltaNs;
  }

  /** Frames waiting. */
  get queued(): number {
    return this.frames.length - this.head;
  }

  private refill(now: number): void {
    if (now > this.last) {
      this.tokens = Math.min(this.config.burstBytes, this.tokens + ((now - this.last) * this.config.averageBps) / 8e9);
      this.last = now;
    }
  }

  private need(len: number): number {
    return Math.min(len, this.config.burstBytes);
  }

  private conforms(len: number, now: number): boolean {
    return now + EPS >= this.peakFree && this.tokens + EPS >= this.need(len);
  }

  private take(len: number, now: number): void {
    this.tokens -= len;
    this.peakFree = Math.max(now, this.peakFree) + (len * 8e9) / this.config.peakBps;
  }

  /** Virtual ns at which a frame of `len` bytes conforms. */
  private readyAt(len: number, now: number): number {
    const short = this.need(len) - this.tokens;
    const byTokens = short > 0 ? now + (short * 8e9) / this.config.averageBps : now;
    return Math.max(byTokens, this.peakFree);
  }

  /**
   * A frame the port sends: true when the shaper took it (queued, or dropped with
   * SHAPING_QUEUE_FULL); false when it conforms now and goes on at once.
   */
  offer(frame: Uint8Array, fid: number, cid: number, parent: number): boolean {
    const f = this.f;
    const now = f.now;
    this.refill(now);
    if (this.queued === 0 && this.conforms(frame.length, now)) {
      this.take(frame.length, now);
      this.passed++;
      return false;
    }
    const p = this.port;
    if (this.queued >= this.config.queueFrames) {
      this.dropped++;
      f.drop(p, 'SHAPING_QUEUE_FULL', fid, cid, parent, frame, undefined, f.detailed ? { port: p.id, queue: this.config.queueFrames } : undefined);
      return true;
    }
    this.frames.push(frame);
    this.meta.push(fid, cid, parent, now);
    f.holdFrame(fid, 1);
    this.delayed++;
    if (f.tracing) {
      const at = this.readyAtHead();
      f.emit({
        frameId: fid,
        copyId: cid,
        parentCopyId: parent,
        node: p.node,
        port: p.id,
        action: 'shape',
        rule: 'Q1',
        detail:
          `traffic shaping: ${frame.length}-byte frame waits in ${p.id}'s queue (${this.queued}/${this.config.queueFrames}); average ${this.config.averageBps} bit/s, peak ${this.config.peakBps} bit/s, burst ${this.config.burstBytes} B (Q1)${
            this.queued === 1 ? `; leaves at ${((f.rebased ? Number(f.baseNs) + at : at) / 1e9).toFixed(6)} s` : ''
          }`,
      });
    }
    this.arm();
    return true;
  }

  private readyAtHead(): number {
    return this.readyAt(this.frames[this.head]!.length, this.f.now);
  }

  private arm(): void {
    if (this.queued === 0) return;
    const at = this.readyAtHead();
    if (this.armedAt >= 0 && this.armedAt <= at) return;
    this.armedAt = at;
    this.f.scheduleTimer(at - this.f.now, this.onTimer);
  }

  private release(): void {
    const f = this.f;
    if (this.armedAt < 0 || f.now + EPS < this.armedAt) return; // a stale timer (re-armed earlier)
    this.armedAt = -1;
    this.refill(f.now);
    while (this.queued > 0 && (this.port.shaper !== this || this.conforms(this.frames[this.head]!.length, f.now))) {
      const frame = this.frames[this.head]!;
      const m = this.head * 4;
      this.frames[this.head] = EMPTY_FRAME;
      this.head++;
      const fid = this.meta[m]!;
      const cid = this.meta[m + 1]!;
      const parent = this.meta[m + 2]!;
      const since = this.meta[m + 3]!;
      f.holdFrame(fid, -1);
      if (this.port.shaper === this) this.take(frame.length, f.now);
      this.passed++;
      if (this.head > 1024 && this.head * 2 > this.frames.length) this.compact();
      if (f.tracing) {
        f.emit({
          frameId: fid,
          copyId: cid,
          parentCopyId: parent,
          node: this.port.node,
          port: this.port.id,
          action: 'shape',
          rule: 'Q1',
          detail: `traffic shaping: released after ${((f.now - since) / 1e6).toFixed(3)} ms in the queue (Q1)`,
        });
      }
      this.next(f, this.port, frame, fid, cid, parent);
    }
    if (this.port.shaper === this) this.arm();
  }

  private compact(): void {
    this.frames = this.frames.slice(this.head);
    this.meta = this.meta.slice(this.head * 4);
    this.head = 0;
  }

  /** The port stopped shaping (or changed shaper): frames still waiting leave now, in order. */
  flush(): void {
    if (this.queued === 0) return;
    this.armedAt = this.f.now;
    this.f.scheduleTimer(0, this.onTimer);
  }
}

const EMPTY_FRAME = new Uint8Array(0);

function sameConfig(a: ShapingConfig, b: ShapingConfig): boolean {
  return a.averageBps === b.averageBps && a.peakBps === b.peakBps && a.burstBytes === b.burstBytes && a.queueFrames === b.queueFrames;
}

/**
 * Gives port `p` the shaper its port group's shaping calls for (or none). An unchanged
 * configuration keeps the bucket and queue; a changed one keeps the tokens (capped at the new
 * burst) and the queue; switching shaping off lets waiting frames go at once.
 */
export function applyShaping(f: Fabric, p: Iface, next: IngressContinuation): void {
  const cfg = p.pg?.shaping ?? null;
  const cur = p.shaper;
  if (cfg === null) {
    if (cur !== null) {
      p.shaper = null;
      cur.flush();
    }
    return;
  }
  if (cur !== null) {
    if (!sameConfig(cur.config, cfg)) {
      cur.config = cfg;
      cur.tokens = Math.min(cur.tokens, cfg.burstBytes);
    }
    return;
  }
  p.shaper = new Shaper(cfg, f, p, next);
}
