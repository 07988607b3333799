import {
  cachedPromise,
  type SchemaRegistryClient,
  SchemaRegistryError,
  type SchemaType,
  type StoredSchema,
  unframe,
} from '@trunkline/serde';
import type { SinkChange, SinkTable } from '../sink-change';
import { isTransient, UndecodableRecord } from '../sink-errors';
import { AvroRecordFormat } from './avro-format';
import { JsonRecordFormat } from './json-format';
import { ProtobufRecordFormat } from './protobuf-format';
import type { KeyReader, RecordFormat, ValueReader } from './record-reader';

/** A record as consumed from a change topic. */
export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: bigint;
  key: Buffer | null;
  value: Buffer | null;
}

/** A record read as a change, with the table shape its schema gives. */
export interface DecodedChange {
  table: SinkTable;
  change: SinkChange;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Reads change topic records (Debezium envelopes in the Confluent wire format) through the
 * schema registry, in whichever format their schema is registered: Avro, JSON Schema or
 * Protobuf. A record it cannot read throws UndecodableRecord; a registry it cannot reach throws
 * a transient error, so the caller retries instead of dead-lettering.
 */
export class ChangeDecoder {
  private readonly values = new Map<number, Promise<ValueReader>>();
  private readonly keys = new Map<number, Promise<KeyReader>>();
  private readonly tables = new Map<string, SinkTable>();
  /** The last table read from each topic: what a tombstone (no value, so no schema) belongs to. */
  private readonly topicTables = new Map<string, SinkTable>();

  constructor(
    private readonly registry: SchemaRegistryClient,
    private readonly formats: Partial<Record<SchemaType, RecordFormat>> = {
      AVRO: new AvroRecordFormat(registry),
      JSON: new JsonRecordFormat(),
      PROTOBUF: new ProtobufRecordFormat(registry),
    },
  ) {}

  async decode(record: ConsumedRecord): Promise<DecodedChange> {
    try {
      return await this.read(record);
    } catch (error) {
      if (error instanceof UndecodableRecord || isTransient(error)) throw error;
      if (error instanceof SchemaRegistryError && error.status >= 500) throw error;
      throw new UndecodableRecord(
        `${record.topic}[${record.partition}]@${record.offset}: ${message(error)}`,
        error,
      );
    }
  }

  private async read(record: ConsumedRecord): Promise<DecodedChange> {
    const keyReader = record.key === null ? undefined : await this.keyReader(record.key);
    const key = keyReader === undefined || record.key === null ? null : keyReader.read(record.key);
    if (record.value === null) {
      if (key === null) throw new UndecodableRecord('a record with neither key nor value is not a change');
      const table = this.topicTables.get(record.topic) ?? (await this.latestTable(record.topic, keyReader!));
      return { table, change: tombstone(record, table.name, key) };
    }
    const valueId = unframe(record.value).schemaId;
    const reader = await this.valueReader(valueId);
    const envelope = reader.read(record.value);
    if (key === null && envelope.op !== 't') {
      throw new UndecodableRecord(`a ${envelope.op} change without a key cannot be applied by key`);
    }
    const table = this.table(
      record.topic,
      `${envelope.schema}.${envelope.table}`,
      valueId,
      reader,
      keyReader,
    );
    return {
      table,
      change: {
        topic: record.topic,
        partition: record.partition,
        offset: record.offset,
        table: table.name,
        key,
        op: envelope.op,
        before: envelope.before,
        after: envelope.after,
        lsn: envelope.lsn ?? 0n,
        commitTimeMs: envelope.commitTimeMs,
        tombstone: false,
      },
    };
  }

  private table(
    topic: string,
    name: string,
    schemaId: number,
    reader: ValueReader,
    keyReader: KeyReader | undefined,
  ): SinkTable {
    const id = `${topic}\u0000${name}\u0000${schemaId}\u0000${keyReader?.fields.join(',') ?? ''}`;
    let table = this.tables.get(id);
    if (table === undefined) {
      const known = this.topicTables.get(topic);
      const key = keyReader?.fields ?? known?.key ?? [];
      table = { name, topic, key, columns: reader.columns, schemaId };
      this.tables.set(id, table);
    }
    this.topicTables.set(topic, table);
    return table;
  }

  /** The table of a topic known so far only from a tombstone: from its latest value schema. */
  private async latestTable(topic: string, keyReader: KeyReader): Promise<SinkTable> {
    const latest = await this.registry.getLatest(`${topic}-value`);
    const reader = await this.valueReader(latest.id);
    const parts = topic.split('.');
    const name = parts.length >= 2 ? parts.slice(-2).join('.') : topic;
    return this.table(topic, name, latest.id, reader, keyReader);
  }

  private format(schema: StoredSchema, id: number): RecordFormat {
    const format = this.formats[schema.schemaType];
    if (format === undefined)
      throw new UndecodableRecord(`schema ${id} is ${schema.schemaType}, which this sink does not read`);
    return format;
  }

  private valueReader(id: number): Promise<ValueReader> {
    return cachedPromise(this.values, id, async () => {
      const schema = await this.registry.getSchemaById(id);
      return this.format(schema, id).valueReader(id, schema);
    });
  }

  private keyReader(framed: Buffer): Promise<KeyReader> {
    const id = unframe(framed).schemaId;
    return cachedPromise(this.keys, id, async () => {
      const schema = await this.registry.getSchemaById(id);
      return this.format(schema, id).keyReader(id, schema);
    });
  }
}

function tombstone(record: ConsumedRecord, table: string, key: SinkChange['key']): SinkChange {
  return {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    table,
    key,
    op: 'd',
    before: null,
    after: null,
    // A tombstone follows its delete, whose LSN it does not carry: 0 never overrides a newer row,
    // and the delete before it already removed the row.
    lsn: 0n,
    commitTimeMs: 0,
    tombstone: true,
  };
}
