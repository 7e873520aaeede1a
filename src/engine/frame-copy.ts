/**
 * Copies of a frame's bytes in arrays of their own: at inject (the caller keeps its bytes) and
 * at explain. Copies the switches make share bytes copy-on-write instead (vswitch.ts,
 * physical-switch.ts): a new array only where a tag is pushed, popped or rewritten, and no
 * frame's bytes are written after it was made (endpoint.ts: received bytes are read-only).
 *
 * How a copy is allocated decides most of what a delivered copy costs (test/bench/engine.ts), and V8
 * has two very different paths:
 * - up to 64 bytes a typed array lives on the JS heap: `new Uint8Array(frame)` allocates and
 *   copies in one builtin call (cheaper than `new Uint8Array(n)` + `set`, and than `slice`);
 * - above 64 bytes every new typed array gets its own off-heap backing store, several hundred ns
 *   each. Those copies are carved from a slab instead — one 16 KiB ArrayBuffer shared by views
 *   over disjoint, never reused ranges, the way Node pools small `Buffer`s — 4-5x cheaper.
 * So a copy's `byteOffset` may be non-zero and its `buffer` may hold other frames: read bytes
 * through the view (or `buffer` with `byteOffset`/`byteLength`), never the whole `buffer`. A kept
 * copy keeps its slab (16 KiB at most) alive; frames above SLAB_MAX_FRAME get their own buffer.
 */
/** V8 keeps typed arrays up to this many bytes on the heap (V8_TYPED_ARRAY_MAX_SIZE_IN_HEAP). */
const ON_HEAP_MAX = 64;
const SLAB_SIZE = 16 * 1024;
const SLAB_MAX_FRAME = 2048;

let slab = new ArrayBuffer(SLAB_SIZE);
let slabOff = 0;

/** A new zero-filled byte array of `length`, its own bytes (from a slab when that is cheaper). */
export function allocFrame(length: number): Uint8Array {
  if (length <= ON_HEAP_MAX || length > SLAB_MAX_FRAME) return new Uint8Array(length);
  const size = (length + 7) & ~7; // 8-byte aligned views
  if (slabOff + size > SLAB_SIZE) {
    slab = new ArrayBuffer(SLAB_SIZE);
    slabOff = 0;
  }
  const out = new Uint8Array(slab, slabOff, length);
  slabOff += size;
  return out;
}

/** A copy of `frame` in bytes of its own. */
export function copyFrame(frame: Uint8Array): Uint8Array {
  if (frame.length <= ON_HEAP_MAX) return new Uint8Array(frame);
  const out = allocFrame(frame.length);
  out.set(frame);
  return out;
}
