/**
 * src/engine: the switching fabric at runtime. Start with `createLab(topology)`.
 */
export { createLab, Lab } from './lab.js';
export type { LabOptions, RunOptions, RunResult, InterfaceInfo, PingRequest } from './lab.js';
export { LabError } from './lab-error.js';
export type { ExplainResult, ExplainCopy } from './explain.js';
export { EXPLAIN_MAX_EVENTS } from './explain.js';
export type { TraceEvent, TraceAction, FabricAction, CapturePoint, TraceListener, TraceStream, PointEvent, PointListener } from './trace.js';
export { REASONS, REASON_CODES, reasonRule, reasonSentence, dropDetail } from './reasons.js';
export type { ReasonCode, ReasonInfo } from './reasons.js';
export type { PortCounters } from './counters.js';
export type { MacTableRow } from './mac-table.js';
export type { InterfaceKind } from './model.js';
export type * from './endpoint.js';
export type { ChangeResult, RuntimeChange } from './runtime-changes.js';
export { runScenario, parseScenario } from './scenario.js';
export type { ScenarioResult, TimelineEntry, PingOutcome, CheckOutcome } from './scenario.js';
