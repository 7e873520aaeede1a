/**
 * The one error the wire layer throws: bad input to a builder, a tag operation or `fromHex`.
 * Parsers and decoders never throw; they return null or a `malformed` note instead.
 */
export class FrameInputError extends Error {
  /** The input field that is wrong (`srcMac`, `vlan`, `dataSize`, ...), when there is one. */
  readonly field: string | undefined;

  constructor(message: string, field?: string) {
    super(message);
    this.name = 'FrameInputError';
    this.field = field;
  }
}
