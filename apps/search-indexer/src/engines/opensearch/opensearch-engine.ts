import { Client } from '@opensearch-project/opensearch';
import type { Row, SinkBatch, SinkChange, SinkRebuild, SinkTable } from '@trunkline/pipeline';
import { Code, TrunklineError } from '@trunkline/runtime';
import type { SearchEngine, SearchHit, SearchRequest, SearchResult } from '../search-engine';
import {
  type BulkResponseItem,
  bulkOutcome,
  type FailedWrite,
  planBatch,
  rejectionError,
} from './bulk-request';
import { aliasName, generationIndexName, generationOf, validIndexPrefix } from './index-names';
import {
  fromDocument,
  INTERNAL_FIELD,
  type IndexMeta,
  indexMeta,
  KEYWORD_SUBFIELD,
  missingProperties,
  tableMappings,
} from './mappings';
import { errorTypeOf, fromClientError, statusOf } from './opensearch-errors';
import { RefreshScheduler } from './refresh-scheduler';

export interface OpenSearchEngineOptions {
  /** The cluster, e.g. `http://127.0.0.1:9200`; ignored when `client` is given. */
  node?: string | string[];
  /** A client to use instead of one made from `node`; `close` leaves it open. */
  client?: Client;
  /** Starts every alias and index name (default `trunkline-`). */
  indexPrefix?: string;
  /**
   * `index.refresh_interval` of the indexes it creates (default `250ms`): an applied change is
   * searchable at the next refresh, so this bounds how long after `apply` that takes.
   */
  refreshInterval?: string;
  /** `index.number_of_shards` of new indexes (default: the cluster's). */
  shards?: number;
  /** `index.number_of_replicas` of new indexes (default: the cluster's). */
  replicas?: number;
  /** Per request (default 30 s). */
  requestTimeoutMs?: number;
  /**
   * Whether `apply` waits for the next refresh (`refresh=wait_for`), so it returns once the
   * changes are searchable, not only durable. Off by default: waiting takes a whole refresh
   * interval per batch, and a partition's batches go one after another.
   */
  waitForRefresh?: boolean;
}

/** What the engine knows of one source table's index. */
interface TableIndex {
  alias: string;
  /** The concrete index the alias points to (`<alias>-v<n>`), or a rebuild's next generation. */
  index: string;
  table: SinkTable;
  meta: IndexMeta;
}

/** One alias to point at `to`, away from the indexes in `from`. */
interface AliasMove {
  alias: string;
  to: string;
  from: string[];
}

const DEFAULT_PREFIX = 'trunkline-';
const DEFAULT_REFRESH_INTERVAL = '250ms';
const DEFAULT_SIZE = 10;
/** `index.max_result_window`'s default: the most hits one search returns. */
const MAX_SIZE = 10_000;

/**
 * The search indexer's OpenSearch engine. Each source table is one index behind an alias
 * (`<prefix><schema.table>` → `<alias>-v<n>`, see index-names.ts), mapped from the table's
 * columns (mappings.ts). A change is written with its LSN as an external version
 * (`version_type: external_gte`), so an older change replayed later is refused by OpenSearch
 * itself and a change of the same transaction later in the batch wins. OpenSearch has no
 * transactions, so there are no stored offsets: the consumer group's commits say where to
 * resume, and replaying what came after them is harmless.
 */
export class OpenSearchEngine implements SearchEngine {
  private readonly client: Client;
  private readonly ownsClient: boolean;
  private readonly prefix: string;
  private readonly options: OpenSearchEngineOptions;
  private readonly tables = new Map<string, TableIndex>();
  private readonly refreshes = new Map<string, RefreshScheduler>();
  /** Least time between two refreshes this engine asks for: the index's own interval. */
  private readonly refreshGapMs: number;
  /** The rebuild under way, if any: there is one next generation per table, so one at a time. */
  private rebuilding: OpenSearchRebuild | undefined;

