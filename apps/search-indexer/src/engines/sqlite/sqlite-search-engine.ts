import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Row, SinkBatch, SinkChange, SinkRebuild, SinkTable } from '@trunkline/pipeline';
import { Code, TrunklineError } from '@trunkline/runtime';
import Database from 'better-sqlite3';
import type { SearchEngine, SearchHit, SearchRequest, SearchResult } from '../search-engine';
import { ftsQuery } from './fts-query';
import { rowToJson, toJsonValue } from './json-values';
import {
  BOOTSTRAP,
  baseName,
  createDocsTable,
  createTextIndex,
  evolvedTextColumns,
  fieldPath,
  ftsColumns,
  generationFile,
  generationOfFile,
  names,
  pointerFile,
  SIDE_FILE_SUFFIXES,
  type TableMeta,
} from './sqlite-schema';

export interface SqliteSearchEngineOptions {
  /**
   * The database file; created (with its folder) when missing. After a rebuild the data lives in
   * a generation file beside it (`search.v2.db`), which `open` finds again (see sqlite-schema.ts).
   */
  path: string;
}

/** Hits a search returns when the request says nothing, and the most it may ask for. */
const DEFAULT_SIZE = 10;
const MAX_SIZE = 10_000;
/** Tokens per highlight fragment (FTS5 allows at most 64). */
const FRAGMENT_TOKENS = 32;
// Marks FTS5 puts around matches; control characters, so a column's own text never fakes one.
const OPEN = '\u0002';
const CLOSE = '\u0003';

interface StoredRow {
  rid: bigint;
  lsn: bigint;
  live: bigint;
}

interface TableStatements {
  find: Database.Statement<[string], StoredRow>;
  upsert: Database.Statement<[string, string | null, bigint, bigint], { rid: bigint }>;
  unindex: Database.Statement<[bigint]>;
  index: Database.Statement<[bigint]>;
}

/**
 * The embedded full-text engine: SQLite FTS5 in one database file (WAL journal,
 * `synchronous=FULL`, so a batch is on disk when `apply` returns). Each batch and the partition's
 * next offset are written in one transaction, so after a crash the file holds either all of a
 * batch and its offset or neither. Table layout: see `sqlite-schema.ts`.
 *
 * Versions: per key, a change whose LSN is lower than the stored row's (or than the table's
 * latest truncate) is ignored; an equal or higher one is applied, so within a transaction the
 * later offset wins. Deleted rows stay as markers carrying their LSN, so a replay of older
 * changes cannot resurrect them; a truncate removes every row (and marker) with an LSN up to its
 * own and remembers that LSN.
 *
 * Rebuilds: `rebuild` writes every table anew into the next generation's database file, and its
 * `swap` makes that file current (see `switchTo`); offsets live in each file, so after a swap
 * `storedOffsets` answers with the rebuild's.
 */
export class SqliteSearchEngine implements SearchEngine {
  private db: Database.Database;
  /** The path the engine was opened on, which names every generation's file. */
  private readonly path: string;
  /** The generation `db` is, and its file. */
  private generation: number;
  private file: string;
  private readonly statements = new Map<string, TableStatements>();
  private rebuilding: SqliteRebuild | undefined;
  private closed = false;

  private constructor(db: Database.Database, path: string, generation: number) {
    this.db = db;
    this.path = path;
    this.generation = generation;
    this.file = generationFile(path, generation);
  }

  /**
   * Opens the current generation of the database at `path` (the path itself until a rebuild was
   * swapped in), and deletes older generations a crash left behind.
   */
  static async open(options: SqliteSearchEngineOptions): Promise<SqliteSearchEngine> {
    const path = resolve(options.path);
    mkdirSync(dirname(path), { recursive: true });
    const generation = currentGeneration(path);
    const file = generationFile(path, generation);
    if (generation > 1 && !existsSync(file)) {
      throw new TrunklineError(
        Code.FailedPrecondition,
        `${pointerFile(path)} names generation ${generation}, but ${file} does not exist`,
        { details: { engine: 'sqlite', path } },
      );
    }
    const engine = new SqliteSearchEngine(openDatabase(file), path, generation);
    removeGenerations(path, (other) => other < generation);
    return engine;
  }

