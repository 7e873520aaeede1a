/**
 * O2 — a frame's trace as a tree of copies, like Open vSwitch's ofproto/trace: its steps grouped
 * by copy, each copy under the copy it came from, walked depth first into rows (a copy's steps,
 * then for each child copy a branch row and its subtree), and each step's sentence without the
 * rule its line already cites. The one walk the CLI's explain text (trace-text.ts explainLines)
 * and the web's explain trace (web/src/details.ts) both draw from.
 *
 * Pure data in, data out, no imports: the web bundle imports this file (architecture.md, and its
 * exception in eslint.config.js).
 */

/** What the tree needs of a step: its copy and the copy that made it (0 or itself for a root). */
export interface CopyStep {
  copyId?: number;
  parentCopyId?: number;
}

/** One copy: its steps (indexes into the steps given) and the copies it made. */
export interface CopyNode {
  copyId: number;
  parentCopyId: number;
  /** indexes into the steps, in order */
  steps: number[];
  children: CopyNode[];
}

/** The steps grouped by copy, each copy under the copy it came from; copies without a known parent are roots. */
export function copyTree(steps: readonly CopyStep[]): CopyNode[] {
  const byCopy = new Map<number, CopyNode>();
  const roots: CopyNode[] = [];
  steps.forEach((e, i) => {
    const copyId = e.copyId ?? 0;
    let node = byCopy.get(copyId);
    if (node === undefined) {
      const parentCopyId = e.parentCopyId ?? 0;
      node = { copyId, parentCopyId, steps: [], children: [] };
      byCopy.set(copyId, node);
      const parent = parentCopyId !== 0 && parentCopyId !== copyId ? byCopy.get(parentCopyId) : undefined;
      if (parent) parent.children.push(node);
      else roots.push(node);
    }
    node.steps.push(i);
  });
  return roots;
}

/** One row of the drawn tree: a step at its copy's depth, or the branch where a child copy starts. */
export type CopyTreeRow = { kind: 'step'; index: number; depth: number } | { kind: 'copy'; node: CopyNode; depth: number; last: boolean };

/** The tree depth first: a copy's steps, then each child copy as a branch row followed by its subtree. */
export function copyTreeRows(roots: readonly CopyNode[]): CopyTreeRow[] {
  const rows: CopyTreeRow[] = [];
  const walk = (node: CopyNode, depth: number): void => {
    for (const index of node.steps) rows.push({ kind: 'step', index, depth });
    node.children.forEach((c, k) => {
      rows.push({ kind: 'copy', node: c, depth: depth + 1, last: k === node.children.length - 1 });
      walk(c, depth + 1);
    });
  };
  for (const r of roots) walk(r, 0);
  return rows;
}

/** The branch mark of a child copy's row: `└─` for the last child, `├─` before it. */
export function branchMark(row: { last: boolean }): string {
  return row.last ? '└─' : '├─';
}

/**
 * A detail sentence without the rule the line already cites (in brackets or a chip): `(F1, F2)`
 * with rule F2 becomes `(F1)`, `(V1)` with rule V1 goes (other parentheses stay).
 */
export function withoutCitedRule(detail: string, rule: string | undefined): string {
  if (!rule) return detail;
  return detail
    .replace(/\s*\(([^()]*)\)/g, (all, inner: string) => {
      if (!inner.split(/\s*[,;]\s*/).includes(rule)) return all;
      // keep the other items with their separators: `P1; dry run` -> `dry run`, `F1, F2` -> `F1`
      const parts = inner.split(/(\s*[,;]\s*)/);
      const kept: string[] = [];
      for (let i = 0; i < parts.length; i += 2) {
        if (parts[i] === rule) continue;
        if (kept.length > 0) kept.push(parts[i - 1] ?? ', ');
        kept.push(parts[i]!);
      }
      return kept.length === 0 ? '' : ` (${kept.join('')})`;
    })
    .trimEnd();
}
