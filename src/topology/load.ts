/**
 * Loading a topology: text -> JSON -> shape (zod) -> references and warnings. Never throws: the
 * result says what happened.
 *
 *   { ok: true,  kind: 'valid',   topology, errors: [], warnings }   usable (warnings are lessons)
 *   { ok: false, kind: 'invalid', errors, warnings }            JSON, but not a valid topology
 *   { ok: false, kind: 'syntax',  errors }                      not JSON (line:column of the fault)
 *   { ok: false, kind: 'io',      errors }                      too big (unreadable files: src/files)
 *
 * All problems are reported at once: zod's shape issues *and* the reference checks, which run on
 * every part of the document whose shape they can read (model.ts), valid or not.
 *
 * Pure (no file system): the engine validates runtime changes with it. Reading a topology file
 * is src/files/topology-file.ts, a layer above the engine.
 */
import { visit, type ParseError } from 'jsonc-parser';
import { checkCrossReferences } from './cross-references.js';
import { checkAttachments } from './attachments.js';
import { capIssues, issue, MAX_REPORTED_ISSUES, type Issue } from './issue.js';
import { jsonSyntaxMessage } from './json-syntax.js';
import { positionsOfAscending, TextIndex, TextPositions } from './locate.js';
import { buildModel } from './model.js';
import { Topology, type TopologyDoc } from './schema.js';
import { checkWarnings } from './warnings.js';
import { completeMessages, fromZodIssues } from './zod-issues.js';

/**
 * Topology texts larger than this are refused before reading, unless the caller sets its own
 * limit (LoadOptions.maxBytes): the default of the library and the server's text uploads.
 */
export const MAX_TOPOLOGY_BYTES = 10 * 1024 * 1024;
/** The command line's default limit: a file of 100k interfaces (~25 MB) loads. */
export const CLI_MAX_TOPOLOGY_BYTES = 64 * 1024 * 1024;

export interface LoadOptions {
  /** bytes; default MAX_TOPOLOGY_BYTES */
  maxBytes?: number;
  /** how the user raises the limit, appended to the refusal (e.g. "raise it with --max-topology-mb N") */
  raiseHint?: string;
}

function megabytes(bytes: number): string {
  const mb = bytes / 1024 / 1024;
  return Number.isInteger(mb) ? String(mb) : mb.toFixed(1);
}

/** The limit in words, with the caller's hint to raise it (`10 MB; raise it with ...`). */
export function limitText(options: LoadOptions): string {
  return `${megabytes(options.maxBytes ?? MAX_TOPOLOGY_BYTES)} MB${options.raiseHint ? `; ${options.raiseHint}` : ''}`;
}
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
  /** Positions for the issues (set by the text loaders): where each value of the text starts. */
  index?: TextIndex;
}

/**
 * Validates an already-parsed JSON value (e.g. a request body). Issues carry paths, no positions.
 * Time is linear in the size of the document; at most MAX_REPORTED_ISSUES errors and as many
 * warnings are listed, then "and N more" (issue.ts).
 */
export function validateTopology(value: unknown, options: ValidateOptions = {}): ValidateResult {
  return validateGuarded(value, options.index, []);
}

