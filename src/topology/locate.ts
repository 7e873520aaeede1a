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
  if (!text.includes('\r')) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    return starts;
  }
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
 * Line and column of each of `offsets`, which ascend: counts line ends from one to the next, so
 * the cost is the text up to the last offset, whatever its number of lines.
 */
export function positionsOfAscending(text: string, offsets: readonly number[]): Position[] {
  const out: Position[] = [];
  let line = 1;
  let lineStart = 0;
  let i = 0;
  const cr = text.includes('\r');
  for (const offset of offsets) {
    if (cr) {
      for (; i < offset; i++) {
        const c = text.charCodeAt(i);
        if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
          line++;
          lineStart = i + 1;
        }
      }
    } else {
      for (let nl = text.indexOf('\n', i); nl >= 0 && nl < offset; nl = text.indexOf('\n', nl + 1)) {
        line++;
        lineStart = nl + 1;
      }
      i = offset;
    }
    out.push({ line, column: offset - lineStart + 1 });
  }
  return out;
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

const NONE = -1;
const OBJECT = 1;
const ARRAY = 2;

/**
 * Where each value of a JSON text starts, from one linear scan that allocates no strings and no
 * tree of objects: per value, its offset, its key's offset (members of objects), its parent and
 * its next sibling, in typed arrays. The text must already be valid JSON (JSON.parse accepted
 * it); the scan trusts its syntax. Objects and arrays are indexed by key or position the first
 * time a path goes through them, so locating k issues costs one scan of the text, the members of
 * the objects the paths pass through once, and O(depth) per issue.
 *
 * It also notes, while scanning, whether any object repeats a key (duplicateKeys() then finds them
 * exactly); JSON.parse would keep the last silently.
 */
export class TextIndex {
  readonly positions: TextPositions;
  /** some object repeats a key */
  readonly hasDuplicateKeys: boolean;
  private count = 0;
  private start: Int32Array;
  /** offset of the opening quote of the member's key; NONE for array items and the root */
  private keyAt: Int32Array;
  /** offset of the closing quote of that key */
  private keyEnd: Int32Array;
  private parent: Int32Array;
  private firstChild: Int32Array;
  private nextSibling: Int32Array;
  private kind: Uint8Array;
  private readonly members = new Map<number, Map<string, number>>();
  private readonly items = new Map<number, Int32Array>();
  /** per object, the member a path went through last: paths mostly come in document order */
  private hint: Int32Array | undefined;

  constructor(readonly text: string) {
    this.positions = new TextPositions(text);
    const initial = Math.max(16, Math.min(1 << 20, text.length >> 3));
    this.start = new Int32Array(initial);
    this.keyAt = new Int32Array(initial);
    this.keyEnd = new Int32Array(initial);
    this.parent = new Int32Array(initial);
    this.firstChild = new Int32Array(initial);
    this.nextSibling = new Int32Array(initial);
    this.kind = new Uint8Array(initial);
    this.hasDuplicateKeys = this.scan();
  }

  /** Line and column of an offset. */
  at(offset: number): Position {
    return this.positions.at(offset);
  }

  private grow(): void {
    const n = this.start.length * 2;
    const more = <T extends Int32Array | Uint8Array>(a: T): T => {
      const b = new (a.constructor as new(n: number) => T)(n);
      b.set(a);
      return b;
    };
    this.start = more(this.start);
    this.keyAt = more(this.keyAt);
    this.keyEnd = more(this.keyEnd);
    this.parent = more(this.parent);
    this.firstChild = more(this.firstChild);
    this.nextSibling = more(this.nextSibling);
    this.kind = more(this.kind);
  }

  /** Offset of the closing quote of the string whose opening quote is at `i`. */
  private stringEnd(i: number): number {
    const text = this.text;
    let j = text.indexOf('"', i + 1);
    for (;;) {
      if (j < 0) return text.length; // not JSON; the caller checked it is
      let k = j - 1;
      while (text.charCodeAt(k) === 92) k--;
      if ((j - k) % 2 === 1) return j; // an even number of backslashes before it: a real quote
      j = text.indexOf('"', j + 1);
    }
  }