  constructor(options: OpenSearchEngineOptions) {
    this.options = options;
    this.refreshGapMs = intervalMs(options.refreshInterval ?? DEFAULT_REFRESH_INTERVAL);
    this.prefix = validIndexPrefix(options.indexPrefix ?? DEFAULT_PREFIX);
    if (options.client !== undefined) {
      this.client = options.client;
      this.ownsClient = false;
    } else {
      if (options.node === undefined) {
        throw new TrunklineError(Code.InvalidArgument, 'the OpenSearch engine needs a node URL or a client');
      }
      this.client = new Client({ node: options.node, requestTimeout: options.requestTimeoutMs ?? 30_000 });
      this.ownsClient = true;
    }
  }

  /** `opensearch <node>[, <node>…]`, without credentials. */
  describe(): string {
    const nodes = this.client.connectionPool.connections.map((connection) =>
      withoutCredentials(connection.url),
    );
    return `opensearch ${nodes.join(', ')}`;
  }

  /**
   * Starts building every table it is given into the next generation index, beside the live one
   * and not under its alias; `swap` then points the aliases at the new generations in one step.
   */
  async rebuild(): Promise<SinkRebuild> {
    if (this.rebuilding !== undefined) {
      throw new TrunklineError(
        Code.FailedPrecondition,
        'a rebuild is already under way: swap or discard it first',
        {
          details: { engine: 'opensearch' },
        },
      );
    }
    const rebuild = new OpenSearchRebuild({
      describe: () => this.describe(),
      aliasOf: (table) => this.aliasOf(table),
      aliasIndexes: (alias) => this.aliasIndexes(alias),
      createIndex: (index, table) => this.createIndex(index, table),
      deleteIndexes: (indexes) => this.deleteIndexes(indexes),
      evolve: (index, table) => this.evolve(index, table),
      write: (known, batch) => this.write(known.index, known, batch, false),
      pointAliases: (moves) => this.pointAliases(moves),
      refresh: async (indexes) => {
        if (indexes.length > 0) await this.client.indices.refresh({ index: indexes.join(',') });
      },
      adopt: (rebuilt) => {
        for (const known of rebuilt) this.tables.set(known.table.name, known);
      },
      finished: () => {
        this.rebuilding = undefined;
      },
    });
    this.rebuilding = rebuild;
    return rebuild;
  }

  /** The alias a source table is read and written through. */
  aliasOf(table: string): string {
    return aliasName(this.prefix, table);
  }

  async prepare(table: SinkTable): Promise<void> {
    const alias = this.aliasOf(table.name);
    tableMappings(table); // checks the columns before anything is created
    let index = await this.resolveAlias(alias);
    if (index === undefined) {
      const first = generationIndexName(alias, 1);
      if (await this.createIndex(first, table, alias)) {
        this.tables.set(table.name, { alias, index: first, table, meta: indexMeta(table) });
        return;
      }
      // Another instance created it meanwhile, or the index lost its alias.
      index = await this.resolveAlias(alias);
      if (index === undefined) {
        throw new TrunklineError(
          Code.FailedPrecondition,
          `index ${first} exists without the alias ${alias}: add the alias or delete the index`,
          { details: { engine: 'opensearch', alias } },
        );
      }
    }
    const meta = await this.evolve(index, table);
    this.tables.set(table.name, { alias, index, table, meta });
  }

  /**
   * Creates a table's index at a generation, with its mapping, and (when `alias` is given) the
   * alias in the same request. False when the index already exists.
   */
  async createIndex(index: string, table: SinkTable, alias?: string): Promise<boolean> {
    const settings: Record<string, unknown> = {
      refresh_interval: this.options.refreshInterval ?? DEFAULT_REFRESH_INTERVAL,
    };
    if (this.options.shards !== undefined) settings.number_of_shards = this.options.shards;
    if (this.options.replicas !== undefined) settings.number_of_replicas = this.options.replicas;
    try {
      await this.client.indices.create({
        index,
        body: {
          settings: { index: settings },
          mappings: tableMappings(table),
          ...(alias === undefined ? {} : { aliases: { [alias]: {} } }),
        },
      });
      return true;
    } catch (error) {
      if (errorTypeOf(error) === 'resource_already_exists_exception') return false;
      throw fromClientError(error, `create index ${index}`);
    }
  }

