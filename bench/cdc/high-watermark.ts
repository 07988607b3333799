import { BrokerConnection } from '@trunkline/kafka-client';
import { ListOffsets } from '@trunkline/kafka-protocol';

/**
 * The end offset (high watermark) of a one-partition topic, read with ListOffsets over one raw
 * connection: cheap enough to ask every few milliseconds without taking CPU from what is measured.
 */
export class HighWatermark {
  private constructor(
    private readonly connection: BrokerConnection,
    private readonly topic: string,
  ) {}

  static async open(bootstrap: string, topic: string): Promise<HighWatermark> {
    const at = bootstrap.lastIndexOf(':');
    const connection = await BrokerConnection.open(bootstrap.slice(0, at), Number(bootstrap.slice(at + 1)), {
      clientId: 'bench-cdc',
      connectTimeoutMs: 10_000,
      requestTimeoutMs: 10_000,
    });
    return new HighWatermark(connection, topic);
  }

  async read(): Promise<bigint> {
    const body = (await this.connection.request(ListOffsets, 1, {
      replicaId: -1,
      topics: [{ name: this.topic, partitions: [{ partitionIndex: 0, timestamp: -1n }] }],
    })) as { topics: { partitions: { errorCode: number; offset: bigint }[] }[] };
    const partition = body.topics[0]?.partitions[0];
    if (partition === undefined || partition.errorCode !== 0)
      throw new Error(`ListOffsets ${this.topic}: error ${partition?.errorCode}`);
    return partition.offset;
  }

  close(): void {
    this.connection.close();
  }
}
