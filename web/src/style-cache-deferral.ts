/**
 * A cheaper first style pass for big compound graphs. Cytoscape (3.34) applies an element's
 * style one property at a time and, after each, clears the style caches of the element, all its
 * ancestors and descendants and every edge connected to any of them: in a 40-host lab each of a
 * host box's ~40 properties walks its ~100 descendants and their edges, about two thirds of the
 * first style pass. Here those clears are collected while one `apply` runs and done once at its
 * end for the union: the same caches end up cleared (a value cached meanwhile is cleared too).
 */
import type { CollectionArgument, Core } from 'cytoscape';

interface Ele {
  _private: { styleCache: unknown };
}
interface EleList {
  length: number;
  [i: number]: Ele;
  dirtyStyleCache(): EleList;
}
interface StyleProto {
  apply(this: { _private: { cy: Core } }, eles: unknown): unknown;
}

const patched = new WeakSet<object>();

export function deferStyleCacheClears(cy: Core): void {
  const styleProto = Object.getPrototypeOf(cy.style()) as StyleProto;
  const eleProto = Object.getPrototypeOf(cy.collection()) as EleList;
  if (patched.has(styleProto) || typeof styleProto.apply !== 'function' || typeof eleProto.dirtyStyleCache !== 'function') return;
  patched.add(styleProto);
  const apply = styleProto.apply;
  const clear = eleProto.dirtyStyleCache;
  let pending: Set<Ele> | null = null;
  eleProto.dirtyStyleCache = function(this: EleList): EleList {
    if (pending === null) return clear.call(this);
    for (let i = 0; i < this.length; i++) {
      this[i]!._private.styleCache = null;
      pending.add(this[i]!);
    }
    return this;
  };
  styleProto.apply = function(eles) {
    if (pending !== null) return apply.call(this, eles);
    const mine = new Set<Ele>();
    pending = mine;
    try {
      return apply.call(this, eles);
    } finally {
      pending = null;
      if (mine.size > 0) clear.call(this._private.cy.collection([...mine] as unknown as CollectionArgument) as unknown as EleList);
    }
  };
}
