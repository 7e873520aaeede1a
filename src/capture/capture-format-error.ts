/**
 * The one error the capture readers throw: the file is not a capture we can replay (unknown
 * magic, truncated or corrupt record, non-Ethernet link type, too big). The message names the
 * problem and, when there is one, the byte offset where it was found, so that the CLI and the
 * API can print it as is (no stack trace for the user).
 */
export class CaptureFormatError extends Error {
  /** The problem without the offset suffix. */
  readonly detail: string;
  /** Byte offset in the file where the problem is, when it has one. */
  readonly offset: number | undefined;
  /** The file path, when the reader was given a path. */
  readonly file: string | undefined;

  constructor(detail: string, offset?: number, file?: string) {
    const where = offset === undefined ? '' : ` (at byte ${offset})`;
    super(`${file === undefined ? '' : `${file}: `}${detail}${where}`);
    this.name = 'CaptureFormatError';
    this.detail = detail;
    this.offset = offset;
    this.file = file;
  }

  /** The same error, naming the file it came from. */
  withFile(file: string): CaptureFormatError {
    return new CaptureFormatError(this.detail, this.offset, file);
  }
}
