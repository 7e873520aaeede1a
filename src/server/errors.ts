/**
 * Every error the API returns is JSON `{ error, details? }` with a 4xx status (5xx only for a bug,
 * and then without a stack trace). Body-parser failures map to 400 (malformed JSON) and 413 (too
 * large); zod failures to 400 with the issues' paths.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { z } from 'zod';

export class ApiError extends Error {
  readonly status: number;
  readonly details: unknown;

  constructor(status: number, message: string, details?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.details = details;
  }
}

export interface BodyIssue {
  path: string;
  message: string;
}

/** zod issues -> `[{ path: 'frame.hex', message }]`. */
export function zodIssues(error: z.ZodError): BodyIssue[] {
  return error.issues.map((i) => ({
    path: i.path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.').replace(/\.\[/g, '['),
    message: i.message,
  }));
}

/** Parses `value` with `schema`, or throws a 400 ApiError naming each bad field. */
export function parseBody<S extends z.ZodType>(schema: S, value: unknown, what = 'request body'): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw new ApiError(400, `invalid ${what}`, { issues: zodIssues(r.error) });
  return r.data;
}

export const notFound: RequestHandler = (req, res) => {
  res.status(404).json({ error: `no such endpoint: ${req.method} ${req.originalUrl.split('?')[0]}` });
};

interface BodyParserError {
  type?: string;
  status?: number;
  statusCode?: number;
  limit?: number;
  length?: number;
  expose?: boolean;
  message?: string;
}

export const errorHandler: ErrorRequestHandler = (err: unknown, _req, res, next) => {
  if (res.headersSent) {
    next(err);
    return;
  }
  if (err instanceof ApiError) {
    res.status(err.status).json(err.details === undefined ? { error: err.message } : { error: err.message, details: err.details });
    return;
  }
  // Bad input refused by a lower layer: the wire layer's FrameInputError, the engine's LabError
  // (unknown interface, bad option). Matched by name so that the server needs no engine import.
  if (err instanceof Error && (err.name === 'FrameInputError' || err.name === 'LabError')) {
    const field = (err as { field?: unknown }).field;
    const suggestions = (err as { suggestions?: unknown }).suggestions;
    const details: Record<string, unknown> = {};
    if (typeof field === 'string') details.field = field;
    if (Array.isArray(suggestions) && suggestions.length > 0) details.similar = suggestions;
    res.status(400).json(Object.keys(details).length > 0 ? { error: err.message, details } : { error: err.message });
    return;
  }
  const e = (err ?? {}) as BodyParserError;
  if (e.type === 'entity.parse.failed') {
    res.status(400).json({ error: 'malformed JSON body', details: { message: e.message } });
    return;
  }
  if (e.type === 'entity.too.large') {
    res.status(413).json({ error: 'request body too large', details: { limit: e.limit, length: e.length } });
    return;
  }
  const status = e.status ?? e.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    res.status(status).json({ error: e.expose && e.message ? e.message : 'bad request', details: { type: e.type } });
    return;
  }
  if (process.env.VSWITCH_LAB_DEBUG) console.error(err);
  res.status(500).json({ error: 'internal error', details: { message: err instanceof Error ? err.message : String(err) } });
};
