/**
 * Loading a topology: text -> JSON -> shape (zod) -> references and warnings. Never throws: the
 * result says what happened.
 *
 *   { ok: true,  kind: 'valid',   topology, errors: [], warnings }   usable (warnings are lessons)
 *   { ok: false, kind: 'invalid', errors, warnings }            JSON, but not a valid topology
 *   { ok: false, kind: 'syntax',  errors }                      not JSON (line:column of the fault)
 *   { ok: false, kind: 'io',      errors }                      unreadable, a directory, too big
 *
 * All problems are reported at once: zod's shape issues *and* the reference checks, which run on
 * every part of the document whose shape they can read (model.ts), valid or not.
 */
import { readFileSync, statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { parseTree, type Node, type ParseError } from 'jsonc-parser';
import { checkCrossReferences } from './cross-references.js';
import { checkAttachments } from './attachments.js';
import { capIssues, issue, parsePath, type Issue, type PathSegment } from './issue.js';
import { jsonSyntaxMessage } from './json-syntax.js';
import { PathLocator, TextPositions } from './locate.js';
import { buildModel } from './model.js';
import { Topology, type TopologyDoc } from './schema.js';
import { checkWarnings } from './warnings.js';
import { completeMessages, fromZodIssues } from './zod-issues.js';

/** Topology files larger than this are refused before reading. */
export const MAX_TOPOLOGY_BYTES = 10 * 1024 * 1024;
/** Deeper nesting than this is refused (no topology needs more than ~8 levels). */
export const MAX_NESTING = 256;

export interface LoadValid {
  ok: true;
  kind: 'valid';
  /** the parsed document, defaults applied */
  topology: TopologyDoc;
  /** always empty; present so that every result has `errors` */
  errors: Issue[];
  warnings: Issue[];
  file?: string;
}
export interface LoadInvalid {
  ok: false;
  kind: 'invalid';
  errors: Issue[];
  warnings: Issue[];
  file?: string;
}
export interface LoadUnreadable {
  ok: false;
  /** syntax: not JSON; io: could not be read (missing, a directory, too big) */
  kind: 'syntax' | 'io';
  errors: Issue[];
  warnings: Issue[];
  file?: string;
}
export type ValidateResult = LoadValid | LoadInvalid;
export type LoadResult = LoadValid | LoadInvalid | LoadUnreadable;

export interface ValidateOptions {
  /** Positions for the issues (set by the text loaders). */
  locator?: PathLocator;
}

/**
 * Validates an already-parsed JSON value (e.g. a request body). Issues carry paths, no positions.
 * Time is linear in the size of the document; at most MAX_REPORTED_ISSUES errors and as many
 * warnings are listed, then "and N more" (issue.ts).
 */
export function validateTopology(value: unknown, options: ValidateOptions = {}): ValidateResult {
  return validateGuarded(value, options.locator, []);
}

function validateGuarded(value: unknown, locator: PathLocator | undefined, earlier: Issue[]): ValidateResult {
  try {
    return validate(value, locator, earlier);
  } catch (err) {
    // A bug of ours must not take the caller down; report it as a problem with the document.
    return {
      ok: false,
      kind: 'invalid',
      errors: [issue('error', 'internal', '', `internal error while validating: ${err instanceof Error ? err.message : String(err)}`)],
      warnings: [],
    };
  }
}

/** Appends without spreading into arguments (a spread of 200,000 issues overflows the stack). */
function append(to: Issue[], more: readonly Issue[]): void {
  for (const i of more) to.push(i);
}

/** `earlier`: errors found before (duplicate keys), reported, placed and capped with the rest. */
function validate(value: unknown, locator: PathLocator | undefined, earlier: Issue[]): ValidateResult {
  // zod's own text for unknown keys lists them all; ours is per key, so skip building it
  const parsed = Topology.safeParse(value, { error: (iss) => (iss.code === 'unrecognized_keys' ? 'unknown keys' : undefined) });
  const errors: Issue[] = [...earlier];
  if (!parsed.success) append(errors, fromZodIssues(parsed.error.issues, value, Topology, [], { deferMessages: true }));
  const model = buildModel(value);
  append(errors, checkCrossReferences(model));
  if (parsed.success) append(errors, checkAttachments(parsed.data));
  const warnings = checkWarnings(model);
  if (locator) {
    place(errors, locator);
    place(warnings, locator);
  }
  if (parsed.success && errors.length === 0) return { ok: true, kind: 'valid', topology: parsed.data, errors: [], warnings: capIssues(warnings) };
  const listed = capIssues(errors);
  completeMessages(listed, Topology);
  return { ok: false, kind: 'invalid', errors: listed, warnings: capIssues(warnings) };
}

/** Adds line:column to each issue (O(depth) each, see PathLocator) and sorts them by position. */
function place(issues: Issue[], locator: PathLocator): void {
  for (const i of issues) {
    const pos = locator.locate(parsePath(i.path), i.code === 'unknown-field' || i.code === 'duplicate-key');
    if (pos) {
      i.line = pos.line;
      i.column = pos.column;
    }
  }
  issues.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity) || (a.column ?? 0) - (b.column ?? 0));
}

function syntaxError(positions: TextPositions, offset: number, message: string, file?: string): LoadUnreadable {
  const { line, column } = positions.at(offset);
  return { ok: false, kind: 'syntax', errors: [{ ...issue('error', 'json-syntax', '', message), line, column }], warnings: [], file };
}

