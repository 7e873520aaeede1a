/**
 * GET  /api/clock          {mode, now, next}
 * POST /api/clock          {mode: realtime|paused|step}
 * POST /api/clock/step     {count?}: process the next event(s); not in real-time mode
 */
import { Router } from 'express';
import { z } from 'zod';
import type { StepResponse } from '../api-types.js';
import type { AppContext } from '../context.js';
import { ApiError, parseBody } from '../errors.js';

const SetBody = z.object({ mode: z.enum(['realtime', 'paused', 'step']) }).strict();
const StepBody = z.object({ count: z.number().int().min(1).max(100_000).default(1) }).strict();

export function clockRoutes(ctx: AppContext): Router {
  const r = Router();

  r.get('/clock', (_req, res) => {
    res.json(ctx.session.clockState());
  });

  r.post('/clock', (req, res) => {
    const body = parseBody(SetBody, req.body);
    res.json(ctx.session.setClockMode(body.mode));
  });

  r.post('/clock/step', (req, res) => {
    const body = parseBody(StepBody, req.body ?? {});
    const clock = ctx.session.clock;
    if (clock.mode === 'realtime') throw new ApiError(409, 'the clock runs in real time: pause it (POST /api/clock {"mode":"step"}) to step');
    const stepped = ctx.session.step(body.count);
    const out: StepResponse = { stepped, clock: ctx.session.clockState() };
    res.json(out);
  });

  return r;
}
