/**
 * POST /api/frames   {from, frame: FrameSpec, count?}          inject; returns the frame's trace
 * POST /api/ping     {from, to, count?, size?, df?, intervalMs?, timeoutMs?}
 * POST /api/explain  {from, frame: FrameSpec}                   dry-run trace (O2), no state change
 * All three are rate limited per client. Every frame is built (and every interface checked)
 * before anything is injected: a bad frame or an unknown interface changes nothing.
 */
import { Router } from 'express';
import { z } from 'zod';
import { FrameSpec, InterfaceRef, Ipv4Address } from '../../topology/schema.js';
import type { SendFrameResponse } from '../api-types.js';
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
    const clock = session.clock;
    if (clock.mode !== 'realtime') throw new ApiError(409, `the clock is ${clock.mode}: a ping needs it running (POST /api/clock {"mode":"realtime"})`);
    const lab = session.lab;
    // unset fields: the engine's defaults (those of vmkping)
    const options: PingOptionsMs = {};
    if (body.count !== undefined) options.count = body.count;
    if (body.size !== undefined) options.size = body.size;
    if (body.df !== undefined) options.df = body.df;
    if (body.intervalMs !== undefined) options.intervalMs = body.intervalMs;
    if (body.timeoutMs !== undefined) options.timeoutMs = body.timeoutMs;
    clock.sync();
    let result: unknown;
    if (typeof lab.startPing === 'function') {
      const startPing = lab.startPing.bind(lab);
      result = await new Promise<unknown>((resolve) => {
        startPing(body.from, body.to, options, resolve);
        clock.kick();
      });
    } else {
      // The engine has only the synchronous ping: it runs the virtual clock ahead; the clock
      // driver then continues real time from there.
      result = lab.ping(body.from, body.to, options);
      clock.kick();
    }
    res.json(toJsonValue(result));
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