  /** `sqlite <absolute path of the current database file>`. */
  describe(): string {
    return `sqlite ${this.file}`;
  }

  /**
   * Starts writing every table anew into the next generation's file, beside the live one; a
   * leftover of a rebuild that never finished (a crash, a close) is deleted first.
   */
  async rebuild(): Promise<SinkRebuild> {
    this.checkOpen();
    if (this.rebuilding !== undefined) {
      throw new TrunklineError(
        Code.FailedPrecondition,
        'a rebuild is already under way: swap or discard it first',
        {
          details: { engine: 'sqlite', path: this.path },
        },
      );
    }
    const next = this.generation + 1;
    removeGenerations(this.path, (other) => other >= next);
    const file = generationFile(this.path, next);
    const writer = new SqliteSearchEngine(openDatabase(file), this.path, next);
    this.rebuilding = new SqliteRebuild(this, writer, file);
    return this.rebuilding;
  }

  /**
   * Makes `rebuilt` (a rebuild's writer) the current generation: durably first (the file's folder
   * entry synced, then the pointer file replaced by a rename), then in this engine (its database
   * handle taken over, the old one closed, prepared statements dropped), then the old file
   * deleted. A crash before the rename leaves the old generation current, after it the new one;
   * an old file left behind is deleted by the next `open`. Other engines opened on the old
   * file (another process) read it until they are opened again. Called by the rebuild's `swap`.
   */
  switchTo(rebuilt: SqliteSearchEngine): void {
    this.checkOpen();
    rebuilt.checkOpen();
    if (rebuilt.path !== this.path || rebuilt.generation <= this.generation) {
      throw new TrunklineError(Code.InvalidArgument, `${rebuilt.file} is not a rebuild of ${this.file}`);
    }
    writePointer(this.path, rebuilt.generation);
    const old = { db: this.db, file: this.file };
    this.db = rebuilt.db;
    this.generation = rebuilt.generation;
    this.file = rebuilt.file;
    this.statements.clear();
    rebuilt.release();
    this.rebuilding = undefined;
    old.db.close();
    removeDatabaseFiles(old.file);
  }

  /** Called by a rebuild discarded or closed: another may start. */
  rebuildEnded(): void {
    this.rebuilding = undefined;
  }

  async prepare(table: SinkTable): Promise<void> {
    this.checkOpen();
    writing(`prepare ${table.name}`, () =>
      this.db.transaction(() => this.ensureTable(table, true)).immediate(),
    );
  }

  async apply(batch: SinkBatch): Promise<void> {
    this.checkOpen();
    writing(`apply ${batch.topic}[${batch.partition}]`, () => this.applyBatch(batch));
  }

  private applyBatch(batch: SinkBatch): void {
    this.db
      .transaction(() => {
        const meta = this.ensureTable(batch.table, false);
        let truncatedLsn = meta.truncatedLsn;
        const statements = this.statementsFor(meta);
        for (const change of batch.changes) {
          if (truncatedLsn !== null && change.lsn < truncatedLsn) continue;
          if (change.op === 't') {
            this.truncate(meta, change.lsn);
            if (truncatedLsn === null || change.lsn > truncatedLsn) truncatedLsn = change.lsn;
            continue;
          }
          this.applyChange(statements, meta, change);
        }
        this.db
          .prepare(
            `INSERT INTO offsets (topic, partition, next_offset) VALUES (?, ?, ?)
           ON CONFLICT (topic, partition) DO UPDATE SET next_offset = excluded.next_offset`,
          )
          .run(batch.topic, batch.partition, batch.nextOffset);
      })
      .immediate(); // takes the write lock first: another connection waits (busy_timeout) instead of failing
  }

