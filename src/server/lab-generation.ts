/**
 * The lab a request is about. A page that shows one lab sends the lab's generation (from
 * `TopologyState.generation`) in `X-Lab-Generation`; the server checks it when the request
 * arrives, in the same turn as the route reads or changes the lab, so another client's load in
 * between cannot slip through:
 * - the lab is still that one: the route runs as usual;
 * - it was replaced: a read (GET, HEAD) answers 204 without a body (nothing to show of a lab that
 *   is gone; the page hears of the new lab over socket.io and redraws), a change answers 409 and
 *   changes nothing. Both carry the current generation in `X-Lab-Generation` (`none` with no lab).
 * Without the header a request is about whatever lab runs (curl, scripts, the CLI).
 */
import type { RequestHandler } from 'express';
import { ApiError } from './errors.js';
import type { LabSession } from './lab-session.js';

export const LAB_GENERATION_HEADER = 'x-lab-generation';

export function labGenerationGuard(session: LabSession): RequestHandler {
  return (req, res, next) => {
    const raw = req.headers[LAB_GENERATION_HEADER];
    if (raw === undefined) {
      next();
      return;
    }
    const text = Array.isArray(raw) ? raw.join(',') : raw;
    // (at most 15 digits: always a safe integer)
    if (!/^\d{1,15}$/.test(text.trim())) {
      next(new ApiError(400, `X-Lab-Generation: a lab generation (a whole number, from GET /api/topology), not "${text.slice(0, 40)}"`));
      return;
    }
    const asked = Number(text.trim());
    const current = session.loaded ? session.labGeneration : null;
    if (current === asked) {
      next();
      return;
    }
    res.setHeader(LAB_GENERATION_HEADER, current === null ? 'none' : String(current));
    if (req.method === 'GET' || req.method === 'HEAD') {
      res.status(204).end();
      return;
    }
    next(
      new ApiError(
        409,
        `the lab was replaced: this request was for lab generation ${asked}, the server now runs ${
          current === null ? 'no lab' : `generation ${current}`
        } (another client loaded a topology); nothing was changed`,
        { generation: current },
      ),
    );
  };
}
