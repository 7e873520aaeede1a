/**
 * The API's last handlers: 404 for an unknown endpoint, and every error thrown in a route as JSON
 * `{ error, details? }` (errors.ts): an ApiError with its status; bad input refused by a lower
 * layer (the wire layer's FrameInputError, the engine's LabError) 400; body-parser failures 400
 * (malformed JSON) and 413 (too large); anything else 500 without a stack trace. Not in errors.ts:
 * the topology validation worker imports that file and needs no engine.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { LabError } from '../engine/index.js';
import { FrameInputError } from '../wire/index.js';
import { ApiError } from './errors.js';

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
  // Bad input refused by a lower layer: the wire layer's FrameInputError (a bad frame field), the
  // engine's LabError (unknown interface, bad option, with near names).
  if (err instanceof FrameInputError || err instanceof LabError) {
    const details: { field?: string; similar?: string[] } = {};
    if (err instanceof FrameInputError && err.field !== undefined) details.field = err.field;
    if (err instanceof LabError && err.suggestions.length > 0) details.similar = err.suggestions;
    res.status(400).json(details.field !== undefined || details.similar !== undefined ? { error: err.message, details } : { error: err.message });
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
