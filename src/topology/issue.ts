/**
 * One problem found in a topology: where (a JSON path such as
 * `hosts[0].vswitches[1].portGroups[2].vlan`, plus line:column when the text is known), what, and
 * how bad. Errors make a topology unusable; warnings point at something that works but is
 * probably not what the author meant (each warning is a lesson of vss-behaviour.md).
 */

export type Severity = 'error' | 'warning';

export interface Issue {
  /** JSON path from the top of the document; '' for the document itself. */
  path: string;
  message: string;
  /** 1-based line of the value (or of the object that lacks a field), when the text is known. */
  line?: number;
  /** 1-based column. */
  column?: number;
  severity: Severity;
  /** Stable machine code, kebab-case (e.g. `unknown-port-group`, `json-syntax`). */
  code: string;
  /** Only on the closing `more-issues` entry of a capped list: how many issues it stands for. */
  omitted?: number;
}

/**
 * Issues listed at most per list (errors, warnings); the rest are counted in one closing entry,
 * "and N more errors". A document with 200,000 mistakes needs its first ones fixed, not a 50 MB
 * report.
 */
export const MAX_REPORTED_ISSUES = 1000;

/** `issues` cut to `max`, with a closing `more-issues` entry that says how many were left out. */
export function capIssues(issues: Issue[], max = MAX_REPORTED_ISSUES): Issue[] {
  if (issues.length <= max) return issues;
  const omitted = issues.length - max;
  const severity = issues[0]!.severity;
  const listed = issues.slice(0, max);
  listed.push({
    path: '',
    severity,
    code: 'more-issues',
    message: `and ${omitted} more ${severity}${omitted === 1 ? '' : 's'} (only the first ${max} are listed)`,
    omitted,
  });
  return listed;
}

/** How many issues a (possibly capped) list stands for. */
export function countIssues(issues: readonly Issue[]): number {
  const last = issues[issues.length - 1];
  return last?.omitted !== undefined ? issues.length - 1 + last.omitted : issues.length;
}

export type PathSegment = string | number;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `['hosts', 0, 'vswitches', 1, 'name']` -> `hosts[0].vswitches[1].name`; odd keys are quoted: `layout.positions["web-01"]`. */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (IDENTIFIER.test(s)) out += out === '' ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

/** The inverse of formatPath (for paths it produced). */
export function parsePath(path: string): PathSegment[] {
  const out: PathSegment[] = [];
  const re = /(?:^|\.)([A-Za-z_$][A-Za-z0-9_$]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(path))) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else if (m[3] !== undefined) out.push(JSON.parse(m[3]) as string);
  }
  return out;
}

export function issue(severity: Severity, code: string, path: readonly PathSegment[] | string, message: string): Issue {
  return { path: typeof path === 'string' ? path : formatPath(path), message, severity, code };
}
