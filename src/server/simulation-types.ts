/**
 * Types of the simulation API (routes/simulation.ts), shared with the UI (types only).
 */
import type { HistoryInfo } from '../engine/index.js';
import type { ClockState, TraceEventJson } from './api-types.js';

export type { HistoryInfo } from '../engine/index.js';

/** realtime: events run as wall time passes; simulation: only Step / Play move the virtual clock */
export type SimulationMode = 'realtime' | 'simulation';

/** GET /api/simulation, and the answer of every simulation request. */
export interface SimulationState {
  mode: SimulationMode;
  clock: ClockState;
  /** how far back (and, after going back, forward) the lab's history reaches */
  history: HistoryInfo;
  /** where Reset goes: the position when simulation mode started (0: the lab as loaded) */
  start: number;
  /** virtual time at `start`, ns */
  startTime: number;
  /** the last trace event's seq now (the UI keeps events up to it) */
  traceSeq: number;
}

/** POST /api/simulation/step: what the steps emitted, in order. */
export interface SimulationStepResponse extends SimulationState {
  /** events processed (0: nothing was queued) */
  stepped: number;
  events: TraceEventJson[];
}
