/**
 * Simulation mode (the learner drives time) on the lab's one clock:
 * GET  /api/simulation            SimulationState: mode, clock, history reach, Reset's position
 * POST /api/simulation            {mode: realtime|simulation}; switching keeps the lab's state
 * POST /api/simulation/step       {count?}: the next event(s), redoing an undone future's inputs
 *                                 first; answers the events they emitted
 * POST /api/simulation/advance    {ns, maxEvents?}: Play by virtual time — every event due within
 *                                 the next `ns` of virtual time, one step each, then the clock
 *                                 stands at now + ns; answers the events (like step)
 * POST /api/simulation/back       {count?}: undo the last step(s) (or input)
 * POST /api/simulation/reset      back to the moment simulation mode started
 * POST /api/simulation/jump       {position} | {traceSeq}: the lab as it was right after that event
 * Going back is the engine's (lab.restore, src/engine/snapshot.ts); a send after going back
 * discards the undone future. Back, reset and jump are refused in real time (409).
 */
import { Router } from 'express';
import { z } from 'zod';
import type { HistoryInfo, Lab, LabSnapshot } from '../../engine/index.js';
import type { TraceEventJson } from '../api-types.js';
import type { AppContext } from '../context.js';
import { ApiError, parseBody } from '../errors.js';
import type { SimulationState, SimulationStepResponse } from '../simulation-types.js';
import { traceToJson } from '../trace-json.js';

const ModeBody = z.object({ mode: z.enum(['realtime', 'simulation']) }).strict();
const CountBody = z.object({ count: z.number().int().min(1).max(10_000).default(1) }).strict();
/** at most a virtual minute per request, and a cap on its events (a storm keeps the rest for the next) */
const AdvanceBody = z.object({ ns: z.number().int().min(1).max(60e9), maxEvents: z.number().int().min(1).max(10_000).default(2_000) }).strict();
const JumpBody = z
  .object({ position: z.number().int().min(0).optional(), traceSeq: z.number().int().min(0).optional() })
  .strict()
  .refine((b) => (b.position === undefined) !== (b.traceSeq === undefined), { message: 'give either position or traceSeq' });

/** Where Reset goes, per lab (a new topology starts afresh). */
const starts = new WeakMap<object, LabSnapshot>();

