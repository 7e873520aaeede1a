/**
 * The trace stream (O1, O2): one typed event per decision the fabric takes about a copy of a
 * frame. Captures, the live UI, `explain` and tests all read this stream; nobody re-derives
 * decisions.
 *
 * Copies: an injected (or stack-transmitted) frame starts as copy `copyId` with
 * `parentCopyId` 0. At every switch (vSwitch or physical switch) that copy ends, and each egress
 * leg — a delivery, a drop, a copy out of an uplink or a switch port — is a new copy whose
 * `parentCopyId` is the incoming one. A copy keeps its id across a link. Conservation (F10):
 * every copy ends in exactly one `deliver` or `drop`, or in children.
 *
 * When nobody subscribes, the fabric builds no event objects and no detail strings; when only
 * point taps listen (captures), it builds none but the detail lines of capture-point events.
 */
import type { ReasonCode } from './reasons.js';
import type { RuleId } from './rules.js';
import type { EndpointNoteAction } from './endpoint.js';

/** pktcap-uw style capture points (O1). `frame` holds the bytes there whenever `point` is set. */
export type CapturePoint =
  | 'PortInput'
  | 'PortOutput'
  | 'UplinkRcv'
  | 'UplinkSnd'
  | 'PhysRx'
  | 'PhysTx'
  | 'HostRx'
  | 'HostTx'
  | 'Drop';

/** The capture points in their order (a point's code is its index here); the cable points from UplinkRcv on. */
export const CAPTURE_POINTS: readonly CapturePoint[] = ['PortInput', 'PortOutput', 'UplinkRcv', 'UplinkSnd', 'PhysRx', 'PhysTx', 'HostRx', 'HostTx', 'Drop'];

/** CAPTURE_POINTS.indexOf(point) as a switch: folded away where the point is a constant (each tap site). */
export function capturePointCode(point: CapturePoint): number {
  switch (point) {
    case 'PortInput':
      return 0;
    case 'PortOutput':
      return 1;
    case 'UplinkRcv':
      return 2;
    case 'UplinkSnd':
      return 3;
    case 'PhysRx':
      return 4;
    case 'PhysTx':
      return 5;
    case 'HostRx':
      return 6;
    case 'HostTx':
      return 7;
    case 'Drop':
      return 8;
  }
}

export type FabricAction =
  | 'ingress'
  | 'classify'
  | 'lookup'
  | 'copy'
  | 'tag-push'
  | 'tag-pop'
  | 'tx'
  | 'deliver'
  | 'drop'
  | 'learn'
  /** a runtime change was applied (link, vNIC, MAC, policy, uplink, migration) */
  | 'change'
  /** T1/T2/T5/T8: the uplinks in use of a team changed */
  | 'failover'
  /** T7: a RARP sent on behalf of a port */
  | 'notify'
  /** T6: a beacon sent, heard, or a beacon verdict */
  | 'beacon'
  /** Q1: a frame waits in or leaves a shaping queue */
  | 'shape'
  /** L2-L4: a link impairment delayed, duplicated or queued a frame on its cable */
  | 'impair'
  /** P5: a frame's copies passed the storm threshold (a loop); its further copies are cut */
  | 'storm';

export type TraceAction = FabricAction | EndpointNoteAction;

export interface TraceEvent {
  /** order on the stream (explain numbers its own events from 1) */
  seq: number;
  /** virtual time, ns (since `timeBaseNs` when present) */
  time: number;
  /**
   * Present once the lab's clock was rebased (after ~52 days of virtual time, Lab's
   * `clockBaseNs`): the virtual time of `time = 0`, so the event's exact time is
   * `timeBaseNs + time`. Absent: `time` is ns since the lab started.
   */
  timeBaseNs?: bigint;
  /** id of the frame as injected or transmitted by a stack; shared by all its copies (0 for endpoint notes outside a frame) */
  frameId: number;
  copyId: number;
  /** the copy this one was made from; 0 for the frame as injected */
  parentCopyId: number;
  /** node name: host, VM, physical switch, physical host */
  node: string;
  /** `node:iface` where it happened; a vSwitch lookup names `host:vSwitchN`, a physical switch lookup the switch */
  port: string;
  action: TraceAction;
  /** rule ID in vss-behaviour.md (rules.ts) */
  rule?: RuleId;
  reason?: ReasonCode;
  /** VLAN the frame is classified in at this point (0 = untagged domain) */
  vlan?: number;
  /** capture point, when a capture there would see the frame */
  point?: CapturePoint;
  /**
   * bytes at that point, tags as they are there (present whenever `point` is). Read-only: copies
   * with the same bytes share one array (copy-on-write, endpoint.ts); copy before changing.
   */
  frame?: Uint8Array;
  /** one line naming the rule, like ofproto/trace */
  detail: string;
}