function validateGuarded(value: unknown, index: TextIndex | undefined, earlier: Issue[]): ValidateResult {
  try {
    return validate(value, index, earlier);
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

/**
 * zod's messages that fromZodIssues rewrites anyway, not built 200,000 times: its text for unknown
 * keys lists them all (ours is per key), and a type or option mistake gets ours ("expected a
 * number, got ..."). A schema's own message still wins over these (zod asks the schema first).
 */
function zodMessage(iss: { code: string }): string | undefined {
  return iss.code === 'unrecognized_keys' ? 'unknown keys' : iss.code === 'invalid_type' ? 'Invalid input' : iss.code === 'invalid_value' ? 'Invalid option' : undefined;
}

/** `earlier`: errors found before (duplicate keys), reported, placed and capped with the rest. */
function validate(value: unknown, index: TextIndex | undefined, earlier: Issue[]): ValidateResult {
  const parsed = Topology.safeParse(value, { error: zodMessage });
  const errors: Issue[] = [...earlier];
  if (!parsed.success) append(errors, fromZodIssues(parsed.error.issues, value, Topology, [], { deferMessages: true }));
  const model = buildModel(value);
  append(errors, checkCrossReferences(model));
  if (parsed.success) append(errors, checkAttachments(parsed.data));
  const warnings = checkWarnings(model);
  const listedWarnings = index ? place(warnings, index) : capIssues(warnings);
  if (parsed.success && errors.length === 0) return { ok: true, kind: 'valid', topology: parsed.data, errors: [], warnings: listedWarnings };
  const listed = index ? place(errors, index) : capIssues(errors);
  completeMessages(listed, Topology);
  return { ok: false, kind: 'invalid', errors: listed, warnings: listedWarnings };
}

/** Positions: offsets are at most 2^30, so offset * 2^23 + index is exact in a double (2^53). */
const ORDER_SHIFT = 2 ** 23;
const NO_POSITION = 2 ** 30;

/**
 * Orders issues by where they are in the text (those with no place last, ties in their order) and
 * caps the list (capIssues). Every issue costs an offset (O(depth), see TextIndex) and a place in a
 * native numeric sort; only the listed ones get a line:column.
 */
function place(issues: Issue[], index: TextIndex): Issue[] {
  const n = issues.length;
  const offsets = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const i = issues[k]!;
    offsets[k] = index.offsetOf(i.path, i.code === 'unknown-field' || i.code === 'duplicate-key');
  }
  const ordered = new Int32Array(n);
  if (n < ORDER_SHIFT) {
    const keys = new Float64Array(n);
    for (let k = 0; k < n; k++) keys[k] = (offsets[k]! < 0 ? NO_POSITION : offsets[k]!) * ORDER_SHIFT + k;
    keys.sort();
    for (let k = 0; k < n; k++) ordered[k] = keys[k]! % ORDER_SHIFT;
  } else {
    const at = (k: number) => (offsets[k]! < 0 ? NO_POSITION : offsets[k]!);
    const order = Array.from({ length: n }, (_, k) => k).sort((a, b) => at(a) - at(b) || a - b);
    for (let k = 0; k < n; k++) ordered[k] = order[k]!;
  }
  const sorted: Issue[] = new Array<Issue>(n);
  for (let k = 0; k < n; k++) sorted[k] = issues[ordered[k]!]!;
  const listed = capIssues(sorted);
  // line:column for the listed ones only (they ascend; those with no place come last)
  const shown: number[] = [];
  for (let k = 0; k < Math.min(n, MAX_REPORTED_ISSUES) && offsets[ordered[k]!]! >= 0; k++) shown.push(offsets[ordered[k]!]!);
  positionsOfAscending(index.text, shown).forEach(({ line, column }, k) => {
    listed[k]!.line = line;
    listed[k]!.column = column;
  });
  return listed;
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

/** Repeated keys in one object: JSON.parse keeps the last silently, which hides mistakes. */
function duplicateKeys(index: TextIndex): Issue[] {
  return index.duplicateKeys().map(({ path }) => issue('error', 'duplicate-key', path, `field "${String(path[path.length - 1])}" appears more than once in this object`));
}

/** Loads a topology from its text. `file` is only echoed in the result. */
export function loadTopologyText(text: string, file?: string, options: LoadOptions = {}): LoadResult {
  try {
    return loadText(text, file, options);
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

function loadText(raw: string, file: string | undefined, options: LoadOptions): LoadResult {
  if (raw.length > (options.maxBytes ?? MAX_TOPOLOGY_BYTES)) {
    return { ok: false, kind: 'io', errors: [issue('error', 'too-large', '', `the topology is larger than the limit of ${limitText(options)}`)], warnings: [], file };
  }
  // A byte-order mark is harmless; editors do not count it as a column.
  const text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
  const positions = new TextPositions(text);
  if (text.trim() === '') return syntaxError(positions, 0, 'the file is empty; a topology is a JSON object', file);
  const deep = tooDeep(text);
  if (deep !== undefined) return syntaxError(positions, deep, `nested more than ${MAX_NESTING} levels deep`, file);

  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    // Not JSON: say why in words (jsonc-parser's first error), or else as V8 says it.
    let first: ParseError | undefined;
    visit(text, { onError: (error, offset, length) => void (first ??= { error, offset, length }) }, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
    if (first) return syntaxError(positions, first.offset, jsonSyntaxMessage(text, first), file);
    const message = err instanceof Error ? err.message : String(err);
    const at = /position (\d+)/.exec(message);
    return syntaxError(positions, at ? Number(at[1]) : 0, `invalid JSON: ${message}`, file);
  }

  // JSON: one scan of the text for positions (and repeated keys), then the checks on the value
  const index = new TextIndex(text);
  return { ...validateGuarded(value, index, duplicateKeys(index)), file };
}
