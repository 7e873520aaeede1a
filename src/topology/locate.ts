/**
 * From a JSON path to line:column in the text it came from. Built on jsonc-parser's syntax tree,
 * so positions are exact; a path that does not exist in the text (a missing required field)
 * resolves to the nearest object that does, which is where the field belongs.
 */
import type { Node } from 'jsonc-parser';
import type { PathSegment } from './issue.js';

export interface Position {
  /** 1-based */
  line: number;
  /** 1-based, in UTF-16 code units as editors count */
  column: number;
}

export class TextPositions {
  private lineStarts: number[] | undefined;

  constructor(private readonly text: string) {}

  /** Line and column of a character offset. */
  at(offset: number): Position {
    const starts = (this.lineStarts ??= computeLineStarts(this.text));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo]! + 1 };
  }
}

function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    }
  }
  return starts;
}

/**
 * Locates paths in one parsed document. Each object's properties are indexed by name the first
 * time a path goes through it (one pass over that object, the last property of a name winning as
 * with JSON.parse), so locating k issues costs the size of the objects they pass through once plus
 * O(depth) per issue, never a scan of an object per issue.
 */
export class PathLocator {
  private readonly positions: TextPositions;
  private readonly keyIndex = new WeakMap<Node, Map<string, Node>>();

  constructor(
    text: string,
    private readonly root: Node | undefined,
  ) {
    this.positions = new TextPositions(text);
  }

  /**
   * Where `path` is: its value, or with `key` its property name (for "unknown field" issues).
   * A path that is not in the text resolves to the deepest node that is.
   */
  locate(path: readonly PathSegment[], key = false): Position | undefined {
    if (!this.root) return undefined;
    let node: Node = this.root;
    let keyNode: Node | undefined;
    for (const seg of path) {
      const next = this.child(node, seg);
      if (!next) {
        keyNode = undefined;
        break;
      }
      node = next.value;
      keyNode = next.key;
    }
    const target = key && keyNode ? keyNode : node;
    return this.positions.at(target.offset);
  }

  private child(node: Node, seg: PathSegment): { value: Node; key?: Node } | undefined {
    if (node.type === 'object' && typeof seg === 'string') {
      const p = this.propertiesOf(node).get(seg);
      if (!p) return undefined;
      const [k, v] = p.children ?? [];
      return v ? { value: v, key: k } : { value: p, key: k };
    }
    if (node.type === 'array' && typeof seg === 'number') {
      const v = node.children?.[seg];
      return v ? { value: v } : undefined;
    }
    return undefined;
  }

  /** name -> property node of an object; built once per object. */
  private propertiesOf(node: Node): Map<string, Node> {
    let index = this.keyIndex.get(node);
    if (!index) {
      index = new Map();
      for (const p of node.children ?? []) {
        const k = p.children?.[0];
        if (k && typeof k.value === 'string') index.set(k.value, p); // later ones overwrite: the last wins
      }
      this.keyIndex.set(node, index);
    }
    return index;
  }
}
