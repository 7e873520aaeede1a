/**
 * zod's issues -> our Issues: one per problem, with a JSON path, a message a person can act on
 * ("missing required field \"vlan\"", "unknown field \"portgroup\"; did you mean \"portGroup\"?",
 * "expected a number, got the string \"1500\"") and a stable code.
 */
import type { z } from 'zod';
import { formatPath, issue, parsePath, type Issue, type PathSegment } from './issue.js';

type ZodIssue = z.core.$ZodIssue;

/** Loose view of zod 4's internal definition object, enough to walk a schema by path. */
interface SchemaDef {
  type: string;
  shape?: Record<string, unknown>;
  innerType?: unknown;
  in?: unknown;
  element?: unknown;
  valueType?: unknown;
  options?: unknown[];
}
function defOf(schema: unknown): SchemaDef | undefined {
  const zod = (schema as { _zod?: { def?: SchemaDef } } | undefined)?._zod;
  return zod?.def;
}

/** The object schemas that may sit at `path` (several for unions). */
function objectSchemasAt(schema: unknown, path: readonly PathSegment[]): SchemaDef[] {
  let current: unknown[] = [schema];
  const unwrap = (s: unknown): unknown[] => {
    const d = defOf(s);
    if (!d) return [];
    switch (d.type) {
      case 'optional':
      case 'nullable':
      case 'default':
      case 'prefault':
      case 'readonly':
      case 'catch':
      case 'nonoptional':
        return unwrap(d.innerType);
      case 'pipe':
        return unwrap(d.in);
      case 'union':
        return (d.options ?? []).flatMap(unwrap);
      default:
        return [s];
    }
  };
  current = current.flatMap(unwrap);
  for (const seg of path) {
    const next: unknown[] = [];
    for (const s of current) {
      const d = defOf(s)!;
      if (typeof seg === 'string' && d.type === 'object' && d.shape && seg in d.shape) next.push(d.shape[seg]);
      else if (typeof seg === 'string' && d.type === 'record') next.push(d.valueType);
      else if (typeof seg === 'number' && d.type === 'array') next.push(d.element);
    }
    current = next.flatMap(unwrap);
  }
  return current.map((s) => defOf(s)!).filter((d) => d.type === 'object');
}

let scratch = new Uint32Array(64);

/** Levenshtein distance (insert, delete, substitute), for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  if (scratch.length <= b.length) scratch = new Uint32Array(b.length + 1);
  const row = scratch;
  for (let j = 0; j <= b.length; j++) row[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(tmp + 1, row[j - 1]! + 1, prev + (ca === b.charCodeAt(j - 1) ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

/** Longer words are no typo of a field name: no suggestion (and no cost quadratic in a long key). */
const MAX_SUGGEST_LENGTH = 64;

/** The closest known name to `word`, when close enough to be a typo. */
export function suggest(word: string, known: readonly string[]): string | undefined {
  if (word.length > MAX_SUGGEST_LENGTH) return undefined;
  const limit = Math.max(2, Math.floor(word.length / 3));
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    // the distance is at least the difference in length: skip what cannot be close enough
    if (Math.abs(k.length - word.length) > Math.min(limit, bestD)) continue;
    const d = k.toLowerCase() === lower ? 0 : editDistance(word, k);
    if (d < bestD) {
      best = k;
      bestD = d;
    }
  }
  return best !== undefined && bestD <= limit ? best : undefined;
}

function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let v = root;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  switch (typeof v) {
    case 'string':
      return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
    case 'number':
      return `the number ${v}`;
    case 'boolean':
      return String(v);
    case 'object':
      return 'an object';
    case 'bigint':
    case 'function':
    case 'symbol':
    case 'undefined':
    default: // tsc does not take a switch on typeof of an unknown as exhaustive
      return typeof v;
  }
}

const EXPECTED: Record<string, string> = {
  number: 'a number',
  int: 'a whole number',
  string: 'a string',
  boolean: 'true or false',
  array: 'a list ([...])',
  object: 'an object ({...})',
  record: 'an object ({...})',
};

/** A key as the message quotes it: a huge key is cut (its path still names it in full). */
function quoteKey(key: string): string {
  return JSON.stringify(key.length > 80 ? `${key.slice(0, 80)}…` : key);
}

function lastKey(path: readonly PathSegment[]): string {
  const k = path[path.length - 1];
  return typeof k === 'string' ? k : `item ${String(k)}`;
}

function quoteList(values: readonly unknown[]): string {
  const q = values.map((v) => JSON.stringify(v));
  return q.length <= 1 ? (q[0] ?? '') : `${q.slice(0, -1).join(', ')} or ${q[q.length - 1]}`;
}

/** The short form of the message of an unknown field (before completeMessages). */
const SHORT_UNKNOWN = /^unknown field "(?:[^"\\]|\\.)*(?:…)?"$/;

function unknownFieldMessage(key: string, known: readonly string[], here: string): string {
  const guess = suggest(key, known);
  return `unknown field ${quoteKey(key)}${guess ? `; did you mean "${guess}"?` : here}`;
}