  /**
   * Points `alias` at `to` and away from every other index, atomically (one `_aliases` request):
   * how a rebuilt generation replaces the live one. Returns the indexes it pointed to before;
   * deleting them is the caller's choice.
   */
  async swapAlias(alias: string, to: string): Promise<string[]> {
    const from = (await this.aliasIndexes(alias)).filter((index) => index !== to);
    await this.pointAliases([{ alias, to, from }]);
    for (const [name, known] of this.tables)
      if (known.alias === alias) this.tables.set(name, { ...known, index: to });
    return from;
  }

  async apply(batch: SinkBatch): Promise<void> {
    if (batch.changes.length === 0) return;
    const known = await this.tableIndex(batch.table);
    await this.write(known.alias, known, batch, true);
  }

  /** Writes are searchable after the next refresh, which this asks for (see refreshesOf). */
  visible(table: SinkTable): Promise<void> {
    if (this.options.waitForRefresh === true) return Promise.resolve();
    return this.refreshesOf(this.aliasOf(table.name)).next();
  }

  /**
   * The refreshes that make an alias's writes searchable: requested after each batch, at most
   * one per refresh interval, so the pipeline learns when readers see its changes.
   */
  private refreshesOf(alias: string): RefreshScheduler {
    let scheduler = this.refreshes.get(alias);
    if (scheduler === undefined) {
      scheduler = new RefreshScheduler(async () => {
        await this.client.indices.refresh({ index: alias });
      }, this.refreshGapMs);
      this.refreshes.set(alias, scheduler);
    }
    return scheduler;
  }

  async search(request: SearchRequest): Promise<SearchResult> {
    const known = await this.searchableTable(request.table);
    const size = Math.min(Math.max(request.size ?? DEFAULT_SIZE, 0), MAX_SIZE);
    const words = request.query.trim();
    const must: Record<string, unknown>[] = [];
    if (words !== '') {
      if (known.meta.textFields.length === 0) return { hits: [], total: 0 };
      must.push({
        multi_match: { query: words, fields: known.meta.textFields, type: 'cross_fields', operator: 'and' },
      });
    }
    const filter = Object.entries(request.filters ?? {}).map(([field, value]) => ({
      term: { [this.filterField(known, field)]: value },
    }));
    const body = {
      size,
      track_total_hits: true,
      query: { bool: { must: must.length > 0 ? must : [{ match_all: {} }], filter } },
      highlight: {
        pre_tags: ['<em>'],
        post_tags: ['</em>'],
        fields: Object.fromEntries(known.meta.textFields.map((f) => [f, {}])),
      },
    };
    let response: { body: unknown };
    try {
      response = await this.client.search({ index: known.alias, body });
    } catch (error) {
      throw fromClientError(error, `search ${known.alias}`);
    }
    const hits = (response.body as SearchResponseBody).hits;
    const total = typeof hits.total === 'number' ? hits.total : (hits.total?.value ?? hits.hits.length);
    return {
      total,
      hits: hits.hits.map((hit): SearchHit => {
        const document = fromDocument(hit._source ?? {});
        return {
          key: Object.fromEntries(known.meta.key.map((k) => [k, document[k] ?? null])),
          score: hit._score ?? 0,
          document,
          highlights: hit.highlight ?? {},
        };
      }),
    };
  }

  /**
   * Every document of a table, as indexed (after a refresh), at most 10,000: for tests and
   * small tables, not for serving.
   */
  async documents(table: string): Promise<Row[]> {
    const alias = this.aliasOf(table);
    try {
      await this.client.indices.refresh({ index: alias });
      const response = await this.client.search({
        index: alias,
        body: { size: MAX_SIZE, query: { match_all: {} } },
      });
      return (response.body as SearchResponseBody).hits.hits.map((hit) => fromDocument(hit._source ?? {}));
    } catch (error) {
      throw fromClientError(error, `read the documents of ${alias}`);
    }
  }