  /** Where each partition of `topic` resumes: the `nextOffset` of the last batch applied from it. */
  async storedOffsets(topic: string): Promise<Map<number, bigint>> {
    this.checkOpen();
    const rows = this.db
      .prepare<[string], { partition: bigint; next_offset: bigint }>(
        'SELECT partition, next_offset FROM offsets WHERE topic = ?',
      )
      .safeIntegers(true)
      .all(topic);
    return new Map(rows.map((row) => [Number(row.partition), row.next_offset]));
  }

  async search(request: SearchRequest): Promise<SearchResult> {
    this.checkOpen();
    const meta = this.requireTable(request.table);
    const size = request.size ?? DEFAULT_SIZE;
    if (!Number.isInteger(size) || size < 0 || size > MAX_SIZE) {
      throw new TrunklineError(
        Code.InvalidArgument,
        `size must be an integer from 0 to ${MAX_SIZE}, not ${size}`,
      );
    }
    const match = ftsQuery(request.query);
    if (match === undefined) return { hits: [], total: 0 };

    const n = names(meta.base);
    const conditions = [`${n.fts} MATCH ?`];
    const params: unknown[] = [match];
    for (const [field, value] of Object.entries(request.filters ?? {})) {
      const [condition, values] = filterCondition(field, value);
      conditions.push(condition);
      params.push(...values);
    }
    const where = conditions.join(' AND ');
    const from = `${n.fts} JOIN ${n.docs} AS d ON d.rid = ${n.fts}.rowid`;
    const snippets = meta.textColumns.map(
      (_, i) => `snippet(${n.fts}, ${i}, char(2), char(3), '…', ${FRAGMENT_TOKENS}) AS h${i}`,
    );

    return this.db.transaction(() => {
      const { total } = this.db
        .prepare<unknown[], { total: number }>(`SELECT count(*) AS total FROM ${from} WHERE ${where}`)
        .get(...params)!;
      const rows = this.db
        .prepare<unknown[], Record<string, unknown>>(
          `SELECT d.key AS key, d.doc AS doc, 0.0 - bm25(${n.fts}) AS score${snippets.map((s) => `, ${s}`).join('')}
           FROM ${from} WHERE ${where} ORDER BY bm25(${n.fts}), d.rid LIMIT ?`,
        )
        .all(...params, size);
      const hits: SearchHit[] = rows.map((row) => ({
        key: JSON.parse(row.key as string) as Row,
        score: row.score as number,
        document: JSON.parse(row.doc as string) as Row,
        highlights: highlights(meta.textColumns, row),
      }));
      return { hits, total };
    })();
  }

  /** Every live row stored for `table` (`schema.table`), as parsed JSON. */
  async rows(table: string): Promise<Row[]> {
    this.checkOpen();
    const meta = this.requireTable(table);
    return this.db
      .prepare<[], { doc: string }>(
        `SELECT doc FROM ${names(meta.base).docs} WHERE doc IS NOT NULL ORDER BY rid`,
      )
      .all()
      .map((row) => JSON.parse(row.doc) as Row);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.release();
    this.db.close();
  }

  /** Stops using the database handle without closing it: another engine took it over. */
  private release(): void {
    this.closed = true;
    this.statements.clear();
  }

  private checkOpen(): void {
    if (this.closed) throw new TrunklineError(Code.FailedPrecondition, 'the search engine is closed');
  }

  private readMeta(name: string): TableMeta | undefined {
    const row = this.db
      .prepare<[string], Record<string, unknown>>(
        'SELECT name, base, key_columns, text_columns, schema_id, truncated_lsn FROM sink_tables WHERE name = ?',
      )
      .safeIntegers(true)
      .get(name);
    if (row === undefined) return undefined;
    return {
      name: row.name as string,
      base: row.base as string,
      keyColumns: JSON.parse(row.key_columns as string) as string[],
      textColumns: JSON.parse(row.text_columns as string) as string[],
      schemaId: Number(row.schema_id),
      truncatedLsn: row.truncated_lsn === null ? null : (row.truncated_lsn as bigint),
    };
  }

