import type { Logger } from '@trunkline/runtime';
import type { Client } from 'pg';
import type { CapturedTable } from '../capture/captured-table';
import type { EventProducer } from '../delivery/event-producer';
import type { ChangeEnvelope } from '../events/change-event';
import { estimateRows, snapshotTable } from './chunk-queries';
import { readChunksAhead } from './chunked-reader';
import { SnapshotEvents } from './snapshot-events';

export interface SnapshotOptions {
  topicPrefix: string;
  database: string;
  chunkSize: number;
  logger: Logger;
  /** Asked between chunks: true stops the snapshot (with SnapshotStopped), e.g. on shutdown. */
  stopping?: () => boolean;
}

/** The snapshot was stopped before its end; the next start takes it again from the beginning. */
export class SnapshotStopped extends Error {
  constructor() {
    super('the snapshot was stopped before its end');
  }
}

/**
 * The initial snapshot: every captured table read in key order inside one REPEATABLE READ
 * transaction that uses the slot's exported snapshot, so the rows are exactly those committed
 * before the slot's consistent point and streaming from that point follows without a gap or
 * an overlap. Each row becomes an `r` event; a table's last row says "last_in_data_collection",
 * the snapshot's last row "last".
 */
export async function runSnapshot(
  client: Client,
  snapshotName: string,
  consistentLsn: bigint,
  tables: readonly CapturedTable[],
  producer: EventProducer,
  options: SnapshotOptions,
): Promise<void> {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    await client.query(`SET TRANSACTION SNAPSHOT '${snapshotName.replaceAll("'", "''")}'`);
    const started = BigInt(Date.now());
    const capturing = tables.filter((t) => t.state !== 'stopped');
    for (const [index, table] of capturing.entries()) {
      table.state = 'snapshotting';
      table.snapshotRows = 0;
      table.snapshotTotalRows = await estimateRows(client, table.relationId);
      const spec = await snapshotTable(client, table);
      const events = new SnapshotEvents(table, consistentLsn, started, options);
      const onAcknowledged = () => {
        table.eventsSent++;
      };
      // Each row is sent once the next one is read, so the table's last row can say so.
      let previous: { key: Buffer | null; envelope: ChangeEnvelope } | undefined;
      const eventOf = (row: { key: Buffer | null; envelope: ChangeEnvelope }) => ({
        topic: table.topic,
        key: row.key,
        value: table.encoder.encodeValue(row.envelope),
        onAcknowledged,
      });
      for await (const rows of readChunksAhead(client, spec, options.chunkSize)) {
        if (options.stopping?.()) throw new SnapshotStopped();
        for (const values of rows) {
          if (previous !== undefined) {
            // A promise per row only when the producer is full (backpressure), not for every row.
            if (producer.isFull) await producer.send(eventOf(previous));
            else producer.enqueue(eventOf(previous));
          }
          previous = events.next(values);
          table.snapshotRows++;
        }
        options.logger.info(
          { table: table.name, rows: table.snapshotRows, estimatedRows: table.snapshotTotalRows },
          'snapshot progress',
        );
      }
      if (previous !== undefined) {
        const last = index === capturing.length - 1 ? 'last' : 'last_in_data_collection';
        const { envelope } = previous;
        await producer.send(
          eventOf({ ...previous, envelope: { ...envelope, source: { ...envelope.source, snapshot: last } } }),
        );
      }
      table.snapshotDone = true;
      // The estimate was a progress total; now the count is known.
      table.snapshotTotalRows = table.snapshotRows;
      table.state = 'capturing';
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  await producer.flush();
}
