import { ErrorCode } from '@trunkline/kafka-protocol';
import { Code, TrunklineError } from '@trunkline/runtime';
import { KafkaError } from '../kafka-error';

const GRPC_CODE_BY_KAFKA: Record<number, Code> = {
  [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]: Code.NotFound,
  [ErrorCode.GROUP_ID_NOT_FOUND]: Code.NotFound,
  [ErrorCode.TOPIC_ALREADY_EXISTS]: Code.AlreadyExists,
  [ErrorCode.NON_EMPTY_GROUP]: Code.FailedPrecondition,
  [ErrorCode.OFFSET_OUT_OF_RANGE]: Code.OutOfRange,
};

/** Runs admin work, turning Kafka errors into the gRPC status an operator's client sees. */
export async function asAdmin<T>(work: () => Promise<T> | T): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof KafkaError) {
      throw new TrunklineError(GRPC_CODE_BY_KAFKA[error.code] ?? Code.InvalidArgument, error.message, {
        details: { kafkaError: String(error.code) },
      });
    }
    throw error;
  }
}
