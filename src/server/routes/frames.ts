/**
 * POST /api/frames   {from, frame: FrameSpec, count?}          inject; returns the frame's trace
 * POST /api/ping     {from, to, count?, size?, df?, intervalMs?, timeoutMs?}   200 PingResult when it is over;
 *                    202 PingPending while the clock is paused/stepped (or past the server's wait)
 * POST /api/explain  {from, frame: FrameSpec}                   dry-run trace (O2), no state change
 * All three are rate limited per client. Every frame is built (and every interface checked)
 * before anything is injected: a bad frame or an unknown interface changes nothing.
 */
import { Router } from 'express';
import { z } from 'zod';
import { FrameSpec, InterfaceRef, Ipv4Address } from '../../topology/schema.js';
import type { PingPending, SendFrameResponse } from '../api-types.js';
import type { AppContext } from '../context.js';
import { ApiError, parseBody } from '../errors.js';
import { nextTime } from '../clock-driver.js';
import type { PingOptionsMs, TraceEventLike } from '../lab-contract.js';
import { toJsonValue, traceToJson } from '../trace-json.js';

const SendBody = z
  .object({
    from: InterfaceRef,
    frame: FrameSpec,
    count: z.number().int().min(1).max(1000).default(1),
  })
  .strict();

const PingBody = z
  .object({
    from: InterfaceRef,
    to: Ipv4Address,
    count: z.number().int().min(1).max(100).optional(),
    size: z.number().int().min(0).max(65507).optional(),
    df: z.boolean().optional(),
    intervalMs: z.number().min(1).max(10_000).optional(),
    timeoutMs: z.number().min(1).max(30_000).optional(),
  })
  .strict();

const ExplainBody = z.object({ from: InterfaceRef, frame: FrameSpec }).strict();

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Real-time mode: wait until the frame's events stop coming (or the deadline passes). */
async function settle(ctx: AppContext, events: TraceEventLike[]): Promise<boolean> {
  const deadline = performance.now() + ctx.sendSettleMs;
  const QUIET_MS = 15;
  let seen = events.length;
  let quietSince = performance.now();
  while (performance.now() < deadline) {
    await sleep(5);
    if (events.length !== seen) {
      seen = events.length;
      quietSince = performance.now();
      continue;
    }
    const lab = ctx.session.lab;
    const next = nextTime(lab);
    // nothing queued soon (in virtual time) and nothing new for a while: done
    if ((next === null || next > lab.now + 50_000_000) && performance.now() - quietSince >= QUIET_MS) return true;
    if (ctx.session.clock.mode !== 'realtime') return false;
  }
  return false;
}

export function frameRoutes(ctx: AppContext): Router {
  const r = Router();
  const limit = ctx.frameLimiter.middleware();

  r.post('/frames', limit, async (req, res) => {
    const body = parseBody(SendBody, req.body);
    const session = ctx.session;
    session.requireInterface(body.from);
    const lab = session.lab;
    const bytes = ctx.resolveFrame(lab, body.from, body.frame);
    const clock = session.clock;
    clock.sync();
    const ids = new Set<number>();
    let injecting = true;
    const collector = session.collect((e) => injecting || ids.has(e.frameId));
    let complete = false;
    try {
      for (let i = 0; i < body.count; i++) ids.add(lab.inject(body.from, bytes));
      injecting = false;
      clock.kick();
      if (clock.mode === 'realtime') complete = await settle(ctx, collector.events);
    } finally {
      collector.stop();
    }
    const out: SendFrameResponse = {
      frameIds: [...ids],
      events: collector.events.filter((e) => ids.has(e.frameId)).map((e) => traceToJson(e)),
      complete,
      clock: session.clockState(),
    };
    res.json(out);
  });

  r.post('/ping', limit, async (req, res) => {
    const body = parseBody(PingBody, req.body);
    const session = ctx.session;
    session.requireInterface(body.from);
    // unset fields: the engine's defaults (those of vmkping)
    const options: PingOptionsMs = {};
    if (body.count !== undefined) options.count = body.count;
    if (body.size !== undefined) options.size = body.size;
    if (body.df !== undefined) options.df = body.df;
    if (body.intervalMs !== undefined) options.intervalMs = body.intervalMs;
    if (body.timeoutMs !== undefined) options.timeoutMs = body.timeoutMs;
    const generation = session.labGeneration;
    let finished = false;
    let result: unknown;
    let wake: (() => void) | undefined;
    session.startPing(body.from, body.to, options, (r) => {
      finished = true;
      result = r;
      wake?.();
    });
    // Real time: the ping takes the virtual time it needs, which follows the wall clock; answer
    // when it is over (bounded). Paused/stepped: it waits in the queue for the student to step.
    if (!finished && session.clock.mode === 'realtime') {
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          clearTimeout(timer);
          offReplaced();
          resolve();
        };
        const timer = setTimeout(stop, ctx.pingWaitMs);
        const offReplaced = session.onReplaced(stop); // a new topology: this ping will never end
        wake = stop;
      });
    }
    if (finished) {
      res.json(toJsonValue(result));
      return;
    }
    if (session.labGeneration !== generation) throw new ApiError(409, 'the topology was replaced while the ping ran');
    const mode = session.clock.mode;
    const pending: PingPending = {
      pending: true,
      from: body.from,
      to: body.to,
      message:
        mode === 'realtime'
          ? `the ping is still running after ${ctx.pingWaitMs} ms; its result comes to live clients as a {kind:"ping"} state entry`
          : `the clock is ${mode}: the ping waits in the queue; step the clock (POST /api/clock/step) or set it to realtime to run it; its result comes to live clients as a {kind:"ping"} state entry`,
      clock: session.clockState(),
    };
    res.status(202).json(pending);
  });

  r.post('/explain', limit, (req, res) => {
    const body = parseBody(ExplainBody, req.body);
    const session = ctx.session;
    session.requireInterface(body.from);
    const lab = session.lab;
    const bytes = ctx.resolveFrame(lab, body.from, body.frame);
    res.json(toJsonValue(lab.explain(body.from, bytes)));
  });

  return r;
}