function fieldsHere(known: readonly string[]): string {
  return known.length ? ` (fields here: ${[...new Set(known)].join(', ')})` : '';
}

/**
 * Writes the messages fromZodIssues left short (with `deferMessages`): the "did you mean" of an
 * unknown field. Call it on the issues that are listed, after a cap, so that 200,000 unknown
 * fields do not each cost a typo search. `schema` is the one the issues came from.
 */
export function completeMessages(issues: readonly Issue[], schema: unknown): void {
  const knownAt = new Map<string, string[]>();
  for (const i of issues) {
    if (i.code !== 'unknown-field' || !SHORT_UNKNOWN.test(i.message)) continue;
    const path = parsePath(i.path);
    const key = path.pop();
    if (typeof key !== 'string') continue;
    const parent = formatPath(path);
    let known = knownAt.get(parent);
    if (!known) {
      known = objectSchemasAt(schema, path).flatMap((d) => Object.keys(d.shape ?? {}));
      knownAt.set(parent, known);
    }
    i.message = unknownFieldMessage(key, known, fieldsHere(known));
  }
}

export interface FromZodOptions {
  /** leave the costly part of some messages to completeMessages */
  deferMessages?: boolean;
}

/** Converts zod issues for `value` (validated against `schema`) into Issues. */
export function fromZodIssues(
  issues: readonly ZodIssue[],
  value: unknown,
  schema: unknown,
  prefix: readonly PathSegment[] = [],
  how: FromZodOptions = {},
): Issue[] {
  const out: Issue[] = [];
  for (const zi of issues) {
    const path = prefix.length === 0 ? (zi.path as PathSegment[]) : [...prefix, ...(zi.path as PathSegment[])];
    const got = valueAt(value, path);
    switch (zi.code) {
      case 'unrecognized_keys': {
        const known = objectSchemasAt(schema, path).flatMap((d) => Object.keys(d.shape ?? {}));
        const here = fieldsHere(known);
        for (const key of zi.keys) {
          out.push(issue('error', 'unknown-field', [...path, key], how.deferMessages ? `unknown field ${quoteKey(key)}` : unknownFieldMessage(key, known, here)));
        }
        break;
      }
      case 'invalid_type':
        if (got === undefined && path.length > 0) {
          out.push(issue('error', 'missing-field', path, `missing required field "${lastKey(path)}"`));
        } else {
          const expected = EXPECTED[zi.expected] ?? zi.expected;
          const isDefault = zi.message.startsWith('Invalid input') || zi.message.startsWith('Invalid option') || zi.message.startsWith('Too ');
          out.push(issue('error', 'wrong-type', path, isDefault ? `expected ${expected}, got ${describeValue(got)}` : `${zi.message} (got ${describeValue(got)})`));
        }
        break;
      case 'invalid_value': {
        if (got === undefined && path.length > 0) {
          out.push(issue('error', 'missing-field', path, `missing required field "${lastKey(path)}" (${quoteList(zi.values)})`));
          break;
        }
        const guess = typeof got === 'string' ? suggest(got, zi.values.map(String)) : undefined;
        out.push(
          issue('error', 'invalid-value', path, `must be ${zi.values.length > 1 ? 'one of ' : ''}${quoteList(zi.values)}, got ${describeValue(got)}${guess ? `; did you mean "${guess}"?` : ''}`),
        );
        break;
      }
      case 'invalid_union': {
        const disc = (zi as { discriminator?: string; options?: unknown[] }).discriminator;
        const options = (zi as { options?: unknown[] }).options;
        if (disc !== undefined && options) {
          if (got === undefined) out.push(issue('error', 'missing-field', path, `missing required field "${lastKey(path)}" (${quoteList(options)})`));
          else {
            const guess = typeof got === 'string' ? suggest(got, options.map(String)) : undefined;
            out.push(issue('error', 'invalid-value', path, `must be ${quoteList(options)}, got ${describeValue(got)}${guess ? `; did you mean "${guess}"?` : ''}`));
          }
          break;
        }
        // A plain union: when exactly one branch got past the top-level type check, its issues say more.
        const near = zi.errors.filter((branch) => branch.every((b) => b.path.length > 0 || (b.code !== 'invalid_type' && b.code !== 'invalid_value')));
        if (near.length === 1) { for (const i of fromZodIssues(near[0]!, value, schema, path, how)) out.push(i); }
        else out.push(issue('error', 'invalid-value', path, `not a valid value: got ${describeValue(got)}`));
        break;
      }
      case 'too_big':
      case 'too_small':
        out.push(issue('error', 'out-of-range', path, typeof got === 'number' ? `${zi.message} (got ${got})` : zi.message));
        break;
      case 'invalid_format':
        out.push(issue('error', 'invalid-format', path, `${zi.message}, got ${describeValue(got)}`));
        break;
      case 'custom':
        out.push(issue('error', 'invalid-value', path, zi.message));
        break;
      case 'invalid_element':
      case 'invalid_key':
      case 'not_multiple_of':
        out.push(issue('error', 'invalid', path, zi.message));
    }
  }
  return out;
}
