/**
 * src/engine: the switching fabric at runtime. Start with `createLab(topology)`.
 *
 * This file is the engine's boundary: src/capture, src/server, src/cli, src/attach and the tests
 * outside test/engine import the engine only from here (eslint.config.js refuses deep imports).
 * What is not exported here is the engine's own business.
 */
export { createLab, Lab } from './lab.js';
export type { LabOptions, RunOptions, RunResult, InterfaceInfo, PingRequest } from './lab.js';
export { LabError, nearNames } from './lab-error.js';
export type { ExplainResult, ExplainCopy } from './explain.js';
export { EXPLAIN_MAX_EVENTS } from './explain.js';
export type { TraceEvent, TraceAction, FabricAction, CapturePoint, TraceListener, TraceStream, PointEvent, PointListener } from './trace.js';
export { CAPTURE_POINTS, capturePointCode } from './trace.js';
export { REASONS, REASON_CODES, reasonRule, reasonSentence, dropDetail, unknownReasonMessage } from './reasons.js';
export type { ReasonCode, ReasonInfo } from './reasons.js';
export { RULES, RULE_IDS, REASON_TITLES, isRuleId, ruleTitle } from './rules.js';
export type { RuleId, RuleInfo } from './rules.js';
export type { PortCounters } from './counters.js';
export type { MacTableRow } from './mac-table.js';
export type { InterfaceKind } from './model.js';
export type * from './endpoint.js';
export type { ChangeResult, RuntimeChange } from './runtime-changes.js';
export { runScenario, startScenario, currentScenario, parseScenario, timelineExcerpt } from './scenario.js';
export type { ScenarioResult, ScenarioProgress, LiveScenario, TimelineEntry, PingOutcome, CheckOutcome } from './scenario.js';
// what the CLI, the server and the real transports build on
export { resolveFrameSpec } from './frame-spec.js';
export type { FrameSpecView } from './frame-spec.js';
export { traceLine, explainTree, explainLines, isVmkInterface, pingOutput } from './trace-text.js';
export type { ExplainTreeNode, PingPrintOptions } from './trace-text.js';
export { DEFAULT_PING_SIZE, MAX_PING_SIZE } from './ping.js';
export { runTests, sendAndObserve } from './test-runner.js';
export type { TestResult, TestRunResult, RunTestsOptions, Observed } from './test-runner.js';
export { gradeActivity } from './activity.js';
export type { ActivityResult, TaskResult } from './activity.js';
export type { HistoryInfo, LabSnapshot } from './snapshot.js';
export { stormLine } from './storm.js';
export type { StormReport } from './storm.js';
export { FAILOVER_RARPS } from './notify-switches.js';
/** the engine's IPv4/IPv6 endpoint stack, for an endpoint whose frames come from elsewhere (src/attach) */
export { createIpStack } from './ip-stack.js';
