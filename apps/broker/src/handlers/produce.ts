import {
  ErrorCode,
  InvalidRecordBatchError,
  MalformedFrameError,
  Produce,
  type RecordBatchView,
  readRecords,
  validateRecordBatches,
} from '@trunkline/kafka-protocol';
import type { BrokerState } from '../broker-state';
import { KafkaError } from '../kafka-error';
import { cleanupPolicy, configNumber } from '../topics/topic-config';
import { defineHandler } from './handler';

const VALID_ACKS = new Set([0, 1, -1]);

/** Compaction keeps the latest record per key, so a compacted topic refuses records without one, as Kafka does. */
function requireKeys(batches: readonly RecordBatchView[], topic: string, partition: number): void {
  for (const batch of batches) {
    let records: ReturnType<typeof readRecords>;
    try {
      records = readRecords(batch);
    } catch (error) {
      if (error instanceof MalformedFrameError)
        throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, error.message);
      throw error;
    }
    if (records.some((r) => r.key === null)) {
      throw new KafkaError(
        ErrorCode.INVALID_RECORD,
        `Compacted topic cannot accept message without key in topic partition ${topic}-${partition}.`,
      );
    }
  }
}

interface PartitionResult {
  index: number;
  errorCode: number;
  baseOffset?: bigint;
  logAppendTimeMs?: bigint;
  logStartOffset?: bigint;
  errorMessage?: string | null;
}

async function producePartition(
  state: BrokerState,
  topicName: string,
  index: number,
  records: Buffer | null,
  version: number,
): Promise<PartitionResult> {
  const topic = state.topics.topic(topicName);
  const log = state.topics.partition(topicName, index);
  if (topic === undefined || log === undefined)
    return { index, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, baseOffset: -1n };
  try {
    // v0-2 carry the pre-0.11 message format, which this log does not store.
    if (version < 3)
      throw new KafkaError(
        ErrorCode.UNSUPPORTED_VERSION,
        'Produce v0-2 (message format v0/v1) is not supported',
      );
    if (records === null || records.length === 0)
      throw new KafkaError(ErrorCode.INVALID_RECORD, 'no records');
    const batches = validateRecordBatches(records);
    const maxMessageBytes = configNumber(topic.configs, 'max.message.bytes');
    for (const batch of batches) {
      if (batch.bytes.length > maxMessageBytes) {
        throw new KafkaError(
          ErrorCode.MESSAGE_TOO_LARGE,
          `batch of ${batch.bytes.length} bytes exceeds max.message.bytes ${maxMessageBytes}`,
        );
      }
      if (batch.isTransactional || batch.isControl) {
        throw new KafkaError(
          ErrorCode.INVALID_RECORD,
          'transactional batches are not supported by this broker',
        );
      }
    }
    if (cleanupPolicy(topic.configs).compact) requireKeys(batches, topicName, index);
    // A client sends one batch per partition; a retried duplicate is answered, not written again.
    const first = batches[0]!;
    const check =
      batches.length === 1 ? state.producers.check(topicName, index, first) : { kind: 'append' as const };
    if (check.kind === 'duplicate') {
      return {
        index,
        errorCode: ErrorCode.NONE,
        baseOffset: check.baseOffset,
        logAppendTimeMs: -1n,
        logStartOffset: log.logStartOffset,
      };
    }
    const logAppendTime =
      topic.configs['message.timestamp.type'] === 'LogAppendTime' ? BigInt(Date.now()) : -1n;
    if (logAppendTime >= 0n) for (const batch of batches) batch.setLogAppendTime(logAppendTime);
    const appended = await log.append(batches);
    for (const batch of batches) state.producers.record(topicName, index, batch);
    return {
      index,
      errorCode: ErrorCode.NONE,
      baseOffset: appended.baseOffset,
      logAppendTimeMs: logAppendTime,
      logStartOffset: log.logStartOffset,
    };
  } catch (error) {
    if (error instanceof KafkaError)
      return { index, errorCode: error.code, baseOffset: -1n, errorMessage: error.message };
    if (error instanceof InvalidRecordBatchError) {
      const code = error.kind === 'corrupt' ? ErrorCode.CORRUPT_MESSAGE : ErrorCode.INVALID_RECORD;
      return { index, errorCode: code, baseOffset: -1n, errorMessage: error.message };
    }
    throw error;
  }
}

export const produceHandler = defineHandler<typeof Produce, BrokerState>({
  api: Produce,
  versions: '0-12',
  async handle(request, { state, version }) {
    const responses = await Promise.all(
      request.topicData.map(async (topicData) => ({
        name: topicData.name,
        partitionResponses: await Promise.all(
          topicData.partitionData.map((p) =>
            VALID_ACKS.has(request.acks)
              ? producePartition(state, topicData.name, p.index, p.records, version)
              : { index: p.index, errorCode: ErrorCode.INVALID_REQUIRED_ACKS, baseOffset: -1n },
          ),
        ),
      })),
    );
    // acks=0: the client expects no answer at all.
    if (request.acks === 0) return undefined;
    return { responses, throttleTimeMs: 0 };
  },
});
