/**
 * QEMU `-netdev stream` framing (net/stream.c; the same as `-netdev socket`): every frame is a
 * 4-byte big-endian length, then that many bytes of Ethernet frame (no FCS). The decoder takes
 * chunks as TCP delivers them and hands out whole frames; a frame too long for the lab is
 * skipped (its length is known, the framing survives); a length beyond any frame means the
 * framing is lost.
 */
import { ETH_HEADER_LEN, MAX_FRAME_LEN } from '../wire/ethernet.js';
import { STREAM_LENGTH_LEN, emitStreamLength, streamLength } from '../wire/stream-length.js';
import type { AttachReason } from './attach-reasons.js';

/** Longest length prefix still taken as a frame (to skip); beyond it the stream is not framed as expected. */
export const STREAM_MAX_LENGTH = 256 * 1024;

export function encodeStreamFrame(frame: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(STREAM_LENGTH_LEN + frame.length);
  emitStreamLength(frame.length, out, 0);
  out.set(frame, STREAM_LENGTH_LEN);
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
    while (data.length - off >= STREAM_LENGTH_LEN) {
      const len = streamLength(data, off);
      if (len > STREAM_MAX_LENGTH) {
        this.lost = true;
        this.onBad('STREAM_BAD_LENGTH');
        return false;
      }
      if (len < ETH_HEADER_LEN || len > MAX_FRAME_LEN) {
        this.onBad(len < ETH_HEADER_LEN ? 'FRAME_TOO_SHORT' : 'FRAME_TOO_LONG');
        const have = data.length - off - STREAM_LENGTH_LEN;
        if (have >= len) {
          off += STREAM_LENGTH_LEN + len;
          continue;
        }
        this.skip = len - have;
        off = data.length;
        break;
      }
      if (data.length - off - STREAM_LENGTH_LEN < len) break;
      // a copy: the lab keeps frames, and the chunk's memory is Node's
      this.onFrame(Uint8Array.prototype.slice.call(data, off + STREAM_LENGTH_LEN, off + STREAM_LENGTH_LEN + len));
      off += STREAM_LENGTH_LEN + len;
    }
    this.buf = off >= data.length ? Buffer.alloc(0) : Buffer.from(data.subarray(off));
    return true;
  }
}
