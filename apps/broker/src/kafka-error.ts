/** A failure a handler reports to the client as a Kafka error code (and, where the API has one, a message). */
export class KafkaError extends Error {
  override readonly name = 'KafkaError';
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}
