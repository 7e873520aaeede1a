/**
 * Request and response shapes of the HTTP API and the socket.io events, for the web UI. Types
 * only: importing this file pulls no server code into the browser bundle.
 */
import type { Issue } from '../topology/issue.js';
import type { FrameSpecDoc, TopologyDoc } from '../topology/schema.js';

/** Engine shapes the API relays as JSON (GET /api/interfaces, /api/counters, /api/mac-tables, /api/arp, POST /api/ping, /api/explain). */
export type {
  InterfaceInfo,
  PortCounters,
  MacTableRow,
  ExplainResult,
  ExplainCopy,
  PingResult,
  PingReply,
  EndpointArpEntry,
  TraceEvent,
} from '../engine/index.js';
export type { Issue } from '../topology/issue.js';

/** Every error: 4xx (or 5xx for a bug) with this body. */
export interface ApiErrorBody {
  error: string;
  details?: unknown;
}

// --- topology -------------------------------------------------------------------------------

export interface TopologyState {
  /** bumps on every successful load */
  generation: number;
  /** where it came from: a file path, `example:<name>` or `upload` */
  source: string;
  loadedAt: string;
  topology: TopologyDoc;
  warnings: Issue[];
}

/** POST /api/topology: one of the three. */
export type LoadTopologyRequest =
  | { topology: unknown }
  | { text: string; fileName?: string }
  | { example: string };

/** 422 body of POST /api/topology (the running lab is unchanged). */
export interface InvalidTopologyBody extends ApiErrorBody {
  details: { errors: Issue[]; warnings: Issue[] };
}

export interface ExampleInfo {
  name: string;
  title: string;
  description?: string;
}

// --- frames ---------------------------------------------------------------------------------

export interface SendFrameRequest {
  /** `node:interface` */
  from: string;
  frame: FrameSpecDoc;
  /** copies to send (default 1) */
  count?: number;
}

/** A trace event as JSON: the frame bytes as hex. */
export interface TraceEventJson {
  seq: number;
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
  point?: string;
  frameHex?: string;
  frameLength?: number;
  detail?: unknown;
}

export interface SendFrameResponse {
  frameIds: number[];
  /** every trace event of these frames seen before the response */
  events: TraceEventJson[];
  /** false when the clock is paused (or still had this frame's events queued at the deadline) */
  complete: boolean;
  clock: ClockState;
}

export interface PingRequest {
  from: string;
  to: string;
  count?: number;
  size?: number;
  df?: boolean;
  intervalMs?: number;
  timeoutMs?: number;
}

export interface ExplainRequest {
  from: string;
  frame: FrameSpecDoc;
}

// --- runtime changes ------------------------------------------------------------------------

/** POST /api/links/state; answers the InterfaceInfo of `iface`. */
export interface LinkStateRequest {
  iface: string;
  up: boolean;
}

/** POST /api/vnics/state (at least one of connected, mac); answers the InterfaceInfo of `iface`. */
export interface VnicStateRequest {
  iface: string;
  connected?: boolean;
  mac?: string;
}

// --- clock ----------------------------------------------------------------------------------

export type ClockMode = 'realtime' | 'paused' | 'step';

export interface ClockState {
  mode: ClockMode;
  /** virtual ns */
  now: number;
  /** virtual ns of the next queued event, or null */
  next: number | null;
}

export interface SetClockRequest {
  mode: ClockMode;
}

export interface StepRequest {
  /** events to process (default 1) */
  count?: number;
}

export interface StepResponse {
  stepped: number;
  clock: ClockState;
}

// --- esxcli-like views (O3) ----------------------------------------------------------------

export interface VSwitchRow {
  host: string;
  name: string;
  mtu: number;
  uplinks: string[];
  portGroups: string[];
  /** ports in use: uplinks + vNICs + VMkernel adapters */
  usedPorts: number;
}

export interface PortGroupRow {
  host: string;
  name: string;
  vswitch: string;
  /** vNICs and VMkernel adapters in it */
  activeClients: number;
  vlanId: number;
}

export interface VmknicRow {
  host: string;
  name: string;
  mac: string;
  portGroup: string;
  netstack: string;
  mtu: number;
  ipv4: string | null;
}

// --- capture --------------------------------------------------------------------------------

export interface CapturePointInfo {
  /** `node:interface:Point`, or `Drop` */
  id: string;
  iface: string | null;
  point: string;
  description: string;
}

export interface CaptureStatus {
  points: CapturePointInfo[];
  recorded: number;
  /** packets forgotten because the recording buffer was full (oldest first) */
  overwritten: number;
  limit: number;
}

// --- socket.io ------------------------------------------------------------------------------

/**
 * socket.io events the server emits: `lab:hello` (LiveHello) once on connect, then `lab:update`
 * (LiveUpdate) batches, at most ~20 per second per client.
 */
export type LiveEventName = 'lab:hello' | 'lab:update';

/** First event after connecting. */
export interface LiveHello {
  topology: TopologyState;
  clock: ClockState;
}

/** One throttled batch. Fields are present only when something changed. */
export interface LiveUpdate {
  /** per-client sequence number of this batch */
  batch: number;
  topology?: TopologyState;
  clock?: ClockState;
  /** state changes (link up/down, clock mode...) since the last batch */
  state?: Array<{ kind: string; [key: string]: unknown }>;
  /** trace events, oldest first; when traffic is heavy only the first ones, see `summary` */
  trace?: TraceEventJson[];
  /** counters snapshot (what GET /api/counters returns) */
  counters?: unknown;
  /** what was summarised instead of sent, when traffic was heavy */
  summary?: {
    /** trace events not listed in `trace` */
    omitted: number;
    /** omitted events by action */
    byAction: Record<string, number>;
    /** omitted drop events by reason */
    dropsByReason: Record<string, number>;
  };
  /** events this client lost because it did not keep up (bounded queue, oldest dropped) */
  dropped?: number;
}
