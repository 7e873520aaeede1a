/** An attachment that cannot start (a socket that does not bind, a path in use): what and where. */
export class AttachError extends Error {
  constructor(
    message: string,
    /** the attachment's name, when one is to blame */
    readonly attachment?: string,
  ) {
    super(message);
    this.name = 'AttachError';
  }
}
