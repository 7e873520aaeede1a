/**
 * The running lab: one topology, the Lab built from it, the clock that drives it, its capture
 * session (capture-source.ts, on the lab's trace stream) and the fan-out of that stream to live
 * events and to the requests waiting for their frames (frame-waits.ts). Loading a topology is atomic: the new Lab is built first; only when that succeeds does it replace the old
 * one. An invalid topology, or one the engine refuses, leaves everything as it was.
 *
 * Runtime changes (`applyChange`) go to the engine, which applies them atomically; the session
 * then takes the lab's current topology as its state (same generation, next revision) with fresh
 * warnings, tells live clients, and lets the clock carry the RARPs notify switches queued.
 */
import type { ClockMode, ClockState, PingResponse, TopologyState } from './api-types.js';
import { DEFAULT_PING_SIZE, isVmkInterface, nearNames, pingOutput, type ChangeResult, type Lab, type PingRequest, type TraceEvent } from '../engine/index.js';
import { ClockDriver } from './clock-driver.js';
import type { CaptureSource } from './capture-source.js';
import { ApiError } from './errors.js';
import type { RuntimeChangeDoc } from '../topology/runtime-change.js';
import type { LiveEvents } from './live-events.js';
import { FrameWaits } from './frame-waits.js';
import type { LabFactory } from './engine-binding.js';
import type { TopologyValidator, ValidationResult } from './topology-validator.js';
import { plainJson } from './trace-json.js';
import { displaySource } from './topology-source.js';
import { countIssues } from '../topology/issue.js';

export interface LabSessionOptions {
  createLab: LabFactory;
  capture: CaptureSource;
  /** warnings of the topology after a runtime change; default: none */
  validator?: Pick<TopologyValidator, 'validate'>;
  clockMode?: ClockMode;
  /** real-time slack (see ClockDriver) */
  slackNs?: number;
}

interface Current {
  lab: Lab;
  state: TopologyState;
  interfaces: Set<string>;
  unsubscribe: () => void;
}

export class LabSession {
  private current: Current | undefined;
  private readonly createLab: LabFactory;
  readonly capture: CaptureSource;
  private live: LiveEvents | undefined;
  /** requests waiting for their frames to settle (POST /api/frames) */
  readonly frameWaits = new FrameWaits();
  private readonly replaced = new Set<() => void>();
  private driver: ClockDriver | undefined;
  private readonly clockMode: ClockMode;
  private readonly slackNs: number | undefined;
  private generation = 0;
  private revision = 0;
  private readonly validator: Pick<TopologyValidator, 'validate'> | undefined;

  constructor(options: LabSessionOptions) {
    this.createLab = options.createLab;
    this.validator = options.validator;
    this.capture = options.capture;
    this.clockMode = options.clockMode ?? 'realtime';
    this.slackNs = options.slackNs;
  }

  /** Connects the socket.io broadcaster (after the socket.io server exists). */
  setLive(live: LiveEvents): void {
    this.live = live;
  }

  /** The socket.io broadcaster, when there is one (routes mark a client's own frames there). */
  get liveEvents(): LiveEvents | undefined {
    return this.live;
  }

  get loaded(): boolean {
    return this.current !== undefined;
  }

  get lab(): Lab {
    if (!this.current) throw new ApiError(409, 'no topology loaded');
    return this.current.lab;
  }

  get state(): TopologyState {
    if (!this.current) throw new ApiError(409, 'no topology loaded');
    return this.current.state;
  }

  get clock(): ClockDriver {
    if (!this.driver) throw new ApiError(409, 'no topology loaded');
    return this.driver;
  }

  /**
   * Throws ApiError(`status`) unless the topology declares `iface` (`node:interface`). The check
   * happens before anything reaches the engine: an unknown interface never changes state.
   */
  requireInterface(iface: string, status = 400): string {
    const known = this.current?.interfaces;
    if (known?.has(iface)) return iface;
    const similar = known ? nearNames(iface, [...known]) : [];
    throw new ApiError(status, `unknown interface "${iface}"`, {
      hint: 'interfaces are written node:interface, e.g. web-01:eth0',
      ...(similar.length > 0 ? { similar } : {}),
    });
  }

  clockState(): ClockState {
    return this.driver?.state() ?? { mode: this.clockMode, now: 0, next: null };
  }

