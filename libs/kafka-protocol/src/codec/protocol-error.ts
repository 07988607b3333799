/** Bytes that do not parse as what they claim to be. The connection that sent them is closed. */
export class MalformedFrameError extends Error {
  override readonly name = 'MalformedFrameError';
}
