/**
 * The error the lab API throws for bad input (an unknown interface, a bad address, a runaway
 * run): a clear message, never a stack trace for the user. Callers map it to exit 2 / HTTP 4xx.
 */
import { editDistance } from '../topology/zod-issues.js';

export class LabError extends Error {
  constructor(
    message: string,
    /** near names, when the input named something that does not exist */
    readonly suggestions: string[] = [],
  ) {
    super(message);
    this.name = 'LabError';
  }
}

/** Up to `max` names from `names` that look like `wanted` (same node first, then edit distance). */
export function nearNames(wanted: string, names: readonly string[], max = 5): string[] {
  const w = wanted.toLowerCase();
  const node = w.split(':')[0] ?? w;
  const scored = names.map((n) => {
    const l = n.toLowerCase();
    let score = editDistance(w, l);
    if (l.startsWith(`${node}:`)) score -= 100;
    return { n, score };
  });
  scored.sort((a, b) => a.score - b.score || a.n.localeCompare(b.n));
  return scored.filter((s) => s.score <= Math.max(3, w.length / 2) || s.score < 0).slice(0, max).map((s) => s.n);
}
