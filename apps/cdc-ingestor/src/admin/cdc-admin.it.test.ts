import { CdcAdminService, type GetStatusResponse } from '@trunkline/contracts/cdc/v1/cdc_admin';
import { parseLsn } from '@trunkline/pg-replication';
import { Code, checkHealth, createGrpcClient, type GrpcClient } from '@trunkline/runtime';
import {
  describeWithEngine,
  TestDatabase,
  TrunklineTestBroker,
  TrunklineTestCdcIngestor,
  TrunklineTestSchemaRegistry,
} from '@trunkline/testing';

const ORDERS = 25;
const CUSTOMERS = 3;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeWithEngine('postgres', 'the CDC admin API against Postgres', (env) => {
  const broker = new TrunklineTestBroker();
  const db = new TestDatabase(env.POSTGRES_URL!);
  let registry: TrunklineTestSchemaRegistry | undefined;
  let ingestor: TrunklineTestCdcIngestor | undefined;
  let admin: GrpcClient<typeof CdcAdminService>;

  /** Polls GetStatus until `done` holds; fails with the last status after `timeoutMs`. */
  async function statusWhen(
    what: string,
    done: (status: GetStatusResponse) => boolean,
    timeoutMs = 30_000,
  ): Promise<GetStatusResponse> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = await admin.getStatus({});
      if (done(status)) return status;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}; last status: ${JSON.stringify(status, bigints)}`);
      await sleep(100);
    }
  }

  const table = (status: GetStatusResponse, name: string) => {
    const found = status.tables.find((t) => t.table === name);
    if (found === undefined) throw new Error(`${name} is not in the status`);
    return found;
  };

  async function slotRow(): Promise<{ active: boolean; confirmed: bigint } | undefined> {
    const { rows } = await db.sql.query<{ active: boolean; confirmed: string | null }>(
      'SELECT active, confirmed_flush_lsn::text AS confirmed FROM pg_replication_slots WHERE slot_name = $1',
      [ingestor!.slotName],
    );
    const row = rows[0];
    return row === undefined
      ? undefined
      : { active: row.active, confirmed: row.confirmed === null ? 0n : parseLsn(row.confirmed) };
  }

  async function currentLsn(): Promise<bigint> {
    const { rows } = await db.sql.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
    return parseLsn(rows[0]!.lsn);
  }

  beforeAll(async () => {
    await db.create();
    await db.sql.query('CREATE TABLE public.orders (id int PRIMARY KEY, item text NOT NULL)');
    await db.sql.query(
      `INSERT INTO public.orders SELECT g, 'item ' || g FROM generate_series(1, ${ORDERS}) g`,
    );
    await db.sql.query('CREATE TABLE public.customers (id bigint PRIMARY KEY, name text)');
    await db.sql.query(
      `INSERT INTO public.customers SELECT g, 'customer ' || g FROM generate_series(1, ${CUSTOMERS}) g`,
    );
    // The snapshot's total is pg_class.reltuples: exact for small tables once analyzed.
    await db.sql.query('ANALYZE public.orders, public.customers');
    await broker.start();
    registry = new TrunklineTestSchemaRegistry(broker.bootstrap);
    await registry.start();
    ingestor = new TrunklineTestCdcIngestor({
      sourceUrl: db.url,
      bootstrap: broker.bootstrap,
      schemaRegistryUrl: registry.url,
    });
    await ingestor.start();
    admin = createGrpcClient(CdcAdminService, ingestor.grpcAddress);
  }, 120_000);

  afterAll(async () => {
    admin?.close();
    await ingestor?.stop();
    await registry?.stop();
    await broker.destroy();
    await db.drop();
  }, 60_000);

  it('is served with health', async () => {
    expect(await checkHealth(ingestor!.grpcAddress, 'trunkline.cdc.v1.CdcAdminService')).toBe('SERVING');
  });

  it('reports the snapshot of every table with its row counts, then streaming', async () => {
    const status = await statusWhen(
      'the snapshot to be acknowledged and streaming to start',
      (s) => s.phase === 'streaming' && s.eventsSent === BigInt(ORDERS + CUSTOMERS),
      60_000,
    );
    expect(status).toMatchObject({
      slot: ingestor!.slotName,
      publication: ingestor!.publicationName,
      paused: false,
      info: { service: 'cdc-ingestor' },
    });
    expect(status.tables.map((t) => t.table).sort()).toEqual(['public.customers', 'public.orders']);
    for (const [name, rows] of [
      ['public.orders', ORDERS],
      ['public.customers', CUSTOMERS],
    ] as const) {
      expect(table(status, name)).toMatchObject({
        topic: ingestor!.topic('public', name.slice('public.'.length)),
        state: 'capturing',
        lastError: '',
        snapshotDone: true,
        snapshotRows: BigInt(rows),
        snapshotTotalRows: BigInt(rows),
        eventsSent: BigInt(rows),
      });
    }
    expect(parseLsn(status.confirmedLsn)).toBeGreaterThan(0n);
    expect(parseLsn(status.serverLsn)).toBeGreaterThanOrEqual(parseLsn(status.confirmedLsn));
    expect(status.lagBytes).toBe(parseLsn(status.serverLsn) - parseLsn(status.confirmedLsn));
  }, 90_000);

  it('confirms the LSN of a change once the broker acknowledged its event', async () => {
    const before = await statusWhen('streaming', (s) => s.phase === 'streaming');
    const orderEvents = table(before, 'public.orders').eventsSent;
    const writtenAt = await currentLsn();
    await db.sql.query(`INSERT INTO public.orders VALUES (${ORDERS + 1}, 'one more')`);

    const after = await statusWhen(
      'the insert to be acknowledged and confirmed',
      (s) =>
        table(s, 'public.orders').eventsSent === orderEvents + 1n && parseLsn(s.confirmedLsn) > writtenAt,
    );
    expect(parseLsn(after.confirmedLsn)).toBeGreaterThan(parseLsn(before.confirmedLsn));
    expect(after.eventsSent).toBe(before.eventsSent + 1n);
    expect(after.lastCommitTime).toBeDefined();
    // The ingestor reports what it confirmed to the slot: Postgres sees it too.
    const deadline = Date.now() + 10_000;
    while (((await slotRow())?.confirmed ?? 0n) <= writtenAt && Date.now() < deadline) await sleep(100);
    expect((await slotRow())?.confirmed).toBeGreaterThan(writtenAt);
  }, 60_000);

  it('pauses: inserts are not sent until resumed, then they flow', async () => {
    await admin.pause({});
    const paused = await admin.getStatus({});
    expect(paused).toMatchObject({ phase: 'paused', paused: true });

    await db.sql.query(
      `INSERT INTO public.orders SELECT g, 'while paused' FROM generate_series(${ORDERS + 2}, ${ORDERS + 6}) g`,
    );
    await sleep(2000);
    const stillPaused = await admin.getStatus({});
    expect(stillPaused).toMatchObject({ phase: 'paused', eventsSent: paused.eventsSent });
    expect(table(stillPaused, 'public.orders').eventsSent).toBe(table(paused, 'public.orders').eventsSent);

    await admin.resume({});
    expect(await admin.getStatus({})).toMatchObject({ phase: 'streaming', paused: false });
    const resumed = await statusWhen(
      'the five inserts made while paused',
      (s) => s.eventsSent >= paused.eventsSent + 5n,
    );
    expect(resumed.eventsSent).toBe(paused.eventsSent + 5n);
    expect(table(resumed, 'public.orders').eventsSent).toBe(table(paused, 'public.orders').eventsSent + 5n);
  }, 60_000);

  it('refuses snapshots and table changes that name no captured table', async () => {
    await expect(admin.triggerSnapshot({ tables: ['public.nope'] })).rejects.toMatchObject({
      code: Code.NotFound,
      message: expect.stringContaining('public.nope'),
    });
    await expect(admin.triggerSnapshot({ tables: [] })).rejects.toMatchObject({ code: Code.InvalidArgument });
    await expect(admin.triggerSnapshot({ tables: ['orders'] })).rejects.toMatchObject({
      code: Code.InvalidArgument,
    });
    await expect(admin.addTables({ tables: ['public.other'] })).rejects.toMatchObject({
      code: Code.NotFound,
      message: 'table public.other does not exist',
    });
    await expect(admin.removeTables({ tables: ['public.other'] })).rejects.toMatchObject({
      code: Code.NotFound,
    });
  });

  it('drops the slot only when it is named', async () => {
    await expect(admin.dropSlot({ slot: 'not_the_slot' })).rejects.toMatchObject({
      code: Code.InvalidArgument,
      message: expect.stringContaining(ingestor!.slotName),
    });
    expect(await slotRow()).toBeDefined();
    expect((await admin.getStatus({})).phase).toBe('streaming');

    await admin.dropSlot({ slot: ingestor!.slotName });
    expect(await slotRow()).toBeUndefined();
    expect((await admin.getStatus({})).phase).toBe('stopped');
  }, 60_000);

  describe('a snapshot read in several chunks', () => {
    let chunked: TrunklineTestCdcIngestor | undefined;
    let client: GrpcClient<typeof CdcAdminService> | undefined;

    beforeAll(async () => {
      await db.sql.query('CREATE SCHEMA chunked');
      await db.sql.query('CREATE TABLE chunked.items (id int PRIMARY KEY)');
      await db.sql.query(`INSERT INTO chunked.items SELECT generate_series(1, ${ORDERS})`);
      await db.sql.query('ANALYZE chunked.items');
      chunked = new TrunklineTestCdcIngestor({
        sourceUrl: db.url,
        bootstrap: broker.bootstrap,
        schemaRegistryUrl: registry!.url,
        extraArgs: ['--tables', 'chunked.*', '--snapshot-chunk-size', '10'],
      });
      await chunked.start();
      client = createGrpcClient(CdcAdminService, chunked.grpcAddress);
    }, 60_000);

    afterAll(async () => {
      client?.close();
      await chunked?.stop();
    });

    // Keys 1..25 in chunks of 10: ordering by the key's text form (1, 10, 11, ...) would skip 2 to 9.
    it('reads every row', async () => {
      const deadline = Date.now() + 30_000;
      let status = await client!.getStatus({});
      while (status.phase !== 'streaming' && Date.now() < deadline) {
        await sleep(100);
        status = await client!.getStatus({});
      }
      expect(status.phase).toBe('streaming');
      expect(table(status, 'chunked.items')).toMatchObject({
        snapshotDone: true,
        snapshotRows: BigInt(ORDERS),
        eventsSent: BigInt(ORDERS),
      });
    }, 60_000);
  });
});

/** JSON.stringify replacer for statuses (int64 fields are bigints). */
function bigints(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
