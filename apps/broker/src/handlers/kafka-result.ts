import { ErrorCode } from '@trunkline/kafka-protocol';
import { KafkaError } from '../kafka-error';

/** Runs one item of a batch request; a KafkaError becomes that item's error code and message. */
export async function itemResult(
  work: () => Promise<void>,
): Promise<{ errorCode: number; errorMessage: string | null }> {
  try {
    await work();
    return { errorCode: ErrorCode.NONE, errorMessage: null };
  } catch (error) {
    if (error instanceof KafkaError) return { errorCode: error.code, errorMessage: error.message };
    throw error;
  }
}
