/**
 * What the server needs from the engine and from the topology loader, stated structurally. The
 * server never re-implements switching: it calls these. The real `Lab` of src/engine (created by
 * `createLab`) satisfies `ServerLab` as it is; `engine-binding.ts` connects the two.
 * Keeping the server's needs in one small interface lets its tests run against a scripted lab
 * and makes any mismatch with the engine a compile error in one place.
 */
import type { Issue } from '../topology/issue.js';
import type { TopologyDoc } from '../topology/schema.js';

/** One event of the engine's trace stream (O2). Only the fields the server reads are typed. */
export interface TraceEventLike {
  seq: number;
  /** virtual ns */
  time: number;
  frameId: number;
  copyId?: number;
  parentCopyId?: number | null;
  node?: string;
  port?: string;
  action: string;
  rule?: string;
  reason?: string;
  vlan?: number | null;
  /** O1 capture point this event is an observation of (PortInput, PortOutput, UplinkRcv, UplinkSnd, Drop). */
  point?: string;
  /** the frame as seen at this step (present when `point` is) */
  frame?: Uint8Array;
  detail?: unknown;
}

export type TraceListener = (event: TraceEventLike) => void;

export interface RunOptions {
  forNs?: number;
  maxEvents?: number;
}

export interface PingOptionsMs {
  count?: number;
  size?: number;
  df?: boolean;
  intervalMs?: number;
  timeoutMs?: number;
}

/** The engine's Lab, as the server uses it. Return values the server only relays are `unknown`. */
export interface ServerLab {
  /** Injects a frame at `node:interface`; returns its frame id. Throws (LabError) on an unknown interface. */
  inject(iface: string, frame: Uint8Array): number;
  run(options?: RunOptions): unknown;
  /** Processes the next event; false when there was none. */
  step(): boolean;
  /** Virtual time of the next queued event; null/undefined/Infinity when the queue is empty. */
  nextEventTime(): number | null | undefined;
  /** virtual ns */
  readonly now: number;
  counters(iface: string): unknown;
  allCounters(): unknown;
  macTable(physicalSwitch: string): unknown;
  arpCache(iface: string): unknown;
  interfaces(): unknown;
  /** the MAC `iface` currently sends with (FrameSpec defaults); throws on an unknown interface */
  effectiveMac(iface: string): string | Uint8Array;
  /** the topology the lab runs */
  readonly topology: TopologyDoc;
  /** Synchronous: runs the virtual clock until the ping is over. */
  ping(iface: string, dstIp: string, options: PingOptionsMs): unknown;
  /** Dry-run trace (O2): changes no state. */
  explain(iface: string, frame: Uint8Array): unknown;
  trace: { subscribe(listener: TraceListener): () => void };
  /** Runtime changes (optional until every lab has them): a cable up/down, both ends (T*, P1). */
  setLinkState?(iface: string, up: boolean): void;
  /** A vNIC connected/disconnected. */
  setConnected?(iface: string, connected: boolean): void;
  /** A guest changes its vNIC's effective MAC (S2). */
  setEffectiveMac?(iface: string, mac: string): void;
  /** Optional non-blocking ping on the virtual clock (what real-time mode wants). */
  startPing?(iface: string, dstIp: string, options: PingOptionsMs, onDone: (result: unknown) => void): void;
}

export type LabFactory = (topology: TopologyDoc) => ServerLab;

export type ValidationResult =
  | { ok: true; topology: TopologyDoc; warnings: Issue[] }
  | { ok: false; errors: Issue[]; warnings: Issue[] };

/** The topology layer's `validateTopology` / `loadTopologyText`, as the server uses them. */
export interface TopologyValidator {
  /** A parsed JSON value (API body). */
  validate(value: unknown): ValidationResult;
  /** JSON/JSONC text (upload, example file); errors carry line/column when known. */
  validateText(text: string, fileName?: string): ValidationResult;
}

/** Builds the frame bytes for a FrameSpec sent from `iface` (src/engine/frame-spec.ts). */
export type FrameResolver = (lab: ServerLab, iface: string, spec: unknown) => Uint8Array;