  private requireTable(name: string): TableMeta {
    const meta = this.readMeta(name);
    if (meta === undefined) {
      throw new TrunklineError(Code.NotFound, `no table ${name} in the search index`, {
        details: { table: name },
      });
    }
    return meta;
  }

  /**
   * Creates the table's documents table and text index, or evolves them: new string columns are
   * added to the index, which is then rebuilt from the stored documents. Runs inside the caller's
   * transaction. `record` also stores a new schema id and key when nothing else changed.
   */
  private ensureTable(table: SinkTable, record: boolean): TableMeta {
    const current = this.readMeta(table.name);
    const textColumns = evolvedTextColumns(current?.textColumns ?? [], table);
    const grows = current === undefined || textColumns.length > current.textColumns.length;
    if (current !== undefined && !grows && !(record && current.schemaId !== table.schemaId)) return current;

    const base = current?.base ?? baseName(table.name);
    if (current === undefined) this.db.exec(createDocsTable(base));
    if (grows) for (const sql of createTextIndex(base, textColumns)) this.db.exec(sql);
    this.db
      .prepare(
        `INSERT INTO sink_tables (name, base, key_columns, text_columns, schema_id) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET key_columns = excluded.key_columns,
           text_columns = excluded.text_columns, schema_id = excluded.schema_id`,
      )
      .run(table.name, base, JSON.stringify(table.key), JSON.stringify(textColumns), table.schemaId);
    return this.readMeta(table.name)!;
  }

  private statementsFor(meta: TableMeta): TableStatements {
    const cacheKey = `${meta.base}:${meta.textColumns.length}`;
    const cached = this.statements.get(cacheKey);
    if (cached !== undefined) return cached;
    const n = names(meta.base);
    const columns = ftsColumns(meta.textColumns.length).join(', ');
    const statements: TableStatements = {
      find: this.db
        .prepare<[string], StoredRow>(`SELECT rid, lsn, doc IS NOT NULL AS live FROM ${n.docs} WHERE key = ?`)
        .safeIntegers(true),
      upsert: this.db
        .prepare<[string, string | null, bigint, bigint], { rid: bigint }>(
          `INSERT INTO ${n.docs} (key, doc, lsn, "offset") VALUES (?, ?, ?, ?)
           ON CONFLICT (key) DO UPDATE SET doc = excluded.doc, lsn = excluded.lsn, "offset" = excluded."offset"
           RETURNING rid`,
        )
        .safeIntegers(true),
      unindex: this.db.prepare<[bigint]>(
        `INSERT INTO ${n.fts} (${n.fts}, rowid, ${columns}) SELECT 'delete', rid, ${columns} FROM ${n.text} WHERE rid = ?`,
      ),
      index: this.db.prepare<[bigint]>(
        `INSERT INTO ${n.fts} (rowid, ${columns}) SELECT rid, ${columns} FROM ${n.text} WHERE rid = ?`,
      ),
    };
    this.statements.set(cacheKey, statements);
    return statements;
  }

  private applyChange(statements: TableStatements, meta: TableMeta, change: SinkChange): void {
    const deletes = change.op === 'd' || change.tombstone;
    if (!deletes && change.after === null) {
      throw new TrunklineError(
        Code.InvalidArgument,
        `change at ${change.topic}/${change.partition}@${change.offset} (op ${change.op}) has no row`,
      );
    }
    const key = keyJson(meta, change);
    const stored = statements.find.get(key);
    if (stored !== undefined && change.lsn < stored.lsn) return;
    if (stored?.live) statements.unindex.run(stored.rid);
    const doc = deletes ? null : rowToJson(change.after!);
    const { rid } = statements.upsert.get(key, doc, change.lsn, change.offset)!;
    if (doc !== null) statements.index.run(rid);
  }

