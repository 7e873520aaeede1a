/**
 * The running lab: one topology, the Lab built from it, the clock that drives it, and the fan-out
 * of its trace stream (capture recording, live events, per-request collectors). Loading a
 * topology is atomic: the new Lab is built first; only when that succeeds does it replace the old
 * one. An invalid topology, or one the engine refuses, leaves everything as it was.
 */
import type { ClockMode, ClockState, TopologyState } from './api-types.js';
import { ClockDriver } from './clock-driver.js';
import type { TraceCaptureSource } from './capture-source.js';
import { ApiError } from './errors.js';
import type { LabFactory, ServerLab, TraceEventLike, TraceListener, ValidationResult } from './lab-contract.js';
import type { LiveEvents } from './live-events.js';
import { interfaceNames, similarInterfaces } from './interface-names.js';

export interface LabSessionOptions {
  createLab: LabFactory;
  capture: TraceCaptureSource;
  clockMode?: ClockMode;
  /** real-time slack (see ClockDriver) */
  slackNs?: number;
}

interface Current {
  lab: ServerLab;
  state: TopologyState;
  interfaces: Set<string>;
  unsubscribe: () => void;
}

export class LabSession {
  private current: Current | undefined;
  private readonly createLab: LabFactory;
  readonly capture: TraceCaptureSource;
  private live: LiveEvents | undefined;
  private readonly listeners = new Set<TraceListener>();
  private driver: ClockDriver | undefined;
  private readonly clockMode: ClockMode;
  private readonly slackNs: number | undefined;
  private generation = 0;

  constructor(options: LabSessionOptions) {
    this.createLab = options.createLab;
    this.capture = options.capture;
    this.clockMode = options.clockMode ?? 'realtime';
    this.slackNs = options.slackNs;
  }

  /** Connects the socket.io broadcaster (after the socket.io server exists). */
  setLive(live: LiveEvents): void {
    this.live = live;
  }

  get loaded(): boolean {
    return this.current !== undefined;
  }

  get lab(): ServerLab {
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
    const similar = known ? similarInterfaces(known, iface) : [];
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
      throw new ApiError(422, `invalid topology: ${result.errors.length} error${result.errors.length === 1 ? '' : 's'}`, {
        errors: result.errors,
        warnings: result.warnings,
      });
    }
    let lab: ServerLab;
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
      source,
      loadedAt: new Date().toISOString(),
      topology: result.topology,
      warnings: result.warnings,
    };
    this.current?.unsubscribe();
    const epochNs = BigInt(Date.now()) * 1_000_000n - BigInt(Math.round(lab.now));
    this.capture.reset(result.topology, epochNs);
    const unsubscribe = lab.trace.subscribe(this.onTrace);
    this.current = { lab, state, unsubscribe, interfaces: interfaceNames(result.topology) };
    if (this.driver) this.driver.setLab(lab);
    else
      this.driver = new ClockDriver(lab, {
        mode: this.clockMode,
        ...(this.slackNs !== undefined ? { slackNs: this.slackNs } : {}),
        onAdvance: () => this.live?.advanced(),
        onError: (err) => {
          const message = err instanceof Error ? err.message : String(err);
          console.error(`vswitch-lab: the clock stopped: ${message}`);
          this.live?.stateChanged({ kind: 'clock-error', message });
          if (this.driver) this.live?.clockChanged(this.driver.state());
        },
      });
    this.live?.topologyLoaded(state);
    this.live?.clockChanged(this.driver.state());
    return state;
  }

  setClockMode(mode: ClockMode): ClockState {
    this.clock.setMode(mode);
    const s = this.clock.state();
    this.live?.clockChanged(s);
    this.live?.stateChanged({ kind: 'clock-mode', mode });
    return s;
  }

  /** A runtime change (link, vNIC): tell the live clients. */
  notify(change: { kind: string; [key: string]: unknown }): void {
    this.live?.stateChanged(change);
    this.live?.advanced();
  }

  /** Step mode: process up to `count` events (the route refuses this in real time). */
  step(count: number): number {
    const n = this.clock.step(count);
    this.live?.clockChanged(this.clock.state());
    return n;
  }

  /** Collects trace events while `fn` and what it leads to run; call the returned stop() when done. */
  collect(filter: (e: TraceEventLike) => boolean): { events: TraceEventLike[]; stop: () => void } {
    const events: TraceEventLike[] = [];
    const MAX = 10_000;
    const l: TraceListener = (e) => {
      if (events.length < MAX && filter(e)) events.push(e);
    };
    this.listeners.add(l);
    return { events, stop: () => this.listeners.delete(l) };
  }

  close(): void {
    this.current?.unsubscribe();
    this.driver?.dispose();
    this.live?.close();
  }

  private onTrace = (e: TraceEventLike): void => {
    this.capture.onTrace(e);
    this.live?.onTrace(e);
    for (const l of this.listeners) l(e);
  };
}
