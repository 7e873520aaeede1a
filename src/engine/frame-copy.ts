/**
 * A copy of a frame's bytes in a new array of its own (F*: copies are independent). Allocating
 * and filling is measurably faster in V8 than `slice()` for frame-sized arrays.
 */
export function copyFrame(frame: Uint8Array): Uint8Array {
  const out = new Uint8Array(frame.length);
  out.set(frame);
  return out;
}
