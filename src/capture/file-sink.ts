/**
 * A synchronous, buffered file sink for the capture writers: chunks are gathered and written
 * with one writev per ~256 KiB, so a capture costs few system calls and nothing is lost on a
 * synchronous close(). A writer that gathers large chunks itself uses `writeNow`.
 */
import { closeSync, openSync, writeSync, writevSync } from 'node:fs';

const FLUSH_BYTES = 256 * 1024;

export class FileSink {
  private fd: number | undefined;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;

  constructor(path: string) {
    this.fd = openSync(path, 'w');
  }

  /** Bound, so it can be handed to a writer as its `sink`. */
  readonly write = (chunk: Uint8Array): void => {
    if (this.fd === undefined) throw new Error('capture file is already closed');
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
  };

  /**
   * Writes `chunk` now (after anything pending), so the caller may reuse its bytes when this
   * returns: for writers that gather large chunks themselves.
   */
  readonly writeNow = (chunk: Uint8Array): void => {
    if (this.fd === undefined) throw new Error('capture file is already closed');
    this.flush();
    let off = 0;
    while (off < chunk.length) off += writeSync(this.fd, chunk, off, chunk.length - off);
  };

  flush(): void {
    if (this.fd === undefined || this.pending.length === 0) return;
    let chunks = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    // writev may write less than asked: go on from where it stopped.
    while (chunks.length > 0) {
      let written = writevSync(this.fd, chunks);
      let i = 0;
      while (i < chunks.length && written >= chunks[i]!.length) {
        written -= chunks[i]!.length;
        i++;
      }
      chunks = chunks.slice(i);
      if (written > 0 && chunks.length > 0) chunks[0] = chunks[0]!.subarray(written);
    }
  }

  close(): void {
    if (this.fd === undefined) return;
    this.flush();
    closeSync(this.fd);
    this.fd = undefined;
  }
}
