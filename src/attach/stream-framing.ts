/**
 * QEMU `-netdev stream` framing (net/stream.c; the same as `-netdev socket`): every frame is a
 * 4-byte big-endian length, then that many bytes of Ethernet frame (no FCS). The decoder takes
 * chunks as TCP delivers them and hands out whole frames; a frame too long for the lab is
 * skipped (its length is known, the framing survives); a length beyond any frame means the
 * framing is lost.
 */
import { MAX_FRAME_LEN } from '../wire/ethernet.js';
import type { AttachReason } from './attach-reasons.js';

/** Longest length prefix still taken as a frame (to skip); beyond it the stream is not framed as expected. */
export const STREAM_MAX_LENGTH = 256 * 1024;

export function encodeStreamFrame(frame: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(4 + frame.length);
  out.writeUInt32BE(frame.length, 0);
  out.set(frame, 4);
  return out;
}

export class StreamDecoder {
  private buf: Buffer = Buffer.alloc(0);
  /** bytes of an oversized frame still to skip */
  private skip = 0;
  private lost = false;

  constructor(
    private readonly onFrame: (frame: Uint8Array) => void,
    private readonly onBad: (reason: AttachReason) => void,
  ) {}

  /** Feeds a chunk; returns false once the framing is lost (the caller closes the connection). */
  push(chunk: Buffer): boolean {
    if (this.lost) return false;
    let data = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    if (this.skip > 0) {
      const n = Math.min(this.skip, data.length);
      this.skip -= n;
      data = data.subarray(n);
    }
    let off = 0;
    while (data.length - off >= 4) {
      const len = data.readUInt32BE(off);
      if (len > STREAM_MAX_LENGTH) {
        this.lost = true;
        this.onBad('STREAM_BAD_LENGTH');
        return false;
      }
      if (len < 14 || len > MAX_FRAME_LEN) {
        this.onBad(len < 14 ? 'FRAME_TOO_SHORT' : 'FRAME_TOO_LONG');
        const have = data.length - off - 4;
        if (have >= len) {
          off += 4 + len;
          continue;
        }
        this.skip = len - have;
        off = data.length;
        break;
      }
      if (data.length - off - 4 < len) break;
      // a copy: the lab keeps frames, and the chunk's memory is Node's
      this.onFrame(Uint8Array.prototype.slice.call(data, off + 4, off + 4 + len));
      off += 4 + len;
    }
    this.buf = off >= data.length ? Buffer.alloc(0) : Buffer.from(data.subarray(off));
    return true;
  }
}