  async close(): Promise<void> {
    this.tables.clear();
    if (this.ownsClient) await this.client.close();
  }

  /**
   * Writes a batch to `target`: the alias for live writes, a concrete index for a rebuild's
   * (`viaAlias` false: no alias points at it yet). Throws what `rejectionError` makes when
   * OpenSearch refused changes; every other change was applied.
   */
  private async write(target: string, known: TableIndex, batch: SinkBatch, viaAlias: boolean): Promise<void> {
    if (batch.changes.length === 0) return;
    const { steps, rejected } = planBatch(target, known.table, batch.changes);
    const failed: FailedWrite[] = [...rejected];
    const transient: FailedWrite[] = [];
    for (const step of steps) {
      if (step.kind === 'truncate') {
        await this.truncate(target, step.change);
        continue;
      }
      const items = await this.bulk(target, step.writes.map((w) => w.lines).join(''), viaAlias);
      const outcome = bulkOutcome(step.writes, items);
      failed.push(...outcome.rejected);
      transient.push(...outcome.transient);
      // A retry must not re-run a truncate that later changes of this batch came after.
      if (transient.length > 0) break;
    }
    if (transient.length > 0 || failed.length > 0) throw rejectionError(target, transient, failed);
  }

  /**
   * Points every alias of `moves` at its new index and away from its old ones in one `_aliases`
   * request, which OpenSearch applies atomically: readers never see a mix of generations.
   */
  private async pointAliases(moves: readonly AliasMove[]): Promise<void> {
    if (moves.length === 0) return;
    const actions: Record<string, unknown>[] = [];
    for (const { alias, to, from } of moves) {
      actions.push({ add: { index: to, alias } });
      for (const index of from) actions.push({ remove: { index, alias } });
    }
    const what = moves.map(({ alias, to }) => `${alias} at ${to}`).join(', ');
    try {
      await this.client.indices.updateAliases({ body: { actions } });
    } catch (error) {
      throw fromClientError(error, `point alias ${what}`);
    }
  }

  /** Deletes indexes; one already gone is not an error. */
  private async deleteIndexes(indexes: readonly string[]): Promise<void> {
    if (indexes.length === 0) return;
    try {
      await this.client.indices.delete({ index: indexes.join(','), ignore_unavailable: true });
    } catch (error) {
      if (statusOf(error) === 404) return;
      throw fromClientError(error, `delete index ${indexes.join(', ')}`);
    }
  }

  /** The table's index, prepared first when this engine has not seen the table (or its schema). */
  private async tableIndex(table: SinkTable): Promise<TableIndex> {
    const known = this.tables.get(table.name);
    if (known !== undefined && (known.table.schemaId === table.schemaId || covers(known.table, table)))
      return known;
    await this.prepare(table);
    const prepared = this.tables.get(table.name);
    if (prepared === undefined)
      throw new TrunklineError(Code.Internal, `table ${table.name} was not prepared`);
    return prepared;
  }

  /** The table's index for a query: from `prepare`, or read from the index's `_meta`. */
  private async searchableTable(name: string): Promise<TableIndex> {
    const known = this.tables.get(name);
    if (known !== undefined) return known;
    const alias = this.aliasOf(name);
    const index = await this.resolveAlias(alias);
    if (index === undefined) {
      throw new TrunklineError(Code.NotFound, `table ${name} has no index (alias ${alias})`, {
        details: { engine: 'opensearch', table: name, alias },
      });
    }
    const mapping = await this.mappingOf(index);
    const meta = mapping._meta?.trunkline;
    if (meta === undefined) {
      throw new TrunklineError(
        Code.FailedPrecondition,
        `index ${index} has no Trunkline metadata in its mapping`,
        {
          details: { engine: 'opensearch', index },
        },
      );
    }
    // Not cached: the table itself (columns) is only known after `prepare`.
    return {
      alias,
      index,
      meta,
      table: { name, topic: '', key: meta.key, columns: [], schemaId: meta.schemaId },
    };
  }