export function simulationRoutes(ctx: AppContext): Router {
  const r = Router();

  const historyLab = (): Lab => ctx.session.lab;
  const simulating = (): boolean => ctx.session.clock.mode !== 'realtime';
  const startOf = (lab: Lab): LabSnapshot | null => starts.get(lab) ?? lab.snapshotAt(0);

  const state = (): SimulationState => {
    const lab = historyLab();
    const h = lab.history();
    const start = startOf(lab);
    const here = lab.snapshotAt(h.position);
    return {
      mode: simulating() ? 'simulation' : 'realtime',
      clock: ctx.session.clockState(),
      history: h,
      start: start?.position ?? h.oldest,
      startTime: start?.time ?? h.oldestTime,
      traceSeq: here?.traceSeq ?? 0,
    };
  };

  const needSimulation = (what: string): void => {
    if (!simulating()) throw new ApiError(409, `${what} works in simulation mode: POST /api/simulation {"mode":"simulation"} first`);
  };

  const goTo = (lab: Lab, snap: LabSnapshot | null, what: string): SimulationState => {
    if (snap === null) {
      const h = lab.history();
      throw new ApiError(409, h.enabled ? `${what}: ${reach(h)}` : `${what}: ${h.reason ?? 'history is off'}`);
    }
    try {
      lab.restore(snap);
    } catch (err) {
      throw new ApiError(409, err instanceof Error ? err.message : String(err));
    }
    ctx.session.restored({ position: snap.position, traceSeq: snap.traceSeq, time: snap.time });
    prepare(lab);
    return state();
  };

  /** After answering: build the lab the next Back/Reset/jump re-runs on (restore then only re-runs). */
  const prepare = (lab: Lab): void => {
    setImmediate(() => {
      try {
        if (ctx.session.loaded && ctx.session.lab === lab) lab.prepareRestore?.();
      } catch {
        // busy or replaced meanwhile: the next restore builds its own
      }
    });
  };

  /** How far the history reaches, in words (a refusal's reason). */
  const reach = (h: HistoryInfo): string =>
    h.dropped > 0
      ? `the history reaches back only to position ${h.oldest} (virtual ${h.oldestTime} ns, after event #${h.oldestTraceSeq}): older moments were dropped, oldest first, to keep it under its ${
        Math.round(h.limitBytes / 1048576)
      } MB limit`
      : `the history reaches positions ${h.oldest}..${h.end}`;

  r.get('/simulation', (_req, res) => {
    res.json(state());
  });

  r.post('/simulation', (req, res) => {
    const body = parseBody(ModeBody, req.body);
    const lab = historyLab();
    const was = simulating();
    ctx.session.setClockMode(body.mode === 'simulation' ? 'step' : 'realtime');
    if (body.mode === 'simulation' && !was) {
      try {
        starts.set(lab, lab.snapshot());
        prepare(lab);
      } catch {
        starts.delete(lab); // history is off: Reset cannot go back (state() says why)
      }
    }
    res.json(state());
  });

  r.post('/simulation/step', (req, res) => {
    const body = parseBody(CountBody, req.body ?? {});
    needSimulation('Step');
    const lab = historyLab();
    const events: TraceEventJson[] = [];
    const off = lab.trace.subscribe((e) => events.push(traceToJson(e)));
    let stepped = 0;
    try {
      for (let k = 0; k < body.count; k++) {
        // after going back, the undone future's inputs (a send, a change) come back before its next step
        while (lab.history().next === 'input') lab.redo();
        const n = ctx.session.step(1);
        if (n === 0) break;
        stepped += n;
      }
    } finally {
      off();
    }
    const out: SimulationStepResponse = { ...state(), stepped, events };
    res.json(out);
    // the window may have moved (oldest dropped): bring the base forward while idle
    prepare(lab);
  });

  r.post('/simulation/advance', (req, res) => {
    const body = parseBody(AdvanceBody, req.body);
    needSimulation('Play');
    const lab = historyLab();
    const target = lab.now + body.ns;
    const events: TraceEventJson[] = [];
    const off = lab.trace.subscribe((e) => events.push(traceToJson(e)));
    let stepped = 0;
    let capped = false;
    try {
      for (;;) {
        while (lab.history().next === 'input') lab.redo();
        const t = lab.nextEventTime();
        if (t === null || t === undefined || t > target) break;
        if (stepped >= body.maxEvents) {
          capped = true;
          break;
        }
        const n = ctx.session.step(1);
        if (n === 0) break;
        stepped += n;
      }
      // nothing else is due before the target: the clock moves there (one journal position)
      if (!capped && target > lab.now) {
        lab.run({ forNs: target - lab.now });
        ctx.session.step(0); // tells live clients where the clock is
      }
    } finally {
      off();
    }
    const out: SimulationStepResponse = { ...state(), stepped, events };
    res.json(out);
    prepare(lab);
  });

  r.post('/simulation/back', (req, res) => {
    const body = parseBody(CountBody, req.body ?? {});
    needSimulation('Back');
    const lab = historyLab();
    const h = lab.history();
    if (h.position === 0) throw new ApiError(409, 'Back: this is the lab as it was loaded; nothing before it');
    if (h.position <= h.oldest) throw new ApiError(409, `Back: ${h.enabled ? reach(h) : (h.reason ?? 'history is off')}`);
    res.json(goTo(lab, lab.snapshotAt(Math.max(h.oldest, h.position - body.count)), 'Back'));
  });

  r.post('/simulation/reset', (_req, res) => {
    needSimulation('Reset');
    const lab = historyLab();
    res.json(goTo(lab, startOf(lab), 'Reset'));
  });

  r.post('/simulation/jump', (req, res) => {
    const body = parseBody(JumpBody, req.body);
    needSimulation('Jump');
    const lab = historyLab();
    const snap = body.position !== undefined ? lab.snapshotAt(body.position) : lab.snapshotAtTraceSeq(body.traceSeq!);
    res.json(goTo(lab, snap, body.position !== undefined ? `position ${body.position}` : `event #${body.traceSeq}`));
  });

  return r;
}
