import {
  ErrorCode,
  Fetch,
  type KafkaRecord,
  ListOffsets,
  parseStoredBatches,
  readRecords,
} from '@trunkline/kafka-protocol';
import { RawKafkaConnection } from './raw-kafka-connection';

const EARLIEST = -2n;

/** One stored batch as a consumer receives it: its offset span and producer fields. */
export interface FetchedBatch {
  baseOffset: bigint;
  lastOffset: bigint;
  producerId: bigint;
  baseSequence: number;
  recordsCount: number;
  deleteHorizonMs: bigint | undefined;
}

export interface PartitionContents {
  logStartOffset: bigint;
  highWatermark: bigint;
  batches: FetchedBatch[];
  records: KafkaRecord[];
}

/**
 * Everything a partition holds, read as a consumer reads it (ListOffsets, then Fetch from
 * the earliest offset to the high watermark), with batch boundaries kept: how tests see
 * what retention, compaction and tiering left on any Kafka-protocol broker.
 */
export async function readPartitionContents(
  bootstrap: string,
  topic: string,
  partition = 0,
): Promise<PartitionContents> {
  const connection = await RawKafkaConnection.open(bootstrap);
  try {
    // Retention may move the log start between ListOffsets and a Fetch: read again from the new start.
    for (let attempt = 1; ; attempt++) {
      try {
        return await readOnce(connection, topic, partition);
      } catch (error) {
        if (!(error instanceof LogStartMoved) || attempt === 5) throw error;
      }
    }
  } finally {
    connection.close();
  }
}

class LogStartMoved extends Error {}

async function readOnce(
  connection: RawKafkaConnection,
  topic: string,
  partition: number,
): Promise<PartitionContents> {
  {
    const listed = (await connection.request(ListOffsets, 4, {
      replicaId: -1,
      isolationLevel: 0,
      topics: [{ name: topic, partitions: [{ partitionIndex: partition, timestamp: EARLIEST }] }],
    })) as { topics: { partitions: { errorCode: number; offset: bigint }[] }[] };
    const earliest = listed.topics[0]!.partitions[0]!;
    if (earliest.errorCode !== ErrorCode.NONE)
      throw new Error(`ListOffsets of ${topic}-${partition}: error ${earliest.errorCode}`);
    const contents: PartitionContents = {
      logStartOffset: earliest.offset,
      highWatermark: earliest.offset,
      batches: [],
      records: [],
    };
    let offset = earliest.offset;
    for (;;) {
      const response = (await connection.request(Fetch, 11, {
        replicaId: -1,
        maxWaitMs: 0,
        minBytes: 0,
        maxBytes: 8 << 20,
        isolationLevel: 0,
        topics: [{ topic, partitions: [{ partition, fetchOffset: offset, partitionMaxBytes: 8 << 20 }] }],
      })) as {
        responses: {
          partitions: {
            errorCode: number;
            highWatermark: bigint;
            logStartOffset: bigint;
            records: Buffer | null;
          }[];
        }[];
      };
      const data = response.responses[0]!.partitions[0]!;
      if (data.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) throw new LogStartMoved();
      if (data.errorCode !== ErrorCode.NONE)
        throw new Error(`Fetch of ${topic}-${partition} at ${offset}: error ${data.errorCode}`);
      contents.highWatermark = data.highWatermark;
      const batches = parseStoredBatches(data.records ?? Buffer.alloc(0)).filter(
        (b) => b.lastOffset >= offset,
      );
      if (batches.length === 0) break;
      for (const batch of batches) {
        contents.batches.push({
          baseOffset: batch.baseOffset,
          lastOffset: batch.lastOffset,
          producerId: batch.producerId,
          baseSequence: batch.baseSequence,
          recordsCount: batch.recordsCount,
          deleteHorizonMs: batch.deleteHorizonMs,
        });
        contents.records.push(...readRecords(batch).filter((r) => r.offset >= offset));
        offset = batch.lastOffset + 1n;
      }
      if (offset >= data.highWatermark) break;
    }
    return contents;
  }
}
