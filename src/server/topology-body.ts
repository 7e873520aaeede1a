/**
 * The body of POST /api/topology and /api/topology/validate: one of {topology}, {text, fileName?}
 * or {example}. Read from the raw JSON text in the validation worker (topology-validator-worker.ts),
 * so that a 5 MB body is neither parsed nor copied on the event loop; the routes read it here
 * only when the validator has no worker.
 */
import { z } from 'zod';
import { ApiError, parseBody } from './errors.js';

export const EXAMPLE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

// The document itself is checked by the loader; here only that it is an object. (z.record would
// copy it key by key: 200,000 keys took seconds.)
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const TopologyBody = z.object({ topology: z.custom<Record<string, unknown>>(isObject, 'must be a JSON object: the topology') }).strict();
// an empty text is the loader's to explain ("the file is empty"), not a schema message
export const TextBody = z.object({ text: z.string(), fileName: z.string().max(200).optional() }).strict();
export const ExampleBody = z.object({ example: z.string().regex(EXAMPLE_NAME, 'an example name: letters, digits, ".", "_", "-"') }).strict();
const LOAD_FORMS = 'send one of {"topology": {...}}, {"text": "<file contents>", "fileName"?: "..."} or {"example": "<name>"}';

export type LoadBody = z.output<typeof TopologyBody> | z.output<typeof TextBody> | z.output<typeof ExampleBody>;

/**
 * The body's form is picked by its key, then checked against that form alone, so that an error
 * names the field that is wrong (a union would only say "Invalid input"). 400 ApiError otherwise.
 */
export function parseLoadBody(body: unknown): LoadBody {
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
