import type { Logger } from '@trunkline/runtime';
import type { Client } from 'pg';
import type { CapturedTable } from '../capture/captured-table';
import type { EventProducer } from '../delivery/event-producer';
import type { ChangeEnvelope } from '../events/change-event';
import { readChunksAhead, type SnapshotTable } from './chunked-reader';
import { SnapshotEvents } from './snapshot-events';

export interface SnapshotOptions {
  topicPrefix: string;
  database: string;
  chunkSize: number;
  logger: Logger;
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
      const spec = await snapshotSpec(client, table);
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
      table.state = 'capturing';
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  await producer.flush();
}

async function estimateRows(client: Client, relationId: number): Promise<number> {
  const { rows } = await client.query<{ estimate: string }>(
    'SELECT greatest(reltuples, 0)::bigint AS estimate FROM pg_class WHERE oid = $1',
    [relationId],
  );
  return Number(rows[0]?.estimate ?? 0);
}

/** The columns the snapshot selects (as pgoutput sends them: no generated ones) and the key's types. */
async function snapshotSpec(client: Client, table: CapturedTable): Promise<SnapshotTable> {
  const { rows } = await client.query<{ attname: string; type: string }>(
    `SELECT attname, format_type(atttypid, atttypmod) AS type FROM pg_attribute
      WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped`,
    [table.relationId],
  );
  const types = new Map(rows.map((r) => [r.attname, r.type]));
  return {
    schema: table.codec.table.schema,
    table: table.codec.table.table,
    columns: table.codec.fields.map(({ column }) => ({
      name: column.name,
      typeName: types.get(column.name)!,
    })),
    key: table.codec.table.primaryKey,
  };
}