export type TraceListener = (event: TraceEvent) => void;

/**
 * A capture-point event as a point tap sees it (`TraceStream.tapPoints`): the fields a capture
 * needs of a trace event that has a `point`, in ONE record the fabric reuses for every event —
 * read it during the call, copy what you keep (the bytes too: `frame` goes on through the fabric).
 */
export interface PointEvent {
  /** virtual time, ns */
  time: number;
  frameId: number;
  copyId: number;
  parentCopyId: number;
  /** `node:iface` of the point (for Drop: where the copy was dropped) */
  port: string;
  /** position of that interface in `lab.interfaces()` */
  ifaceIndex: number;
  point: CapturePoint;
  /** `point`'s index in CAPTURE_POINTS (a number to switch on instead of the name) */
  pointCode: number;
  /** the bytes at the point, tags as they are there */
  frame: Uint8Array;
  /** as TraceEvent.vlan */
  vlan: number | undefined;
  /** as TraceEvent.rule */
  rule: RuleId | undefined;
  /** Drop: the reason */
  reason: ReasonCode | undefined;
  /**
   * as TraceEvent.detail. The fabric keeps the detail lines of the common points per interface
   * and decision, so the same text usually comes as the same string again: a cache keyed by it
   * (e.g. of encoded capture comments) hits without rebuilding anything.
   */
  detail: string;
}

export type PointListener = (event: PointEvent) => void;

/** Subscribers of the live stream. */
export class TraceBus {
  /** each listener with the `changes` count at which it was (last) added */
  private readonly listeners = new Map<TraceListener, number>();
  /** the only listener while there is exactly one (the common case: the server's stream), else null */
  private single: TraceListener | null = null;
  /** subscriptions and removals so far: tells `publish` that the listeners changed during a call */
  private changes = 0;
  /** True while somebody listens: the fabric checks this before building any event. */
  active = false;

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: TraceListener): () => void {
    // a listener added again changes nothing (as in a Set)
    if (!this.listeners.has(listener)) this.listeners.set(listener, ++this.changes);
    this.changed();
    return () => {
      if (this.listeners.delete(listener)) this.changes++;
      this.changed();
    };
  }

  private changed(): void {
    this.active = this.listeners.size > 0;
    this.single = this.listeners.size === 1 ? this.listeners.keys().next().value! : null;
  }

  /**
   * Calls every listener in subscription order. A listener subscribed during the calls is called
   * for this event too, one removed before its turn is not (the order a Set's iteration gives).
   */
  publish(event: TraceEvent): void {
    const one = this.single;
    if (one === null) {
      for (const l of this.listeners.keys()) l(event);
      return;
    }
    const before = this.changes;
    one(event);
    // the one listener subscribed others during its call: they see this event too
    if (this.changes !== before) { for (const [l, at] of this.listeners) if (at > before) l(event); }
  }
}

/** What `lab.trace` exposes. */
export interface TraceStream {
  /** Listens to every event of the live fabric; returns unsubscribe. Listeners must not call run/step/explain. */
  subscribe(listener: TraceListener): () => void;
  /**
   * Listens to the capture-point events only (those with a `point`: what a capture sees), in
   * stream order, as one reused record (see PointEvent); returns unsubscribe. Cheaper than
   * `subscribe`: while only taps listen, the fabric builds no event objects and no detail line of
   * a decision without a point. Listeners must not call run/step/explain.
   */
  tapPoints(listener: PointListener): () => void;
}