  /**
   * Replaces the lab with one built from a validated topology. Throws ApiError 422 (and changes
   * nothing) when the result is not ok or the engine refuses the topology.
   */
  load(result: ValidationResult, source: string): TopologyState {
    if (!result.ok) {
      throw new ApiError(422, `invalid topology: ${countIssues(result.errors)} error${countIssues(result.errors) === 1 ? '' : 's'}`, {
        errors: result.errors,
        warnings: result.warnings,
      });
    }
    let lab: Lab;
    try {
      lab = this.createLab(result.topology);
    } catch (err) {
      throw new ApiError(422, `the engine refused the topology: ${err instanceof Error ? err.message : String(err)}`, {
        errors: [{ path: '', message: err instanceof Error ? err.message : String(err), severity: 'error', code: 'engine-refused' }],
        warnings: result.warnings,
      });
    }
    // From here on nothing can fail: swap.
    const state: TopologyState = {
      generation: ++this.generation,
      revision: ++this.revision,
      source: displaySource(source), // never the server's absolute path
      loadedAt: new Date().toISOString(),
      topology: result.topology,
      warnings: result.warnings,
    };
    this.current?.unsubscribe();
    const epochNs = BigInt(Date.now()) * 1_000_000n - BigInt(Math.round(lab.now));
    this.capture.attach(lab, epochNs);
    const unsubscribe = lab.trace.subscribe(this.onTrace);
    this.current = { lab, state, unsubscribe, interfaces: new Set(lab.interfaces().map((i) => i.id)) };
    if (this.driver) this.driver.setLab(lab);
    else
      this.driver = new ClockDriver(lab, {
        mode: this.clockMode,
        ...(this.slackNs !== undefined ? { slackNs: this.slackNs } : {}),
        onAdvance: () => {
          this.live?.advanced();
          if (this.current) this.frameWaits.advanced(this.current.lab);
          this.notifyMoved();
        },
        onError: (err) => {
          this.frameWaits.cancelAll();
          const message = err instanceof Error ? err.message : String(err);
          console.error(`vswitch-lab: the clock stopped: ${message}`);
          this.live?.stateChanged({ kind: 'clock-error', message });
          if (this.driver) this.live?.clockChanged(this.driver.state());
        },
      });
    this.frameWaits.cancelAll(); // their frames were the old lab's
    const waiting = [...this.replaced];
    this.replaced.clear();
    for (const fn of waiting) fn();
    this.live?.topologyLoaded(state);
    this.live?.clockChanged(this.driver.state());
    return state;
  }

  /**
   * Why the clock must stay in real time (a lab with live attachments: real hosts do not pause,
   * docs/attachments.md), or null. Pausing or stepping is then refused with this reason (409).
   */
  realtimeOnly: string | null = null;

  setClockMode(mode: ClockMode): ClockState {
    if (mode !== 'realtime' && this.realtimeOnly !== null) throw new ApiError(409, this.realtimeOnly);
    this.clock.setMode(mode);
    if (mode !== 'realtime') this.frameWaits.cancelAll();
    const s = this.clock.state();
    this.live?.clockChanged(s);
    this.live?.stateChanged({ kind: 'clock-mode', mode });
    return s;
  }

  /**
   * Applies one runtime change through the engine. Refused: returns the reason; nothing changed
   * (the state, the lab and the live clients are as they were). Applied: the state becomes the
   * lab's current topology (next revision, fresh warnings); live clients get a
   * `{kind:'change', change, rarps}` state entry and the new topology in their next batch; in
   * real time the clock runs what is due at once (the RARPs of notify switches).
   */
  applyChange(change: RuntimeChangeDoc): ChangeResult {
    const cur = this.current;
    if (!cur) throw new ApiError(409, 'no topology loaded');
    const clock = this.clock;
    clock.sync(); // stamp the change (and its RARPs) with the present
    const r = cur.lab.apply(change);
    if (!r.ok) return r;
    const topology = cur.lab.currentTopology();
    let warnings = cur.state.warnings;
    // a cable's state, a vNIC's connection and its MAC are no input of any warning
    // (src/topology/warnings.ts; test/topology/warning-inputs.test.ts holds it): the warnings
    // stay, instead of re-validating the whole lab (100-300 ms of the event loop per click in a
    // 2,000-node lab, most of a link-down's wait)
    const keepsWarnings = change.kind === 'link' || change.kind === 'vnic-connect' || change.kind === 'effective-mac';
    if (this.validator && !keepsWarnings) {
      const v = this.validator.validate(topology);
      warnings = v.warnings;
    }
    const state: TopologyState = { ...cur.state, revision: ++this.revision, topology, warnings };
    cur.state = state;
    this.live?.stateChanged({ kind: 'change', change, rarps: r.rarps });
    this.live?.topologyChanged(state);
    this.live?.advanced();
    clock.kick();
    this.notifyMoved();
    return r;
  }

