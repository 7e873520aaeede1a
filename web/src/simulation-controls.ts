/**
 * The one set of time controls (header): the lab's clock in one of two modes.
 *  - Realtime: events run as wall time passes and stream into the list as they happen.
 *  - Simulation (Packet Tracer's word): the virtual clock moves only on Step or Play, at a chosen
 *    speed: engine events per wall second, or virtual time per wall second (the clock then moves
 *    smoothly and every event due is processed, one step each, as it comes). Each Step asks the engine for its next event and shows what
 *    that event did — the picture is the engine's progress, never a replay behind it. Back undoes
 *    the last step, Reset goes back to the moment simulation started, and clicking an event in
 *    the list jumps the lab to right after it (the engine restores its history,
 *    src/engine/snapshot.ts); a send after going back discards the undone future.
 * Talks to /api/simulation (src/server/routes/simulation.ts).
 */
import { ApiFailure, apiToken } from './api.js';
import { formatTime, h, toast } from './dom.js';
import type { ClockState, TraceEventJson } from './model.js';
import type { SimulationState, SimulationStepResponse } from '../../src/server/simulation-types.js';

export interface SimulationHooks {
  /** events a step emitted (they also come over socket.io; the store merges by seq) */
  events(events: TraceEventJson[]): void;
  /** the lab went back (or forward) to the moment right after trace event `traceSeq` */
  restored(traceSeq: number): void;
  /** the animation's pace: Play's events per second in simulation mode, null in real time */
  pace(eventsPerSecond: number | null): void;
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', 'x-vswitch-lab': '1' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const t = apiToken();
  if (t) headers.authorization = `Bearer ${t}`;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (err) {
    throw new ApiFailure(0, { error: `the server does not answer (${err instanceof Error ? err.message : String(err)})` });
  }
  const value = (await res.json().catch(() => undefined)) as unknown;
  if (!res.ok) {
    const b = value as { error?: unknown; details?: unknown } | undefined;
    throw new ApiFailure(res.status, { error: typeof b?.error === 'string' ? b.error : `${res.status} ${res.statusText}`, details: b?.details });
  }
  return value as T;
}

export const simulationApi = {
  state: () => call<SimulationState>('GET', '/api/simulation'),
  setMode: (mode: 'realtime' | 'simulation') => call<SimulationState>('POST', '/api/simulation', { mode }),
  step: (count = 1) => call<SimulationStepResponse>('POST', '/api/simulation/step', { count }),
  advance: (ns: number) => call<SimulationStepResponse>('POST', '/api/simulation/advance', { ns }),
  back: (count = 1) => call<SimulationState>('POST', '/api/simulation/back', { count }),
  reset: () => call<SimulationState>('POST', '/api/simulation/reset'),
  jump: (traceSeq: number) => call<SimulationState>('POST', '/api/simulation/jump', { traceSeq }),
};

/** Play speeds: engine events per wall second, or virtual ns per wall second. */
interface Speed {
  value: string;
  label: string;
  eventsPerSecond?: number;
  nsPerSecond?: number;
}
const SPEEDS: readonly Speed[] = [
  ...[1, 2, 5, 10, 25, 100].map((n) => ({ value: `e${n}`, label: `${n} ev/s`, eventsPerSecond: n })),
  ...[
    [1e3, '1 µs/s'],
    [1e4, '10 µs/s'],
    [1e6, '1 ms/s'],
    [1e7, '10 ms/s'],
    [1e8, '100 ms/s'],
    [1e9, '1 s/s'],
  ].map(([ns, label]) => ({ value: `t${ns}`, label: label as string, nsPerSecond: ns as number })),
];
/** Play by virtual time: a request every TIME_TICK_MS, for the wall time since the last (at most MAX_TICK_MS of it) */
const TIME_TICK_MS = 100;
const MAX_TICK_MS = 500;

