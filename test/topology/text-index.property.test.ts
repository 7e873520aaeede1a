/**
 * TextIndex (src/topology/locate.ts), the one scan that places issues in a topology text, against
 * jsonc-parser's syntax tree as the oracle: every path of random JSON texts (odd keys, escapes,
 * integer-like keys, any spacing, repeated keys) resolves to the same offset, as a value and as
 * a key, and repeated keys are found exactly where the tree finds them (in the values JSON.parse
 * keeps). Bounded in `npm test`; FUZZ_RUNS=n runs it longer.
 */
import fc from 'fast-check';
import { findNodeAtLocation, parseTree, type Node } from 'jsonc-parser';
import { describe, expect, it } from 'vitest';
import { formatPath, type PathSegment } from '../../src/topology/issue.js';
import { TextIndex } from '../../src/topology/locate.js';

const runs = (bounded: number): number => Number(process.env.FUZZ_RUNS ?? bounded);

/** A JSON text built by hand, so that an object can repeat a key and spacing can be anything. */
type Tree = { kind: 'scalar'; text: string } | { kind: 'array'; items: Tree[] } | { kind: 'object'; members: [string, Tree][] };

const space = fc.constantFrom('', ' ', '\n', '  ', '\r\n', '\t', '\n    ');
const key = fc.oneof(fc.constantFrom('a', 'b', 'name', '0', '12', '__proto__', 'x y', 'é', 'a"b', 'a\\b', '\u0001'), fc.string({ maxLength: 6 }));
const scalar = fc.oneof(fc.jsonValue({ maxDepth: 0 }), fc.string({ maxLength: 8 })).map((v) => ({ kind: 'scalar' as const, text: JSON.stringify(v) ?? 'null' }));
const tree: fc.Arbitrary<Tree> = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('tree'), { maxLength: 4 }).map((items) => ({ kind: 'array' as const, items })),
    fc.array(fc.tuple(key, tie('tree')), { maxLength: 5 }).map((members) => ({ kind: 'object' as const, members })),
  ),
})).tree;

/** Escapes written out in one of two ways (\u00e9 or é) so keys compare as decoded, not as written. */
function keyText(k: string, escapeAll: boolean): string {
  return escapeAll ? `"${[...k].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}"` : JSON.stringify(k);
}

function write(t: Tree, ws: string[], escape: boolean[]): string {
  let w = 0;
  const sp = () => ws[w++ % ws.length]!;
  const go = (t: Tree): string => {
    if (t.kind === 'scalar') return t.text;
    if (t.kind === 'array') return `[${sp()}${t.items.map((i) => go(i)).join(`,${sp()}`)}${sp()}]`;
    return `{${sp()}${t.members.map(([k, v], i) => `${keyText(k, escape[i % escape.length]!)}${sp()}:${sp()}${go(v)}`).join(`,${sp()}`)}${sp()}}`;
  };
  return `${sp()}${go(t)}${sp()}`;
}

/** Every path of the kept document (the last of each repeated key), from the oracle's tree. */
function paths(node: Node, prefix: PathSegment[], out: PathSegment[][]): void {
  out.push(prefix);
  if (node.type === 'array') node.children?.forEach((c, i) => paths(c, [...prefix, i], out));
  if (node.type === 'object') {
    const last = new Map<string, Node>();
    for (const p of node.children ?? []) last.set(p.children![0]!.value as string, p.children![1]!);
    for (const [k, v] of last) paths(v, [...prefix, k], out);
  }
}

/** The oracle's offset of a path: the last property of a name (as JSON.parse keeps). */
function oracle(root: Node, path: PathSegment[], asKey: boolean): number {
  let node = root;
  let keyNode: Node | undefined;
  for (const seg of path) {
    if (node.type === 'object') {
      const props = (node.children ?? []).filter((p) => p.children![0]!.value === seg);
      const p = props[props.length - 1]!;
      keyNode = p.children![0]!;
      node = p.children![1]!;
    } else {
      keyNode = undefined;
      node = node.children![seg as number]!;
    }
  }
  return asKey && keyNode ? keyNode.offset : node.offset;
}

/** Repeated keys as the loader reported them before TextIndex: a walk into the kept values only. */
function oracleDuplicates(root: Node): string[] {
  const out: string[] = [];
  const walk = (node: Node, prefix: PathSegment[]): void => {
    if (node.type === 'object') {
      const last = new Map<string, Node>();
      for (const p of node.children ?? []) {
        const k = p.children![0]!.value as string;
        if (last.has(k)) out.push(formatPath([...prefix, k]));
        last.set(k, p.children![1]!);
      }
      for (const [k, v] of last) walk(v, [...prefix, k]);
    } else if (node.type === 'array') node.children?.forEach((c, i) => walk(c, [...prefix, i]));
  };
  walk(root, []);
  return out.sort();
}

describe('TextIndex places every path where the syntax tree does', () => {
  it('random texts: values, keys and repeated keys', () => {
    fc.assert(
      fc.property(tree, fc.array(space, { minLength: 1, maxLength: 5 }), fc.array(fc.boolean(), { minLength: 1, maxLength: 3 }), (t, ws, escape) => {
        const text = write(t, ws, escape);
        JSON.parse(text); // the index is built only for texts JSON.parse accepts
        const root = parseTree(text, [], { disallowComments: true })!;
        const index = new TextIndex(text);
        const all: PathSegment[][] = [];
        paths(root, [], all);
        for (const p of all) {
          expect(index.offsetOf(formatPath(p)), formatPath(p)).toBe(oracle(root, p, false));
          expect(index.offsetOf(formatPath(p), true), `${formatPath(p)} (key)`).toBe(oracle(root, p, true));
          expect(index.offsetOfSegments(p, true)).toBe(oracle(root, p, true));
        }
        // a path that goes past the text stops at the deepest value that is there
        for (const p of all) if (findNodeAtLocation(root, p)?.type === 'object') expect(index.offsetOf(formatPath([...p, 'no such key']), true)).toBe(oracle(root, p, false));
        expect(
          index
            .duplicateKeys()
            .map((d) => formatPath(d.path))
            .sort(),
        ).toEqual(oracleDuplicates(root));
      }),
      { numRuns: runs(400) },
    );
  });

  it('a large object with a repeated key far apart (the hashed check) and one without', () => {
    const keys = Array.from({ length: 5000 }, (_, i) => `"k${i}": ${i}`);
    expect(new TextIndex(`{${keys.join(',')}}`).hasDuplicateKeys).toBe(false);
    const index = new TextIndex(`{${keys.join(',')}, "k17": 1}`);
    expect(index.duplicateKeys().map((d) => d.path)).toEqual([['k17']]);
  });
});
