import { describeWithEngine } from '@trunkline/testing';
import type { Client } from 'pg';
import { connectAdmin, dropAll, uniqueSuffix } from './it-fixtures';
import { ReplicationConnection } from './replication-connection';
import type { ReplicationStream } from './replication-stream';
import { createPublication } from './slots';

const HIGH_WATER_MARK = 500;
/** One socket read (64 KiB) of small insert messages is decoded after reading stops. */
const ONE_READ_OF_MESSAGES = 2000;
const ROWS = 10_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Samples bufferedCount until it stops growing; returns the samples. */
async function bufferedWhileIdle(stream: ReplicationStream): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < 10; i++) {
    await sleep(150);
    samples.push(stream.bufferedCount);
  }
  return samples;
}

/** Consumes one transaction, tracking the largest buffer seen; returns the inserted ids. */
async function consumeTransaction(
  stream: ReplicationStream,
): Promise<{ ids: number[]; maxBuffered: number }> {
  const ids: number[] = [];
  let maxBuffered = 0;
  for await (const event of stream) {
    maxBuffered = Math.max(maxBuffered, stream.bufferedCount);
    if (event.message.tag === 'insert') ids.push(Number(event.message.newTuple[0]));
    if (event.message.tag === 'commit') break;
  }
  return { ids, maxBuffered };
}

describeWithEngine('postgres', 'backpressure', (env) => {
  let admin: Client;
  let connection: ReplicationConnection;
  let stream: ReplicationStream;
  const suffix = uniqueSuffix();
  const table = `burst_${suffix}`;
  const slot = `slot_${suffix}`;
  const publication = `pub_${suffix}`;
  const expectedIds = (from: number) => Array.from({ length: ROWS }, (_, i) => from + i);

  beforeAll(async () => {
    admin = await connectAdmin(env.POSTGRES_URL!);
    await admin.query(`create table ${table} (id int primary key, note text)`);
    await createPublication(admin, publication, [table]);
    connection = await ReplicationConnection.open(env.POSTGRES_URL!);
    await connection.createSlot(slot, { exportSnapshot: false });
    stream = await connection.startReplication(slot, {
      publications: [publication],
      protoVersion: 1,
      highWaterMark: HIGH_WATER_MARK,
    });
  });

  afterAll(async () => {
    await connection.close();
    await dropAll(admin, { slot, publication, tables: [table] });
    await admin.end();
  });

  it('stops reading while paused and delivers everything after resume', async () => {
    stream.pause();
    await admin.query(`insert into ${table} select g, 'row ' || g from generate_series(1, ${ROWS}) g`);
    const samples = await bufferedWhileIdle(stream);
    expect(stream.isReadingPaused).toBe(true);
    expect(Math.max(...samples)).toBeLessThan(ONE_READ_OF_MESSAGES);
    expect(samples.at(-1)).toBe(samples.at(-5)); // nothing more is read

    stream.resume();
    const { ids, maxBuffered } = await consumeTransaction(stream);
    expect(ids).toEqual(expectedIds(1));
    expect(maxBuffered).toBeLessThan(HIGH_WATER_MARK + ONE_READ_OF_MESSAGES);
  });

  it('pauses by itself at the high-water mark when the consumer does not read', async () => {
    await admin.query(
      `insert into ${table} select g, 'row ' || g from generate_series(${ROWS + 1}, ${2 * ROWS}) g`,
    );
    const samples = await bufferedWhileIdle(stream);
    expect(Math.min(...samples.slice(-3))).toBeGreaterThanOrEqual(HIGH_WATER_MARK);
    expect(Math.max(...samples)).toBeLessThan(HIGH_WATER_MARK + ONE_READ_OF_MESSAGES);
    expect(stream.isReadingPaused).toBe(true);

    const { ids, maxBuffered } = await consumeTransaction(stream);
    expect(ids).toEqual(expectedIds(ROWS + 1));
    expect(maxBuffered).toBeLessThan(HIGH_WATER_MARK + ONE_READ_OF_MESSAGES);
    expect(stream.isReadingPaused).toBe(false);
  });
});
