import type { Logger } from '@trunkline/runtime';
import { type SchemaRegistryClient, SchemaRegistryError } from '@trunkline/serde';
import type { Client } from 'pg';
import { describeColumns, type TableDescription, tableCodec } from '../columns';
import { type EventFormat, registerTable } from '../encoding/event-encoder';
import type { CapturedTable } from './captured-table';

/** Relation columns as pgoutput describes them, to compare against what a codec was built for. */
export interface RelationShape {
  columns: readonly { name: string; typeOid: number; typeModifier: number }[];
}

function shapeOf(shape: RelationShape): string {
  return shape.columns.map((c) => `${c.name}:${c.typeOid}:${c.typeModifier}`).join(',');
}

function shapeOfTable(table: TableDescription): string {
  return table.columns
    .filter((c) => !c.generated)
    .map((c) => `${c.name}:${c.typeOid}:${c.typmod}`)
    .join(',');
}

/**
 * The captured tables by relation id. A table's schemas are registered before its first
 * event, and again when a Relation message shows its columns changed (ALTER TABLE): the new
 * version reaches the registry before any event that needs it. A change the subject's
 * compatibility level refuses stops that table, with the reason, and the others go on.
 */
export class TableCatalog {
  private readonly tables = new Map<number, CapturedTable>();

  constructor(
    private readonly client: Client,
    private readonly registry: SchemaRegistryClient,
    private readonly format: EventFormat,
    private readonly topicPrefix: string,
    private readonly logger: Logger,
  ) {}

  get(relationId: number): CapturedTable | undefined {
    return this.tables.get(relationId);
  }

  all(): CapturedTable[] {
    return [...this.tables.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  topicOf(schema: string, table: string): string {
    return `${this.topicPrefix}.${schema}.${table}`;
  }

  /** Describes and registers a table (by relation id) unless known with the same shape. */
  async ensure(relationId: number, shape?: RelationShape): Promise<CapturedTable | undefined> {
    const known = this.tables.get(relationId);
    if (known && (shape === undefined || shapeOf(shape) === known.shape)) return known;
    const [description] = await describeColumns(this.client, [relationId]);
    if (description === undefined) return undefined;
    const name = `${description.schema}.${description.table}`;
    const topic = this.topicOf(description.schema, description.table);
    const codec = tableCodec(description, this.topicPrefix);
    try {
      const encoder = await registerTable(this.format, codec, topic, this.registry);
      const table: CapturedTable = {
        relationId,
        name,
        topic,
        codec,
        encoder,
        shape: shapeOfTable(description),
        state: known?.state === 'snapshotting' ? 'snapshotting' : 'capturing',
        lastError: '',
        eventsSent: known?.eventsSent ?? 0,
        snapshotRows: known?.snapshotRows ?? 0,
        snapshotTotalRows: known?.snapshotTotalRows ?? 0,
        snapshotDone: known?.snapshotDone ?? false,
      };
      if (known)
        this.logger.info(
          { table: name, valueSchemaId: encoder.valueSchemaId },
          'table changed: new schema registered',
        );
      this.tables.set(relationId, table);
      return table;
    } catch (error) {
      if (!(error instanceof SchemaRegistryError) || error.status >= 500) throw error;
      // The registry refused the table's new schema (incompatible, invalid): stop this table only.
      const reason = `the schema registry refused the schema of ${name}: ${error.message}`;
      this.logger.error({ table: name, errorCode: error.errorCode }, reason);
      const stopped: CapturedTable = known
        ? { ...known, state: 'stopped', lastError: reason, shape: shapeOfTable(description) }
        : {
            relationId,
            name,
            topic,
            codec,
            encoder: undefined as never,
            shape: shapeOfTable(description),
            state: 'stopped',
            lastError: reason,
            eventsSent: 0,
            snapshotRows: 0,
            snapshotTotalRows: 0,
            snapshotDone: false,
          };
      this.tables.set(relationId, stopped);
      return stopped;
    }
  }
}
