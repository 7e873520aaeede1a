/**
 * GET  /api/topology            current topology + warnings
 * POST /api/topology            load: {topology} | {text, fileName?} | {example}; 422 when invalid (lab unchanged)
 * POST /api/topology/validate   same body, validates only: {ok, errors, warnings}
 * GET  /api/examples            example topologies
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Router } from 'express';
import { z } from 'zod';
import type { ExampleInfo } from '../api-types.js';
import type { AppContext } from '../context.js';
import { ApiError, parseBody } from '../errors.js';
import type { ValidationResult } from '../lab-contract.js';

const EXAMPLE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

const TopologyBody = z.object({ topology: z.record(z.string(), z.unknown()) }).strict();
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

async function validateBody(ctx: AppContext, body: unknown): Promise<{ result: ValidationResult; source: string }> {
  const b = parseLoadBody(body);
  if ('topology' in b) return { result: ctx.validator.validate(b.topology), source: 'upload' };
  if ('text' in b) return { result: ctx.validator.validateText(b.text, b.fileName), source: b.fileName ? `upload:${b.fileName}` : 'upload' };
  const file = path.join(ctx.examplesDir, `${b.example}.json`);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    const names = (await listExamples(ctx.examplesDir)).map((e) => e.name);
    throw new ApiError(404, `no example topology named "${b.example}"`, { examples: names });
  }
  return { result: ctx.validator.validateText(text, `${b.example}.json`), source: `example:${b.example}` };
}

export function topologyRoutes(ctx: AppContext): Router {
  const r = Router();

  r.get('/topology', (_req, res) => {
    res.json(ctx.session.state);
  });

  r.post('/topology', async (req, res) => {
    const { result, source } = await validateBody(ctx, req.body);
    res.json(ctx.session.load(result, source));
  });

  r.post('/topology/validate', async (req, res) => {
    const { result } = await validateBody(ctx, req.body);
    res.json(result.ok ? { ok: true, errors: [], warnings: result.warnings } : { ok: false, errors: result.errors, warnings: result.warnings });
  });

  r.get('/examples', async (_req, res) => {
    res.json(await listExamples(ctx.examplesDir));
  });

  return r;
}