  /** One pass; returns whether some object repeats a key. */
  private scan(): boolean {
    const text = this.text;
    const n = text.length;
    const stack: number[] = [];
    const lastChild: number[] = [];
    let duplicates = false;
    let pendingKey = NONE;
    let pendingKeyEnd = NONE;
    let i = 0;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 10 || c === 13 || c === 9 || c === 44 /* , */ || c === 58 /* : */) {
        i++;
        continue;
      }
      if (c === 125 /* } */ || c === 93 /* ] */) {
        const closed = stack.pop()!;
        lastChild.pop();
        if (c === 125 && !duplicates) duplicates = this.repeatsKey(closed);
        i++;
        continue;
      }
      const top = stack.length > 0 ? stack[stack.length - 1]! : NONE;
      if (c === 34 /* " */ && pendingKey === NONE && top !== NONE && this.kind[top] === OBJECT) {
        // a key: its value follows the colon
        pendingKey = i;
        pendingKeyEnd = this.stringEnd(i);
        i = pendingKeyEnd + 1;
        continue;
      }
      // a value
      if (this.count === this.start.length) this.grow();
      const id = this.count++;
      this.start[id] = i;
      this.keyAt[id] = pendingKey;
      this.keyEnd[id] = pendingKeyEnd;
      this.parent[id] = top;
      this.firstChild[id] = NONE;
      this.nextSibling[id] = NONE;
      pendingKey = NONE;
      pendingKeyEnd = NONE;
      if (top !== NONE) {
        const last = lastChild[lastChild.length - 1]!;
        if (last === NONE) this.firstChild[top] = id;
        else this.nextSibling[last] = id;
        lastChild[lastChild.length - 1] = id;
      }
      if (c === 123 /* { */ || c === 91 /* [ */) {
        this.kind[id] = c === 123 ? OBJECT : ARRAY;
        stack.push(id);
        lastChild.push(NONE);
        i++;
      } else if (c === 34) {
        this.kind[id] = 0;
        i = this.stringEnd(i) + 1;
      } else {
        this.kind[id] = 0;
        // a number, true, false or null: up to the next delimiter
        i++;
        while (i < n) {
          const d = text.charCodeAt(i);
          if (d === 44 || d === 125 || d === 93 || d === 32 || d === 10 || d === 13 || d === 9) break;
          i++;
        }
      }
    }
    return duplicates;
  }

  /** Whether two members of this object have the same key (compared as written; decoded if escaped). */
  private repeatsKey(object: number): boolean {
    const text = this.text;
    let size = 0;
    let escaped = false;
    for (let c = this.firstChild[object]!; c !== NONE; c = this.nextSibling[c]!) {
      size++;
      if (!escaped) { for (let k = this.keyAt[c]! + 1; k < this.keyEnd[c]!; k++) if (text.charCodeAt(k) === 92) escaped = true; }
    }
    if (size < 2) return false;
    if (size <= 12 && !escaped) {
      for (let a = this.firstChild[object]!; a !== NONE; a = this.nextSibling[a]!) {
        const aStart = this.keyAt[a]!;
        const aLen = this.keyEnd[a]! - aStart;
        for (let b = this.nextSibling[a]!; b !== NONE; b = this.nextSibling[b]!) {
          const bStart = this.keyAt[b]!;
          if (this.keyEnd[b]! - bStart !== aLen) continue;
          let same = true;
          for (let k = 1; k < aLen; k++) {
            if (text.charCodeAt(aStart + k) !== text.charCodeAt(bStart + k)) {
              same = false;
              break;
            }
          }
          if (same) return true;
        }
      }
      return false;
    }
    if (!escaped) {
      // a large object: a hash of each key as written; only equal hashes need the keys themselves
      const hashes = new Int32Array(size);
      let m = 0;
      for (let c = this.firstChild[object]!; c !== NONE; c = this.nextSibling[c]!) {
        let h = 0x811c9dc5;
        for (let k = this.keyAt[c]! + 1; k < this.keyEnd[c]!; k++) h = Math.imul(h ^ text.charCodeAt(k), 0x01000193);
        hashes[m++] = h;
      }
      hashes.sort();
      let collision = false;
      for (let k = 1; k < size && !collision; k++) collision = hashes[k] === hashes[k - 1];
      if (!collision) return false;
    }
    const seen = new Set<string>();
    for (let c = this.firstChild[object]!; c !== NONE; c = this.nextSibling[c]!) seen.add(this.keyOf(c));
    return seen.size < size;
  }

  /** The key of a member, decoded. */
  private keyOf(node: number): string {
    const from = this.keyAt[node]!;
    const to = this.keyEnd[node]!;
    const raw = this.text.slice(from + 1, to);
    return raw.includes('\\') ? (JSON.parse(this.text.slice(from, to + 1)) as string) : raw;
  }

  /** key -> member of an object (the last of a name wins, as with JSON.parse); built once per object. */
  private membersOf(object: number): Map<string, number> {
    let index = this.members.get(object);
    if (!index) {
      index = new Map();
      for (let c = this.firstChild[object]!; c !== NONE; c = this.nextSibling[c]!) index.set(this.keyOf(c), c);
      this.members.set(object, index);
    }
    return index;
  }

  private itemsOf(array: number): Int32Array {
    let index = this.items.get(array);
    if (!index) {
      let size = 0;
      for (let c = this.firstChild[array]!; c !== NONE; c = this.nextSibling[c]!) size++;
      index = new Int32Array(size);
      size = 0;
      for (let c = this.firstChild[array]!; c !== NONE; c = this.nextSibling[c]!) index[size++] = c;
      this.items.set(array, index);
    }
    return index;
  }

  /** Whether a member's key is `key` (compared as written, without building a string, unless escaped). */
  private keyIs(member: number, key: string): boolean {
    const text = this.text;
    const from = this.keyAt[member]! + 1;
    const len = this.keyEnd[member]! - from;
    let escaped = false;
    if (len === key.length) {
      for (let k = 0; k < len; k++) {
        const c = text.charCodeAt(from + k);
        if (c === 92) {
          escaped = true;
          break;
        }
        if (c !== key.charCodeAt(k)) return false;
      }
      if (!escaped) return true;
    } else {
      // an escape makes the written key longer than the key
      if (len < key.length) return false;
      for (let k = 0; k < len && !escaped; k++) if (text.charCodeAt(from + k) === 92) escaped = true;
      if (!escaped) return false;
    }
    return this.keyOf(member) === key;
  }

  /** keyIs for a key given as path.slice(from, to), an identifier (no escapes), without slicing it. */
  private keyIsRange(member: number, path: string, from: number, to: number): boolean {
    const start = this.keyAt[member]! + 1;
    const len = this.keyEnd[member]! - start;
    if (len !== to - from) return len > to - from && this.keyOf(member) === path.slice(from, to); // escaped as written
    const text = this.text;
    for (let k = 0; k < len; k++) {
      const c = text.charCodeAt(start + k);
      if (c !== path.charCodeAt(from + k)) return c === 92 && this.keyOf(member) === path.slice(from, to);
    }
    return true;
  }

  /** memberOf for an identifier segment path.slice(from, to): the usual cases build no string. */
  private memberOfRange(object: number, path: string, from: number, to: number): number {
    if (this.hasDuplicateKeys || this.members.has(object)) return this.memberOf(object, path.slice(from, to));
    const hint = (this.hint ??= new Int32Array(this.count).fill(NONE));
    const last = hint[object]!;
    const next = last === NONE ? this.firstChild[object]! : this.nextSibling[last]!;
    if (next !== NONE && this.keyIsRange(next, path, from, to)) return (hint[object] = next);
    if (last !== NONE && this.keyIsRange(last, path, from, to)) return last;
    let size = 0;
    for (let c = this.firstChild[object]!; c !== NONE && size <= 16; c = this.nextSibling[c]!, size++) {
      if (this.keyIsRange(c, path, from, to)) return (hint[object] = c);
    }
    return size > 16 ? this.memberOf(object, path.slice(from, to)) : NONE;
  }

  private memberOf(object: number, key: string): number {
    if (this.hasDuplicateKeys) return this.membersOf(object).get(key) ?? NONE; // the last of a name wins
    const hint = (this.hint ??= new Int32Array(this.count).fill(NONE));
    const last = hint[object]!;
    const next = last === NONE ? this.firstChild[object]! : this.nextSibling[last]!;
    if (next !== NONE && this.keyIs(next, key)) return (hint[object] = next);
    if (last !== NONE && this.keyIs(last, key)) return last;
    let found = NONE;
    const index = this.members.get(object);
    if (index) found = index.get(key) ?? NONE;
    else {
      // small objects are searched; a large one is indexed once
      let size = 0;
      for (let c = this.firstChild[object]!; c !== NONE && size <= 16; c = this.nextSibling[c]!, size++) {
        if (this.keyIs(c, key)) {
          found = c;
          break;
        }
      }
      if (found === NONE && size > 16) found = this.membersOf(object).get(key) ?? NONE;
    }
    if (found !== NONE) hint[object] = found;
    return found;
  }

  private childOf(node: number, seg: PathSegment): number {
    if (this.kind[node] === OBJECT && typeof seg === 'string') return this.memberOf(node, seg);
    if (this.kind[node] === ARRAY && typeof seg === 'number') return this.itemsOf(node)[seg] ?? NONE;
    return NONE;
  }

  /**
   * Offset of the value at a formatted path (`hosts[0].vswitches["odd key"]`, see formatPath), or
   * with `key` of its property name; a path that is not in the text resolves to the deepest value
   * that is (where a missing field belongs). -1 for an empty text.
   */
  offsetOf(path: string, key = false): number {
    if (this.count === 0) return -1;
    let node = 0;
    let viaKey = false;
    let i = 0;
    const n = path.length;
    while (i < n) {
      let seg: PathSegment;
      const c = path.charCodeAt(i);
      if (c === 91 /* [ */) {
        if (path.charCodeAt(i + 1) === 34) {
          // ["a quoted key"]
          let j = i + 2;
          let escaped = false;
          while (j < n && path.charCodeAt(j) !== 34) {
            if (path.charCodeAt(j) === 92) {
              escaped = true;
              j++;
            }
            j++;
          }
          seg = escaped ? (JSON.parse(path.slice(i + 1, j + 1)) as string) : path.slice(i + 2, j);
          i = j + 2;
        } else {
          let j = i + 1;
          let v = 0;
          while (j < n && path.charCodeAt(j) !== 93) v = v * 10 + path.charCodeAt(j++) - 48;
          seg = v;
          i = j + 1;
        }
      } else {
        if (c === 46 /* . */) i++;
        let j = i;
        while (j < n && path.charCodeAt(j) !== 46 && path.charCodeAt(j) !== 91) j++;
        const next = this.kind[node] === OBJECT ? this.memberOfRange(node, path, i, j) : NONE;
        i = j;
        if (next === NONE) {
          viaKey = false;
          break;
        }
        node = next;
        viaKey = true;
        continue;
      }
      const next = this.childOf(node, seg);
      if (next === NONE) {
        viaKey = false;
        break;
      }
      node = next;
      viaKey = this.keyAt[node] !== NONE;
    }
    return key && viaKey ? this.keyAt[node]! : this.start[node]!;
  }

  /** Offset of a path given as segments (see offsetOf). */
  offsetOfSegments(path: readonly PathSegment[], key = false): number {
    if (this.count === 0) return -1;
    let node = 0;
    let viaKey = false;
    for (const seg of path) {
      const next = this.childOf(node, seg);
      if (next === NONE) {
        viaKey = false;
        break;
      }
      node = next;
      viaKey = this.keyAt[node] !== NONE;
    }
    return key && viaKey ? this.keyAt[node]! : this.start[node]!;
  }

  /**
   * Every repeated key, as [path of the repeat, offset of its key], in the order of an explicit-stack
   * walk that goes only into the values JSON.parse keeps (the last of each name). Empty unless
   * hasDuplicateKeys.
   */
  duplicateKeys(): { path: PathSegment[]; offset: number }[] {
    const out: { path: PathSegment[]; offset: number }[] = [];
    if (!this.hasDuplicateKeys || this.count === 0) return out;
    interface Visit {
      node: number;
      parent: Visit | undefined;
      seg: PathSegment | undefined;
    }
    const pathOf = (v: Visit | undefined, last?: PathSegment): PathSegment[] => {
      const p: PathSegment[] = last === undefined ? [] : [last];
      for (let x = v; x && x.seg !== undefined; x = x.parent) p.push(x.seg);
      return p.reverse();
    };
    const stack: Visit[] = [{ node: 0, parent: undefined, seg: undefined }];
    while (stack.length > 0) {
      const visit = stack.pop()!;
      const node = visit.node;
      if (this.kind[node] === OBJECT) {
        const last = new Map<string, number>();
        for (let c = this.firstChild[node]!; c !== NONE; c = this.nextSibling[c]!) {
          const k = this.keyOf(c);
          if (last.has(k)) out.push({ path: pathOf(visit, k), offset: this.keyAt[c]! });
          last.set(k, c);
        }
        for (const [k, c] of last) stack.push({ node: c, parent: visit, seg: k });
      } else if (this.kind[node] === ARRAY) {
        let i = 0;
        for (let c = this.firstChild[node]!; c !== NONE; c = this.nextSibling[c]!) stack.push({ node: c, parent: visit, seg: i++ });
      }
    }
    return out;
  }
}
