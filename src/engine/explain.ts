/**
 * O2 — explain: a dry run of one frame through the fabric, like Open vSwitch's ofproto/trace.
 * The same forwarding code runs in dry mode against the live configuration and MAC tables, with
 * a private event queue and clock, so the answer is what a real injection would do now. It
 * changes no state: no MAC learning, no counters, no endpoint stack sees the frame (so no ARP
 * learned and nothing answered), the live queue, clock, frame and copy numbering are untouched,
 * and live trace subscribers see nothing.
 */
import { readTags } from '../wire/index.js';
import { EventQueue } from './event-queue.js';
import type { Fabric } from './fabric.js';
import type { Iface } from './model.js';
import type { ReasonCode } from './reasons.js';
import { StormWatch, type StormReport } from './storm.js';
import type { TraceEvent } from './trace.js';
import type { RuleId } from './rules.js';

/** Where one copy of the explained frame ends. */
export interface ExplainCopy {
  /** `node:iface` where it was delivered or dropped */
  at: string;
  /** VLAN IDs of its tags there, outer first; [] when untagged */
  vlanStack: number[];
  delivered: boolean;
  /** drop reason, when not delivered */
  reason?: ReasonCode;
  /** rule of the final decision */
  rule?: RuleId;
}

export interface ExplainResult {
  /** every decision, in order, each naming its rule */
  steps: TraceEvent[];
  /** the fate of every copy: delivered or dropped */
  copies: ExplainCopy[];
  /** true when the dry run stopped at the event cap (a forwarding loop) */
  truncated: boolean;
  /** P5: the frame stormed (a loop): where it passed the threshold; its further copies were cut */
  storm?: StormReport;
}

/** Most events one explain processes (a physical loop would otherwise never end). */
export const EXPLAIN_MAX_EVENTS = 20_000;

/** Runs the dry run; `start` schedules the frame on the (private) queue. */
export function explainFrame(f: Fabric, iface: Iface, frame: Uint8Array, start: (f: Fabric, iface: Iface, frame: Uint8Array) => void): ExplainResult {
  const saved = {
    now: f.now,
    copySeq: f.copySeq,
    frameSeq: f.frameSeq,
    traceSeq: f.traceSeq,
    queue: f.queue,
    tracing: f.tracing,
    detailed: f.detailed,
    collector: f.collector,
    curFrameId: f.curFrameId,
    curCopyId: f.curCopyId,
    storm: f.storm,
  };
  const steps: TraceEvent[] = [];
  const storm = new StormWatch(f.storm.threshold);
  let truncated = false;
  try {
    f.dry = true;
    f.tracing = true;
    f.detailed = true;
    f.collector = steps;
    f.queue = new EventQueue(64);
    f.traceSeq = 0;
    f.storm = storm;
    start(f, iface, frame);
    let n = 0;
    while (f.step()) {
      if (++n >= EXPLAIN_MAX_EVENTS && f.queue.size > 0) {
        truncated = true;
        break;
      }
    }
  } finally {
    f.dry = false;
    f.now = saved.now;
    f.copySeq = saved.copySeq;
    f.frameSeq = saved.frameSeq;
    f.traceSeq = saved.traceSeq;
    f.queue = saved.queue;
    f.tracing = saved.tracing;
    f.detailed = saved.detailed;
    f.collector = saved.collector;
    f.curFrameId = saved.curFrameId;
    f.curCopyId = saved.curCopyId;
    f.storm = saved.storm;
  }
  const copies: ExplainCopy[] = [];
  for (const e of steps) {
    if (e.action !== 'deliver' && e.action !== 'drop') continue;
    const c: ExplainCopy = { at: e.port, vlanStack: e.frame ? readTags(e.frame).map((t) => t.vid) : [], delivered: e.action === 'deliver', rule: e.rule };
    if (e.reason) c.reason = e.reason;
    copies.push(c);
  }
  const result: ExplainResult = { steps, copies, truncated };
  if (storm.reports[0] !== undefined) result.storm = storm.reports[0];
  return result;
}
