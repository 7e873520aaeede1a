/**
 * What the server needs from the engine and from the topology loader, stated structurally. The
 * server never re-implements switching: it calls these. The real `Lab` of src/engine (created by
 * `createLab`) satisfies `ServerLab` as it is; `engine-binding.ts` connects the two.
 * Keeping the server's needs in one small interface lets its tests run against a scripted lab
 * and makes any mismatch with the engine a compile error in one place.
 */
import type { CaptureInterfaceInfo } from '../capture/capture-points.js';
import type { Issue } from '../topology/issue.js';
import type { RuntimeChangeDoc } from '../topology/runtime-change.js';
import type { TopologyDoc } from '../topology/schema.js';
import type { PingResult } from '../engine/index.js';

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
  /** IPv4 TTL / IPv6 hop limit of the probes, 1..255 */
  ttl?: number;
  intervalMs?: number;
  timeoutMs?: number;
}

/** The engine's Lab, as the server uses it. Return values the server only relays are `unknown`. */
export interface ServerLab {
  /** Injects a frame at `node:interface`; returns its frame id. Throws (LabError) on an unknown interface. */
  /** `frameId`: the id the frame had in another partition of a partitioned lab (it keeps it across the cut). */
  inject(iface: string, frame: Uint8Array, frameId?: number): number;
  /** Injects `frame` at `iface` `delayNs` from now on the virtual clock (a flood at a rate); checked now, throws like inject. */
  injectLater?(delayNs: number, iface: string, frame: Uint8Array): void;
  run(options?: RunOptions): unknown;
  /** Processes the next event; false when there was none. */
  step(): boolean;
  /** Virtual time of the next queued event; null/undefined/Infinity when the queue is empty. */
  nextEventTime(): number | null | undefined;
  /** virtual ns */
  readonly now: number;
  /**
   * True when nothing of frame `frameId` (an id `inject` returned) is left to happen (no queued
   * event of it, nothing held in a shaping queue); errs on "not yet", never early.
   */
  frameSettled(frameId: number): boolean;
  counters(iface: string): unknown;
  allCounters(): unknown;
  macTable(physicalSwitch: string): unknown;
  arpCache(iface: string): unknown;
  /** E4: IPv6 neighbour cache (a lab without IPv6 may leave it out) */
  neighbours?(iface: string): unknown;
  /** Every interface (the engine's InterfaceInfo): capture points are derived from id and kind. */
  interfaces(): readonly CaptureInterfaceInfo[];
  /** the MAC `iface` currently sends with (FrameSpec defaults); throws on an unknown interface */
  effectiveMac(iface: string): string | Uint8Array;
  /** the topology the lab runs */
  readonly topology: TopologyDoc;
  /** Dry-run trace (O2): changes no state. */
  explain(iface: string, frame: Uint8Array): unknown;
  trace: { subscribe(listener: TraceListener): () => void };
  /**
   * One runtime change (src/topology/runtime-change.ts), atomic: `{ok:false, reason}` changes
   * nothing. Afterwards notify-switches RARPs may be queued (the clock carries them).
   */
  apply(change: RuntimeChangeDoc): ChangeOutcome;
  /** The topology document as it is now, runtime changes included (a copy). */
  currentTopology(): TopologyDoc;
  /**
   * Starts a ping without running the clock (the server's clock driver runs it): its first probe
   * is queued at the current virtual time; `onDone` is called on the virtual clock when every
   * probe was answered or timed out (at once for a local error). Throws LabError for bad input.
   */
  startPing(iface: string, dstIp: string, options: PingOptionsMs, onDone: (result: PingResult) => void): void;
}

/** What `apply` answers (the engine's ChangeResult). */
export type ChangeOutcome = { ok: true; rarps: number } | { ok: false; reason: string };

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
  /** The same two off the event loop (topology-validator.ts); the topology routes use them when present. */
  validateOffThread?(value: unknown): Promise<ValidationResult>;
  validateTextOffThread?(text: string, fileName?: string): Promise<ValidationResult>;
  /**
   * A topology route's raw JSON body, parsed, read as one of its forms (topology-body.ts) and
   * validated off the event loop; an {example} comes back by name for the route to read.
   * Rejects with the same 400s as parsing it on the event loop. `json` is the body's UTF-8 bytes;
   * when they are all of their ArrayBuffer it is transferred to the worker (not copied), detached.
   */
  validateBodyOffThread?(json: Uint8Array): Promise<BodyValidation>;
}

/** What the validation worker made of a topology route's body. */
export type BodyValidation =
  | { form: 'topology'; result: ValidationResult }
  | { form: 'text'; fileName?: string; result: ValidationResult }
  | { form: 'example'; name: string };

/** Builds the frame bytes for a FrameSpec sent from `iface` (src/engine/frame-spec.ts). */
export type FrameResolver = (lab: ServerLab, iface: string, spec: unknown) => Uint8Array;
