import type { Logger } from '@trunkline/runtime';
import { type SchemaRegistryClient, SchemaRegistryError } from '@trunkline/serde';
import type { Client } from 'pg';
import { describeColumns, type TableDescription, tableCodec } from '../columns';
import { type EventFormat, registerTable } from '../encoding/event-encoder';
import type { CapturedTable } from './captured-table';
import { type KeyColumns, keyedBy, resolveTableKey } from './table-key';

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
 * compatibility level refuses stops that table, with the reason, and the others go on; so does
 * a change that leaves the table without a usable key (see resolveTableKey).
 */
export class TableCatalog {
  private readonly tables = new Map<number, CapturedTable>();
  private keyColumns: KeyColumns = new Map();

  constructor(
    private readonly client: Client,
    private readonly registry: SchemaRegistryClient,
    private readonly format: EventFormat,
    private readonly topicPrefix: string,
    private readonly logger: Logger,
    /** Whether a table is (still) to be captured: changes of others are not turned into events. */
    private readonly selected: (schema: string, table: string) => boolean = () => true,
  ) {}

  get(relationId: number): CapturedTable | undefined {
    return this.tables.get(relationId);
  }

  byName(name: string): CapturedTable | undefined {
    for (const table of this.tables.values()) if (table.name === name) return table;
    return undefined;
  }

  remove(relationId: number): void {
    this.tables.delete(relationId);
  }

  all(): CapturedTable[] {
    return [...this.tables.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Key columns configured with --key-columns, by `schema.table`; tables not named keep their primary key. */
  useKeyColumns(keyColumns: KeyColumns): void {
    this.keyColumns = keyColumns;
  }

  topicOf(schema: string, table: string): string {
    return `${this.topicPrefix}.${schema}.${table}`;
  }

  /** Describes and registers a table (by relation id) unless known with the same shape. */
  async ensure(relationId: number, shape?: RelationShape): Promise<CapturedTable | undefined> {
    const known = this.tables.get(relationId);
    if (known && (shape === undefined || shapeOf(shape) === known.shape)) return known;
    const [described] = await describeColumns(this.client, [relationId]);
    if (described === undefined || !this.selected(described.schema, described.table)) return undefined;
    const name = `${described.schema}.${described.table}`;
    const topic = this.topicOf(described.schema, described.table);
    const key = resolveTableKey(described, this.keyColumns.get(name));
    const description = 'key' in key ? keyedBy(described, key.key) : described;
    const codec = tableCodec(description, this.topicPrefix);
    const stop = (reason: string): CapturedTable => {
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
    };
    // A table that lost its usable key (a key column dropped, say) stops, with the reason.
    if ('refused' in key) {
      this.logger.error({ table: name }, key.refused);
      return stop(key.refused);
    }
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
      return stop(reason);
    }
  }
}