export class SimulationControls {
  readonly root: HTMLElement;
  private readonly modeSel: HTMLSelectElement;
  private readonly resetBtn: HTMLButtonElement;
  private readonly backBtn: HTMLButtonElement;
  private readonly playBtn: HTMLButtonElement;
  private readonly stepBtn: HTMLButtonElement;
  private readonly speedSel: HTMLSelectElement;
  private readonly nowEl: HTMLElement;
  private readonly reachEl: HTMLElement;
  private state: SimulationState | null = null;
  private clock: ClockState | null = null;
  private playing = false;
  private playTimer: ReturnType<typeof setTimeout> | undefined;
  /** one request at a time: a click while one runs waits for it */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly hooks: SimulationHooks) {
    this.modeSel = h(
      'select',
      { id: 'sim-mode', 'aria-label': 'Clock mode', title: 'Realtime: events run as time passes. Simulation: the clock moves only when you Step or Play.' },
      h('option', { value: 'realtime' }, 'Realtime'),
      h('option', { value: 'simulation' }, 'Simulation'),
    );
    this.resetBtn = h('button', { type: 'button', id: 'sim-reset', title: 'Back to the moment simulation started' }, 'Reset');
    this.backBtn = h('button', { type: 'button', id: 'sim-back', title: 'Undo the last step (b)' }, '◂ Back');
    this.playBtn = h('button', { type: 'button', id: 'sim-play', 'aria-pressed': 'false', title: 'Play / pause (space)' }, '▶ Play');
    this.stepBtn = h('button', { type: 'button', id: 'sim-step', title: 'Process the next engine event (n)' }, 'Step ▸');
    this.speedSel = h(
      'select',
      { id: 'sim-speed', 'aria-label': 'Play speed', title: 'Play speed: engine events per wall second, or virtual time per wall second' },
      h('optgroup', { label: 'Events per second' }, ...SPEEDS.filter((s) => s.eventsPerSecond !== undefined).map((s) => h('option', { value: s.value, selected: s.value === 'e2' }, s.label))),
      h('optgroup', { label: 'Virtual time per second' }, ...SPEEDS.filter((s) => s.nsPerSecond !== undefined).map((s) => h('option', { value: s.value }, s.label))),
    );
    this.nowEl = h('span', { id: 'clock-now', class: 'clock-now muted' });
    this.reachEl = h('span', { id: 'sim-reach', class: 'muted sim-reach', role: 'status' });
    this.root = h(
      'span',
      { class: 'sim-controls', role: 'toolbar', 'aria-label': 'Lab clock' },
      this.modeSel,
      this.resetBtn,
      this.backBtn,
      this.playBtn,
      this.stepBtn,
      this.speedSel,
      this.nowEl,
      this.reachEl,
    );

    this.modeSel.addEventListener('change', () => {
      const mode = this.modeSel.value as 'realtime' | 'simulation';
      this.stopPlay();
      this.run(() => simulationApi.setMode(mode).then((s) => this.apply(s)));
    });
    this.resetBtn.addEventListener('click', () => this.reset());
    this.backBtn.addEventListener('click', () => this.back());
    this.stepBtn.addEventListener('click', () => this.step());
    this.playBtn.addEventListener('click', () => this.togglePlay());
    this.speedSel.addEventListener('change', () => this.render());
    void simulationApi.state().then(
      (s) => this.apply(s),
      () => undefined,
    );
  }

  /** the lab's history position and last trace seq as the server last said (tests, status) */
  get position(): { position: number; traceSeq: number; next: number | null } | null {
    const s = this.state;
    return s ? { position: s.history.position, traceSeq: s.traceSeq, next: s.clock.next } : null;
  }

  get simulating(): boolean {
    return (this.clock?.mode ?? this.state?.clock.mode ?? 'realtime') !== 'realtime';
  }

  /** The clock as the server reports it (live updates, send answers). */
  renderClock(c: ClockState): void {
    const modeChanged = this.clock !== null && (this.clock.mode === 'realtime') !== (c.mode === 'realtime');
    const moved = this.state !== null && (this.state.clock.next !== c.next || this.state.clock.now !== c.now);
    this.clock = c;
    // something was sent or changed (the history grew): ask for its reach again
    if (modeChanged || moved || this.state === null) this.refresh();
    this.render();
  }

  /** Asks the server for the history's reach again (after a send or a change). */
  refresh(): void {
    void simulationApi.state().then(
      (s) => this.apply(s),
      () => undefined,
    );
  }

  step(): void {
    if (!this.simulating) {
      toast('Step works in simulation mode: choose Simulation first', 'info');
      return;
    }
    this.run(() => this.stepOnce());
  }

  back(): void {
    this.stopPlay();
    this.run(() => simulationApi.back().then((s) => this.restoredTo(s)));
  }

  reset(): void {
    this.stopPlay();
    this.run(() => simulationApi.reset().then((s) => this.restoredTo(s)));
  }

  /** Jumps the lab to right after the event `seq` (simulation mode); false in real time. */
  jumpTo(seq: number): boolean {
    if (!this.simulating) return false;
    this.stopPlay();
    this.run(() => simulationApi.jump(seq).then((s) => this.restoredTo(s)));
    return true;
  }

  togglePlay(): void {
    if (!this.simulating) {
      // Pause in real time: the clock stops where it is (simulation mode, nothing lost)
      this.run(() => simulationApi.setMode('simulation').then((s) => this.apply(s)));
      return;
    }
    if (this.playing) this.stopPlay();
    else {
      this.playing = true;
      this.render();
      this.tick();
    }
  }

  /** the chosen Play speed */
  private get speed(): Speed {
    return SPEEDS.find((s) => s.value === this.speedSel.value) ?? SPEEDS[1]!;
  }

  /** wall time (performance.now) of the last Play-by-time request */
  private lastTick = 0;
  /** Play by time: the last answers (virtual ns asked, clock and next event after, events' times), for tests and status */
  readonly trail: Array<{ ns: number; now: number; next: number | null; stepped: number; times: number[] }> = [];

  private tick(): void {
    if (!this.playing) return;
    const sp = this.speed;
    if (sp.nsPerSecond !== undefined) {
      // virtual time per wall second: the clock moves by the wall time since the last request
      const now = performance.now();
      const wallMs = this.lastTick === 0 ? TIME_TICK_MS : Math.min(MAX_TICK_MS, now - this.lastTick);
      this.lastTick = now;
      const ns = Math.max(1, Math.round((sp.nsPerSecond * wallMs) / 1000));
      this.run(async () => {
        const r = await simulationApi.advance(ns);
        this.trail.push({ ns, now: r.clock.now, next: r.clock.next, stepped: r.stepped, times: r.events.map((e) => e.time) });
        if (this.trail.length > 500) this.trail.splice(0, this.trail.length - 500);
        if (r.events.length > 0) this.hooks.events(r.events);
        this.apply(r);
        if (this.playing) this.playTimer = setTimeout(() => this.tick(), TIME_TICK_MS);
      });
      return;
    }
    this.run(async () => {
      const r = await this.stepOnce();
      const speed = sp.eventsPerSecond ?? 1;
      // nothing queued: wait for a send, slowly
      const wait = r.stepped > 0 ? 1000 / speed : Math.max(250, 1000 / speed);
      if (this.playing) this.playTimer = setTimeout(() => this.tick(), wait);
    });
  }

  private stopPlay(): void {
    this.playing = false;
    this.lastTick = 0;
    if (this.playTimer !== undefined) clearTimeout(this.playTimer);
    this.playTimer = undefined;
    this.render();
  }

  private async stepOnce(): Promise<SimulationStepResponse> {
    const r = await simulationApi.step(1);
    if (r.events.length > 0) this.hooks.events(r.events);
    this.apply(r);
    if (r.stepped === 0 && !this.playing) toast('nothing left to happen: send a frame or a ping', 'info');
    return r;
  }

  private restoredTo(s: SimulationState): void {
    this.hooks.restored(s.traceSeq);
    this.apply(s);
  }

  private run(fn: () => Promise<unknown>): void {
    this.chain = this.chain.then(fn).catch((err: unknown) => {
      this.stopPlay();
      toast(err instanceof Error ? err.message : String(err), 'error');
    });
  }

  private apply(s: SimulationState): void {
    this.state = s;
    this.clock = s.clock;
    if (s.mode === 'realtime') this.stopPlay();
    this.render();
  }

  private render(): void {
    const sim = this.simulating;
    const s = this.state;
    const c = this.clock ?? s?.clock ?? null;
    this.modeSel.value = sim ? 'simulation' : 'realtime';
    this.root.classList.toggle('simulating', sim);
    // Play by time: events come in batches as the clock moves, animated at the real-time pace
    this.hooks.pace(sim ? (this.speed.eventsPerSecond ?? null) : null);
    const h0 = s?.history;
    this.resetBtn.disabled = !sim || !h0 || h0.position <= s.start || !h0.enabled;
    this.backBtn.disabled = !sim || !h0 || h0.position <= h0.oldest || !h0.enabled;
    this.stepBtn.disabled = !sim;
    this.speedSel.disabled = !sim;
    this.playBtn.textContent = sim ? (this.playing ? '❚❚ Pause' : '▶ Play') : '❚❚ Pause';
    this.playBtn.title = sim ? 'Play / pause the simulation (space)' : 'Stop the clock here: simulation mode (space)';
    this.playBtn.setAttribute('aria-pressed', String(sim && this.playing));
    if (c) this.nowEl.textContent = `virtual ${formatTime(c.now)}${c.next !== null && sim ? ` · next event at ${formatTime(c.next)}` : ''}`;
    if (!h0) this.reachEl.textContent = '';
    else if (!h0.enabled) this.reachEl.textContent = `no going back: ${h0.reason ?? 'history is off'}`;
    else {
      const ahead = h0.end - h0.position;
      const back = h0.position - h0.oldest;
      this.reachEl.textContent = sim
        ? `step ${h0.position} · history reaches back to ${formatTime(h0.oldestTime)}, ${back} step${back === 1 ? '' : 's'}${ahead > 0 ? ` · ${ahead} undone` : ''}`
        : '';
      this.reachEl.classList.toggle('sim-reach-dropped', h0.dropped > 0);
      const mb = (h0.limitBytes / 1048576).toFixed(0);
      this.reachEl.title = `History: ${(h0.bytes / 1048576).toFixed(1)} of ${mb} MB. It reaches back to ${formatTime(h0.oldestTime)}` +
        (h0.dropped > 0
          ? ` (after event #${h0.oldestTraceSeq}): the ${h0.dropped} oldest moments were dropped, oldest first, to keep it under ${mb} MB; Back, Reset and clicks on older events are refused.`
          : ' (the lab as loaded).');
    }
  }
}
