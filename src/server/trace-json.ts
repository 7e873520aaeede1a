/**
 * Trace events as JSON for HTTP responses and socket.io: plain fields copied, frame bytes as a hex
 * stream (Wireshark's "Copy as Hex Stream") and their length.
 */
import { toHex } from '../wire/hex.js';
import type { TraceEventJson } from './api-types.js';
import type { TraceEventLike } from './lab-contract.js';

/** `node:interface` of an event (its `port` may already be qualified). */
export function eventInterface(e: Pick<TraceEventLike, 'node' | 'port'>): string | null {
  if (e.port === undefined || e.port === '') return e.node ?? null;
  if (e.port.includes(':') || e.node === undefined) return e.port;
  return `${e.node}:${e.port}`;
}

function jsonSafe(value: unknown, depth = 0): unknown {
  if (value === null || value === undefined) return value;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return toHex(value);
  if (typeof value !== 'object') return typeof value === 'number' && !Number.isFinite(value) ? null : value;
  if (depth > 6) return '[…]';
  if (Array.isArray(value)) return value.map((v) => jsonSafe(v, depth + 1));
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), jsonSafe(v, depth + 1)]));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v !== 'function') out[k] = jsonSafe(v, depth + 1);
  return out;
}

/** Any engine value -> something JSON.stringify accepts (Uint8Array -> hex, bigint -> string, Map -> object). */
export function toJsonValue(value: unknown): unknown {
  return jsonSafe(value);
}

export function traceToJson(e: TraceEventLike, withFrame = true): TraceEventJson {
  const out: TraceEventJson = { seq: e.seq, time: e.time, frameId: e.frameId, action: e.action };
  if (e.copyId !== undefined) out.copyId = e.copyId;
  if (e.parentCopyId !== undefined) out.parentCopyId = e.parentCopyId;
  if (e.node !== undefined) out.node = e.node;
  if (e.port !== undefined) out.port = e.port;
  if (e.rule !== undefined) out.rule = e.rule;
  if (e.reason !== undefined) out.reason = e.reason;
  if (e.vlan !== undefined) out.vlan = e.vlan;
  if (e.point !== undefined) out.point = e.point;
  if (e.frame !== undefined) {
    out.frameLength = e.frame.length;
    if (withFrame) out.frameHex = toHex(e.frame);
  }
  if (e.detail !== undefined) out.detail = jsonSafe(e.detail);
  return out;
}