  /** Removes every row (and delete marker) with an LSN up to `lsn`, and remembers it. */
  private truncate(meta: TableMeta, lsn: bigint): void {
    const n = names(meta.base);
    const columns = ftsColumns(meta.textColumns.length).join(', ');
    const newer = this.db
      .prepare<[bigint], { c: number }>(`SELECT count(*) AS c FROM ${n.docs} WHERE lsn > ?`)
      .get(lsn)!;
    if (newer.c === 0) {
      this.db.prepare(`INSERT INTO ${n.fts} (${n.fts}) VALUES ('delete-all')`).run();
    } else {
      this.db
        .prepare(
          `INSERT INTO ${n.fts} (${n.fts}, rowid, ${columns})
           SELECT 'delete', rid, ${columns} FROM ${n.text} WHERE rid IN (SELECT rid FROM ${n.docs} WHERE lsn <= ?)`,
        )
        .run(lsn);
    }
    this.db.prepare(`DELETE FROM ${n.docs} WHERE lsn <= ?`).run(lsn);
    this.db
      .prepare('UPDATE sink_tables SET truncated_lsn = max(coalesce(truncated_lsn, ?), ?) WHERE name = ?')
      .run(lsn, lsn, meta.name);
  }
}

/**
 * Tables being rebuilt into the next generation's database file, by an engine of their own (the
 * writer); `swap` hands its file to the live engine.
 */
class SqliteRebuild implements SinkRebuild {
  private state: 'building' | 'swapped' | 'discarded' | 'closed' = 'building';

  constructor(
    private readonly live: SqliteSearchEngine,
    private readonly writer: SqliteSearchEngine,
    /** The writer's database file. */
    private readonly file: string,
  ) {}

  describe(): string {
    return `${this.writer.describe()} (rebuilding ${this.live.describe()})`;
  }

  async prepare(table: SinkTable): Promise<void> {
    this.checkBuilding();
    await this.writer.prepare(table);
  }

  async apply(batch: SinkBatch): Promise<void> {
    this.checkBuilding();
    await this.writer.apply(batch);
  }

  async storedOffsets(topic: string): Promise<Map<number, bigint>> {
    this.checkBuilding();
    return this.writer.storedOffsets(topic);
  }

  async swap(): Promise<void> {
    this.checkBuilding();
    this.live.switchTo(this.writer);
    this.state = 'swapped';
  }

  async discard(): Promise<void> {
    this.checkBuilding();
    await this.end('discarded');
    removeDatabaseFiles(this.file);
  }

  /**
   * Stops the rebuild without swapping or discarding: its file stays, unused, until the next
   * rebuild deletes it.
   */
  async close(): Promise<void> {
    if (this.state === 'building') await this.end('closed');
  }

  private async end(state: 'discarded' | 'closed'): Promise<void> {
    this.state = state;
    await this.writer.close();
    this.live.rebuildEnded();
  }

  private checkBuilding(): void {
    if (this.state !== 'building') {
      throw new TrunklineError(Code.FailedPrecondition, `the rebuild was ${this.state}`, {
        details: { engine: 'sqlite' },
      });
    }
  }
}

/** Opens (or creates) one generation's database file: WAL, synced commits, the bootstrap tables. */
function openDatabase(file: string): Database.Database {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    db.exec(BOOTSTRAP);
  } catch (error) {
    db.close();
    throw new TrunklineError(Code.Unavailable, `cannot open the search database ${file}`, { cause: error });
  }
  return db;
}

