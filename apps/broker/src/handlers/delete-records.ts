import { DeleteRecords, ErrorCode } from '@trunkline/kafka-protocol';
import { OffsetOutOfRangeError } from '@trunkline/log-store';
import type { BrokerState } from '../broker-state';
import { defineHandler } from './handler';

const HIGH_WATERMARK = -1n;

export const deleteRecordsHandler = defineHandler<typeof DeleteRecords, BrokerState>({
  api: DeleteRecords,
  versions: '0-2',
  async handle(request, { state }) {
    const topics = await Promise.all(
      request.topics.map(async (topic) => ({
        name: topic.name,
        partitions: await Promise.all(
          topic.partitions.map(async (p) => {
            const log = state.topics.partition(topic.name, p.partitionIndex);
            if (log === undefined)
              return {
                partitionIndex: p.partitionIndex,
                lowWatermark: -1n,
                errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
              };
            try {
              const before = p.offset === HIGH_WATERMARK ? log.highWatermark : p.offset;
              return {
                partitionIndex: p.partitionIndex,
                lowWatermark: await log.deleteRecordsBefore(before),
                errorCode: ErrorCode.NONE,
              };
            } catch (error) {
              if (error instanceof OffsetOutOfRangeError) {
                return {
                  partitionIndex: p.partitionIndex,
                  lowWatermark: -1n,
                  errorCode: ErrorCode.OFFSET_OUT_OF_RANGE,
                };
              }
              throw error;
            }
          }),
        ),
      })),
    );
    return { throttleTimeMs: 0, topics };
  },
});
