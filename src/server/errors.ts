/**
 * Every error the API returns is JSON `{ error, details? }` with a 4xx status (5xx only for a bug,
 * and then without a stack trace): an ApiError says which. zod failures map to 400 with the
 * issues' paths; error-handler.ts maps everything else thrown in a route.
 */
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