  /** The field a filter on `field` tests: the `.keyword` subfield of a string column. */
  private filterField(known: TableIndex, field: string): string {
    if (field === INTERNAL_FIELD || field.startsWith(`${INTERNAL_FIELD}.`)) {
      throw new TrunklineError(Code.InvalidArgument, `cannot filter on ${field}`);
    }
    return known.meta.keywordFields.includes(field) ? `${field}.${KEYWORD_SUBFIELD}` : field;
  }

  /**
   * Adds the fields `table` has and the index lacks, and merges the table into the mapping's
   * `_meta`: fields are only ever added (a mapping cannot drop one), so a batch still written
   * with an older schema changes nothing.
   */
  private async evolve(index: string, table: SinkTable): Promise<IndexMeta> {
    const current = await this.mappingOf(index);
    const missing = missingProperties(table, current.properties ?? {});
    const meta = mergeMeta(current._meta?.trunkline, indexMeta(table));
    if (
      Object.keys(missing).length === 0 &&
      JSON.stringify(current._meta?.trunkline) === JSON.stringify(meta)
    ) {
      return meta;
    }
    try {
      await this.client.indices.putMapping({
        index,
        body: { properties: missing, _meta: { trunkline: meta } } as Record<string, unknown>,
      });
    } catch (error) {
      throw fromClientError(error, `add fields to the mapping of ${index}`);
    }
    return meta;
  }

  private async mappingOf(index: string): Promise<IndexMapping> {
    try {
      const response = await this.client.indices.getMapping({ index });
      const body = response.body as Record<string, { mappings?: IndexMapping }>;
      return body[index]?.mappings ?? {};
    } catch (error) {
      throw fromClientError(error, `read the mapping of ${index}`);
    }
  }

  /** The indexes an alias points to (none when it does not exist). */
  private async aliasIndexes(alias: string): Promise<string[]> {
    try {
      const response = await this.client.indices.getAlias({ name: alias });
      return Object.keys(response.body as Record<string, unknown>);
    } catch (error) {
      if (statusOf(error) === 404) return [];
      throw fromClientError(error, `read alias ${alias}`);
    }
  }

  /** The one index an alias points to, or undefined when there is no such alias. */
  private async resolveAlias(alias: string): Promise<string | undefined> {
    const indexes = await this.aliasIndexes(alias);
    if (indexes.length > 1) {
      throw new TrunklineError(
        Code.FailedPrecondition,
        `alias ${alias} points to ${indexes.length} indexes (${indexes.join(', ')}): it must point to one`,
        { details: { engine: 'opensearch', alias } },
      );
    }
    return indexes[0];
  }

  /**
   * One `_bulk` request; with `waitForRefresh`, `refresh=wait_for` makes it return once the
   * writes are searchable. OpenSearch answers only after its translog is synced (`index.translog.durability: request`,
   * the default), so what it acknowledged survives a crash. Through an alias, `require_alias`
   * stops a missing alias from being auto-created as an index with guessed mappings; a rebuild
   * writes to its concrete index, which it created (and stops writing once it dropped it).
   */
  private async bulk(target: string, ndjson: string, viaAlias: boolean): Promise<BulkResponseItem[]> {
    try {
      const response = await this.client.transport.request({
        method: 'POST',
        path: '/_bulk',
        querystring: {
          ...(this.options.waitForRefresh === true ? { refresh: 'wait_for' } : {}),
          ...(viaAlias ? { require_alias: 'true' } : {}),
        },
        bulkBody: ndjson,
      });
      return (response.body as { items?: BulkResponseItem[] }).items ?? [];
    } catch (error) {
      throw fromClientError(error, `apply a batch to ${target}`);
    }
  }

