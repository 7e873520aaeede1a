/**
 * POST /api/frames   {from, frame: FrameSpec, count?, intervalMs?}   inject; returns the frame's trace
 *                    (real time: answers when the engine says the frames settled, frame-waits.ts);
 *                    with intervalMs > 0 a flood: one frame now, the others every intervalMs on
 *                    the virtual clock; answers at once (`scheduled`), their events come live
 * POST /api/ping     {from, to, count?, size?, df?, ttl?, intervalMs?, timeoutMs?}   200 PingResult when it is over;
 *                    (ttl: the probes' IPv4 TTL / IPv6 hop limit, 1..255, `ping -t`);
 *                    `to` an IPv4 or (ping -6, E4) an IPv6 address;
 *                    202 PingPending while the clock is paused/stepped (or past the server's wait)
 * POST /api/explain  {from, frame: FrameSpec}                   dry-run trace (O2), no state change
 * All three are rate limited per client, in requests and in frames (a send's or a ping's count).
 * A page names its socket.io client in `x-vswitch-lab-live`: the frames it sends and its pings'
 * frames are then never summarised in that client's live batches (live-events.ts).
 * Every frame is built (and every interface checked) before anything is injected: a bad frame or
 * an unknown interface changes nothing.
 */
import { Router } from 'express';
import { z } from 'zod';
import { FrameSpec, InterfaceRef } from '../../topology/schema.js';
import { parseIpv4Cidr, parseIpv6Cidr, parseMac } from '../../wire/index.js';
import type { PingPending, PingResponse, SendFrameResponse, TraceEventJson } from '../api-types.js';
import type { AppContext } from '../context.js';
import { ApiError, parseBody } from '../errors.js';
import { framesAsked } from '../rate-limit.js';
import { explainToJson, plainJson, traceToJson } from '../trace-json.js';
import { resolveFrameSpec, type PingRequest } from '../../engine/index.js';
import { LIVE_CLIENT_HEADER } from '../live-events.js';

/** The live client (socket.io id) a page's request names: its frames are never summarised for it. */
function liveClient(req: { get(name: string): string | undefined }): string | undefined {
  const v = req.get(LIVE_CLIENT_HEADER);
  return v !== undefined && v.length > 0 && v.length <= 100 ? v : undefined;
}

export const SendBody = z
  .object({
    from: InterfaceRef,
    frame: FrameSpec,
    count: z.number().int().min(1).max(1000).default(1),
    /** a flood: the copies leave one every intervalMs on the virtual clock (0: all at once) */
    intervalMs: z.number().min(0).max(10_000).default(0),
  })
  .strict();

/** A ping target: an IPv4 address, or an IPv6 one (E4: ping -6, vmkping -6). */
const PingTarget = z
  .string()
  .max(100)
  .superRefine((s, ctx) => {
    if (s.includes('/') || (!parseIpv4Cidr(s) && !(s.includes(':') && parseIpv6Cidr(s)))) {
      ctx.addIssue({ code: 'custom', message: `"${s}" is not an IPv4 address (like 10.0.0.21) or an IPv6 address (like fe80::1)` });
    }
  });

export const PingBody = z
  .object({
    from: InterfaceRef,
    to: PingTarget,
    count: z.number().int().min(1).max(100).optional(),
    size: z.number().int().min(0).max(65507).optional(),
    df: z.boolean().optional(),
    ttl: z.number().int().min(1).max(255).optional(),
    intervalMs: z.number().min(1).max(10_000).optional(),
    timeoutMs: z.number().min(1).max(30_000).optional(),
  })
  .strict();

const ExplainBody = z.object({ from: InterfaceRef, frame: FrameSpec }).strict();

export function frameRoutes(ctx: AppContext): Router {
  const r = Router();
  const limit = ctx.frameLimiter.middleware();
  const limitFrames = ctx.frameLimiter.middleware(framesAsked);

  r.post('/frames', limitFrames, async (req, res) => {
    const body = parseBody(SendBody, req.body);
    const session = ctx.session;
    session.requireInterface(body.from);
    const lab = session.lab;
    const bytes = resolveFrameSpec(lab, body.from, body.frame);
    const clock = session.clock;
    clock.sync();
    if (body.intervalMs > 0 && body.count > 1) {
      // a flood: the first frame now, the rest on the virtual clock; their events come live
      for (let i = 1; i < body.count; i++) lab.injectLater(i * body.intervalMs * 1e6, body.from, bytes);
      const first = lab.inject(body.from, bytes);
      const client = liveClient(req);
      if (client !== undefined) {
        session.liveEvents?.keep(client, [first]);
        session.liveEvents?.watchSent(client, body.from, bytes, body.count - 1);
      }
      clock.kick();
      const flood: SendFrameResponse = { frameIds: [first], events: [], complete: false, clock: session.clockState(), scheduled: body.count - 1 };
      res.json(flood);
      return;
    }
    const ids: number[] = new Array(body.count);
    const wait = session.frameWaits.wait();
    let complete = false;
    try {
      for (let i = 0; i < body.count; i++) ids[i] = lab.inject(body.from, bytes);
      const client = liveClient(req);
      if (client !== undefined) session.liveEvents?.keep(client, ids);
      wait.injected(ids);
      clock.kick();
      // real time: answer when the engine says the frames settled (usually at once: a frame
      // crosses the lab within the kick), or at the deadline with complete: false
      if (clock.mode === 'realtime') complete = await wait.settled(lab, ctx.sendSettleMs);
    } finally {
      wait.end(complete);
    }
    const events = wait.events;
    const json = new Array<TraceEventJson>(events.length);
    for (let i = 0; i < events.length; i++) json[i] = traceToJson(events[i]!);
    const out: SendFrameResponse = { frameIds: ids, events: json, complete, clock: session.clockState() };
    res.json(out);
  });

  r.post('/ping', limitFrames, async (req, res) => {
    const body = parseBody(PingBody, req.body);
    const session = ctx.session;
    session.requireInterface(body.from);
    // unset fields: the engine's defaults (those of vmkping)
    const options: PingRequest = {};
    if (body.count !== undefined) options.count = body.count;
    if (body.size !== undefined) options.size = body.size;
    if (body.df !== undefined) options.df = body.df;
    if (body.ttl !== undefined) options.ttl = body.ttl;
    if (body.intervalMs !== undefined) options.intervalMs = body.intervalMs;
    if (body.timeoutMs !== undefined) options.timeoutMs = body.timeoutMs;
    const generation = session.labGeneration;
    let finished = false;
    let result: PingResponse | undefined;
    let wake: (() => void) | undefined;
    const client = liveClient(req);
    const unwatch = client !== undefined ? session.liveEvents?.watchPing(client, body.from, parseMac(session.lab.effectiveMac(body.from)) ?? undefined) : undefined;
    try {
      session.startPing(body.from, body.to, options, (r) => {
        unwatch?.();
        finished = true;
        result = r;
        wake?.();
      });
    } catch (err) {
      unwatch?.();
      throw err;
    }
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
    if (finished && result !== undefined) {
      res.json(plainJson(result));
      return;
    }
    if (session.labGeneration !== generation) throw new ApiError(409, 'the topology was replaced while the ping ran');
    const mode = session.clock.mode;
    const pending: PingPending = {
      pending: true,
      from: body.from,
      to: body.to,
      message: mode === 'realtime'
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
    const bytes = resolveFrameSpec(lab, body.from, body.frame);
    res.json(explainToJson(lab.explain(body.from, bytes)));
  });

  return r;
}
