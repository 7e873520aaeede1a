// The two byte layouts of the attachment layer that live in src/wire: the cut-cable shim after a
// VXLAN header (docs/attachments.md) and QEMU's stream length prefix (net/stream.c: 4 bytes,
// big-endian). Expected bytes are written out by hand from those layouts.
import { describe, expect, it } from 'vitest';
import { CUT_SHIM_LEN, CutShimKind, cutShimFrameId, cutShimKind, cutShimUp, emitCutShim } from '../../src/wire/cut-shim.js';
import { STREAM_LENGTH_LEN, emitStreamLength, streamLength } from '../../src/wire/stream-length.js';

describe('cut-cable shim', () => {
  it('writes kind, the up bit and the 64-bit frame id big-endian at their offsets, zeros between', () => {
    const buf = new Uint8Array(2 + CUT_SHIM_LEN).fill(0xee);
    expect(emitCutShim(CutShimKind.FRAME, true, 0x01020304050607, buf, 2)).toBe(12);
    expect([...buf]).toEqual([0xee, 0xee, 1, 1, 0, 0, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07]);
    expect(cutShimKind(buf, 2)).toBe(1);
    expect(cutShimUp(buf, 2)).toBe(true);
    expect(cutShimFrameId(buf, 2)).toBe(0x01020304050607n);
  });

  it('a hello of a pulled cable end: kind 2, up bit clear; an id beyond 2^53 reads back as a bigint', () => {
    const hello = new Uint8Array(CUT_SHIM_LEN);
    emitCutShim(CutShimKind.HELLO, false, 0, hello);
    expect([...hello]).toEqual([2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(cutShimUp(hello)).toBe(false);
    const big = Uint8Array.from([1, 1, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    expect(cutShimFrameId(big)).toBe(2n ** 64n - 1n);
  });
});

describe('QEMU stream length prefix', () => {
  it('reads and writes 4 bytes big-endian, unsigned', () => {
    const buf = new Uint8Array(6);
    expect(emitStreamLength(1500, buf, 1)).toBe(STREAM_LENGTH_LEN);
    expect([...buf]).toEqual([0, 0, 0, 0x05, 0xdc, 0]);
    expect(streamLength(buf, 1)).toBe(1500);
    expect(streamLength(Uint8Array.from([0xff, 0xff, 0xff, 0xff]))).toBe(4294967295);
    expect(streamLength(Uint8Array.from([0x80, 0, 0, 1]))).toBe(2147483649);
  });
});