  /**
   * Deletes every document written from a change at or before the truncate's LSN (each keeps its
   * LSN in `_trunkline.lsn`), and refreshes so the table reads empty at once.
   */
  private async truncate(alias: string, change: SinkChange): Promise<void> {
    try {
      await this.client.indices.refresh({ index: alias });
      const response = await this.client.deleteByQuery({
        index: alias,
        refresh: true,
        conflicts: 'proceed',
        body: { query: { range: { [`${INTERNAL_FIELD}.lsn`]: { lte: change.lsn.toString() } } } },
      });
      const failures = (response.body as { failures?: unknown[] }).failures ?? [];
      if (failures.length > 0) {
        throw new TrunklineError(
          Code.Unavailable,
          `OpenSearch could not delete every document of ${alias} for the truncate at LSN ${change.lsn}: ${JSON.stringify(failures[0])}`,
          { details: { engine: 'opensearch', index: alias, offset: change.offset.toString() } },
        );
      }
    } catch (error) {
      throw fromClientError(error, `truncate ${alias}`);
    }
  }
}

/** What a rebuild needs of the live engine: its requests, and its knowledge of the tables. */
interface RebuildHost {
  describe(): string;
  aliasOf(table: string): string;
  aliasIndexes(alias: string): Promise<string[]>;
  createIndex(index: string, table: SinkTable): Promise<boolean>;
  deleteIndexes(indexes: readonly string[]): Promise<void>;
  evolve(index: string, table: SinkTable): Promise<IndexMeta>;
  /** Writes a batch to `known.index` itself, not through the alias. */
  write(known: TableIndex, batch: SinkBatch): Promise<void>;
  pointAliases(moves: readonly AliasMove[]): Promise<void>;
  /** Makes every write to `indexes` searchable now. */
  refresh(indexes: readonly string[]): Promise<void>;
  /** Makes the live engine read and write the rebuilt tables. */
  adopt(rebuilt: readonly TableIndex[]): void;
  /** The rebuild was swapped, discarded or closed: another may start. */
  finished(): void;
}

/**
 * Tables being rebuilt: each table prepared gets the generation after its live one
 * (`<alias>-v<n+1>`), created with the table's mapping but no alias, and takes the replayed
 * changes (versioned by LSN, as live writes are). Tables never prepared here keep their live
 * index through the swap.
 */
class OpenSearchRebuild implements SinkRebuild {
  private readonly tables = new Map<string, TableIndex>();
  private state: 'building' | 'swapped' | 'discarded' | 'closed' = 'building';

  constructor(private readonly host: RebuildHost) {}

  describe(): string {
    const indexes = [...this.tables.values()].map((known) => known.index);
    return `${this.host.describe()}, rebuilding ${indexes.length === 0 ? 'no index yet' : indexes.join(', ')}`;
  }

  async prepare(table: SinkTable): Promise<void> {
    this.checkBuilding();
    tableMappings(table); // checks the columns before anything is created
    const known = this.tables.get(table.name);
    if (known !== undefined) {
      const meta = await this.host.evolve(known.index, table);
      this.tables.set(table.name, { ...known, table, meta });
      return;
    }
    const alias = this.host.aliasOf(table.name);
    const index = await this.createNextGeneration(alias, table);
    this.tables.set(table.name, { alias, index, table, meta: indexMeta(table) });
  }

  async apply(batch: SinkBatch): Promise<void> {
    this.checkBuilding();
    if (batch.changes.length === 0) return;
    let known = this.tables.get(batch.table.name);
    if (
      known === undefined ||
      !(known.table.schemaId === batch.table.schemaId || covers(known.table, batch.table))
    ) {
      await this.prepare(batch.table);
      known = this.tables.get(batch.table.name)!;
    }
    await this.host.write(known, batch);
  }

