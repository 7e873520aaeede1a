/**
 * The two framings of attachments, as properties (fast-check): RFC 7348 VXLAN (flags 0x08, 24-bit
 * VNI, reserved bits zero on send and ignored on receipt, inner frame without FCS, frames under
 * 60 bytes fine) and QEMU's stream framing (4-byte big-endian length, then the frame) however TCP
 * cuts the byte stream. The expected bytes are written here from the specifications, not from our
 * encoders.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StreamDecoder, encodeStreamFrame } from '../../src/attach/stream-framing.js';
import { decodeVxlan, encodeVxlan, VXLAN_OVERHEAD } from '../../src/attach/vxlan-header.js';
import { decodeCut, encodeCut, isCutDatagram } from '../../src/attach/cut-header.js';
import { MAX_FRAME_LEN } from '../../src/wire/ethernet.js';

const frame = fc.uint8Array({ minLength: 14, maxLength: 1600 });
const vni = fc.integer({ min: 0, max: 0xffffff });

describe('VXLAN header (RFC 7348 §5)', () => {
  it('is 08 00 00 00 | VNI (3 bytes, big-endian) | 00, then the frame; and reads back', () => {
    fc.assert(
      fc.property(vni, frame, (v, f) => {
        const d = encodeVxlan(v, f);
        expect([...d.subarray(0, 8)]).toEqual([0x08, 0, 0, 0, v >>> 16, (v >>> 8) & 0xff, v & 0xff, 0]);
        expect(Buffer.compare(d.subarray(8), Buffer.from(f))).toBe(0);
        const r = decodeVxlan(d);
        expect(r.ok && r.vni === v && Buffer.compare(Buffer.from(r.frame), Buffer.from(f)) === 0).toBe(true);
      }),
    );
  });

  it('reserved bits set by a sender are ignored; without the I flag the VNI is not valid', () => {
    fc.assert(
      fc.property(vni, frame, fc.integer({ min: 0, max: 255 }), fc.uint8Array({ minLength: 4, maxLength: 4 }), (v, f, flags, reserved) => {
        const d = encodeVxlan(v, f);
        d[0] = flags;
        d[1] = reserved[0]!;
        d[2] = reserved[1]!;
        d[3] = reserved[2]!;
        d[7] = reserved[3]!;
        const r = decodeVxlan(d);
        if (flags & 0x08) expect(r).toMatchObject({ ok: true, vni: v });
        else expect(r).toEqual({ ok: false, reason: 'VXLAN_BAD_FLAGS' });
      }),
    );
  });

  it('inner frames: 14 bytes and up are taken (no 60-byte minimum), shorter or beyond the lab maximum are not', () => {
    expect(decodeVxlan(encodeVxlan(1, new Uint8Array(14)))).toMatchObject({ ok: true });
    expect(decodeVxlan(encodeVxlan(1, new Uint8Array(13)))).toMatchObject({ ok: false, reason: 'FRAME_TOO_SHORT', vni: 1 });
    expect(decodeVxlan(encodeVxlan(1, new Uint8Array(MAX_FRAME_LEN)))).toMatchObject({ ok: true });
    expect(decodeVxlan(encodeVxlan(1, new Uint8Array(MAX_FRAME_LEN + 1)))).toMatchObject({ ok: false, reason: 'FRAME_TOO_LONG' });
    expect(decodeVxlan(new Uint8Array(7))).toEqual({ ok: false, reason: 'SHORT_DATAGRAM' });
    expect(VXLAN_OVERHEAD).toBe(14 + 20 + 8 + 8);
  });
});

describe('QEMU stream framing', () => {
  it('is a 4-byte big-endian length, then the frame', () => {
    fc.assert(
      fc.property(frame, (f) => {
        const d = encodeStreamFrame(f);
        expect(d.readUInt32BE(0)).toBe(f.length);
        expect(Buffer.compare(d.subarray(4), Buffer.from(f))).toBe(0);
      }),
    );
  });

  it('frames come out whole and in order however the stream is cut, oversized ones skipped', () => {
    const item = fc.oneof(
      { weight: 5, arbitrary: frame.map((f) => ({ f, ok: true })) },
      { weight: 1, arbitrary: fc.integer({ min: MAX_FRAME_LEN + 1, max: MAX_FRAME_LEN + 3000 }).map((n) => ({ f: new Uint8Array(n), ok: false })) },
    );
    fc.assert(
      fc.property(fc.array(item, { maxLength: 12 }), fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 1, maxLength: 40 }), (items, cuts) => {
        const bytes = Buffer.concat(items.map(({ f }) => {
          const h = Buffer.alloc(4);
          h.writeUInt32BE(f.length);
          return Buffer.concat([h, f]);
        }));
        const got: Uint8Array[] = [];
        const bad: string[] = [];
        const dec = new StreamDecoder((f) => got.push(f), (r) => bad.push(r));
        let off = 0;
        for (let i = 0; off < bytes.length; i++) {
          const n = cuts[i % cuts.length]!;
          expect(dec.push(bytes.subarray(off, off + n))).toBe(true);
          off += n;
        }
        const want = items.filter((x) => x.ok).map((x) => Buffer.from(x.f).toString('hex'));
        expect(got.map((f) => Buffer.from(f).toString('hex'))).toEqual(want);
        expect(bad).toEqual(items.filter((x) => !x.ok).map(() => 'FRAME_TOO_LONG'));
      }),
      { numRuns: 60 },
    );
  });
});

describe('cut-cable shim between partitions (src/attach/cut-header.ts)', () => {
  const frameId = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER });
  it('is 09 00 00 00 | VNI | 00 | kind, up, 00 00, the frame id (8 bytes, big-endian), then the frame; and reads back', () => {
    fc.assert(
      fc.property(vni, fc.boolean(), frameId, frame, (v, up, id, f) => {
        const d = encodeCut(v, up, id, f);
        expect([...d.subarray(0, 12)]).toEqual([0x09, 0, 0, 0, v >>> 16, (v >>> 8) & 0xff, v & 0xff, 0, 1, up ? 1 : 0, 0, 0]);
        expect(d.readBigUInt64BE(12)).toBe(BigInt(id));
        expect(Buffer.compare(d.subarray(20), Buffer.from(f))).toBe(0);
        expect(isCutDatagram(d)).toBe(true);
        const r = decodeCut(d);
        expect(r.ok && r.vni === v && r.up === up && r.frameId === id && r.frame !== null && Buffer.compare(Buffer.from(r.frame), Buffer.from(f)) === 0).toBe(true);
      }),
    );
  });

  it('a hello carries only the cable state; a plain VXLAN datagram is not a cut datagram; a short or unknown shim is CUT_BAD_SHIM', () => {
    fc.assert(
      fc.property(vni, fc.boolean(), (v, up) => {
        const h = encodeCut(v, up, 0, null);
        expect(h.length).toBe(20);
        expect(decodeCut(h)).toEqual({ ok: true, vni: v, up, frameId: 0, frame: null });
      }),
    );
    expect(isCutDatagram(encodeVxlan(1000, new Uint8Array(60)))).toBe(false);
    expect(decodeCut(encodeVxlan(1000, new Uint8Array(8)))).toMatchObject({ ok: false, reason: 'CUT_BAD_SHIM', vni: 1000 });
    const odd = encodeCut(1000, true, 5, new Uint8Array(60));
    odd[8] = 3;
    expect(decodeCut(odd)).toMatchObject({ ok: false, reason: 'CUT_BAD_SHIM' });
    expect(decodeCut(encodeCut(1000, true, 5, new Uint8Array(13)))).toMatchObject({ ok: false, reason: 'FRAME_TOO_SHORT' });
  });
});