/** The generation `<path>.current` names; 1 when there is none (no rebuild was ever swapped in). */
function currentGeneration(path: string): number {
  let text: string;
  try {
    text = readFileSync(pointerFile(path), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 1;
    throw new TrunklineError(Code.Unavailable, `cannot read ${pointerFile(path)}`, { cause: error });
  }
  const generation = Number(text.trim());
  if (!/^[1-9][0-9]*$/.test(text.trim()) || !Number.isSafeInteger(generation)) {
    throw new TrunklineError(
      Code.FailedPrecondition,
      `${pointerFile(path)} holds ${JSON.stringify(text)}, not a generation number`,
      { details: { engine: 'sqlite', path } },
    );
  }
  return generation;
}

/**
 * Replaces the pointer file atomically: written and synced under a temporary name, then renamed.
 * The folder is synced first, so the generation's database file is on disk before anything names it.
 */
function writePointer(path: string, generation: number): void {
  const pointer = pointerFile(path);
  const temporary = `${pointer}.tmp`;
  try {
    fsyncFolder(dirname(path));
    const fd = openSync(temporary, 'w');
    try {
      writeFileSync(fd, `${generation}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, pointer);
    fsyncFolder(dirname(path));
  } catch (error) {
    throw new TrunklineError(Code.Unavailable, `cannot make generation ${generation} current in ${pointer}`, {
      cause: error,
      details: { engine: 'sqlite', path },
    });
  }
}

/** Syncs a folder, so the files created or renamed in it are there after a crash. */
function fsyncFolder(folder: string): void {
  const fd = openSync(folder, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Deletes the database files (and their WAL and shared-memory files) of the generations `which` picks. */
function removeGenerations(path: string, which: (generation: number) => boolean): void {
  for (const name of readdirSync(dirname(path))) {
    const generation = generationOfFile(path, name);
    if (generation !== undefined && which(generation)) removeDatabaseFiles(join(dirname(path), name));
  }
}

function removeDatabaseFiles(file: string): void {
  for (const suffix of ['', ...SIDE_FILE_SUFFIXES]) rmSync(`${file}${suffix}`, { force: true });
}

/**
 * The key as canonical JSON: the table's key columns in key order, from the change's key (or,
 * failing that, its row); without key columns, the key's fields sorted by name.
 */
function keyJson(meta: TableMeta, change: SinkChange): string {
  const source = change.key ?? change.after ?? change.before;
  if (source === null) {
    throw new TrunklineError(
      Code.InvalidArgument,
      `change at ${change.topic}/${change.partition}@${change.offset} has no key`,
    );
  }
  const fields = meta.keyColumns.length > 0 ? meta.keyColumns : Object.keys(source).sort();
  return JSON.stringify(
    toJsonValue(Object.fromEntries(fields.map((field) => [field, source[field] ?? null]))),
  );
}

/** A filter as SQL: the field must exist with the same JSON type and value. */
function filterCondition(field: string, value: string | number | boolean): [string, unknown[]] {
  const path = fieldPath(field);
  switch (typeof value) {
    case 'boolean':
      return ['json_type(d.doc, ?) = ?', [path, value ? 'true' : 'false']];
    case 'number':
      return [
        "json_type(d.doc, ?) IN ('integer', 'real') AND json_extract(d.doc, ?) = ?",
        [path, path, value],
      ];
    case 'string':
      return ["json_type(d.doc, ?) = 'text' AND json_extract(d.doc, ?) = ?", [path, path, value]];
    default:
      throw new TrunklineError(
        Code.InvalidArgument,
        `filter ${field} must be a string, a number or a boolean`,
      );
  }
}

/** Per text column that matched, its fragment with the matches between `<em>` and `</em>`. */
function highlights(textColumns: readonly string[], row: Record<string, unknown>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  textColumns.forEach((field, i) => {
    const fragment = row[`h${i}`];
    if (typeof fragment !== 'string' || !fragment.includes(OPEN)) return;
    out[field] = [fragment.replaceAll(OPEN, '<em>').replaceAll(CLOSE, '</em>')];
  });
  return out;
}

/** SQLite result codes that clear by themselves: another writer holds the lock, the disk is full or failing. */
const TRANSIENT_SQLITE_CODES = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|PROTOCOL|CANTOPEN)/;

/** Runs a write; a failure the engine may recover from becomes UNAVAILABLE, so it is retried. */
function writing<T>(what: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && TRANSIENT_SQLITE_CODES.test(code)) {
      throw new TrunklineError(
        Code.Unavailable,
        `the search database could not ${what} for now: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    throw error;
  }
}
