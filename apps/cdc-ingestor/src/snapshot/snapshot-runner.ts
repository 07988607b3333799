import type { Logger } from '@trunkline/runtime';
import type { Client } from 'pg';
import type { CapturedTable } from '../capture/captured-table';
import { CONNECTOR_VERSION } from '../capture/change-capture';
import { keyOf, resolveUnchanged, textRow } from '../capture/row-values';
import type { EventProducer } from '../delivery/event-producer';
import type { ChangeEnvelope } from '../events/change-event';
import { readChunks, type SnapshotTable } from './chunked-reader';

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
      let previous: ChangeEnvelope | undefined;
      let previousKey: Buffer | null = null;
      const flushPrevious = async (last: 'table' | 'snapshot' | undefined) => {
        if (previous === undefined) return;
        if (last === 'table') previous.source.snapshot = 'last_in_data_collection';
        if (last === 'snapshot') previous.source.snapshot = 'last';
        await producer.send({
          topic: table.topic,
          key: previousKey,
          value: table.encoder.encodeValue(previous),
          onAcknowledged: () => {
            table.eventsSent++;
          },
        });
        previous = undefined;
      };
      for await (const rows of readChunks(client, spec, options.chunkSize)) {
        for (const values of rows) {
          await flushPrevious(undefined);
          const after = resolveUnchanged(table.codec, textRow(table.codec, values), undefined);
          previous = {
            before: null,
            after,
            op: 'r',
            ts_ms: BigInt(Date.now()),
            source: {
              version: CONNECTOR_VERSION,
              connector: 'postgresql',
              name: options.topicPrefix,
              ts_ms: started,
              snapshot: 'true',
              db: options.database,
              sequence: JSON.stringify([null, consistentLsn.toString()]),
              schema: table.codec.table.schema,
              table: table.codec.table.table,
              txId: null,
              lsn: consistentLsn,
              xmin: null,
            },
          };
          previousKey = table.encoder.encodeKey(keyOf(table.codec, after));
          table.snapshotRows++;
        }
        options.logger.info(
          { table: table.name, rows: table.snapshotRows, estimatedRows: table.snapshotTotalRows },
          'snapshot progress',
        );
      }
      await flushPrevious(index === capturing.length - 1 ? 'snapshot' : 'table');
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
