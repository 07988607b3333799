/** A pgoutput message that cannot be decoded: what was wrong and at which byte offset. */
export class PgoutputError extends Error {
  override readonly name = 'PgoutputError';

  constructor(
    /** What was wrong, e.g. "unknown tuple column kind 'x'". */
    readonly reason: string,
    /** Byte offset into the message where decoding failed. */
    readonly offset: number,
    /** The message type byte as a character, when known. */
    readonly messageType?: string,
  ) {
    super(
      `malformed pgoutput ${messageType === undefined ? 'message' : `'${messageType}' message`} at byte ${offset}: ${reason}`,
    );
  }
}
