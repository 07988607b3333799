import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { ReplicationEvent, ReplicationStream } from './replication-stream';
import { dropPublication, dropSlot, getSlot } from './slots';

/** Helpers for the integration tests (`*.it.test.ts`) of this library; not exported. */

export function uniqueSuffix(): string {
  return randomUUID().replace(/-/g, '').slice(0, 10);
}

export async function connectAdmin(url: string): Promise<Client> {
  const client = new Client({ connectionString: url });
  await client.connect();
  return client;
}

/** Events until `done(event)` holds (that event included); fails after `timeoutMs` without it. */
export async function readUntil(
  stream: ReplicationStream,
  done: (event: ReplicationEvent) => boolean,
  timeoutMs = 10_000,
): Promise<ReplicationEvent[]> {
  const events: ReplicationEvent[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const remaining = deadline - Date.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), Math.max(remaining, 0));
    });
    const result = await Promise.race([stream.next(), timeout]);
    clearTimeout(timer);
    if (result === 'timeout') {
      throw new Error(
        `timed out after ${events.length} events: ${events.map((e) => e.message.tag).join(',')}`,
      );
    }
    if (result.done === true) throw new Error('the stream ended');
    events.push(result.value);
    if (done(result.value)) return events;
  }
}

/** Reads whole transactions until `count` Commits were seen. */
export function readTransactions(stream: ReplicationStream, count: number, timeoutMs = 10_000) {
  let commits = 0;
  return readUntil(stream, (event) => event.message.tag === 'commit' && ++commits === count, timeoutMs);
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Drops the slot once its walsender has gone (closing a connection ends it asynchronously). */
export async function dropSlotWhenInactive(admin: Client, slot: string): Promise<void> {
  await waitFor(
    async () => ((await getSlot(admin, slot))?.active === true ? undefined : true),
    `${slot} inactive`,
  );
  await dropSlot(admin, slot, { ifExists: true });
}

export async function dropAll(
  admin: Client,
  names: { slot?: string; publication?: string; tables?: string[] },
) {
  if (names.slot !== undefined) await dropSlotWhenInactive(admin, names.slot);
  if (names.publication !== undefined) await dropPublication(admin, names.publication, { ifExists: true });
  for (const table of names.tables ?? []) await admin.query(`drop table if exists ${table}`);
}
