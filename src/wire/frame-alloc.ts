/**
 * Allocation of frame-sized byte arrays. V8 keeps a typed array of up to 64 bytes inside its heap
 * and gives a larger one a backing store of its own (a slow path: a separate allocation, and work
 * for the garbage collector); a frame that gains a VLAN tag is 64 + 4 bytes. `allocFrame` hands out
 * views onto 8 KiB slabs instead, as Node's Buffer pool does for small buffers: one backing store
 * per slab, none per frame.
 *
 * The trade-off is Node's too: a slab lives as long as any view onto it, so code that keeps a frame
 * for long (a recording, a journal) should keep a `slice()` of it. Frames passed along the fabric
 * live for one hop or a queue's time.
 */
const SLAB_BYTES = 8192;
/** frames larger than this get an array of their own */
const MAX_POOLED = 1024;

let slab = new ArrayBuffer(SLAB_BYTES);
/** the whole current slab, to copy into it without a view per frame (`allocFrameFrom`) */
let slabBytes = new Uint8Array(slab);
let used = 0;

/** A zero-filled Uint8Array of `length` bytes (a view onto a shared slab when small). */
export function allocFrame(length: number): Uint8Array {
  if (length > MAX_POOLED) return new Uint8Array(length);
  if (used + length > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    slabBytes = new Uint8Array(slab);
    used = 0;
  }
  const out = new Uint8Array(slab, used, length);
  // 8-byte alignment keeps views from sharing a word (and matches Node's pool)
  used += (length + 7) & ~7;
  return out;
}

/**
 * A Uint8Array of `length` bytes whose byte i is `src[i + shift]` while that is in `src`, zero
 * after it (`length >= src.length - shift`): `src` copied `shift` bytes to the left in one `set`
 * into the slab, without the `subarray` view a shifted copy otherwise makes per frame.
 */
export function allocFrameFrom(src: Uint8Array, shift: number, length: number): Uint8Array {
  const total = shift + length;
  if (total > MAX_POOLED || src.length > total) {
    const out = new Uint8Array(length);
    out.set(src.subarray(shift, Math.min(src.length, total)));
    return out;
  }
  if (used + total > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    slabBytes = new Uint8Array(slab);
    used = 0;
  }
  slabBytes.set(src, used);
  const out = new Uint8Array(slab, used + shift, length);
  used += (total + 7) & ~7;
  return out;
}