  /**
   * Called whenever the lab moved on (its clock advanced, a step, a change, a restore): the
   * lessons route pushes a scenario's progress from here (routes/lessons.ts).
   */
  readonly moved = new Set<() => void>();

  private notifyMoved(): void {
    for (const fn of this.moved) fn();
  }

  /**
   * The lab changed its own topology (a scenario's timed change, routes/lessons.ts): the state
   * becomes the lab's current topology (next revision) and live clients get it. No-op when the
   * topology is as the state has it.
   */
  refreshTopology(): void {
    const cur = this.current;
    if (!cur) return;
    const topology = cur.lab.currentTopology();
    if (JSON.stringify(topology) === JSON.stringify(cur.state.topology)) return;
    let warnings = cur.state.warnings;
    if (this.validator) warnings = this.validator.validate(topology).warnings;
    cur.state = { ...cur.state, revision: ++this.revision, topology, warnings };
    this.live?.topologyChanged(cur.state);
  }

  /**
   * Starts a ping on the lab's virtual clock (LabError for bad input, nothing started). In real
   * time the clock driver runs it as wall time passes; paused or stepped, it waits in the queue.
   * When it is over, `onDone` gets the result and live clients a `{kind:'ping', from, to,
   * result}` state entry (not when the topology was replaced meanwhile: that ping never ends).
   */
  startPing(from: string, to: string, options: PingRequest, onDone: (result: PingResponse) => void): void {
    const cur = this.current;
    if (!cur) throw new ApiError(409, 'no topology loaded');
    const clock = this.clock;
    clock.sync();
    cur.lab.startPing(from, to, options, (r) => {
      const result: PingResponse = { ...r, output: pingOutput(r, { from, dstIp: to, size: options.size ?? DEFAULT_PING_SIZE, vmkping: isVmkInterface(from), ipv6: to.includes(':') }) };
      if (this.current === cur) {
        this.live?.stateChanged({ kind: 'ping', from, to, result: plainJson(result) });
        this.live?.advanced();
      }
      onDone(result);
    });
    clock.kick();
  }

  /**
   * The lab went back or forward in time (simulation mode, routes/simulation.ts): requests
   * waiting for frames stop waiting, live clients get what happened so far sent first, then a
   * `{kind:'restored', position, traceSeq, time}` state entry (the UI forgets trace events after
   * `traceSeq`), the topology when runtime changes were undone or redone, the clock and counters.
   */
  restored(entry: { position: number; traceSeq: number; time: number }): void {
    const cur = this.current;
    if (!cur) return;
    this.frameWaits.cancelAll();
    this.live?.flush();
    this.live?.stateChanged({ kind: 'restored', ...entry });
    const topology = cur.lab.currentTopology();
    if (JSON.stringify(topology) !== JSON.stringify(cur.state.topology)) {
      cur.state = { ...cur.state, revision: ++this.revision, topology };
      this.live?.topologyChanged(cur.state);
    }
    if (this.driver) this.live?.clockChanged(this.driver.state());
    this.live?.advanced();
    this.notifyMoved();
  }

  /** The generation of the lab now (bumps on every load). */
  get labGeneration(): number {
    return this.generation;
  }

  /** Calls `fn` once when the next topology replaces this lab (requests waiting on it stop waiting). */
  onReplaced(fn: () => void): () => void {
    this.replaced.add(fn);
    return () => {
      this.replaced.delete(fn);
    };
  }

  /** Step mode: process up to `count` events (the route refuses this in real time). */
  step(count: number): number {
    const n = this.clock.step(count);
    this.live?.clockChanged(this.clock.state());
    return n;
  }

  close(): void {
    this.current?.unsubscribe();
    this.capture.close();
    this.driver?.dispose();
    this.live?.close();
  }

  private onTrace = (e: TraceEvent): void => {
    this.live?.onTrace(e);
    this.frameWaits.onTrace(e);
  };
}
