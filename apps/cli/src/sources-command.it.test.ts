import {
  ChildService,
  describeWithEngine,
  runCommand,
  TestDatabase,
  TrunklineTestBroker,
  TrunklineTestCdcIngestor,
  TrunklineTestSchemaRegistry,
  trunklineCommand,
} from '@trunkline/testing';

const ORDERS = 25;
/** Big enough, read 10 rows a query, for its snapshot to be watched while it runs. */
const BIG = 20_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeWithEngine('postgres', 'trunkline sources against a running CDC ingestor', (env) => {
  const broker = new TrunklineTestBroker();
  const db = new TestDatabase(env.POSTGRES_URL!);
  let registry: TrunklineTestSchemaRegistry | undefined;
  let ingestor: TrunklineTestCdcIngestor | undefined;

  beforeAll(async () => {
    await db.create();
    await db.sql.query('CREATE TABLE public.orders (id int PRIMARY KEY, item text NOT NULL)');
    await db.sql.query(
      `INSERT INTO public.orders SELECT g, 'item ' || g FROM generate_series(101, ${100 + ORDERS}) g`,
    );
    await db.sql.query('CREATE TABLE public.big (id int PRIMARY KEY, payload text NOT NULL)');
    await db.sql.query(
      `INSERT INTO public.big SELECT g, md5(g::text) FROM generate_series(100001, ${100_000 + BIG}) g`,
    );
    await db.sql.query('ANALYZE public.orders, public.big');
    await broker.start();
    registry = new TrunklineTestSchemaRegistry(broker.bootstrap);
    await registry.start();
    ingestor = new TrunklineTestCdcIngestor({
      sourceUrl: db.url,
      bootstrap: broker.bootstrap,
      schemaRegistryUrl: registry.url,
      extraArgs: ['--snapshot-chunk-size', '10'],
    });
    await ingestor.start();
    await ingestor.process.waitForLog((entry) => entry.msg === 'streaming', 60_000);
  }, 120_000);

  afterAll(async () => {
    await ingestor?.stop();
    await registry?.stop();
    await broker.destroy();
    await db.drop();
  }, 60_000);

  const address = () => ingestor!.grpcAddress;
  function trunkline(...args: string[]) {
    return runCommand(trunklineCommand('sources', ...args, '--cdc-admin', address()));
  }
  function watch(...args: string[]) {
    return ChildService.spawn({
      command: trunklineCommand('sources', 'status', '--watch', ...args, '--cdc-admin', address()),
    });
  }
  async function outputWhen(child: ChildService, done: (output: string) => boolean, what: string) {
    const deadline = Date.now() + 60_000;
    while (!done(child.output())) {
      if (Date.now() > deadline) throw new Error(`no ${what} within 60 s:\n${child.output()}`);
      await sleep(50);
    }
  }

  it('status prints the slot, lag and phase, then one row per table', async () => {
    const { code, stdout, stderr } = await trunkline('status');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const { slotName, publicationName } = ingestor!;
    expect(stdout).toMatch(new RegExp(`^slot: +${slotName} \\(publication ${publicationName}\\)$`, 'm'));
    expect(stdout).toMatch(/^phase: +streaming$/m);
    expect(stdout).toMatch(/^confirmed LSN: +[0-9A-F]+\/[0-9A-F]+ \(server at [0-9A-F]+\/[0-9A-F]+\)$/m);
    expect(stdout).toMatch(/^lag: +[\d.]+ (B|KiB|MiB) of WAL, /m);
    expect(stdout).toMatch(/^events\/s: +[\d.]+ \([\d,]+ sent since start\)$/m);
    expect(stdout).toMatch(/^TABLE +TOPIC +STATE +SNAPSHOT +EVENTS +LAST ERROR$/m);
    const topic = ingestor!.topic('public', 'orders').replaceAll('.', '\\.');
    expect(stdout).toMatch(
      new RegExp(`^public\\.orders +${topic} +capturing +25/25 \\(100%\\) +25 +-$`, 'm'),
    );
    expect(stdout).toMatch(/^public\.big +\S+ +capturing +20,000\/20,000 \(100%\) +20,000 +-$/m);
  });

  it('status --json gives the whole status for scripts', async () => {
    const { code, stdout } = await trunkline('status', '--json');
    expect(code).toBe(0);
    const status = JSON.parse(stdout);
    expect(status).toMatchObject({
      slot: ingestor!.slotName,
      publication: ingestor!.publicationName,
      phase: 'streaming',
      paused: false,
      eventsSent: String(ORDERS + BIG),
    });
    expect(status.tables).toContainEqual(
      expect.objectContaining({
        table: 'public.orders',
        topic: ingestor!.topic('public', 'orders'),
        state: 'capturing',
        lastError: '',
        snapshotRows: String(ORDERS),
        snapshotTotalRows: String(ORDERS),
        snapshotDone: true,
      }),
    );
  });

  it('status --watch --json prints one status a line', async () => {
    const child = watch('--json');
    await outputWhen(child, (o) => o.split('\n').filter(Boolean).length >= 2, 'two statuses');
    child.signal('SIGINT');
    expect((await child.exited).code).toBe(0);
    const lines = child.output().split('\n').filter(Boolean);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ phase: 'streaming' });
  }, 30_000);

  it('pause stops reading the slot and resume reads it again', async () => {
    const paused = await trunkline('pause');
    expect(paused).toMatchObject({
      code: 0,
      stdout: `paused: slot ${ingestor!.slotName} is not read until \`trunkline sources resume\` (Postgres keeps its WAL meanwhile)\n`,
    });
    expect((await trunkline('status')).stdout).toMatch(/^phase: +paused$/m);
    await db.sql.query(`INSERT INTO public.orders VALUES (${ORDERS + 1}, 'while paused')`);
    await sleep(1000);
    expect(JSON.parse((await trunkline('status', '--json')).stdout).eventsSent).toBe(String(ORDERS + BIG));

    expect(await trunkline('resume')).toMatchObject({
      code: 0,
      stdout: `resumed: reading slot ${ingestor!.slotName} (phase streaming)\n`,
    });
    const deadline = Date.now() + 20_000;
    let events = '';
    while (events !== String(ORDERS + BIG + 1) && Date.now() < deadline) {
      events = JSON.parse((await trunkline('status', '--json')).stdout).eventsSent;
      await sleep(200);
    }
    expect(events).toBe(String(ORDERS + BIG + 1));
    expect(JSON.parse((await trunkline('pause', '--json')).stdout)).toEqual({
      slot: ingestor!.slotName,
      phase: 'paused',
    });
    expect(JSON.parse((await trunkline('resume', '--json')).stdout)).toEqual({
      slot: ingestor!.slotName,
      phase: 'streaming',
    });
  }, 60_000);

  // public.orders holds one more row by now: the order inserted above.
  it('snapshot follows an incremental snapshot with progress bars until it is done', async () => {
    const { code, stdout, stderr } = await trunkline(
      'snapshot',
      'public.orders',
      'public.big',
      '--chunk-size',
      '500',
    );
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const id = /^snapshot (\S+) started: public\.orders, public\.big$/m.exec(stdout)?.[1];
    expect(id).toBeDefined();
    expect(stdout).toMatch(/^snapshot progress$/m);
    expect(stdout).toMatch(/^ {2}public\.big +\[[#.]{30}\] +\d+% +[\d,]+\/[\d,?]+ rows$/m);
    expect(stdout.trimEnd().split('\n').at(-1)).toBe(
      `snapshot ${id} done: public.big ${BIG.toLocaleString('en-US')} rows, public.orders ${ORDERS + 1} rows`,
    );
  }, 120_000);

  it('snapshot --json prints one progress object per second, the last one done; --detach returns at once', async () => {
    const followed = await trunkline('snapshot', 'public.orders', '--json');
    expect(followed.code).toBe(0);
    const lines = followed.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.at(-1)).toEqual({
      snapshotId: expect.any(String),
      done: true,
      tables: [
        {
          table: 'public.orders',
          state: 'capturing',
          rows: ORDERS + 1,
          estimatedRows: expect.any(Number),
          done: true,
        },
      ],
    });

    const detached = await trunkline('snapshot', 'public.orders', '--detach', '--json');
    expect(detached.code).toBe(0);
    expect(JSON.parse(detached.stdout)).toEqual({ snapshotId: expect.any(String) });
  }, 60_000);

  it('snapshot of a table the ingestor does not capture fails with its answer', async () => {
    const { code, stdout, stderr } = await trunkline('snapshot', 'public.nope');
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(stderr).toContain('table public.nope is not captured by this ingestor');
  });

  it('remove-tables and add-tables change what is captured', async () => {
    const removed = await trunkline('remove-tables', 'public.orders', '--json');
    expect(removed).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(removed.stdout)).toEqual({ tables: ['public.big'] });
    const added = await trunkline('add-tables', 'public.orders');
    expect(added).toMatchObject({
      code: 0,
      stdout: 'captured now: public.big, public.orders (added tables are snapshotted incrementally)\n',
    });
  }, 60_000);

  it('status --watch shows a progress bar per table while a snapshot runs, until Ctrl-C', async () => {
    const child = watch();
    await outputWhen(child, (o) => /^phase: +streaming$/m.test(o), 'a first status');
    // Ten rows a chunk: two thousand chunks, each read between its watermarks, long enough to watch.
    const started = await trunkline('snapshot', 'public.big', '--chunk-size', '10', '--detach');
    expect(started).toMatchObject({ code: 0, stderr: '' });
    await outputWhen(child, (o) => o.includes('snapshot progress'), 'snapshot progress');
    await outputWhen(
      child,
      (o) => !(o.split(/^(?=slot: )/m).at(-1) ?? '').includes('snapshot progress'),
      'the snapshot to end',
    );
    child.signal('SIGINT');
    expect((await child.exited).code).toBe(0);
    const output = child.output();
    expect(output).toMatch(
      /^confirmed LSN: +(none yet|[0-9A-F]+\/[0-9A-F]+) \(server at [0-9A-F]+\/[0-9A-F]+\)$/m,
    );
    expect(output).toMatch(/^ {2}public\.big +\[[#.]{30}\] +\d{1,3}% +[\d,]+\/20,000 rows$/m);
    // Only the tables the snapshot reads have bars.
    expect(output).not.toMatch(/^ {2}public\.orders +\[/m);
  }, 120_000);

  it('rejects bad usage with one line and exit code 2', async () => {
    for (const [args, message] of [
      [['snapshot'], 'sources snapshot takes one or more schema.table names'],
      [['snapshot', 'orders'], 'sources snapshot takes schema.table names, got "orders"'],
      [['status', 'extra'], 'sources status takes no arguments'],
      [['drop-slot'], 'sources drop-slot takes the name of the slot to drop'],
      [['add-tables'], 'sources add-tables takes one or more schema.table names'],
      [['remove-tables', 'big'], 'sources remove-tables takes schema.table names, got "big"'],
      [
        ['nonsense'],
        'unknown verb "nonsense" (status, pause, resume, snapshot, add-tables, remove-tables, drop-slot)',
      ],
    ] as const) {
      const { code, stderr } = await trunkline(...args);
      expect({ args, code, stderr }).toEqual({ args, code: 2, stderr: `trunkline sources: ${message}\n` });
    }
  }, 60_000);

  it('drop-slot needs the slot named, then drops it', async () => {
    const wrong = await trunkline('drop-slot', 'not_the_slot');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toBe(
      `trunkline sources: DropSlot names "not_the_slot"; this ingestor's slot is "${ingestor!.slotName}" (name it to confirm) (InvalidArgument)\n`,
    );
    const dropped = await trunkline('drop-slot', ingestor!.slotName);
    expect(dropped.stderr).toBe('');
    expect(dropped).toMatchObject({
      code: 0,
      stdout: `dropped: replication slot ${ingestor!.slotName}; the ingestor stopped streaming and snapshots again on its next start\n`,
    });
    const { rows } = await db.sql.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [
      ingestor!.slotName,
    ]);
    expect(rows).toEqual([]);
    expect((await trunkline('status')).stdout).toMatch(/^phase: +stopped$/m);
  });
});
