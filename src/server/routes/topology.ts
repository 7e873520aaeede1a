/**
 * GET  /api/topology            current topology + warnings
 * POST /api/topology            load: {topology} | {text, fileName?} | {example}; 422 when invalid (lab unchanged)
 * POST /api/topology/validate   same body, validates only: {ok, errors, warnings}
 * GET  /api/examples            example topologies
 *
 * Validation runs off the event loop when the validator can (topology-validator.ts), and the
 * topology routes have their own per-client rate limits (429 with Retry-After): one client
 * cannot keep the server validating 5 MB documents.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import type { ExampleInfo } from '../api-types.js';
import type { AppContext } from '../context.js';
import { ApiError, parseBody } from '../errors.js';
import type { ValidationResult } from '../lab-contract.js';
import { RateLimiter, type RateLimitOptions } from '../rate-limit.js';

const EXAMPLE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

// The document itself is checked by the loader; here only that it is an object. (z.record would
// copy it key by key on the event loop: 200,000 keys took seconds.)
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const TopologyBody = z.object({ topology: z.custom<Record<string, unknown>>(isObject, 'must be a JSON object: the topology') }).strict();
// an empty text is the loader's to explain ("the file is empty"), not a schema message
const TextBody = z.object({ text: z.string(), fileName: z.string().max(200).optional() }).strict();
const ExampleBody = z.object({ example: z.string().regex(EXAMPLE_NAME, 'an example name: letters, digits, ".", "_", "-"') }).strict();
const LOAD_FORMS = 'send one of {"topology": {...}}, {"text": "<file contents>", "fileName"?: "..."} or {"example": "<name>"}';

/**
 * The body's form is picked by its key, then checked against that form alone, so that an error
 * names the field that is wrong (a union would only say "Invalid input").
 */
function parseLoadBody(body: unknown): z.output<typeof TopologyBody> | z.output<typeof TextBody> | z.output<typeof ExampleBody> {
  const keys = body !== null && typeof body === 'object' && !Array.isArray(body) ? Object.keys(body) : [];
  const forms = (['topology', 'text', 'example'] as const).filter((k) => keys.includes(k));
  if (forms.length !== 1) {
    const why = forms.length > 1 ? `the body has ${forms.join(' and ')}; give only one` : `the body has ${keys.length ? keys.map((k) => `"${k}"`).join(', ') : 'no fields'}`;
    throw new ApiError(400, `${LOAD_FORMS}: ${why}`, { keys });
  }
  if (forms[0] === 'topology') return parseBody(TopologyBody, body, 'topology body');
  if (forms[0] === 'text') return parseBody(TextBody, body, 'topology text body');
  return parseBody(ExampleBody, body, 'example body');
}

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

async function validateBody(ctx: AppContext, body: unknown): Promise<{ result: ValidationResult; source: string }> {
  const b = parseLoadBody(body);
  // a turn of the event loop between parsing the body and handing it to the validator (copying a
  // 5 MB document to the worker takes a while too): each is its own slice
  await new Promise<void>((resolve) => setImmediate(resolve));
  if ('topology' in b) return { result: await validateValue(ctx, b.topology), source: 'upload' };
  if ('text' in b) return { result: await validateText(ctx, b.text, b.fileName), source: b.fileName ? `upload:${b.fileName}` : 'upload' };
  const file = path.join(ctx.examplesDir, `${b.example}.json`);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    const names = (await listExamples(ctx.examplesDir)).map((e) => e.name);
    throw new ApiError(404, `no example topology named "${b.example}"`, { examples: names });
  }
  return { result: await validateText(ctx, text, `${b.example}.json`), source: `example:${b.example}` };
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
    const { result, source } = await validateBody(ctx, req.body);
    res.json(ctx.session.load(result, source));
  });

  r.post('/topology/validate', validations, async (req, res) => {
    const { result } = await validateBody(ctx, req.body);
    res.json(result.ok ? { ok: true, errors: [], warnings: result.warnings } : { ok: false, errors: result.errors, warnings: result.warnings });
  });

  r.get('/examples', async (_req, res) => {
    res.json(await listExamples(ctx.examplesDir));
  });

  return r;
}
