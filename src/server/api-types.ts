/**
 * Request and response shapes of the HTTP API and the socket.io events, for the web UI. Types
 * only: importing this file pulls no server code into the browser bundle. Request bodies are the
 * input types (`z.input`) of the schemas the routes parse them with, so they cannot drift apart.
 */
import type { Issue } from '../topology/issue.js';
import type { EffectivePolicy } from '../topology/policy.js';
import type { RuntimeChangeDoc } from '../topology/runtime-change.js';
import type { TopologyDoc } from '../topology/schema.js';
import type { z } from 'zod';
import type { PingBody, SendBody } from './routes/frames.js';
import type { ExampleBody, TextBody, TopologyBody } from './topology-body.js';

/** Engine shapes the API relays as JSON (GET /api/interfaces, /api/counters, /api/mac-tables, /api/arp, POST /api/ping, /api/explain). */
import type { ExplainResult, ExplainTreeNode, PingResult, TraceEvent } from '../engine/index.js';
export type {
  InterfaceInfo,
  PortCounters,
  MacTableRow,
  ExplainResult,
  ExplainCopy,
  PingResult,
  PingReply,
  EndpointArpEntry,
  EndpointNeighbourEntry,
  ExplainTreeNode,
  TraceEvent,
} from '../engine/index.js';
export type { Issue } from '../topology/issue.js';
/** POST /api/decode answers the wire layer's structured decode as it is. */
export type { DecodedFrame, DecodedLayer, DecodedField, MalformedNote } from '../wire/decode.js';
export type { EffectivePolicy, FailoverOrder, PolicySource, Sourced } from '../topology/policy.js';
export type { RuntimeChangeDoc, PolicyPatchDoc } from '../topology/runtime-change.js';

/** Every error: 4xx (or 5xx for a bug) with this body. */
export interface ApiErrorBody {
  error: string;
  details?: unknown;
}

// --- topology -------------------------------------------------------------------------------

export interface TopologyState {
  /** bumps on every successful load (a new lab: events of the old one are meaningless) */
  generation: number;
  /**
   * bumps on every load AND every applied runtime change (POST /api/changes and the link/vNIC
   * routes): redraw when it changes, start afresh only when `generation` changes
   */
  revision: number;
  /** where it came from: a file path, `example:<name>` or `upload` */
  source: string;
  loadedAt: string;
  /** the topology as it runs now: the loaded one plus every runtime change since */
  topology: TopologyDoc;
  /** warnings of `topology` (recomputed after each change) */
  warnings: Issue[];
}

/** POST /api/topology (and /validate): one of the three, as routes parse them (topology-body.ts). */
export type LoadTopologyRequest = z.input<typeof TopologyBody> | z.input<typeof TextBody> | z.input<typeof ExampleBody>;

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

/** POST /api/frames, as the route parses it (routes/frames.ts SendBody): `count` default 1, `intervalMs` (a flood on the virtual clock) default 0. */
export type SendFrameRequest = z.input<typeof SendBody>;

/**
 * The engine's trace event as JSON (live updates, POST /api/frames, the steps of POST /api/explain):
 * its fields as they are, the frame bytes as a hex stream (`frameHex`, left out of live batches
 * when the server sends no bytes) and their length (`frameLength`), both present when the event
 * has bytes (`point` set). trace-json.ts traceToJson is the one mapping.
 */
export type TraceEventJson = Omit<TraceEvent, 'frame' | 'timeBaseNs'> & {
  frameHex?: string;
  frameLength?: number;
  /**
   * The event's virtual time, ns since the lab started, exact as a decimal string (`time` is the
   * same as a JSON number: exact below 2^53 ns, ~104 days, the nearest double past that).
   * The server sends it with every event.
   */
  timeNs?: string;
};

export interface SendFrameResponse {
  frameIds: number[];
  /** every trace event of these frames seen before the response */
  events: TraceEventJson[];
  /** false when the clock is paused (or still had this frame's events queued at the deadline) */
  complete: boolean;
  clock: ClockState;
  /** a flood (intervalMs > 0): frames still to leave on the virtual clock after the first */
  scheduled?: number;
}

/** POST /api/ping, as the route parses it (routes/frames.ts PingBody); unset fields: the engine's defaults. */
export type PingRequest = z.input<typeof PingBody>;

/**
 * 202 of POST /api/ping: the ping runs on, its result comes to live clients as a
 * `{kind: 'ping', from, to, result}` state entry. When the clock is paused or stepped (the ping
 * waits in the queue: step through its ARP and echoes), or in real time when it outlasts the
 * server's wait (30 s by default).
 */
export interface PingPending {
  pending: true;
  from: string;
  to: string;
  message: string;
  clock: ClockState;
}

/**
 * 200 of POST /api/ping (and the `result` of its live state entry): the engine's PingResult plus
 * `output`, the printout as `vswitch-lab ping` prints it (ping's wording, vmkping's from a vmk).
 */
export type PingResponse = PingResult & { output: string[] };

/** The live `state` entry of a finished ping (result: a PingResponse). */
export interface PingStateEntry {
  kind: 'ping';
  from: string;
  to: string;
  result: unknown;
  [key: string]: unknown;
}

/** 200 of POST /api/explain: the engine's ExplainResult, steps as TraceEventJson, plus `tree`, the steps grouped by copy. */
export type ExplainJson = Omit<ExplainResult, 'steps'> & {
  steps: TraceEventJson[];
  tree: ExplainTreeNode[];
};

// --- runtime changes ------------------------------------------------------------------------

/** 200 of POST /api/changes. (409 `{error: reason, details: {change}}` when refused: nothing changed.) */
export interface ChangeResponse {
  ok: true;
  /** the change as applied (the request, parsed) */
  change: RuntimeChangeDoc;
  /** RARPs queued by notify switches (T7) */
  rarps: number;
}

/** The live `state` entry of an applied change (same change and rarps as the response). */
export interface ChangeStateEntry {
  kind: 'change';
  change: RuntimeChangeDoc;
  rarps: number;
  [key: string]: unknown;
}

// --- decode / policy ------------------------------------------------------------------------

/**
 * GET /api/policy?host=H&vswitch=V or ?host=H&portGroup=P: the effective policy of a vSwitch or
 * port group on the current topology, each value with its source
 * ('default' | 'topology-defaults' | 'vswitch' | 'portgroup').
 */
export interface PolicyResponse {
  host: string;
  /** the vSwitch asked for, or the one the port group is on */
  vswitch: string;
  /** present when a port group was asked for */
  portGroup?: string;
  policy: EffectivePolicy;
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
  /** PortInput, PortOutput, UplinkRcv, UplinkSnd, PhysRx, PhysTx, HostRx, HostTx or Drop */
  point: string;
  /** pcapng interface name: `node:interface Point`, or `Drop` */
  name: string;
  /** interface kind (vnic, vmk, vmnic, switch-port, physical-nic); null for Drop */
  kind: string | null;
  /** pcapng interface description: the interface, its vSwitch / port group / VLAN, what the point sees */
  description: string;
}

export interface CaptureStatus {
  points: CapturePointInfo[];
  /** packets captured since the lab was loaded (or the last clear) */
  captured: number;
  /** packets in the recording (what a download holds at most) */
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
  /** frame ids of this client's own frames (its sends, its pings' frames) among `trace`: never summarised */
  own?: number[];
}
