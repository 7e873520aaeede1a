/**
 * GET  /api/topology            current topology + warnings
 * POST /api/topology            load: {topology} | {text, fileName?} | {example}; 422 when invalid (lab unchanged)
 * POST /api/topology/validate   same body, validates only: {ok, errors, warnings}
 * GET  /api/examples            example topologies
 *
 * The body is parsed and validated off the event loop when the validator can (topology-validator.ts,
 * worker: topology-validator-worker.ts; body forms: topology-body.ts), and the
 * topology routes have their own per-client rate limits (429 with Retry-After): one client
 * cannot keep the server validating 5 MB documents.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Router, type Request, type RequestHandler } from 'express';
import type { ExampleInfo } from '../api-types.js';
import type { AppContext } from '../context.js';
import { ApiError } from '../errors.js';
import { parseJson, rawJson, utf8Text } from '../json-body.js';
import type { BodyValidation, ValidationResult } from '../topology-validator.js';
import { RateLimiter, type RateLimitOptions } from '../rate-limit.js';
import { EXAMPLE_NAME, parseLoadBody } from '../topology-body.js';

export async function listExamples(dir: string): Promise<ExampleInfo[]> {
  let files: string[];
  try {
    files = await readdir(dir);
  } catch {
    return [];
  }
  const out: ExampleInfo[] = [];
  // *.schema.json are the JSON Schemas of topologies and scenarios, not labs
  for (const f of files.filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json')).sort()) {
    const name = f.slice(0, -'.json'.length);
    if (!EXAMPLE_NAME.test(name)) continue;
    let title = name;
    let description: string | undefined;
    try {
      const v = JSON.parse(await readFile(path.join(dir, f), 'utf8')) as { name?: unknown; description?: unknown };
      if (typeof v.name === 'string') title = v.name;
      if (typeof v.description === 'string') description = v.description;
    } catch {
      // JSONC or broken: still listed; loading it reports the problem
    }
    out.push(description === undefined ? { name, title } : { name, title, description });
  }
  return out;
}

/** The off-thread validator when the server has one (topology-validator.ts), else the plain one. */
function validateValue(ctx: AppContext, value: unknown): Promise<ValidationResult> | ValidationResult {
  return ctx.validator.validateOffThread ? ctx.validator.validateOffThread(value) : ctx.validator.validate(value);
}
function validateText(ctx: AppContext, text: string, fileName?: string): Promise<ValidationResult> | ValidationResult {
  return ctx.validator.validateTextOffThread ? ctx.validator.validateTextOffThread(text, fileName) : ctx.validator.validateText(text, fileName);
}

/**
 * The body's form, validated. The app keeps these routes' bodies as raw text (json-body.ts,
 * `raw: true`): the validation worker parses it and validates what it holds, so a 5 MB upload is
 * neither parsed nor copied on the event loop. Without a worker (or with a body parsed by another
 * app, as in tests) the body is read here.
 */
async function readBody(ctx: AppContext, req: Request): Promise<BodyValidation> {
  const raw = rawJson(req);
  if (raw !== undefined && ctx.validator.validateBodyOffThread) return ctx.validator.validateBodyOffThread(raw);
  const b = parseLoadBody(raw !== undefined ? parseJson(utf8Text(raw)) : req.body);
  // a turn of the event loop between parsing the body and handing it to the validator (copying a
  // 5 MB document to the worker takes a while too): each is its own slice
  await new Promise<void>((resolve) => setImmediate(resolve));
  if ('topology' in b) return { form: 'topology', result: await validateValue(ctx, b.topology) };
  if ('text' in b) {
    const result = await validateText(ctx, b.text, b.fileName);
    return b.fileName === undefined ? { form: 'text', result } : { form: 'text', fileName: b.fileName, result };
  }
  return { form: 'example', name: b.example };
}

async function validateBody(ctx: AppContext, req: Request): Promise<{ result: ValidationResult; source: string }> {
  const b = await readBody(ctx, req);
  if (b.form === 'topology') return { result: b.result, source: 'upload' };
  if (b.form === 'text') return { result: b.result, source: b.fileName ? `upload:${b.fileName}` : 'upload' };
  const file = path.join(ctx.examplesDir, `${b.name}.json`);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    const names = (await listExamples(ctx.examplesDir)).map((e) => e.name);
    throw new ApiError(404, `no example topology named "${b.name}"`, { examples: names });
  }
  return { result: await validateText(ctx, text, `${b.name}.json`), source: `example:${b.name}` };
}

/** Per-client request budgets of the topology routes (token buckets, rate-limit.ts). */
export interface TopologyRateLimits {
  /** POST /api/topology and /api/topology/validate together: each may carry a 5 MB document */
  validate: Omit<RateLimitOptions, 'now'>;
  /** GET /api/topology: the whole loaded topology */
  read: Omit<RateLimitOptions, 'now'>;
}

export const TOPOLOGY_RATE_LIMITS: TopologyRateLimits = {
  validate: { burst: 20, perSecond: 2 },
  read: { burst: 60, perSecond: 20 },
};

function limited(limiter: RateLimiter, what: string): RequestHandler {
  return (req, res, next) => {
    const wait = limiter.take(req.socket.remoteAddress ?? 'unknown');
    if (wait === 0) {
      next();
      return;
    }
    const seconds = Number.isFinite(wait) ? Math.max(1, Math.ceil(wait / 1000)) : 60;
    res.setHeader('Retry-After', String(seconds));
    res.status(429).json({ error: `too many requests: ${what} are rate limited`, details: { retryAfterMs: Number.isFinite(wait) ? wait : null } });
  };
}

export function topologyRoutes(ctx: AppContext, limits: TopologyRateLimits = TOPOLOGY_RATE_LIMITS): Router {
  const r = Router();
  const validations = limited(new RateLimiter(limits.validate), 'topology loads and validations');
  const reads = limited(new RateLimiter(limits.read), 'topology reads');

  r.get('/topology', reads, (_req, res) => {
    res.json(ctx.session.state);
  });

  r.post('/topology', validations, async (req, res) => {
    const { result, source } = await validateBody(ctx, req);
    res.json(ctx.session.load(result, source));
  });

  r.post('/topology/validate', validations, async (req, res) => {
    const { result } = await validateBody(ctx, req);
    res.json(result.ok ? { ok: true, errors: [], warnings: result.warnings } : { ok: false, errors: result.errors, warnings: result.warnings });
  });

  r.get('/examples', async (_req, res) => {
    res.json(await listExamples(ctx.examplesDir));
  });

  return r;
}