/** Finds nesting deeper than MAX_NESTING without recursion; returns its offset. */
function tooDeep(text: string): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > MAX_NESTING) return i;
    } else if (c === 125 || c === 93) depth--;
  }
  return undefined;
}

/** A node to visit and how it was reached (its path is built only when an issue needs it). */
interface Visit {
  node: Node;
  parent: Visit | undefined;
  seg: PathSegment | undefined;
}

function pathOf(v: Visit | undefined, last?: PathSegment): PathSegment[] {
  const out: PathSegment[] = last === undefined ? [] : [last];
  for (let x = v; x && x.seg !== undefined; x = x.parent) out.push(x.seg);
  return out.reverse();
}

/**
 * Duplicate keys in one object: JSON.parse keeps the last silently, which hides mistakes. One pass
 * over the syntax tree with an explicit stack (no recursion a document could overflow).
 */
function duplicateKeys(root: Node | undefined): Issue[] {
  const out: Issue[] = [];
  const stack: Visit[] = root ? [{ node: root, parent: undefined, seg: undefined }] : [];
  while (stack.length > 0) {
    const visit = stack.pop()!;
    const { node } = visit;
    if (node.type === 'object') {
      // name -> value of its last property (the one JSON.parse keeps, the one checked deeper)
      const last = new Map<string, Node | undefined>();
      for (const p of node.children ?? []) {
        const k = p.children?.[0];
        if (!k || typeof k.value !== 'string') continue;
        const key = k.value;
        if (last.has(key)) out.push(issue('error', 'duplicate-key', pathOf(visit, key), `field "${key}" appears more than once in this object`));
        last.set(key, p.children?.[1]);
      }
      for (const [key, v] of last) if (v) stack.push({ node: v, parent: visit, seg: key });
    } else if (node.type === 'array') {
      (node.children ?? []).forEach((c, i) => stack.push({ node: c, parent: visit, seg: i }));
    }
  }
  return out;
}

/** Loads a topology from its text. `file` is only echoed in the result. */
export function loadTopologyText(text: string, file?: string): LoadResult {
  try {
    return loadText(text, file);
  } catch (err) {
    return {
      ok: false,
      kind: 'io',
      errors: [issue('error', 'internal', '', `internal error while loading: ${err instanceof Error ? err.message : String(err)}`)],
      warnings: [],
      file,
    };
  }
}

function loadText(raw: string, file?: string): LoadResult {
  if (raw.length > MAX_TOPOLOGY_BYTES) {
    return { ok: false, kind: 'io', errors: [issue('error', 'too-large', '', `the topology is larger than ${MAX_TOPOLOGY_BYTES / 1024 / 1024} MB`)], warnings: [], file };
  }
  // A byte-order mark is harmless; editors do not count it as a column.
  const text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
  const positions = new TextPositions(text);
  if (text.trim() === '') return syntaxError(positions, 0, 'the file is empty; a topology is a JSON object', file);
  const deep = tooDeep(text);
  if (deep !== undefined) return syntaxError(positions, deep, `nested more than ${MAX_NESTING} levels deep`, file);

  const parseErrors: ParseError[] = [];
  const root = parseTree(text, parseErrors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  if (parseErrors.length > 0) {
    const e = parseErrors[0]!;
    return syntaxError(positions, e.offset, jsonSyntaxMessage(text, e), file);
  }

  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const at = /position (\d+)/.exec(message);
    return syntaxError(positions, at ? Number(at[1]) : 0, `invalid JSON: ${message}`, file);
  }

  const locator = new PathLocator(text, root);
  return { ...validateGuarded(value, locator, duplicateKeys(root)), file };
}

function ioError(file: string, err: unknown): LoadUnreadable {
  const code = (err as { code?: string }).code;
  const reason =
    code === 'ENOENT' ? 'no such file' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EISDIR' ? 'is a directory, not a file' : err instanceof Error ? err.message : String(err);
  return { ok: false, kind: 'io', errors: [issue('error', 'unreadable', '', `cannot read ${file}: ${reason}`)], warnings: [], file };
}

function sizeError(file: string, size: number): LoadUnreadable {
  return {
    ok: false,
    kind: 'io',
    errors: [issue('error', 'too-large', '', `${file} is ${(size / 1024 / 1024).toFixed(1)} MB; topology files are limited to ${MAX_TOPOLOGY_BYTES / 1024 / 1024} MB`)],
    warnings: [],
    file,
  };
}

/** Reads and loads a topology file. */
export async function loadTopologyFile(file: string): Promise<LoadResult> {
  let text: string;
  try {
    const st = await stat(file);
    if (st.isDirectory()) return ioError(file, Object.assign(new Error('directory'), { code: 'EISDIR' }));
    if (st.size > MAX_TOPOLOGY_BYTES) return sizeError(file, st.size);
    text = await readFile(file, 'utf8');
  } catch (err) {
    return ioError(file, err);
  }
  return loadTopologyText(text, file);
}

/** Synchronous loadTopologyFile, for tests and scripts. */
export function loadTopologyFileSync(file: string): LoadResult {
  let text: string;
  try {
    const st = statSync(file);
    if (st.isDirectory()) return ioError(file, Object.assign(new Error('directory'), { code: 'EISDIR' }));
    if (st.size > MAX_TOPOLOGY_BYTES) return sizeError(file, st.size);
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return ioError(file, err);
  }
  return loadTopologyText(text, file);
}
