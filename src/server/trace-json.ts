/**
 * The engine's values as JSON, for HTTP responses and socket.io: one mapping per engine type.
 * - A trace event (`traceToJson`): its fields as they are, the frame bytes as a hex stream
 *   (Wireshark's "Copy as Hex Stream", `frameHex`) and their length (`frameLength`). Live events,
 *   POST /api/frames and the steps of POST /api/explain all use it: one byte encoding.
 * - An explain result (`explainToJson`): its steps as trace events above, and the tree of copies.
 * - Everything else the engine answers (interfaces, counters, MAC tables, ARP and neighbour
 *   caches, ping, scenario, test and activity results) is plain data already: `plainJson` passes it
 *   on and makes the compiler refuse a value that JSON would not carry as it is (bytes, Map, Set,
 *   bigint, a function), so a new field of such a type gets its mapping here.
 */
import { explainTree, type ExplainResult, type TraceEvent } from '../engine/index.js';
import { toHex } from '../wire/hex.js';
import type { ExplainJson, TraceEventJson } from './api-types.js';

/** An event's virtual time, ns since the lab started (the engine counts from its clock base, TraceEvent.timeBaseNs): a number, and exact as a decimal string. */
function eventTime(e: TraceEvent): { time: number; timeNs: string } {
  if (e.timeBaseNs === undefined) return { time: e.time, timeNs: Number.isSafeInteger(e.time) ? String(e.time) : String(Math.round(e.time)) };
  const ns = e.timeBaseNs + BigInt(Math.round(e.time));
  return { time: Number(e.timeBaseNs) + e.time, timeNs: ns.toString() };
}

export function traceToJson(e: TraceEvent, withFrame = true): TraceEventJson {
  const { time, timeNs } = eventTime(e);
  const out: TraceEventJson = { seq: e.seq, time, timeNs, frameId: e.frameId, copyId: e.copyId, parentCopyId: e.parentCopyId, node: e.node, port: e.port, action: e.action, detail: e.detail };
  if (e.rule !== undefined) out.rule = e.rule;
  if (e.reason !== undefined) out.reason = e.reason;
  if (e.vlan !== undefined) out.vlan = e.vlan;
  if (e.point !== undefined) out.point = e.point;
  if (e.frame !== undefined) {
    out.frameLength = e.frame.length;
    if (withFrame) out.frameHex = toHex(e.frame);
  }
  return out;
}

/** POST /api/explain: the steps as trace events (hex bytes), the copies' fates, and `tree`, the steps grouped by copy as the CLI prints them. */
export function explainToJson(r: ExplainResult): ExplainJson {
  const out: ExplainJson = { steps: r.steps.map((e) => traceToJson(e)), copies: r.copies, truncated: r.truncated, tree: explainTree(r) };
  if (r.storm !== undefined) out.storm = r.storm;
  return out;
}

/** What JSON cannot carry as it is. */
type NotJson = ArrayBufferView | ArrayBuffer | Map<unknown, unknown> | Set<unknown> | bigint | symbol | ((...args: never[]) => unknown);

/** `T` when every value in it is JSON as it is; a field of a NotJson type turns into `never`. */
export type PlainJson<T> = T extends NotJson ? never : T extends object ? { [K in keyof T]: PlainJson<T[K]> } : T;

/** An engine value that is plain data, as it is; the compiler checks that it is (PlainJson). */
export function plainJson<T>(value: T & PlainJson<T>): T {
  return value;
}