  /**
   * Points every rebuilt table's alias at its new generation in one atomic request, then deletes
   * the generations it pointed to before. Were the deletion to fail, the old indexes are only
   * left over: nothing reads them any more.
   */
  async swap(): Promise<void> {
    this.checkBuilding();
    const rebuilt = [...this.tables.values()];
    const moves: AliasMove[] = [];
    for (const { alias, index } of rebuilt) {
      const from = (await this.host.aliasIndexes(alias)).filter((old) => old !== index);
      moves.push({ alias, to: index, from });
    }
    // The new generations' last writes may not be refreshed yet: searches through the alias
    // must not find fewer documents than the old generation showed.
    await this.host.refresh(rebuilt.map((table) => table.index));
    await this.host.pointAliases(moves);
    this.finish('swapped');
    this.host.adopt(rebuilt);
    await this.host.deleteIndexes(moves.flatMap((move) => move.from));
  }

  async discard(): Promise<void> {
    this.checkBuilding();
    this.finish('discarded');
    await this.host.deleteIndexes([...this.tables.values()].map((known) => known.index));
  }

  /**
   * Stops the rebuild without swapping or discarding: what it built stays, unused, until the
   * next rebuild of those tables replaces it.
   */
  async close(): Promise<void> {
    if (this.state === 'building') this.finish('closed');
  }

  /**
   * Creates the generation after the newest the alias points to. An index already there, not
   * under the alias, is what an earlier rebuild left when it stopped before its swap or discard:
   * it is deleted and created anew, empty.
   */
  private async createNextGeneration(alias: string, table: SinkTable): Promise<string> {
    const live = await this.host.aliasIndexes(alias);
    const newest = Math.max(0, ...live.map((index) => generationOf(index) ?? 0));
    const next = generationIndexName(alias, newest + 1);
    if (await this.host.createIndex(next, table)) return next;
    await this.host.deleteIndexes([next]);
    if (await this.host.createIndex(next, table)) return next;
    throw new TrunklineError(
      Code.Aborted,
      `index ${next} was created again while this rebuild replaced a leftover of an earlier one`,
      { details: { engine: 'opensearch', alias, index: next } },
    );
  }

  private finish(state: 'swapped' | 'discarded' | 'closed'): void {
    this.state = state;
    this.host.finished();
  }

  private checkBuilding(): void {
    if (this.state !== 'building') {
      throw new TrunklineError(Code.FailedPrecondition, `the rebuild was ${this.state}`, {
        details: { engine: 'opensearch' },
      });
    }
  }
}

/** A node's URL for people to read: scheme, host, port and path, never a user or password. */
function withoutCredentials(url: URL): string {
  const path = url.pathname === '/' ? '' : url.pathname;
  return `${url.protocol}//${url.host}${path}`;
}

/** True when every column of `table` is in `known` with the same type: nothing to evolve. */
function covers(known: SinkTable, table: SinkTable): boolean {
  const types = new Map(known.columns.map((c) => [c.name, c.type]));
  return table.columns.every((c) => types.get(c.name) === c.type);
}

/** The index's `_meta` after `next` is prepared: text and keyword fields only ever grow. */
function mergeMeta(current: IndexMeta | undefined, next: IndexMeta): IndexMeta {
  if (current === undefined) return next;
  const union = (a: string[], b: string[]) => [...a, ...b.filter((f) => !a.includes(f))];
  return {
    table: next.table,
    key: next.key,
    schemaId: Math.max(current.schemaId, next.schemaId),
    textFields: union(current.textFields, next.textFields),
    keywordFields: union(current.keywordFields, next.keywordFields),
  };
}

interface IndexMapping {
  _meta?: { trunkline?: IndexMeta };
  properties?: Record<string, { type?: string }>;
}

interface SearchResponseBody {
  hits: {
    total?: number | { value: number };
    hits: {
      _id: string;
      _score?: number | null;
      _source?: Record<string, unknown>;
      highlight?: Record<string, string[]>;
    }[];
  };
}

/** An OpenSearch time value such as `100ms` or `1s` in milliseconds. */
function intervalMs(text: string): number {
  const match = /^(\d+)(ms|s|m)$/.exec(text);
  if (match === null)
    throw new TrunklineError(Code.InvalidArgument, `refresh interval ${text} is not like 100ms or 1s`);
  return Number(match[1]) * { ms: 1, s: 1000, m: 60_000 }[match[2] as 'ms' | 's' | 'm'];
}
