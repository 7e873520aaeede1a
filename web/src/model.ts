/**
 * Types the UI shares with the server. Everything comes from src/server/api-types.ts (types only:
 * nothing of the server reaches the bundle); the topology document's parts are derived from
 * `TopologyState['topology']` so that web/ never names src/topology.
 */
import type { SendFrameRequest, TopologyState } from '../../src/server/api-types.js';

export type {
  ApiErrorBody,
  CapturePointInfo,
  CaptureStatus,
  ClockMode,
  ClockState,
  ExampleInfo,
  InvalidTopologyBody,
  LiveHello,
  LiveUpdate,
  LoadTopologyRequest,
  PingPending,
  PingRequest,
  PortGroupRow,
  SendFrameRequest,
  SendFrameResponse,
  StepResponse,
  TopologyState,
  TraceEventJson,
  VSwitchRow,
  VmknicRow,
  PingResponse,
  InterfaceInfo,
  PortCounters,
  MacTableRow,
  EndpointArpEntry,
  EndpointNeighbourEntry,
} from '../../src/server/api-types.js';
/** POST /api/explain: steps as live trace events (frameHex), copies, and the steps grouped by copy. */
export type { ExplainJson } from '../../src/server/api-types.js';

export type TopologyDoc = TopologyState['topology'];
export type Issue = TopologyState['warnings'][number];
export type HostDoc = TopologyDoc['hosts'][number];
export type VSwitchDoc = HostDoc['vswitches'][number];
export type PortGroupDoc = VSwitchDoc['portGroups'][number];
export type VmkDoc = HostDoc['vmkernel'][number];
export type VmDoc = TopologyDoc['vms'][number];
export type VNicDoc = VmDoc['nics'][number];
export type PhysicalSwitchDoc = TopologyDoc['physicalSwitches'][number];
export type SwitchPortDoc = PhysicalSwitchDoc['ports'][number];
export type PhysicalHostDoc = TopologyDoc['physicalHosts'][number];
export type LinkDoc = TopologyDoc['links'][number];
export type PolicySettingsDoc = NonNullable<VSwitchDoc['policy']>;
export type DefaultsDoc = NonNullable<TopologyDoc['defaults']>;
export type FrameSpec = SendFrameRequest['frame'];
export type FrameKind = FrameSpec['kind'];

// --- runtime changes and effective policy (POST /api/changes, GET /api/policy) ----------------

export type { DecodedField, DecodedFrame, DecodedLayer } from '../../src/server/api-types.js';

export type { ChangeResponse, EffectivePolicy, PolicyResponse, PolicySource, Sourced, RuntimeChangeDoc as RuntimeChange, PolicyPatchDoc as PolicyPatch } from '../../src/server/api-types.js';
export type AcceptReject = 'accept' | 'reject';
